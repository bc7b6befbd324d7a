"""Private helpers the analyses share: the tolerance of comparisons, and sorting rows into
groups (a client's episode, measure, rater...) in session order."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Comparisons of scores allow this much floating-point error (8.9 + 9.1 is not below 18).
EPS = 1e-9


def sort_into_groups(df: pd.DataFrame, cols: dict, keys):
    """Sort rows by the ``keys`` columns, then session number, then date.

    Missing session numbers and dates sort last. Returns the sorted frame (new index), the
    group number of each row (one group per combination of the keys, numbered in sorted
    order), the position of the first row of each group, and the session numbers in sorted
    order (float).

    Examples
    --------
    >>> df = pd.DataFrame({"c": ["b", "a", "b"], "s": [2, 1, 1],
    ...                    "d": pd.to_datetime(["2026-01-08", "2026-01-01", "2026-01-01"])})
    >>> out, group, starts, session = sort_into_groups(df, {"client": "c", "session": "s",
    ...                                                     "date": "d"}, ["client"])
    >>> out["c"].tolist(), group.tolist(), starts.tolist(), session.tolist()
    (['a', 'b', 'b'], [0, 1, 1], [0, 1], [1.0, 1.0, 2.0])
    """
    codes, sizes = [], []
    for k in keys:
        c, u = pd.factorize(df[cols[k]], sort=True)
        codes.append(c.astype(np.int64))
        sizes.append(len(u) + 1)  # -1 (missing) shifted to 0
    if np.prod(np.array(sizes, dtype=float)) < 2.0**62:  # the keys as one integer
        key = np.zeros(len(df), dtype=np.int64)
        for c, size in zip(codes, sizes):
            key = key * size + (c + 1)
        codes = [key]
    date = df[cols["date"]].to_numpy(dtype="datetime64[ns]").view(np.int64)
    date = np.where(date == np.iinfo(np.int64).min, np.iinfo(np.int64).max, date)  # NaT last
    session = df[cols["session"]].to_numpy(dtype=float, na_value=np.nan)
    order = np.lexsort((date, session, *codes[::-1]))  # NaN sorts last
    df = df.iloc[order].reset_index(drop=True)
    new = _group_starts(codes, order, len(df))
    group = np.cumsum(new) - 1
    return df, group, np.flatnonzero(new), session[order]


def _group_starts(codes, order, n):
    """True where a row (in ``order``) starts a new combination of the ``codes``."""
    new = np.zeros(n, dtype=bool)
    new[:1] = True
    for c in codes:
        c = c[order]
        new[1:] |= c[1:] != c[:-1]
    return new


def positions(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted into groups: each row's position in its group, and whether it is
    the group's last row.

    >>> pos, last = positions(np.array([0, 0, 1, 2, 2, 2]))
    >>> pos.tolist(), last.tolist()
    ([0, 1, 0, 0, 1, 2], [False, True, True, False, False, True])
    """
    n = len(group)
    new = np.ones(n, dtype=bool)
    new[1:] = group[1:] != group[:-1]
    starts = np.flatnonzero(new)
    pos = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    last = np.zeros(n, dtype=bool)
    last[np.append(starts[1:], n)[: len(starts)] - 1] = True
    return pos, last


def lag(values: np.ndarray, pos: np.ndarray, k: int, fill=np.nan) -> np.ndarray:
    """``values`` k rows earlier within the same group (``fill`` across a group start).

    >>> lag(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 1, 0, 1]), 1).tolist()
    [nan, 1.0, nan, 3.0]
    """
    out = np.full(values.shape, fill, dtype=np.result_type(values, type(fill)))
    if k < len(values):
        out[k:] = values[: len(values) - k]
    out[pos < k] = fill
    return out


def column_map(**names) -> dict:
    """The column names an analysis was given, by argument name; ``items`` (four names)
    also gives ``item_1`` .. ``item_4``.

    >>> column_map(client="id", items=("a", "b", "c", "d"))["item_3"]
    'c'
    """
    cols = dict(names)
    if "items" in cols:
        items = cols["items"] = tuple(cols["items"])
        if len(items) != 4 or not all(isinstance(c, str) for c in items):
            raise ValueError(f"items must name the four item columns; got {items!r}")
        cols.update({f"item_{j + 1}": c for j, c in enumerate(items)})
    return cols


def item_flags(x: np.ndarray, valid: np.ndarray, pos: np.ndarray, s) -> dict:
    """Item flags of alliance ratings sorted into series, as (n, 4) arrays.

    ``x`` holds the items, ``valid`` whether a rating's items were rated, ``pos`` each
    rating's place in its series (client, episode, rater, measure) and ``s`` the
    :class:`~srs_analytics.alliance.AllianceSettings`. Keys: ``low`` (below ``low_item``),
    ``deep`` (at or below ``deep_item``), ``fallen`` (at least ``item_fall`` below the
    previous rating's item), ``repeated`` / ``recurring`` (below ``repeat_low`` /
    ``low_item`` now and in at least ``repeat_min`` of the last ``repeat_window`` ratings,
    this one included), ``n_repeated`` / ``n_recurring`` (those counts) and ``window``
    (the ratings in the window, (n,)). A rating without items counts as not low.

    >>> x = np.array([[7.5, 9, 9, 9], [9.5, 9, 9, 9], [7.9, 9, 9, 9.5]])
    >>> from srs_analytics.alliance import AllianceSettings
    >>> f = item_flags(x, np.ones(3, bool), np.arange(3), AllianceSettings())
    >>> f["repeated"][:, 0].tolist(), f["fallen"][:, 0].tolist(), f["deep"][:, 0].tolist()
    ([False, False, True], [False, False, False], [False, False, False])
    """
    rated = valid[:, None]
    low = (x < s.low_item - EPS) & rated
    below = (x < s.repeat_low - EPS) & rated
    before = lag(x, pos, 1)
    fallen = (np.round(before - x, 9) >= s.item_fall - EPS) & rated
    fallen &= lag(valid, pos, 1, fill=False)[:, None]
    out = {"low": low, "deep": (x <= s.deep_item + EPS) & rated, "fallen": fallen,
           "window": np.minimum(pos + 1, s.repeat_window)}
    for name, flag in (("repeated", below), ("recurring", low)):
        count = sum(lag(flag, pos, k, fill=False).astype(np.int64)
                    for k in range(s.repeat_window))
        out[name], out[f"n_{name}"] = flag & (count >= s.repeat_min), count
    return out
