"""Reading workbooks (XLSX, XLSM, XLS, ODS): every sheet that holds cells, header found in each."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ._errors import LoadError
from ._header import header_index
from ._raw import RawTable, dedupe, tidy
from .limits import ReadLimits, check_columns, check_workbook


def read_excel(source, *, name: str | None = None, sheet: str | int | None = None,
               limits: ReadLimits | None = None) -> list[RawTable]:
    """Every non-empty sheet of a workbook (XLSX or ODS), header row found in each.

    ``source`` is a path or the bytes of the file (a member of an archive), ``name`` what
    messages and ``source_file`` call it. ``sheet`` reads only that sheet (matched ignoring
    case and surrounding spaces when no sheet has exactly that name). Cells are read as
    they are: the text ``NA`` stays text (no missing-value guessing); an empty cell is
    missing.
    """
    limits = limits or ReadLimits()
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(source)
    name = name or Path(source).name
    ods = name.lower().endswith(".ods")
    check_workbook(source, name, limits)
    if hasattr(source, "seek"):
        source.seek(0)
    # odfpy prints the XML of a part it cannot parse (cells included) to the console: keep
    # whatever a reader prints to itself
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            book = pd.ExcelFile(source, engine="odf" if ods else None)
        except Exception as exc:  # openpyxl/odf raise many types for a broken workbook
            raise LoadError(f"The workbook {name} could not be opened ({_reason(exc)}).") \
                from None
        with book:
            names = _sheets(book, sheet, name)
            try:
                sheets = pd.read_excel(book, sheet_name=names, header=None, dtype=object,
                                       keep_default_na=False, na_values=[""])
            except Exception as exc:  # a broken sheet: as for the workbook
                raise LoadError(f"The workbook {name} could not be read ({_reason(exc)}).") \
                    from None
    tables = []
    nonempty = {k: v for k, v in sheets.items() if v.notna().any().any()}
    for sname, grid in nonempty.items():
        check_columns(grid.shape[1], f"The sheet {sname} of {name}", limits, "its widest row")
        cells = grid.where(grid.notna(), None).values.tolist()
        hidx = header_index(cells)
        header = [str(c).strip() if c is not None else f"Unnamed: {j}"
                  for j, c in enumerate(cells[hidx])]
        frame = grid.iloc[hidx + 1:].copy()
        frame.columns = dedupe(header)
        frame = frame.reset_index(drop=True)
        rows = np.arange(len(frame)) + hidx + 2  # Excel rows are 1-based
        label = name if len(nonempty) == 1 else f"{name}:{sname}"
        info = {"format": "ods" if ods else "xlsx", "sheet": str(sname),
                "header_line": hidx + 1}
        tables.append(tidy(RawTable(label, frame, rows, info, str(sname).strip().lower())))
    if not tables:
        raise LoadError(f"The workbook {name} is empty: no sheet holds any cells.")
    return tables


def _sheets(book: pd.ExcelFile, sheet, name: str) -> list:
    names = list(book.sheet_names)
    if isinstance(sheet, int) and not isinstance(sheet, bool):  # a position, as pandas
        names = names[sheet:sheet + 1] if -len(names) <= sheet < len(names) else []
        if not names:
            raise LoadError(f"The workbook {name} has {len(book.sheet_names)} "
                            f"sheet(s); there is no sheet number {sheet} (counted from 0).")
    elif sheet is not None:
        names = [n for n in names if str(n) == sheet] or [
            n for n in names if str(n).strip().lower() == str(sheet).strip().lower()]
        if len(names) != 1:
            raise LoadError(f"The workbook {name} has no sheet named {sheet!r}; its "
                            f"sheets are {', '.join(map(repr, book.sheet_names))} (choose "
                            "with sheet=... or --sheet NAME on the command line).")
    return names


def _reason(exc: Exception) -> str:
    """What went wrong, without quoting cells: the error's type and its first line."""
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
