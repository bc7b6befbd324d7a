"""Reading files into raw tables: encodings, separators, title rows, workbooks, archives.

Nothing here interprets scores; it finds the header, reads the cells and remembers where
each row came from (``source_row``: the line or spreadsheet row a person sees). Cells are
read as written: no value is taken for missing except an empty cell (``NA`` or ``null`` as a
client id is an id). What a file may make the readers parse is capped
(:class:`~srs_analytics.io.limits.ReadLimits`).
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
import json
import os
import re
import sqlite3
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ._errors import LimitError, LoadError
from ._header import HEADER_SCAN, has_score_columns, header_index, known_name
from ._names import canonical_field
from ._raw import RawTable, dedupe, tidy
from .archives import gunzip, nested, read_zip
from .limits import ReadLimits, check_columns, check_lines
from .sheets import read_excel

__all__ = ["LoadError", "LimitError", "RawTable", "gather_inputs", "has_score_columns",
           "known_name", "read_any", "read_excel", "read_text"]

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".tab", ".dat"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
SQLITE_SUFFIXES = frozenset({".sqlite", ".sqlite3", ".db"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
TABLE_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES | SQLITE_SUFFIXES | PARQUET_SUFFIXES
SUPPORTED = TABLE_SUFFIXES | {".zip", ".gz"}
# Read as text so that "007" stays "007"; other columns are inferred (faster) and parsed later.
_TEXT_FIELDS = frozenset({"client_id", "episode_id", "clinician_id", "site", "group_id",
                          "comment"})
_EXTRA = "(extra field {})"


@dataclass
class Input:
    """One input to read: a path or DataFrame, and the folder or pattern it was found in.

    ``found_in`` is None for an input named explicitly. A file found in a folder (or by a
    glob pattern) that is not an export is skipped and reported; one named explicitly is
    an error.
    """

    item: object
    found_in: str | None = None


def gather_inputs(inputs) -> tuple[list[Input], list[dict]]:
    """Files, folders and glob patterns, in the order given; DataFrames pass through.

    Returns the inputs to read and the files of a folder or pattern that are not of a
    supported type (``{"file", "reason", "found_in"}``), which are not read.
    """
    if isinstance(inputs, (str, os.PathLike, pd.DataFrame)):
        inputs = [inputs]
    out, skipped = [], []
    for item in inputs:
        if isinstance(item, pd.DataFrame):
            out.append(Input(item))
            continue
        text = str(item)
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file())
            if not found:
                raise LoadError(f"The folder {text} is empty: it holds no file.")
        elif path.is_file():
            out.append(Input(path))
            continue
        elif any(ch in text for ch in "*?["):
            found = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not found:
                raise LoadError(f"The pattern {text} matches no file.")
        else:
            raise LoadError(f"The file {text} does not exist. Check the path and try again.")
        for p in found:
            if p.suffix.lower() in SUPPORTED:
                out.append(Input(p, text))
            else:
                skipped.append({"file": p.name, "reason": _unsupported(p), "found_in": text})
    return out, skipped


def _unsupported(path: Path) -> str:
    if path.name.startswith("."):
        return "a hidden file, not an export"
    what = f"a {path.suffix} file" if path.suffix else "a file without a name ending"
    return f"{what}, not a type the loader reads"


def expand_paths(inputs) -> list:
    """Files, folders and glob patterns, in the order given; DataFrames pass through.

    Only the files of a supported type are listed (see :func:`gather_inputs`).
    """
    return [i.item for i in gather_inputs(inputs)[0]]


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
    check_lines(raw, name, limits)
    # UTF-8 from disk: pandas' C parser reads the file itself; only the head is decoded here
    fast = data is None and enc in ("utf-8", "utf-8-sig")
    try:
        text = (raw[:200_000].decode(enc, errors="ignore") if fast else raw.decode(enc))
    except UnicodeDecodeError as exc:
        raise LoadError(f"The file {name} could not be read as {enc} text ({exc}). "
                        "Give its encoding with encoding=... (--encoding on the command line), "
                        "for example 'cp1252', or leave it out to have it detected.") from None
    text = text.lstrip("\ufeff")
    lines = _physical_lines(raw if fast else text)
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


def _physical_lines(content: bytes | str) -> int:
    """The number of lines an editor shows (a last line without a line end counts)."""
    nl, cr, crlf = (("\n", "\r", "\r\n") if isinstance(content, str)
                    else (b"\n", b"\r", b"\r\n"))
    n = content.count(nl)
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


def read_sqlite(path: Path, *, name: str | None = None) -> list[RawTable]:
    """Every table of an SQLite database (CamCOPS dumps: tables ``ors`` and ``srs``)."""
    name = name or path.name
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LoadError(f"The file {name} is not a readable SQLite database "
                        f"({_sqlite_reason(exc)}).") from None
    tables = []
    try:
        try:
            names = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        except sqlite3.Error as exc:
            raise LoadError(f"The file {name} is not a readable SQLite database "
                            f"({_sqlite_reason(exc)}).") from None
        for tname in names:
            quoted = '"' + str(tname).replace('"', '""') + '"'
            try:
                frame = pd.read_sql_query(f"SELECT * FROM {quoted}", con)
            except (sqlite3.Error, pd.errors.DatabaseError, ValueError, OverflowError) as exc:
                raise LoadError(f"The table {tname} of {name} could not be read "
                                f"({_sqlite_reason(exc)}).") from None
            if frame.empty:
                continue
            tables.append(tidy(RawTable(f"{name}:{tname}", _flat(frame),
                                        np.arange(len(frame)) + 1,
                                        {"format": "sqlite", "table": tname},
                                        str(tname).lower())))
    finally:
        con.close()
    if not tables:
        raise LoadError(f"The database {name} holds no table with rows.")
    return tables


def _sqlite_reason(exc: Exception) -> str:
    """SQLite's message without the cell text some of them quote."""
    text = str(exc)
    m = re.search(r"decode to UTF-?8 column '([^']*)'", text)
    if m:
        return (f"column {m.group(1)} holds text that is not valid UTF-8, which SQLite "
                "text must be; export it again as UTF-8")
    return re.sub(r" with text '.*$", "", text, flags=re.S)[:200] or type(exc).__name__


def read_parquet(source, name: str) -> RawTable:
    """A Parquet file; nested cells (lists, structs, maps) become JSON text."""
    try:
        frame = pd.read_parquet(source)
    except Exception as exc:  # pyarrow raises several types for a broken file
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise LoadError(f"The file {name} is not a readable Parquet file "
                        f"({text or type(exc).__name__}).") from None
    return tidy(RawTable(name, _flat(frame), np.arange(len(frame)) + 1,
                         {"format": "parquet"}))


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells that hold lists, arrays, dicts or bytes become text (JSON where it can be)."""
    for c in frame.columns:
        s = frame[c]
        if s.dtype != object:
            continue
        odd = s.map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray, bytes)),
                    na_action="ignore").fillna(False).astype(bool)
        if odd.any():
            frame[c] = s.where(~odd, s[odd].map(_as_text))
    return frame


def _as_text(v) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, (set, tuple)):
        v = list(v)
    return json.dumps(v, default=str, ensure_ascii=False)


def read_bytes(data: bytes, member: str, label: str, *, depth: int = 0,
               sheet: str | None = None, encoding: str | None = None,
               limits: ReadLimits | None = None) -> tuple[list[RawTable], list[dict]]:
    """Read one file held in memory (an archive member) by its name ending."""
    limits = limits or ReadLimits()
    suffix = Path(member).suffix.lower()
    stem = Path(member).stem.lower()
    if suffix == ".gz":
        inner = member[:-3]
        return read_bytes(gunzip(data, label, limits), inner, label, depth=depth,
                          sheet=sheet, encoding=encoding, limits=limits)
    if suffix == ".zip":
        return read_zip(io.BytesIO(data), label, read=_member_reader(sheet, encoding, limits),
                        readable=SUPPORTED, limits=limits, depth=nested(depth, label, limits))
    if suffix in TEXT_SUFFIXES:
        return [read_text(member, data, name=label, encoding=encoding, table=stem,
                          limits=limits)], []
    if suffix in EXCEL_SUFFIXES:
        return read_excel(data, name=label, sheet=sheet, limits=limits), []
    if suffix in PARQUET_SUFFIXES:
        return [read_parquet(io.BytesIO(data), label)], []
    if suffix in SQLITE_SUFFIXES:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "member.sqlite"
            db.write_bytes(data)
            return read_sqlite(db, name=label), []
    raise LoadError(f"{label} is not a type the loader reads.")


def _member_reader(sheet, encoding, limits):
    def read(data: bytes, member: str, label: str, depth: int):
        return read_bytes(data, member, label, depth=depth, sheet=sheet, encoding=encoding,
                          limits=limits)
    return read


def read_any(item, *, index: int = 0, sheet: str | None = None,
             encoding: str | None = None, limits: ReadLimits | None = None
             ) -> tuple[list[RawTable], list[dict]]:
    """Read one input (path or DataFrame) into one or more raw tables.

    Returns the tables and the parts not read (members of an archive that are not
    tables, with the reason: ``{"file", "reason"}``).
    """
    limits = limits or ReadLimits()
    if isinstance(item, pd.DataFrame):
        frame = _flat(item.reset_index(drop=True).copy())
        check_columns(frame.shape[1], f"<DataFrame {index + 1}>", limits)
        return [tidy(RawTable(f"<DataFrame {index + 1}>", frame, np.arange(len(frame)) + 1,
                              {"format": "dataframe"}))], []
    path = Path(item)
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size == 0:
            raise LoadError(f"The file {path.name} is empty (0 bytes).")
        if suffix in EXCEL_SUFFIXES:
            return read_excel(path, sheet=sheet, limits=limits), []
        if suffix == ".zip":
            return read_zip(path, path.name, read=_member_reader(sheet, encoding, limits),
                            readable=SUPPORTED, limits=limits)
        if suffix == ".gz":
            return read_bytes(path.read_bytes(), path.name, path.name, sheet=sheet,
                              encoding=encoding, limits=limits)
        if suffix in SQLITE_SUFFIXES:
            return read_sqlite(path), []
        if suffix in PARQUET_SUFFIXES:
            return [read_parquet(path, path.name)], []
        return [read_text(path, encoding=encoding, limits=limits)], []
    except PermissionError:
        raise LoadError(f"The file {path} cannot be read: permission denied.") from None
    except IsADirectoryError:
        raise LoadError(f"{path} is a folder, not a file.") from None
