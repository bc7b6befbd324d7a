"""Reading archives: every table inside a ZIP (nested ZIPs and gzip members included).

Every member that is a table is read; every other member is named in the report with the
reason it was not read (macOS metadata, another file type, an encrypted or corrupt member),
and one stray member never refuses the others. Two members of the same name are both read.
What a member may decompress to is capped (:class:`~srs_analytics.io.limits.ReadLimits`).
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import PurePosixPath

from ._errors import LimitError, LoadError
from ._raw import RawTable
from .limits import ZIP_ERRORS, ReadLimits, read_member

#: ``read(data, member, label, depth) -> (tables, skipped)``: reads one member's bytes.
MemberReader = Callable[[bytes, str, str, int], tuple[list[RawTable], list[dict]]]


def read_zip(source, name: str, *, read: MemberReader, readable: frozenset[str],
             limits: ReadLimits, depth: int = 0) -> tuple[list[RawTable], list[dict]]:
    """The tables of a ZIP archive, and the members not read (``{"file", "reason"}``).

    ``read`` reads a member's bytes by its name ending (one of ``readable``); members are
    read in the archive's order and labelled ``archive.zip:member`` (a second member of the
    same name ``archive.zip:member (2)``).
    """
    try:
        zf = zipfile.ZipFile(source)
    except ZIP_ERRORS as exc:
        raise LoadError(f"The file {name} is not a readable ZIP archive "
                        f"({describe(exc)}).") from None
    tables, skipped = [], []
    with zf:
        try:
            infos = [i for i in zf.infolist() if not i.is_dir()]
        except ZIP_ERRORS as exc:
            raise LoadError(f"The archive {name} cannot be listed ({describe(exc)}).") from None
        counts, seen = Counter(i.filename for i in infos), Counter()
        for info in infos:
            seen[info.filename] += 1
            label = f"{name}:{info.filename}"
            if counts[info.filename] > 1 and seen[info.filename] > 1:
                label += f" ({seen[info.filename]})"
            why = not_a_table(info.filename, readable)
            if why is None and info.flag_bits & 0x1:
                why = "an encrypted member: it needs a password, which the loader does not take"
            if why is None:
                try:
                    data = read_member(zf, info, label, limits)
                except LimitError:
                    raise
                except ZIP_ERRORS as exc:
                    why = f"a corrupt member that cannot be decompressed ({describe(exc)})"
            if why is None and not data.strip():
                why = "an empty member"
            if why is None:
                try:
                    found, more = read(data, info.filename, label, depth)
                except LimitError:
                    raise
                except LoadError as exc:
                    why = str(exc).removeprefix(f"{label}: ")
                else:
                    tables += found
                    skipped += more
                    continue
            skipped.append({"file": label, "reason": why})
    return tables, skipped


def nested(depth: int, label: str, limits: ReadLimits) -> int:
    """The depth of an archive inside an archive, within ``limits.max_archive_depth``."""
    if depth + 1 > limits.max_archive_depth:
        raise limits.error("max_archive_depth",
                           f"{label} is an archive {depth + 1} levels deep inside others")
    return depth + 1


def gunzip(data: bytes, label: str, limits: ReadLimits) -> bytes:
    """The decompressed bytes of a gzip file, within the size and ratio caps."""
    parts, total = [], 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            while chunk := fh.read(1 << 20):
                total += len(chunk)
                if total > limits.max_member_bytes:
                    raise limits.error("max_member_bytes",
                                       f"{label} decompresses to more than {total:,} bytes")
                if total > 1 << 20 and total > limits.max_compression_ratio * len(data):
                    raise limits.error("max_compression_ratio",
                                       f"{label} decompresses to more than "
                                       f"{total / len(data):,.0f} times its size")
                parts.append(chunk)
    except (gzip.BadGzipFile, *ZIP_ERRORS) as exc:
        if isinstance(exc, LimitError):
            raise
        raise LoadError(f"{label} is not a readable gzip file ({describe(exc)}).") from None
    return b"".join(parts)


def not_a_table(member: str, readable: frozenset[str]) -> str | None:
    """Why an archive member is not read (``None`` when it may be a table)."""
    path = PurePosixPath(member)
    if "__MACOSX" in path.parts or path.name.startswith("._") or path.name == ".DS_Store":
        return "macOS metadata (a resource fork or folder settings), not an export"
    if path.name.startswith("."):
        return "a hidden file, not an export"
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        inner = suffixes[0] if len(suffixes) == 2 else ""
        return None if inner in readable else f"a gzip file of a {inner or 'file'} without a " \
            "table type the loader reads"
    if path.suffix.lower() in readable:
        return None
    what = f"a {path.suffix} file" if path.suffix else "a file without a name ending"
    return f"{what}, not a type the loader reads"


def describe(exc: BaseException) -> str:
    """An archive error in a few words (zipfile's messages name members, never cells)."""
    text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    return text or type(exc).__name__
