"""A table as read, before its columns mean anything, and the tidying every reader shares."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class RawTable:
    """One table as read: raw cells, where each row came from, and what was detected.

    ``row_reason`` and ``row_message`` hold, for rows the reader found broken (a line with
    values beyond the header, a quote that swallowed the lines after it), the rejection
    reason and its message; ``None`` elsewhere (or ``None`` for the whole table). ``files``
    holds each row's file where the rows of one table come from several files (a Parquet
    data set, whose folder is ``name``); ``None`` when they all come from ``name``.
    """

    name: str  # shown as source_file
    frame: pd.DataFrame  # raw cells, original column names
    rows: np.ndarray  # source_row of each row of frame
    info: dict = field(default_factory=dict)
    table: str | None = None  # sheet / archive member / SQLite table name, lower case stem
    row_reason: np.ndarray | None = None
    row_message: np.ndarray | None = None
    files: pd.Categorical | None = None


def tidy(t: RawTable) -> RawTable:
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
    if blank.any():
        t.frame = f.loc[~blank].reset_index(drop=True)
        t.rows = t.rows[~blank]
        if t.files is not None:
            t.files = t.files[~blank]
        if t.row_reason is not None:
            t.row_reason, t.row_message = t.row_reason[~blank], t.row_message[~blank]
    else:
        t.frame = f
    return t


def dedupe(names: list[str]) -> list[str]:
    """Column names made unique as pandas does: a repeated ``x`` becomes ``x.1``, ``x.2``."""
    used: set[str] = set()
    out = []
    for n in names:
        new, k = n, 0
        while new in used:
            k += 1
            new = f"{n}.{k}"
        used.add(new)
        out.append(new)
    return out
