"""Collateral raters: a parent's or a teacher's outcome ratings beside the client's own.

A collateral rating (rater ``parent``, ``teacher``, ...) tells how someone close to the
client sees things. It is shown beside the client's own ratings and never mixed into the
client's outcome (:func:`srs_analytics.client_outcomes` keeps it in separate columns).
:func:`collateral_sessions` sets every collateral rating beside the client's own rating
of the same measure, with their gap and each one's change from its own first rating;
:func:`collateral_agreement` summarises each rater over the episode. The
``collateral_deterioration`` alert of :func:`srs_analytics.alerts` fires when a collateral
rater reports a reliable deterioration that the client's own ratings do not show.

Examples
--------
>>> from srs_analytics import load_sample
>>> agree = collateral_agreement(load_sample())
>>> agree[["client_id", "rater", "n_paired", "gap_mean", "reliable_change",
...        "agree"]].head(3).round(2)
  client_id    rater  n_paired  gap_mean reliable_change  agree
0    C00002   parent         4     -1.68     improvement   True
1    C00003   parent        11     -2.41     improvement   True
2    C00006  teacher         2     -3.50     improvement   True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _docstrings
from ._checks import require_columns
from ._frames import column_map
from .outcomes import RELIABLE_CHANGE, OutcomeSettings, session_outcomes

__all__ = ["COLLATERAL_AGREEMENT_COLUMNS", "COLLATERAL_SESSION_COLUMNS",
           "collateral_agreement", "collateral_sessions"]

#: The columns of :func:`collateral_sessions`, in order (the identity columns take the
#: names passed in).
COLLATERAL_SESSION_COLUMNS = (
    "client_id", "episode_id", "clinician_id", "session_number", "session_date", "measure",
    "rater", "age_group", "total", "ors_intake", "ors_change", "cutoff", "rci", "clinical",
    "reliable_improvement", "reliable_deterioration", "self_session", "self_total",
    "self_ors_change", "self_deterioration", "gap", "unshared_deterioration",
)
#: The columns of :func:`collateral_agreement`, in order.
COLLATERAL_AGREEMENT_COLUMNS = (
    "client_id", "episode_id", "rater", "measure", "n_ratings", "n_paired", "gap_mean",
    "abs_gap_mean", "gap_first", "gap_last", "ors_intake", "ors_last", "ors_change",
    "reliable_change", "self_intake", "self_last", "self_ors_change",
    "self_reliable_change", "agree",
)


def _cols(args) -> dict:
    return column_map(**{k: args[k] for k in (
        "client", "episode", "clinician", "session", "date", "measure", "rater", "total",
        "age_group")})


@_docstrings.fill
def collateral_sessions(
    data: pd.DataFrame,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    age_group: str = "age_group",
    settings: OutcomeSettings | None = None,
) -> pd.DataFrame:
    """Every collateral outcome rating beside the client's own rating of the measure.

    Parameters
    ----------
    {data}
        Outcome measures (ORS, CORS, YCORS) with a total are read; a rating whose rater
        is not ``"self"`` is collateral.
    {columns}
        ``clinician``, ``age_group`` and one of ``date`` / ``session`` may be absent.
    settings : OutcomeSettings, optional
        Reliable change and cutoffs (points, 5; adult ORS 25, adolescent 28, child CORS
        32), applied to the collateral rater's series with the client's measure and age
        group.

    Returns
    -------
    pandas.DataFrame
        One row per collateral outcome administration, sorted by client, episode, rater,
        measure and session, with the columns :data:`COLLATERAL_SESSION_COLUMNS`:

        - ``client_id`` ... ``reliable_deterioration``: as
          :func:`~srs_analytics.outcomes.session_outcomes` with ``raters="collateral"``:
          the rater's total, its first rating of the measure in the episode
          (``ors_intake``), the change from it (``ors_change``) and whether that is a
          reliable improvement or deterioration;
        - ``self_session`` (Int64), ``self_total``, ``self_ors_change`` (float),
          ``self_deterioration`` (boolean): the client's own latest rating of the same
          measure at or before this session, its change from the client's own intake and
          whether that is a reliable deterioration; NA when the client has rated none;
        - ``gap`` (float): collateral total - the client's own total of the same session
          (NaN when the client did not rate that session);
        - ``unshared_deterioration`` (bool): a reliable deterioration by the collateral
          rater that the client's own latest rating does not show (not a reliable
          deterioration, or no own rating yet): the ``collateral_deterioration`` alert.

    Notes
    -----
    Each rater's series is read against that rater's own first rating, never against the
    client's: a parent who rates a child lower than the child does is not a deterioration.
    A gap is a difference between two points of view, not an error of either.

    References
    ----------
    Duncan, B. L., Sparks, J. A., Miller, S. D., Bohanske, R. T. and Claud, D. A. (2006).
    Giving youth a voice: a preliminary study of the reliability and validity of a brief
    outcome measure for children, adolescents, and caretakers. Journal of Brief Therapy,
    5(2), 71-88.
    OpenFIT knowledge base KA-01028 (reliable change of 5 points).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("self", 1, 24.0), ("self", 2, 25.0), ("parent", 1, 30.0),
    ...         ("parent", 2, 24.0)]
    >>> data = pd.DataFrame([{"client_id": "K", "episode_id": "E", "session_number": s,
    ...                       "measure": "CORS", "rater": r, "age_group": "child",
    ...                       "total": t} for r, s, t in rows])
    >>> out = collateral_sessions(data)
    >>> out[["session_number", "total", "ors_change", "self_total", "gap",
    ...      "unshared_deterioration"]]
       session_number  total  ors_change  self_total  gap  unshared_deterioration
    0               1   30.0         0.0        24.0  6.0                   False
    1               2   24.0        -6.0        25.0 -1.0                    True
    """
    s = settings or OutcomeSettings()
    cols = _cols(locals())
    return _sessions(data, cols, s)[0]


def _keys(a: pd.DataFrame, b: pd.DataFrame, key: list) -> tuple[np.ndarray, np.ndarray]:
    """One integer per combination of the ``key`` columns, the same in ``a`` and ``b``."""
    code = np.zeros(len(a) + len(b), dtype=np.int64)
    for k in key:
        c, u = pd.factorize(np.concatenate([a[k].to_numpy(dtype=object),
                                            b[k].to_numpy(dtype=object)]))
        code = code * (len(u) + 1) + c + 1
    return code[: len(a)], code[len(a):]


def _rated_by_others(data, cols, s):
    """The rows of the clients with a collateral rating, where no rule depends on other
    clients (the points method and a fixed or default cutoff); else every row."""
    if s.method != "points" or s.cutoff in ("a", "b", "c"):
        return data
    from_others = ~data[cols["rater"]].eq("self").to_numpy(dtype=bool, na_value=False)
    client = data[cols["client"]]
    wanted = pd.unique(client.iloc[np.flatnonzero(from_others)])
    rows = np.flatnonzero(client.isin(wanted).to_numpy(dtype=bool))
    return data[[c for c in dict.fromkeys(cols.values()) if c in data.columns]].iloc[rows]


def _sessions(data, cols, s):
    """:func:`collateral_sessions` and the client's own ratings it was read against."""
    args = {k: cols[k] for k in ("client", "episode", "clinician", "session", "date",
                                 "measure", "rater", "total", "age_group")}
    require_columns(data, cols, ("client", "episode", "measure", "rater", "total"))
    data = _rated_by_others(data, cols, s)
    other = session_outcomes(data, settings=s, raters="collateral", **args)
    own = session_outcomes(data, settings=s, **args)
    key = [cols["client"], cols["episode"], cols["measure"]]
    ses = cols["session"]
    k_other, k_own = _keys(other, own, key)
    left = pd.DataFrame({"_k": k_other, "_row": np.arange(len(other)),
                         "_s": other[ses].to_numpy(dtype=float, na_value=np.nan)})
    right = pd.DataFrame({
        "_k": k_own, "_s": own[ses].to_numpy(dtype=float, na_value=np.nan),
        "self_total": own[cols["total"]].to_numpy(dtype=float),
        "self_ors_change": own["ors_change"].to_numpy(dtype=float),
        "self_deterioration": own["reliable_deterioration"].to_numpy(dtype=float,
                                                                     na_value=np.nan)})
    left = left[left["_s"].notna().to_numpy()]
    right = right[right["_s"].notna().to_numpy() & np.isin(k_own, k_other)]
    right["self_session"] = right["_s"]
    if len(left) and len(right):
        found = pd.merge_asof(left.sort_values("_s", kind="stable"),
                              right.sort_values("_s", kind="stable"), on="_s", by="_k",
                              direction="backward")
    else:  # nothing to pair
        found = left.assign(**{c: np.nan for c in right.columns if c not in left.columns})
    found = found.set_index("_row").reindex(np.arange(len(other)))
    out = other.copy()
    self_session = found["self_session"].to_numpy(dtype=float, na_value=np.nan)
    out["self_session"] = pd.array(np.nan_to_num(self_session).round().astype(np.int64),
                                   dtype="Int64")
    out.loc[np.isnan(self_session), "self_session"] = pd.NA
    out["self_total"] = found["self_total"].to_numpy(dtype=float, na_value=np.nan)
    out["self_ors_change"] = found["self_ors_change"].to_numpy(dtype=float, na_value=np.nan)
    shown = found["self_deterioration"].to_numpy(dtype=float, na_value=np.nan)
    flag = pd.array(shown == 1, dtype="boolean")
    flag[np.isnan(shown)] = pd.NA
    out["self_deterioration"] = flag
    same = (out["self_session"] == out[ses]).to_numpy(dtype=bool, na_value=False)
    out["gap"] = np.where(same, np.round(out[cols["total"]] - out["self_total"], 9), np.nan)
    worse = out["reliable_deterioration"].to_numpy(dtype=bool, na_value=False)
    out["unshared_deterioration"] = worse & ~(shown == 1)
    return out, own


@_docstrings.fill
def collateral_agreement(
    data: pd.DataFrame,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    age_group: str = "age_group",
    settings: OutcomeSettings | None = None,
) -> pd.DataFrame:
    """How far each collateral rater and the client agree over the episode.

    Parameters
    ----------
    {data}
        As in :func:`collateral_sessions`.
    {columns}
        ``clinician``, ``age_group`` and one of ``date`` / ``session`` may be absent.
    settings : OutcomeSettings, optional
        Reliable change and cutoffs, as in :func:`collateral_sessions`.

    Returns
    -------
    pandas.DataFrame
        One row per client, episode, collateral rater and measure, sorted by them, with
        the columns :data:`COLLATERAL_AGREEMENT_COLUMNS`:

        - ``n_ratings`` (int): the rater's ratings; ``n_paired`` (int): of them, in a
          session the client rated too;
        - ``gap_mean``, ``abs_gap_mean``, ``gap_first``, ``gap_last`` (float): the gap
          (collateral - client) over the paired sessions: its mean, mean absolute value,
          first and last; NaN without a paired session;
        - ``ors_intake``, ``ors_last``, ``ors_change`` and ``reliable_change``
          (categorical: improvement, none, deterioration): the rater's first and last
          rating and the change between them; ``ors_change`` NaN and ``reliable_change``
          NA with one rating;
        - ``self_intake``, ``self_last``, ``self_ors_change``, ``self_reliable_change``:
          the same for the client's own ratings of the measure over the episode (NA
          without two);
        - ``agree`` (boolean): the two reliable changes are the same; NA when either is
          unknown.

    Notes
    -----
    The gap is read as the two points of view, side by side: a parent who rates a child
    lower than the child does is not wrong, and neither is the child. What the clinician
    can use is whether the two move together.
    """
    s = settings or OutcomeSettings()
    cols = _cols(locals())
    other, own = _sessions(data, cols, s)
    key = [cols["client"], cols["episode"], cols["rater"], cols["measure"]]
    new = np.zeros(len(other), dtype=bool)
    new[:1] = True
    for k in key:  # the table is sorted by the key: a group starts where a part changes
        codes = pd.factorize(other[k])[0]
        new[1:] |= codes[1:] != codes[:-1]
    g = np.cumsum(new) - 1
    n = int(g.max()) + 1 if len(g) else 0
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(other)).astype(np.int64)[:n] - 1
    gap = other["gap"].to_numpy(dtype=float)
    paired = ~np.isnan(gap)
    n_paired = np.bincount(g, paired, minlength=n).astype(np.int64)
    total_gap = np.bincount(g, np.where(paired, gap, 0.0), minlength=n)
    abs_gap = np.bincount(g, np.where(paired, np.abs(gap), 0.0), minlength=n)
    idx = np.arange(len(other))
    first_p = np.full(n, -1, dtype=np.int64)
    last_p = np.full(n, -1, dtype=np.int64)
    if paired.any():
        pg = g[paired]
        head = np.r_[True, pg[1:] != pg[:-1]]
        tail = np.r_[pg[1:] != pg[:-1], True]
        first_p[pg[head]] = idx[paired][head]
        last_p[pg[tail]] = idx[paired][tail]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = other.iloc[starts][key].reset_index(drop=True)
        out["n_ratings"] = (ends - starts + 1).astype(np.int64)
        out["n_paired"] = n_paired
        out["gap_mean"] = np.where(n_paired > 0, total_gap / n_paired, np.nan)
        out["abs_gap_mean"] = np.where(n_paired > 0, abs_gap / n_paired, np.nan)
    out["gap_first"] = np.where(first_p >= 0, gap[np.maximum(first_p, 0)], np.nan)
    out["gap_last"] = np.where(last_p >= 0, gap[np.maximum(last_p, 0)], np.nan)
    t = other[cols["total"]].to_numpy(dtype=float)
    out["ors_intake"], out["ors_last"] = t[starts], t[ends]
    single = ends == starts
    out["ors_change"] = np.where(single, np.nan, np.round(t[ends] - t[starts], 9))
    out["reliable_change"] = _category(other, ends, single)
    # the client's own ratings of the measure over the episode: the last and how many
    by = [cols["client"], cols["episode"], cols["measure"]]
    k_out, k_own = _keys(out, own, by)
    last = np.r_[k_own[1:] != k_own[:-1], True] if len(own) else np.zeros(0, bool)
    n_own = np.bincount(pd.factorize(k_own)[0], minlength=0) if len(own) else k_own
    where = pd.Index(k_own[last]).get_indexer(k_out)
    mine = own[last].reset_index(drop=True).reindex(where).reset_index(drop=True)
    mine["_n"] = np.where(where >= 0, n_own[np.maximum(where, 0)] if len(n_own) else 0, 0)
    few = ~(mine["_n"].to_numpy(dtype=float, na_value=0) > 1)
    out["self_intake"] = mine["ors_intake"].to_numpy(dtype=float, na_value=np.nan)
    out["self_last"] = mine[cols["total"]].to_numpy(dtype=float, na_value=np.nan)
    out["self_ors_change"] = np.where(few, np.nan, mine["ors_change"].to_numpy(
        dtype=float, na_value=np.nan))
    out["self_reliable_change"] = _category(mine, np.arange(len(mine)), few)
    a, b = out["reliable_change"], out["self_reliable_change"]
    agree = pd.array((a.astype(object) == b.astype(object)).to_numpy(dtype=bool),
                     dtype="boolean")
    agree[(a.isna() | b.isna()).to_numpy()] = pd.NA
    out["agree"] = agree
    return out


def _category(table, rows, unknown):
    """The reliable change at ``rows`` as a categorical of :data:`RELIABLE_CHANGE`."""
    imp = table["reliable_improvement"].to_numpy(dtype=float, na_value=np.nan)[rows]
    det = table["reliable_deterioration"].to_numpy(dtype=float, na_value=np.nan)[rows]
    code = np.where(imp == 1, 0, np.where(det == 1, 2, 1))
    code[np.isnan(imp) | np.isnan(det) | np.asarray(unknown, dtype=bool)] = -1
    return pd.Categorical.from_codes(code, RELIABLE_CHANGE)
