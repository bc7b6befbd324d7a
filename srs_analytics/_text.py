"""Text columns built without a loop per row: numbers, dates and item names in prose.

The alert messages, suggestions and progress notes are built for whole tables at once
(a million messages take well under a second) with :mod:`pyarrow.compute`, the engine
behind pandas' ``str`` dtype. Text that takes few distinct values (a date, a number, an
item label) is formatted once per distinct value and then taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: The storage type of pandas' ``str`` dtype.
STR = pa.large_string()
#: How each alliance item is named in prose; ``item`` columns keep the short label.
ITEM_NAMES: Mapping[str, str] = MappingProxyType({
    "relationship": "relationship", "goals_topics": "goals and topics",
    "approach_method": "approach or method", "overall": "overall"})
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value, decimals: int = 2) -> str:
    """One number as short text: rounded, without trailing zeros ("" for NaN).

    Very large or very small numbers keep six significant digits in ``g`` notation.

    >>> number(31.0), number(7.5), number(38.254), number(-0.001), number(11.25, 6)
    ('31', '7.5', '38.25', '0', '11.25')
    >>> number(1e300), number(float("nan"))
    ('1e+300', '')
    """
    v = float(value)
    if np.isnan(v):
        return ""
    if abs(v) >= 1e15:
        return f"{v:g}"
    v = round(v, decimals) + 0.0  # -0.0 becomes 0.0
    return f"{v:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{v:.0f}"


def numbers(values, decimals: int = 2, *, missing: str | None = "") -> pa.Array:
    """Numbers as text (see :func:`number`), each distinct value formatted once.

    ``missing`` is the text of NaN (``None`` gives a null).

    >>> numbers([31.0, 7.5, 38.25, -0.001, np.nan]).to_pylist()
    ['31', '7.5', '38.25', '0', '']
    """
    x = np.asarray(values, dtype=float).ravel()
    with np.errstate(over="ignore", invalid="ignore"):
        u = np.where(np.abs(x) < 1e15, np.round(x, decimals), x) + 0.0  # -0.0 becomes 0.0
        # arrow writes the shortest text that reads back as the same number, which for a
        # number rounded to ``decimals`` is :func:`number`'s; large ones (exponents) and
        # NaN are spelled by :func:`number`, once per distinct value
        odd = ~(np.abs(u) < 1e6)
    text = pa.array(np.where(odd, 0.0, u)).cast(STR)
    if odd.any():
        codes, uniq = pd.factorize(u[odd])
        codes[codes < 0] = len(uniq)  # NaN
        words = pa.array([*(number(v, decimals) for v in uniq), missing], STR)
        text = pc.replace_with_mask(text, pa.array(odd), pc.take(words, pa.array(codes)))
    return text


def signed(values) -> pa.Array:
    """Like :func:`numbers`, with a "+" before positive numbers.

    >>> signed([2.5, 0, -1]).to_pylist()
    ['+2.5', '0', '-1']
    """
    x = np.asarray(values, dtype=float)
    return concat(choose(np.round(x, 2) > 0, "+", ""), numbers(x))


def text(values):
    """Text as a pyarrow ``large_string`` array ("" for missing); a ``str`` as a scalar."""
    if isinstance(values, str):
        return pa.scalar(values, STR)
    if isinstance(values, (pa.Array, pa.ChunkedArray, pa.Scalar)):
        arr = values
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(
            np.asarray(values, dtype=object))
        arr = pa.array(series, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != STR:
        arr = arr.cast(STR)
    return arr.fill_null("") if arr.null_count else arr


def concat(*parts):
    """Element-wise concatenation of text arrays and ``str``.

    >>> concat("Session ", numbers([1, 2]), ".").to_pylist()
    ['Session 1.', 'Session 2.']
    """
    return pc.binary_join_element_wise(*map(text, parts), text(""))


def choose(mask, yes, no):
    """Element-wise choice between two texts (arrays or ``str``)."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), text(yes), text(no))


def per_value(values, how):
    """Apply ``how`` (str -> str) to each distinct value of a text array once."""
    enc = pc.dictionary_encode(text(values))
    return pc.take(pa.array([how(u) for u in enc.dictionary.to_pylist()], STR), enc.indices)


def item_names(labels):
    """Prose names of item labels; tied labels "a;b" read "a, b" ("" for missing).

    >>> item_names(pa.array(["approach_method", "relationship;goals_topics", None])).to_pylist()
    ['approach or method', 'relationship, goals and topics', '']
    """
    return per_value(labels, lambda u: ", ".join(ITEM_NAMES.get(p, p) for p in u.split(";"))
                     if u else "")


def dates(values):
    """Dates as "12 Mar 2026", in English whatever the locale ("" for NaT).

    >>> dates(np.array(["2026-03-12", "NaT"], dtype="datetime64[D]")).to_pylist()
    ['12 Mar 2026', '']
    """
    d = np.asarray(values, dtype="datetime64[D]").ravel()
    inv, uniq = pd.factorize(d.view(np.int64))  # hashed, not sorted: each day spelled once
    words = ["" if np.isnat(u) else f"{u.item().day} {_MONTHS[u.item().month - 1]} "
             f"{u.item().year}" for u in np.asarray(uniq).astype("datetime64[D]")]
    return pc.take(pa.array(words, STR), pa.array(inv))


def str_column(values) -> pd.api.extensions.ExtensionArray:
    """A pandas ``str`` column from a text array."""
    return pd.array(text(values), dtype="str")
