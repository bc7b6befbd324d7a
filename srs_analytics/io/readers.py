"""Reading files into raw tables: encodings, separators, title rows, workbooks, archives.

Nothing here interprets scores; it finds the header, reads the cells and remembers where
each row came from (``source_row``: the line or spreadsheet row a person sees). Cells are
read as written: no value is taken for missing except an empty cell (``NA`` or ``null`` as a
client id is an id). What a file may make the readers parse is capped
(:class:`~srs_analytics.io.limits.ReadLimits`).
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._errors import LimitError, LoadError
from ._header import has_score_columns, known_name
from ._raw import RawTable, tidy
from .archives import gunzip, nested, read_zip
from .limits import ReadLimits, check_columns
from .partitioned import PARQUET_SUFFIXES, is_dataset, read_dataset
from .sheets import read_excel
from .text import read_text

__all__ = ["LoadError", "LimitError", "RawTable", "gather_inputs", "has_score_columns",
           "known_name", "read_any", "read_excel", "read_text"]

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".tab", ".dat"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
SQLITE_SUFFIXES = frozenset({".sqlite", ".sqlite3", ".db"})
TABLE_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES | SQLITE_SUFFIXES | PARQUET_SUFFIXES
SUPPORTED = TABLE_SUFFIXES | {".zip", ".gz"}


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
        if is_dataset(path):  # a folder of Parquet files is one table
            out.append(Input(path))
            continue
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


# what pandas.api.types.infer_dtype calls a column of plain cells (no lists, dicts, bytes)
_PLAIN_KINDS = frozenset({"string", "empty", "integer", "floating", "mixed-integer-float",
                          "boolean", "datetime", "datetime64", "date", "time", "timedelta",
                          "timedelta64", "decimal"})


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells that hold lists, arrays, dicts or bytes become text (JSON where it can be)."""
    for c in frame.columns:
        s = frame[c]
        if s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) in _PLAIN_KINDS:
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
             encoding: str | None = None, limits: ReadLimits | None = None,
             select=None) -> tuple[list[RawTable], list[dict]]:
    """Read one input (path or DataFrame) into one or more raw tables.

    Returns the tables and the parts not read (members of an archive that are not
    tables, with the reason: ``{"file", "reason"}``). A folder is a Parquet data set
    (:mod:`.partitioned`), of which only the columns ``select(names)`` returns are read
    (default: all).
    """
    limits = limits or ReadLimits()
    if isinstance(item, pd.DataFrame):
        frame = _flat(item.reset_index(drop=True).copy())
        check_columns(frame.shape[1], f"<DataFrame {index + 1}>", limits)
        return [tidy(RawTable(f"<DataFrame {index + 1}>", frame, np.arange(len(frame)) + 1,
                              {"format": "dataframe"}))], []
    path = Path(item)
    suffix = path.suffix.lower()
    if path.is_dir():
        t = read_dataset(path, limits=limits, select=select)
        t.frame = _flat(t.frame)
        return [tidy(t)], []
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
