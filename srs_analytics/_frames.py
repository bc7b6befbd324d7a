"""Private helpers the analyses share: checking the columns they were given, and sorting
rows into groups (a client's episode, measure, rater...) in session order."""

from __future__ import annotations

import numpy as np
import pandas as pd


def require_columns(data, cols: dict, required) -> None:
    """Raise when ``data`` is not a DataFrame or lacks a required column.

    ``cols`` maps argument names to column names (``{"client": "client_id", ...}``); the
    message names both, as ``client='client_id'``.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame; got {type(data).__name__}")
    missing = [f"{arg}={cols[arg]!r}" for arg in required if cols[arg] not in data.columns]
    if missing:
        raise ValueError(f"data lacks the column(s) {', '.join(missing)}; "
                         f"got {list(data.columns)}")


def sort_into_groups(df: pd.DataFrame, cols: dict, keys):
    """Sort rows by the ``keys`` columns, then session number, then date.

    Returns the sorted frame (new index), the group number of each row (one group per
    combination of the keys), the first row of each group, and the session numbers in
    sorted order (float).
    """
    codes = [pd.factorize(df[cols[k]], sort=True)[0] for k in keys]
    date = df[cols["date"]].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    session = df[cols["session"]].to_numpy(dtype=float, na_value=np.nan)
    order = np.lexsort((date, session, *codes[::-1]))
    df = df.iloc[order].reset_index(drop=True)
    k = np.column_stack(codes)[order]
    new = np.ones(len(df), dtype=bool)
    new[1:] = (k[1:] != k[:-1]).any(axis=1)
    group = np.cumsum(new) - 1
    return df, group, np.flatnonzero(new), session[order]
