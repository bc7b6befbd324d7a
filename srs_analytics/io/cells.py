"""Reading cells: text, numbers, skip flags and category values, each distinct value once.

Identifiers and free text are taken as written (``NA`` as a client id is an id). In the
other fields, the markers programs write for a missing value (:data:`MISSING_MARKERS`:
``NA``, ``NaN``, ``NULL``, ``None``, in any case) count as an empty cell; anything else a
person writes (``n/a``, ``#N/A``, ``-``, ``missing``) is not a number, and a score cell that
holds it is rejected.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

#: What programs write for a missing value (R, pandas, SQL dumps, Python), compared in
#: lower case; counted as an empty cell in every field but identifiers and free text.
MISSING_MARKERS = frozenset({"na", "nan", "null", "none"})

_YES = {"y", "yes", "1", "true", "t", "skip", "skipped", "ja", "j", "oui", "si", "x"}
_NO = {"n", "no", "0", "false", "f", "nein", "non", ""}


def per_value(s: pd.Series, func) -> pd.Series:
    """Apply a text function to each distinct value once (IDs and categories repeat)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(uniques, dtype="str")
    mapped = func(u)
    if len(u) and str(s.dtype) == "str" and mapped.equals(u):
        return s  # already clean text: keep the column as it is
    values = mapped.to_numpy(dtype=object, na_value=None)
    taken = np.append(values, None)[codes] if len(values) else np.full(len(s), None)
    return pd.Series(taken, index=s.index, dtype="str")


def key(s: pd.Series) -> pd.Series:
    """Normalised text of each cell, for matching category values."""
    return per_value(s, lambda u: u.str.lower().str.replace(r"[^0-9a-z]", "", regex=True))


def text(s: pd.Series) -> pd.Series:
    """Cells as stripped text; blanks become missing; whole floats lose their '.0'."""
    if pd.api.types.is_float_dtype(s.dtype):
        whole = s.notna() & (s % 1 == 0) & (s.abs() < 1e15)
        out = s.astype("str")
        return out.where(~whole, s.where(whole).astype("Int64").astype("str"))
    return per_value(s, lambda u: u.str.strip().replace("", None))


def value(s: pd.Series) -> pd.Series:
    """Like :func:`text`, with the missing-value markers of programs also missing."""
    return per_value(s, lambda u: u.str.strip().where(
        ~u.str.strip().str.lower().isin(MISSING_MARKERS | {""})))


def is_blank(s: pd.Series) -> pd.Series:
    """Empty cells, white space or a missing-value marker (:data:`MISSING_MARKERS`)."""
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return s.isna()
    return value(s).isna()


def categorize(s: pd.Series, table: Mapping[str, str], keep_unknown: bool = False) -> pd.Series:
    """Map free-text category values to canonical ones; unknown values become missing."""
    def one(u):
        blank = u.str.strip().str.lower().isin(MISSING_MARKERS)
        k = u.str.lower().str.replace(r"[^0-9a-z]", "", regex=True)
        out = k.map(dict(table))
        if keep_unknown:
            out = out.fillna(u.str.strip().str.lower().str.replace(r"\s+", "_", regex=True)
                             .replace("", None))
        return out.where(~blank)
    return per_value(s, one)


def parse_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from cells, accepting decimal commas; returns (values, not-a-number mask).

    ``True`` and ``False`` are not numbers (a yes/no cell is not a score), nor is text such
    as ``n/a``; an empty cell or a missing-value marker is missing, not "not a number".
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        bad = s.notna().astype(bool)
        return pd.Series(np.nan, index=s.index, dtype="float64"), bad
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64"), pd.Series(False, index=s.index)
    txt = value(s)
    vals = pd.to_numeric(txt.str.replace(",", ".", regex=False), errors="coerce")
    vals = vals.astype("float64")
    bad = txt.notna() & vals.isna()
    return vals, bad


def parse_skip(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Skip flags in either style (Y/N or 1/0); returns (skipped, invalid flag).

    A missing-value marker (``NA``, ``null``) is not a flag: the row is not skipped.
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.fillna(False).astype(bool), pd.Series(False, index=s.index)
    k = key(text(s) if pd.api.types.is_float_dtype(s.dtype) else value(s)).fillna("")
    yes, no = k.isin(_YES), k.isin(_NO) | s.isna()
    return yes, ~(yes | no)
