"""Reading files into raw tables: encodings, separators, title rows, workbooks, archives.

Nothing here interprets scores; it finds the header, reads the cells and remembers where
each row came from (``source_row``: the line or spreadsheet row a person sees).
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
import os
import re
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._names import canonical_field, norm, wide_field

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".tab", ".dat"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
SQLITE_SUFFIXES = frozenset({".sqlite", ".sqlite3", ".db"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
SUPPORTED = TEXT_SUFFIXES | EXCEL_SUFFIXES | SQLITE_SUFFIXES | PARQUET_SUFFIXES | {".zip"}
_HEADER_SCAN = 30
# Read as text so that "007" stays "007"; other columns are inferred (faster) and parsed later.
_TEXT_FIELDS = frozenset({"client_id", "episode_id", "clinician_id", "site", "group_id",
                          "comment"})
_CAMCOPS = {"qsession", "qdate", "qwho", "qindividual", "qinterpersonal", "qsocial",
            "qoverall", "qrelationship", "qgoals", "qapproach"}
_MHSDS = {"codedasstooltype", "persscore", "asstoolcompdate", "uniqservreqid", "personid"}


class LoadError(ValueError):
    """Input that cannot be loaded; the message says what is wrong and what to do."""


@dataclass
class RawTable:
    """One table as read: raw cells, where each row came from, and what was detected."""

    name: str  # shown as source_file
    frame: pd.DataFrame  # raw cells, original column names
    rows: np.ndarray  # source_row of each row of frame
    info: dict = field(default_factory=dict)
    table: str | None = None  # sheet / archive member / SQLite table name, lower case stem


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


def has_score_columns(columns, mapping: dict | None = None) -> bool:
    """Whether a table's header holds recognisable ORS/SRS score columns.

    Measure-prefixed columns (``ORS 1``, ``Total_SRS``), CamCOPS items, an MHSDS score, a
    measure column beside items or a total, or a column a mapping names. A table without
    any (a summary sheet, a to-do list, a client roster) is not an export.
    """
    n = {norm(c) for c in columns}
    fields = {canonical_field(c) for c in columns}
    mapped = {norm(v) for v in ((mapping or {}).get("columns") or {}).values()}
    return bool(any(wide_field(c) for c in columns) or n & (_CAMCOPS - {"qsession", "qdate",
                                                                       "qwho"})
                or "persscore" in n or n & mapped
                or ("measure" in fields and fields & {"item_1", "item_2", "item_3", "item_4",
                                                       "total"}))


def known_name(name: object) -> bool:
    """Whether a header cell is a column name the loader recognises."""
    n = norm(name)
    return bool(canonical_field(name) or wide_field(name) or n in _CAMCOPS or n in _MHSDS
                or n.startswith("redcap"))


def _header_index(rows: list[list]) -> int:
    """The first row with the most recognised names (at least 2), else the first non-empty."""
    best, best_n = None, 1
    for i, cells in enumerate(rows[:_HEADER_SCAN]):
        n = sum(known_name(c) for c in cells if c is not None and str(c).strip())
        if n > best_n:
            best, best_n = i, n
    if best is not None:
        return best
    for i, cells in enumerate(rows):
        if any(c is not None and str(c).strip() for c in cells):
            return i
    return 0


def _detect_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[:4000]
    if head and head.count(b"\x00") > len(head) // 4:
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


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
        except (zipfile.BadZipFile, ValueError):
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


def read_text(path: Path | str, data: bytes | None = None, *, name: str | None = None,
              encoding: str | None = None, table: str | None = None) -> RawTable:
    """Read a delimited text file, detecting encoding, separator, decimal mark and header."""
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
    # UTF-8 from disk: pandas' C parser reads the file itself; only the head is decoded here
    fast = data is None and enc in ("utf-8", "utf-8-sig")
    try:
        text = (raw[:200_000].decode(enc, errors="ignore") if fast else raw.decode(enc))
    except UnicodeDecodeError as exc:
        raise LoadError(f"The file {name} could not be read as {enc} text ({exc}). "
                        "Give its encoding with encoding=... (--encoding on the command line), "
                        "for example 'cp1252', or leave it out to have it detected.") from None
    text = text.lstrip("\ufeff")
    del raw
    # split lines as the CSV parser does (not str.splitlines, which also splits on \v, \f...)
    head_lines = re.split(r"\r\n|\r|\n", text[:200_000])[: _HEADER_SCAN + 50]
    guess = _detect_delimiter(max(head_lines[:_HEADER_SCAN], default="", key=lambda s: sum(
        s.count(d) for d in ",;\t|")))
    hidx = _header_index(list(csv.reader(head_lines[:_HEADER_SCAN], delimiter=guess)))
    delimiter = _detect_delimiter(head_lines[hidx]) if hidx < len(head_lines) else guess
    header = next(csv.reader([head_lines[hidx]], delimiter=delimiter)) if head_lines else []
    decimal = _detect_decimal(head_lines[hidx + 1:], delimiter)
    dtypes = {c: "str" for c in header if canonical_field(c) in _TEXT_FIELDS}
    options = dict(sep=delimiter, skiprows=hidx, header=0, skip_blank_lines=False)

    def read(dtype):
        source = Path(path) if fast else io.StringIO(text)
        return pd.read_csv(source, dtype=dtype, decimal=decimal,
                           encoding="utf-8-sig" if fast else None, **options)

    try:
        try:
            frame = read(dtypes)
        except pd.errors.EmptyDataError:
            raise
        except (ValueError, TypeError):  # a dtype the cells do not fit: read cells as text
            frame = read(str)
    except pd.errors.EmptyDataError:
        raise LoadError(f"The file {name} holds no table: no header row was found.") from None
    except UnicodeError as exc:
        raise LoadError(f"The file {name} could not be read as {enc} text ({exc}). Give its "
                        "encoding with encoding=... (--encoding on the command line).") from None
    except (pd.errors.ParserError, ValueError, TypeError) as exc:
        raise LoadError(_not_a_table(name, exc, delimiter, hidx + 1)) from None
    rows = np.arange(len(frame)) + hidx + 2  # header line = hidx + 1 (1-based)
    info = {"format": "text", "encoding": enc, "delimiter": delimiter, "decimal": decimal,
            "header_line": hidx + 1}
    return _tidy(RawTable(name, frame, rows, info, table))


def _tidy(t: RawTable) -> RawTable:
    """Drop blank rows and unnamed empty columns; count what was dropped."""
    f = t.frame
    f.columns = [str(c).strip() for c in f.columns]
    unnamed = [c for c in f.columns if (c.startswith("Unnamed:") or c == "" or c == "nan")]
    empty_unnamed = [c for c in unnamed if f[c].isna().all()]
    f = f.drop(columns=empty_unnamed)
    text_cols = [c for c in f.columns if f[c].dtype == object or str(f[c].dtype) == "str"]
    other = [c for c in f.columns if c not in text_cols]
    # a row is blank when every cell is empty or white space; check text only where needed
    blank = f[other].isna().all(axis=1).to_numpy().copy() if other else np.ones(len(f), bool)
    for c in text_cols:
        if not blank.any():
            break
        cells = f[c].to_numpy()[blank]
        cells = pd.Series(cells, dtype="str")
        empty = (cells.isna() | cells.str.strip().eq("")).to_numpy(dtype=bool, na_value=True)
        blank[blank] = empty
    t.info["blank_rows"] = int(blank.sum())
    t.info["empty_columns_dropped"] = len(empty_unnamed)
    t.frame = f.loc[~blank].reset_index(drop=True)
    t.rows = t.rows[~blank]
    return t


def read_excel(path: Path, *, sheet: str | int | None = None) -> list[RawTable]:
    """Every non-empty sheet of a workbook (XLSX or ODS), header row found in each.

    ``sheet`` reads only that sheet (matched ignoring case and surrounding spaces when no
    sheet has exactly that name).
    """
    engine = "odf" if path.suffix.lower() == ".ods" else None
    try:
        book = pd.ExcelFile(path, engine=engine)
    except Exception as exc:  # openpyxl/odf raise many types for a broken workbook
        raise LoadError(f"The workbook {path.name} could not be opened ({exc}).") from None
    with book:
        names = list(book.sheet_names)
        if isinstance(sheet, int) and not isinstance(sheet, bool):  # a position, as pandas
            names = names[sheet:sheet + 1] if -len(names) <= sheet < len(names) else []
            if not names:
                raise LoadError(f"The workbook {path.name} has {len(book.sheet_names)} "
                                f"sheet(s); there is no sheet number {sheet} (counted from 0).")
        elif sheet is not None:
            names = [n for n in names if str(n) == sheet] or [
                n for n in names if str(n).strip().lower() == str(sheet).strip().lower()]
            if len(names) != 1:
                raise LoadError(f"The workbook {path.name} has no sheet named {sheet!r}; its "
                                f"sheets are {', '.join(map(repr, book.sheet_names))} (choose "
                                "with sheet=... or --sheet NAME on the command line).")
        try:
            sheets = pd.read_excel(book, sheet_name=names, header=None, dtype=object)
        except Exception as exc:  # a broken sheet: as for the workbook
            raise LoadError(f"The workbook {path.name} could not be read ({exc}).") from None
    tables = []
    nonempty = {k: v for k, v in sheets.items() if v.notna().any().any()}
    for sname, grid in nonempty.items():
        cells = grid.where(grid.notna(), None).values.tolist()
        hidx = _header_index(cells)
        header = [str(c).strip() if c is not None else f"Unnamed: {j}"
                  for j, c in enumerate(cells[hidx])]
        frame = grid.iloc[hidx + 1:].copy()
        frame.columns = _dedupe(header)
        frame = frame.reset_index(drop=True)
        rows = np.arange(len(frame)) + hidx + 2  # Excel rows are 1-based
        label = path.name if len(nonempty) == 1 else f"{path.name}:{sname}"
        info = {"format": "ods" if engine else "xlsx", "sheet": str(sname),
                "header_line": hidx + 1}
        tables.append(_tidy(RawTable(label, frame, rows, info, str(sname).strip().lower())))
    if not tables:
        raise LoadError(f"The workbook {path.name} is empty: no sheet holds any cells.")
    return tables


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        out.append(n if k == 0 else f"{n}.{k}")
        seen[n] = k + 1
    return out


def read_zip(path: Path, *, encoding: str | None = None) -> list[RawTable]:
    """Every delimited text member of a ZIP archive (CamCOPS: ``ors.tsv`` and ``srs.tsv``)."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise LoadError(f"The file {path.name} is not a readable ZIP archive.") from None
    tables = []
    with zf:
        for member in sorted(zf.namelist()):
            if member.endswith("/") or Path(member).suffix.lower() not in TEXT_SUFFIXES:
                continue
            data = zf.read(member)
            if not data.strip():
                continue
            tables.append(read_text(member, data, name=f"{path.name}:{member}",
                                    encoding=encoding, table=Path(member).stem.lower()))
    if not tables:
        raise LoadError(f"The archive {path.name} holds no CSV or TSV file with data.")
    return tables


def read_sqlite(path: Path) -> list[RawTable]:
    """Every table of an SQLite database (CamCOPS dumps: tables ``ors`` and ``srs``)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    except sqlite3.DatabaseError as exc:
        raise LoadError(f"The file {path.name} is not a readable SQLite database "
                        f"({exc}).") from None
    tables = []
    try:
        for tname in names:
            frame = pd.read_sql_query(f'SELECT * FROM "{tname}"', con)
            if frame.empty:
                continue
            tables.append(_tidy(RawTable(f"{path.name}:{tname}", frame,
                                         np.arange(len(frame)) + 1,
                                         {"format": "sqlite", "table": tname}, tname.lower())))
    finally:
        con.close()
    if not tables:
        raise LoadError(f"The database {path.name} holds no table with rows.")
    return tables


def read_any(item, *, index: int = 0, sheet: str | None = None,
             encoding: str | None = None) -> list[RawTable]:
    """Read one input (path or DataFrame) into one or more raw tables."""
    if isinstance(item, pd.DataFrame):
        frame = item.reset_index(drop=True).copy()
        return [_tidy(RawTable(f"<DataFrame {index + 1}>", frame, np.arange(len(frame)) + 1,
                               {"format": "dataframe"}))]
    path = Path(item)
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size == 0:
            raise LoadError(f"The file {path.name} is empty (0 bytes).")
        if suffix in EXCEL_SUFFIXES:
            return read_excel(path, sheet=sheet)
        if suffix == ".zip":
            return read_zip(path, encoding=encoding)
        if suffix in SQLITE_SUFFIXES:
            return read_sqlite(path)
        if suffix in PARQUET_SUFFIXES:
            try:
                frame = pd.read_parquet(path)
            except Exception as exc:  # pyarrow raises several types for a broken file
                raise LoadError(f"The file {path.name} is not a readable Parquet file "
                                f"({exc}).") from None
            return [_tidy(RawTable(path.name, frame, np.arange(len(frame)) + 1,
                                   {"format": "parquet"}))]
        return [read_text(path, encoding=encoding)]
    except PermissionError:
        raise LoadError(f"The file {path} cannot be read: permission denied.") from None
    except IsADirectoryError:
        raise LoadError(f"{path} is a folder, not a file.") from None
