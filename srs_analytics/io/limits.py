"""Caps on what a file may make the loader decompress and parse.

A five-megabyte file can hold one line of five million separators; a small ZIP can expand to
gigabytes of newlines; a workbook can name a single cell at XFD1048576, the last of 17
billion. The readers check these caps before the work starts (or while decompressing) and
stop with a :class:`LoadError` that says which cap was reached and how to raise it. The
defaults sit far above what a genuine ORS/SRS export needs, so ordinary files (a 200 MB
export, a workbook of a million rows) never meet them.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, fields

import numpy as np

from .._checks import check_number
from ._errors import LimitError

__all__ = ["ReadLimits"]


@dataclass(frozen=True)
class ReadLimits:
    """The caps of the readers; each can be raised for a genuine file that meets it.

    Attributes
    ----------
    max_line_bytes : int
        The longest line of a text file, in bytes (1 MiB). An export line is a few hundred
        bytes; a whole free-text comment rarely passes a few thousand.
    max_columns : int
        The most columns (fields) a table or a line may have (10,000). REDCap projects with
        a few thousand fields stay below it.
    max_member_bytes : int
        The largest size a member of a ZIP archive (a member of a workbook included) may
        have once decompressed (1 GiB).
    max_compression_ratio : float
        The largest ratio of decompressed to compressed size of an archive member larger
        than 1 MiB (200). Text tables compress 5 to 20 times; a member of nothing but
        newlines compresses about 1,000 times.
    max_sheet_cells : int
        The most cells a worksheet may span, rows times columns of its last cell
        (30,000,000: a full Excel sheet of 1,048,576 rows is 28 columns wide at most).
    max_archive_depth : int
        How deep ZIP archives may nest inside each other (2: an archive inside an archive).

    Notes
    -----
    The defaults are this project's choice; no standard sets them. Raise one with
    ``load(..., settings=LoadSettings(limits=ReadLimits(max_columns=20_000)))``, or with
    ``--limit max_columns=20000`` on the command line.
    """

    max_line_bytes: int = 1 << 20
    max_columns: int = 10_000
    max_member_bytes: int = 1 << 30
    max_compression_ratio: float = 200.0
    max_sheet_cells: int = 30_000_000
    max_archive_depth: int = 2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            check_number(f.name, value, 1, integer=f.name != "max_compression_ratio")

    def error(self, name: str, what: str) -> LimitError:
        """The error for a cap reached: ``what`` (a sentence start), the cap and its remedy."""
        cap = getattr(self, name)
        shown = f"{cap:,}" if isinstance(cap, int) else f"{cap:g}"
        return LimitError(
            f"{what}, over the limit {name}={shown}. The loader stops here so that a broken "
            "or hostile file cannot exhaust the memory. If the file is genuine, raise the "
            f"limit: --limit {name}=N on the command line, or in Python "
            f"load(..., settings=LoadSettings(limits=ReadLimits({name}=N))).")


def check_lines(raw: bytes, name: str, limits: ReadLimits) -> int | None:
    """Stop when a line of ``raw`` is longer than ``limits.max_line_bytes``.

    Lines end at a line feed, or at a carriage return in a file without line feeds. The
    scan runs in numpy, 32 MiB at a time (about 0.1 s for 200 MB). Returns the number of
    line feeds when it scanned for them (``None`` for a file shorter than the cap, or one
    without line feeds), which saves the reader a second pass.
    """
    cap = limits.max_line_bytes
    if len(raw) <= cap:
        return None
    sep = 10 if b"\n" in raw else 13
    buf = np.frombuffer(raw, dtype=np.uint8)
    last, step, seen = -1, 1 << 25, 0  # the position of the last line end seen
    for start in range(0, len(buf), step):
        ends = np.flatnonzero(buf[start:start + step] == sep)
        seen += len(ends)
        if len(ends):
            ends += start
            lengths = np.diff(ends, prepend=last) - 1
            worst = int(lengths.argmax())
            if lengths[worst] > cap:
                _too_long(buf, sep, int(ends[worst]) - int(lengths[worst]),
                          int(lengths[worst]), name, limits)
            last = int(ends[-1])
        elif min(start + step, len(buf)) - last - 1 > cap:
            _too_long(buf, sep, last + 1, min(start + step, len(buf)) - last - 1, name, limits)
    if len(buf) - last - 1 > cap:
        _too_long(buf, sep, last + 1, len(buf) - last - 1, name, limits)
    return seen if sep == 10 else None


def _too_long(buf: np.ndarray, sep: int, begin: int, length: int, name: str,
              limits: ReadLimits) -> None:
    line = int(np.count_nonzero(buf[:begin] == sep)) + 1
    raise limits.error("max_line_bytes",
                       f"Line {line:,} of {name} is at least {length:,} bytes long")


def check_columns(n: int, name: str, limits: ReadLimits, where: str = "its header") -> None:
    """Stop when a table has more columns than ``limits.max_columns``."""
    if n > limits.max_columns:
        raise limits.error("max_columns", f"{name} has {n:,} columns in {where}")


#: Errors of a broken archive or member (bad CRC, bad magic, zlib data errors, a method
#: Python cannot decompress, a member cut short).
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError,
              EOFError, OSError, ValueError, RuntimeError, OverflowError)

_CHUNK = 1 << 20
_RATIO_FLOOR = 1 << 20  # members below 1 MiB may compress as well as they like


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
                limits: ReadLimits) -> bytes:
    """The bytes of one archive member, within the size and ratio caps.

    The declared sizes are checked first and the real ones while decompressing, 1 MiB at a
    time, so that a member that lies about its size stops as early as one that does not.
    """
    label = f"The archive member {name}"
    _check_declared(info, label, limits)
    parts, total = [], 0
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            total += len(chunk)
            if total > limits.max_member_bytes:
                raise limits.error("max_member_bytes",
                                   f"{label} decompresses to more than {total:,} bytes")
            if total > _RATIO_FLOOR and total > limits.max_compression_ratio * max(
                    info.compress_size, 1):
                raise limits.error("max_compression_ratio",
                                   f"{label} decompresses to more than "
                                   f"{total / max(info.compress_size, 1):,.0f} times its "
                                   "compressed size")
            parts.append(chunk)
    return b"".join(parts)


def _check_declared(info: zipfile.ZipInfo, label: str, limits: ReadLimits) -> None:
    if info.file_size > limits.max_member_bytes:
        raise limits.error("max_member_bytes",
                           f"{label} declares {info.file_size:,} bytes once decompressed")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FLOOR and ratio > limits.max_compression_ratio:
        raise limits.error("max_compression_ratio",
                           f"{label} declares {ratio:,.0f} times its compressed size")


# a row or cell reference in a worksheet: <row r="12"...> or <c r="AB12"...>
_REF = re.compile(rb'\sr="([A-Z]{0,3})(\d{1,9})"')


def check_workbook(source, name: str, limits: ReadLimits) -> None:
    """Check an XLSX or ODS file (a ZIP of XML parts) against the caps before it is read.

    Every part is held to the member caps, and each XLSX worksheet to ``max_sheet_cells``:
    its last row times its last column, read from the cell references (readers pad every
    row of a sheet to the width of its widest row). A file that is not a ZIP is left to the
    workbook reader, which says so.
    """
    try:
        zf = zipfile.ZipFile(source)
    except ZIP_ERRORS:
        return
    with zf:
        for info in zf.infolist():
            _check_declared(info, f"The part {info.filename} of {name}", limits)
            if re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
                _check_sheet(zf, info, name, limits)


def _check_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
                 limits: ReadLimits) -> None:
    rows = cols = 0
    tail = b""
    try:
        fh = zf.open(info)
    except ZIP_ERRORS:
        return  # the workbook reader reports a broken part
    total = 0
    with fh:
        while True:
            try:
                chunk = fh.read(_CHUNK)
            except ZIP_ERRORS:
                return
            if not chunk:
                break
            total += len(chunk)
            if total > limits.max_member_bytes:
                raise limits.error("max_member_bytes", f"The sheet {info.filename} of {name} "
                                   f"decompresses to more than {total:,} bytes")
            text = tail + chunk
            for letters, digits in _REF.findall(text):
                r = int(digits)
                rows = r if r > rows else rows
                if letters:
                    c = _column_number(letters)
                    cols = c if c > cols else cols
            tail = text[-32:]
    cells = rows * max(cols, 1)
    if cells > limits.max_sheet_cells:
        sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
        raise limits.error("max_sheet_cells",
                           f"The worksheet {sheet} of {name} reaches row {rows:,} and column "
                           f"{cols:,} ({cells:,} cells)")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n
