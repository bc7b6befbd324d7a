"""Checks of the arguments every analysis takes, with one wording for each mistake.

Bad input raises an error that names the parameter or column, what was expected and what
came (never ``assert``: it vanishes under ``python -O``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real

import pandas as pd


def require_frame(data) -> None:
    """Raise ``TypeError`` unless ``data`` is a pandas DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame; got {type(data).__name__}")


def require_columns(data, cols: Mapping[str, str], required: Iterable[str]) -> None:
    """Raise when ``data`` is not a DataFrame or lacks a required column.

    ``cols`` maps argument names to column names (``{"client": "client_id", ...}``); the
    message names both, as ``client='client_id'``.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"client_id": []}), {"client": "client_id",
    ...                 "total": "score"}, ["client", "total"])
    Traceback (most recent call last):
    ...
    ValueError: data lacks the column(s) total='score'; got ['client_id']
    """
    require_frame(data)
    missing = [f"{arg}={cols[arg]!r}" for arg in required if cols[arg] not in data.columns]
    if missing:
        raise ValueError(f"data lacks the column(s) {', '.join(missing)}; "
                         f"got {list(data.columns)}")


def check_choice(name: str, value, choices) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``.

    >>> check_choice("method", "jt", ("points", "jt"))
    >>> check_choice("method", "JT", ("points", "jt"))
    Traceback (most recent call last):
    ...
    ValueError: method must be one of 'points', 'jt'; got 'JT'
    """
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; "
                         f"got {value!r}")


def check_number(name: str, value, low: float | None = None, high: float | None = None, *,
                 low_open: bool = False, high_open: bool = False, integer: bool = False,
                 none: bool = False) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number in the given range.

    ``low`` and ``high`` are inclusive unless ``low_open`` / ``high_open``; ``integer``
    asks for a whole number (``bool`` is never a number); ``none`` lets ``None`` through.

    >>> check_number("cutoff", 25, 0, 40)
    >>> check_number("cutoff", 100, 0, 40)
    Traceback (most recent call last):
    ...
    ValueError: cutoff must be a number from 0 to 40; got 100
    """
    if value is None and none:
        return
    kind = "an integer" if integer else "a number"
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer:
        ok = float(value).is_integer()
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(f"{name} must be {kind}{_range_text(low, high, low_open, high_open)}; "
                         f"got {value!r}")


def _range_text(low, high, low_open, high_open) -> str:
    def num(x):
        return f"{x:g}"

    if low is not None and high is not None:
        if not low_open and not high_open:
            return f" from {num(low)} to {num(high)}"
        left = "above" if low_open else "at least"
        right = "below" if high_open else "at most"
        return f" {left} {num(low)} and {right} {num(high)}"
    if low is not None:
        return f" {'above' if low_open else 'of at least'} {num(low)}"
    if high is not None:
        return f" {'below' if high_open else 'of at most'} {num(high)}"
    return ""
