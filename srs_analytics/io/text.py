"""Reading delimited text: encoding, separator, decimal mark, header, and every line accounted for.

A text export is read by pandas' C parser, told the header's names (so that no column is ever
taken as an index) and one spare column; rows with more fields than the header are read as
wide as the widest row, their empty extra fields dropped and the others kept for rejection.
Each row's ``source_row`` is the line an editor shows, also after cells that span lines, and
a quote left open that swallowed the lines after it is found by the shape of what it
swallowed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ._errors import LimitError, LoadError
from ._header import HEADER_SCAN, header_index
from ._names import canonical_field
from ._raw import RawTable, dedupe, tidy
from .limits import ReadLimits, check_columns, check_lines

# Read as text so that "007" stays "007"; other columns are inferred (faster) and parsed later.
_TEXT_FIELDS = frozenset({"client_id", "episode_id", "clinician_id", "site", "group_id",
                          "comment"})
_EXTRA = "(extra field {})"


def _detect_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[:4000]
    if head and head.count(b"\x00") > len(head) // 4:
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    if _is_utf8(raw):
        return "utf-8"
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _is_utf8(raw: bytes) -> bool:
    """Whether bytes are valid UTF-8, checked by Arrow in place (no copy decoded to str)."""
    offsets = pa.py_buffer(np.array([0, len(raw)], dtype=np.int64).tobytes())
    arr = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(raw)])
    try:
        arr.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _detect_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in ("\t", ";", ",", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _detect_decimal(sample_lines: list[str], delimiter: str) -> str:
    if delimiter == ",":
        return "."
    cells = [c.strip().strip('"') for line in sample_lines for c in line.split(delimiter)]
    commas = sum(1 for c in cells if _is_comma_number(c))
    points = sum(1 for c in cells if _is_point_number(c))
    return "," if commas > points else "."


def _is_comma_number(c: str) -> bool:
    a, _, b = c.partition(",")
    return bool(a) and bool(b) and a.lstrip("-").isdigit() and b.isdigit() and "," not in b


def _is_point_number(c: str) -> bool:
    a, _, b = c.partition(".")
    return bool(a) and bool(b) and a.lstrip("-").isdigit() and b.isdigit()


#: The first bytes of files that are not text, and what each is.
_MAGIC = [(b"PK\x03\x04", "a ZIP archive (an .xlsx, .docx or .zip file under another name?)"),
          (b"\x89PNG", "a PNG image"), (b"%PDF", "a PDF document"),
          (b"\xd0\xcf\x11\xe0", "an old-style Office file (.xls or .doc)"),
          (b"SQLite format 3\x00", "an SQLite database"), (b"PAR1", "a Parquet file"),
          (b"\x1f\x8b", "a gzip archive"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"GIF8", "a GIF image"), (b"{\\rtf", "an RTF document")]
#: Bytes below 0x20 that text holds: tab, line feed, vertical tab, form feed, carriage
#: return, and the end-of-file mark (0x1a) old DOS programs add.
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1a")


def _binary_kind(raw: bytes, encoding: str) -> str | None:
    """What a file is when it is not text (None when it looks like text)."""
    if raw.startswith(b"PK\x03\x04"):
        try:
            members = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            members = []
        if any(m.startswith("xl/") for m in members):
            return "an Excel workbook (rename it to end in .xlsx to load it)"
        if any(m.startswith("word/") for m in members):
            return "a Word document (.docx)"
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return what
    if encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32")):
        return None  # NUL bytes are part of the text
    head = raw[:8192]
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    return "a binary file (it holds bytes that no text holds)" if controls > len(head) / 100 \
        else None


def _not_a_table(name: str, exc: Exception, delimiter: str, header_line: int) -> str:
    """A plain sentence for a parser error: which line has how many fields."""
    text = str(exc).strip()
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        want, line, saw = m.groups()
        sep = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}.get(delimiter,
                                                                           repr(delimiter))
        return (f"The file {name} does not read as a table: line {line} has {saw} fields "
                f"where the header (line {header_line}) has {want} (separated by {sep}). "
                "If it is an export, every row needs as many separators as the header; "
                "quote the cells that hold the separator.")
    return (f"The file {name} does not read as a table ({text}). If it is an export, check "
            "that every row has as many separators as the header.")


@contextmanager
def _field_limit(size: int):
    """Let Python's csv module read fields up to ``size`` characters, for this block only."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, size + 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def read_text(path: Path | str, data: bytes | None = None, *, name: str | None = None,
              encoding: str | None = None, table: str | None = None,
              limits: ReadLimits | None = None) -> RawTable:
    """Read a delimited text file, detecting encoding, separator, decimal mark and header.

    Every line after the header is a row (or a blank line, dropped and counted). A row
    with more fields than the header keeps them: empty ones are dropped, and a row whose
    extra fields hold values is marked for rejection (``extra_fields``). A quote left open
    that swallows the lines after it into one cell is found by the shape of what it
    swallowed, and its row marked (``unclosed_quote``); ``source_row`` stays the line an
    editor shows, also after a cell that legitimately spans several lines.
    """
    limits = limits or ReadLimits()
    name = name or Path(path).name
    raw = data if data is not None else Path(path).read_bytes()
    blank = b"\x00\r\n\t ,;\xef\xbb\xbf\xff\xfe"
    if not raw[:65536].strip(blank) and not raw.strip(blank):
        raise LoadError(f"The file {name} is empty: it holds no header and no rows.")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise LoadError(f"The encoding {encoding!r} (given for {name}) is not one Python "
                            "knows; use a name such as 'utf-8', 'cp1252', 'latin-1' or "
                            "'utf-16' with encoding=... (--encoding on the command line), or "
                            "leave it out to have it detected.") from None
    enc = encoding or _detect_encoding(raw)
    kind = _binary_kind(raw, enc)
    if kind:
        raise LoadError(f"The file {name} is not a text table: it looks like {kind}. "
                        "The loader reads delimited text (.csv, .tsv, .txt), workbooks "
                        "(.xlsx, .xls, .ods), Parquet, SQLite and ZIP archives of CSV files, "
                        "each by its file name ending.")
    feeds = check_lines(raw, name, limits)
    # UTF-8 from disk: pandas' C parser reads the file itself; only the head is decoded here
    fast = data is None and enc in ("utf-8", "utf-8-sig")
    try:
        text = (raw[:200_000].decode(enc, errors="ignore") if fast else raw.decode(enc))
    except UnicodeDecodeError as exc:
        raise LoadError(f"The file {name} could not be read as {enc} text ({exc}). "
                        "Give its encoding with encoding=... (--encoding on the command line), "
                        "for example 'cp1252', or leave it out to have it detected.") from None
    text = text.lstrip("\ufeff")
    lines = _physical_lines(raw, feeds) if fast else _physical_lines(text)
    del raw
    # split lines as the CSV parser does (not str.splitlines, which also splits on \v, \f...)
    head_lines = re.split(r"\r\n|\r|\n", text[:200_000])[: HEADER_SCAN + 50]
    with _field_limit(limits.max_line_bytes):
        for i, line in enumerate(head_lines[:HEADER_SCAN]):
            check_columns(max(line.count(d) for d in ",;\t|") + 1, name, limits,
                          f"line {i + 1}")
        guess = _detect_delimiter(max(head_lines[:HEADER_SCAN], default="", key=lambda s: sum(
            s.count(d) for d in ",;\t|")))
        hidx = header_index(list(csv.reader(head_lines[:HEADER_SCAN], delimiter=guess)))
        delimiter = _detect_delimiter(head_lines[hidx]) if hidx < len(head_lines) else guess
        header = next(csv.reader([head_lines[hidx]], delimiter=delimiter), []) \
            if head_lines else []
    if not any(h.strip() for h in header):
        raise LoadError(f"The file {name} holds no table: no header row was found.")
    names = dedupe([h.strip() or f"Unnamed: {j}" for j, h in enumerate(header)])
    decimal = _detect_decimal(head_lines[hidx + 1:], delimiter)
    dtypes = {c: "str" for c in names if canonical_field(c) in _TEXT_FIELDS}

    def read(width: int, dtype):
        source = Path(path) if fast else io.StringIO(text)
        cols = names + [_EXTRA.format(k) for k in range(1, width - len(names) + 1)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(
                source, sep=delimiter, header=None, names=cols, skiprows=hidx + 1,
                index_col=False, dtype=dtype, decimal=decimal, keep_default_na=False,
                na_values=[""], skip_blank_lines=False,
                encoding="utf-8-sig" if fast else None)
        cut = any(issubclass(w.category, pd.errors.ParserWarning)
                  and "Length of header" in str(w.message) for w in caught)
        return frame, cut

    def parse(dtype):
        try:  # one spare column: a separator at the end of each line is common
            frame, cut = read(len(names) + 1, dtype)
        except pd.errors.ParserError as exc:
            if not re.search(r"Expected \d+ fields in line \d+, saw \d+", str(exc)):
                raise
            frame, cut = None, True
        if cut:  # a row has more fields still: read again as wide as the widest row
            width = _widest_row(Path(path) if fast else text, enc, delimiter, hidx, name,
                                limits)
            frame, cut = read(max(width, len(names)), dtype)
        return frame

    try:
        try:
            frame = parse(dtypes)
        except (pd.errors.EmptyDataError, pd.errors.ParserError, LimitError):
            raise
        except (ValueError, TypeError):  # a dtype the cells do not fit: read cells as text
            frame = parse(str)
    except pd.errors.EmptyDataError:
        raise LoadError(f"The file {name} holds no table: no header row was found.") from None
    except UnicodeError as exc:
        raise LoadError(f"The file {name} could not be read as {enc} text ({exc}). Give its "
                        "encoding with encoding=... (--encoding on the command line).") from None
    except pd.errors.ParserError as exc:
        if "EOF inside string" in str(exc):
            raise LoadError(_open_quote(name, Path(path) if fast else text, enc, hidx)) \
                from None
        raise LoadError(_not_a_table(name, exc, delimiter, hidx + 1)) from None
    except (ValueError, TypeError) as exc:
        raise LoadError(_not_a_table(name, exc, delimiter, hidx + 1)) from None
    frame, reason, message = _extra_fields(frame, names, hidx, delimiter)
    rows, reason, message, swallowed = _lines_of_rows(frame, hidx, lines, delimiter,
                                                      len(names), reason, message)
    info = {"format": "text", "encoding": enc, "delimiter": delimiter, "decimal": decimal,
            "header_line": hidx + 1, "swallowed_lines": swallowed}
    return tidy(RawTable(name, frame, rows, info, table, reason, message))


def _physical_lines(content: bytes | str, feeds: int | None = None) -> int:
    """The number of lines an editor shows (a last line without a line end counts).

    ``feeds`` is the number of line feeds when already counted.
    """
    nl, cr, crlf = (("\n", "\r", "\r\n") if isinstance(content, str)
                    else (b"\n", b"\r", b"\r\n"))
    n = content.count(nl) if feeds is None else feeds
    if cr in content:  # a carriage return alone ends a line too; with a line feed, once
        n += content.count(cr) - content.count(crlf)
    return n + (1 if content and not content.endswith((nl, cr)) else 0)


def _widest_row(source, enc: str, delimiter: str, hidx: int, name: str,
                limits: ReadLimits) -> int:
    """The most fields of a row after the header (Python's csv; only for broken files)."""
    text = source.read_bytes().decode(enc, errors="replace").lstrip("\ufeff") \
        if isinstance(source, Path) else source
    widest = 0
    with _field_limit(limits.max_line_bytes):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for i, row in enumerate(reader):
            if i > hidx and len(row) > widest:
                widest = len(row)
                check_columns(widest, name, limits, f"line {reader.line_num}")
    return widest


def _extra_fields(frame: pd.DataFrame, names: list[str], hidx: int, delimiter: str):
    """Drop the empty fields beyond the header; mark the rows whose extra fields hold values.

    Returns the frame (keeping the extra columns that hold values, as ``(extra field 1)``
    ...) and the reason and message of each row (``None`` where the row is fine).
    """
    extra = list(frame.columns[len(names):])
    n = len(frame)
    if not extra:
        return frame, None, None
    cells = frame[extra]
    filled = cells.notna().to_numpy().copy()
    for j, c in enumerate(extra):
        if filled[:, j].any() and not pd.api.types.is_numeric_dtype(cells[c].dtype):
            filled[:, j] &= cells[c].astype("str").str.strip().ne("").to_numpy(
                dtype=bool, na_value=False)
    used = filled.any(axis=0)
    frame = frame.drop(columns=[c for c, u in zip(extra, used) if not u])
    bad = filled.any(axis=1)
    if not bad.any():
        return frame, None, None
    reason = np.full(n, None, dtype=object)
    message = np.full(n, None, dtype=object)
    last = len(names) + len(extra) - np.argmax(filled[bad][:, ::-1], axis=1)
    sep = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}.get(delimiter, "separator")
    reason[bad] = "extra_fields"
    message[bad] = [
        f"The row has {k} fields where the header has {len(names)}, and the fields after "
        f"the header's last column hold values: a {sep} inside an unquoted cell (a decimal "
        f"comma such as 1,5 in a comma-separated file?) shifts the cells. Quote such cells, "
        "or remove the extra fields." for k in last]
    return frame, reason, message


def _lines_of_rows(frame, hidx, lines, delimiter, n_names, reason, message):
    """``source_row`` of each row, and the rows that swallowed lines after an open quote.

    When the rows and the lines after the header agree in number, row i is line
    ``header + 1 + i``. Otherwise some cells span several lines: each row then starts after
    the lines of the rows before it. A cell whose continuation lines hold as many
    separators as a row of the table is a quote left open, not a multi-line comment.
    """
    n = len(frame)
    first = hidx + 2  # the line after the header (1-based)
    if n == 0 or lines - (hidx + 1) <= n:
        return np.arange(n) + first, reason, message, 0
    breaks = np.zeros(n, dtype=np.int64)
    swallowed = np.zeros(n, dtype=bool)
    where = np.full(n, None, dtype=object)
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            continue
        s = s.astype("str")
        has = s.str.contains(r"[\r\n]", regex=True).to_numpy(dtype=bool, na_value=False)
        if not has.any():
            continue
        counts = s[has].str.count(r"\r\n|\r|\n").to_numpy(dtype=np.int64)
        breaks[has] += counts
        if n_names >= 3:
            later = s[has].str.split(r"\r\n|\r|\n", regex=True).map(
                lambda parts: any(p.count(delimiter) >= n_names - 1 for p in parts[1:]))
            hit = np.flatnonzero(has)[later.to_numpy(dtype=bool)]
            swallowed[hit] = True
            for i in hit:
                where[i] = where[i] or str(c)
    rows = first + np.concatenate([[0], np.cumsum(breaks + 1)[:-1]])
    if swallowed.any():
        reason = np.full(n, None, dtype=object) if reason is None else reason
        message = np.full(n, None, dtype=object) if message is None else message
        for i in np.flatnonzero(swallowed):
            reason[i] = "unclosed_quote"
            message[i] = (f"A quote opened in column {where[i]} on line {rows[i]} closes only "
                          f"on line {rows[i] + breaks[i]}: the {breaks[i]} line(s) between, "
                          "which look like rows of their own, were read into this one cell. "
                          "Close or remove the quote in the file and load it again.")
    return rows, reason, message, int(breaks[swallowed].sum())


def _open_quote(name: str, source, enc: str, hidx: int) -> str:
    """The message for a quote that is never closed: the line where it opens."""
    text = source.read_bytes().decode(enc, errors="replace") if isinstance(source, Path) \
        else source
    odd, opened = False, hidx + 1
    for i, line in enumerate(re.split(r"\r\n|\r|\n", text)):
        if line.count('"') % 2:
            odd = not odd
            if odd:
                opened = i + 1
    return (f"The file {name} does not read as a table: the quote (\") opened on line "
            f"{opened} is never closed, so every line after it would be one cell. Close or "
            "remove that quote and load the file again.")
