"""Expected treatment response (ETR), fitted on the user's own outcome data.

Vendors' expected-trajectory tables are licensed, so the toolkit never ships one. Instead
:func:`fit_expected` builds one from a table of ORS ratings (an agency's history, say): the
25th, 50th and 75th percentile of the ORS at each session for clients with a similar
intake. :func:`expected_status` then reads every later rating of a table (this month's
caseload, or the same data) against it as ``on_track``, ``watch`` or ``off_track``, and
falls back to "no reliable improvement by session 4" where the fit has too little data.
For data split into partitions of whole clients (Dask, Spark), :func:`expected_counts` of
each partition, concatenated, give :func:`fit_expected` (``counts=``) the same model.

Examples
--------
>>> from srs_analytics import load_sample
>>> model = fit_expected(load_sample())
>>> print(model)  # doctest: +NORMALIZE_WHITESPACE
Expected treatment response fitted on 251 client episodes (1,600 administrations) with at
least two self-rated ORS or CORS, dated 2025-01-06 to 2026-01-02. 56 of 176 cells (measure x
rater x intake band x session) have percentiles (at least 20 client episodes; 39 by pooling
the neighbouring bands). Elsewhere the status falls back to "no reliable improvement (5
points) by session 4".
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from . import _docstrings
from ._checks import check_number, require_columns
from ._frames import EPS, column_map, sort_into_groups
from .instruments import INSTRUMENTS

__all__ = ["COUNT_KINDS", "STATUSES", "ExpectedResponse", "ExpectedSettings",
           "expected_counts", "expected_status", "fit_expected"]

#: The values of ``etr_status``.
STATUSES = ("intake", "on_track", "watch", "off_track", "insufficient_data")
#: The values of ``kind`` in :func:`expected_counts`.
COUNT_KINDS = ("cell", "stratum")
_QUANTILES = (0.25, 0.50, 0.75)
_TOP = INSTRUMENTS["ORS"].total_range[1]  # 40, the same for the CORS


@dataclass(frozen=True)
class ExpectedSettings:
    """How the expected treatment response is fitted and read; every field can be overridden.

    Attributes
    ----------
    measures : tuple of str, default ("ORS", "CORS")
        Outcome measures fitted, each separately (the CORS has its own cutoff and age
        range). The YCORS is not scored and never fitted.
    raters : tuple of str, default ("self",)
        Whose ratings are fitted and read. Each rater is fitted separately: collateral
        ratings are never mixed with the client's own.
    by_age_group : bool, default False
        Fit each age group separately as well (adolescents and adults both rate the ORS).
        Needs more data; off by default.
    band_width : float, default 5
        Width of the intake bands, in ORS points (0-5, 5-10, ... 35-40), the size of a
        reliable change (points method).
    max_session : int, default 12
        Sessions 2 to ``max_session`` have their own percentiles; later sessions share those
        of ``max_session`` (a choice: few episodes last longer, and expected recovery
        curves flatten with time, Finch et al. 2001).
    min_episodes : int, default 20
        Client episodes a cell (intake band x session) needs for its percentiles. A
        choice, not a published minimum: 20 puts about five below the 25th percentile.
    widen : int, default 1
        A cell short of ``min_episodes`` pools this many neighbouring bands on each side.
    reliable_change : float, default 5
        The fallback's reliable improvement in ORS points (the PCOMS points method; a
        Jacobson-Truax index with reliability .93 and intake SD 7 gives about 5).
    fallback_session : int, default 4
        The fallback reads a rating from this session on ("no reliable improvement by
        session 4"); earlier ones are ``insufficient_data``.
    """

    measures: tuple[str, ...] = ("ORS", "CORS")
    raters: tuple[str, ...] = ("self",)
    by_age_group: bool = False
    band_width: float = 5.0
    max_session: int = 12
    min_episodes: int = 20
    widen: int = 1
    reliable_change: float = 5.0
    fallback_session: int = 4

    def __post_init__(self):
        check_number("band_width", self.band_width, 0, _TOP, low_open=True)
        check_number("reliable_change", self.reliable_change, 0, _TOP, low_open=True)
        for name, low in (("max_session", 2), ("min_episodes", 1), ("widen", 0),
                          ("fallback_session", 2)):
            check_number(name, getattr(self, name), low, integer=True)
        for name in ("measures", "raters"):
            value = getattr(self, name)
            value = (value,) if isinstance(value, str) else tuple(value)
            if not value:
                raise ValueError(f"{name} must name at least one; got {value!r}")
            object.__setattr__(self, name, value)
        unscored = [m for m in self.measures if m not in ("ORS", "CORS")]
        if unscored:
            raise ValueError(f"measures must be outcome measures with a 0-40 total (ORS, CORS); "
                             f"got {unscored!r}")


@dataclass(frozen=True, eq=False)
class ExpectedResponse:
    """Percentiles of the ORS by intake band and session, and what they were fitted on.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per cell: ``measure``, ``rater`` (and ``age_group`` when fitted by age
        group), ``band`` (0-based), ``intake_low`` and ``intake_high`` (the band is
        ``[low, high)``; the last includes 40), ``session`` (2 .. ``max_session``, the last
        standing for that session and later), ``n_episodes`` and ``n_administrations``
        behind the percentiles, ``bands_pooled`` (0: own band; 1: with the neighbouring
        band on each side ...; NA: too little data), ``change_p25``, ``change_p50``,
        ``change_p75`` (percentiles of the change from intake) and ``p25``, ``p50``,
        ``p75`` (the expected ORS for an intake at the middle of the band).
    settings : ExpectedSettings
        The settings of the fit.
    n_episodes, n_administrations : int
        Client episodes with at least two ratings that the fit used, and their ratings
        (intake included).
    first_date, last_date : pandas.Timestamp or None
        Dates of the first and last rating used.
    sufficient : bool
        False when no cell has enough data: every status then uses the fallback.
    reason : str
        Why the fit is insufficient ("" when it is not).
    counts : pandas.DataFrame
        Episodes, ratings and dates per measure and rater (used by :attr:`summary`).
    """

    table: pd.DataFrame
    settings: ExpectedSettings
    n_episodes: int
    n_administrations: int
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    sufficient: bool
    reason: str = ""
    counts: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def summary(self) -> pd.DataFrame:
        """Per measure and rater: episodes, ratings, dates and cells fitted or pooled."""
        keys = _strata_columns(self.settings)
        cells = self.table.groupby(keys, sort=True).agg(
            cells=("session", "size"),
            cells_fitted=("p50", "count"),
            cells_pooled=("bands_pooled", lambda b: int((b > 0).sum())))
        if self.counts.empty:
            return cells.assign(n_episodes=0, n_administrations=0)
        return self.counts.set_index(keys).join(cells, how="outer").fillna(
            {"n_episodes": 0, "n_administrations": 0})

    @property
    def description(self) -> str:
        """One paragraph: how much data the fit used and what happens where it has none."""
        s = self.settings
        fallback = (f'"no reliable improvement ({s.reliable_change:g} points) by session '
                    f'{s.fallback_session}"')
        if not self.sufficient:
            return (f"Too little data to fit an expected treatment response: {self.reason}. "
                    f"Every status falls back to {fallback}.")
        t = self.table
        fitted = int(t["p50"].notna().sum())
        pooled = int((t["bands_pooled"] > 0).sum())
        dates = (f", dated {self.first_date:%Y-%m-%d} to {self.last_date:%Y-%m-%d}"
                 if self.first_date is not None else "")
        cells = " x ".join([*_strata_columns(s), "intake band", "session"]).replace("_", " ")
        return (f"Expected treatment response fitted on {self.n_episodes:,} client episodes "
                f"({self.n_administrations:,} administrations) with at least two "
                f"{_raters_text(s)} {' or '.join(s.measures)}{dates}. {fitted} of {len(t)} "
                f"cells ({cells}) have percentiles (at least {s.min_episodes} client "
                f"episodes; {pooled} by pooling the neighbouring bands). Elsewhere the status "
                f"falls back to {fallback}.")

    def __str__(self) -> str:
        return self.description

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.description)}</p>{self.summary.to_html()}"


# --------------------------------------------------------------------------- helpers
def _raters_text(s):
    return "self-rated" if s.raters == ("self",) else "/".join(s.raters) + "-rated"


def _strata_columns(s):
    return ["measure", "rater", "age_group"] if s.by_age_group else ["measure", "rater"]


def _outcome_rows(data, cols, s):
    """Outcome ratings sorted by client, episode, measure, rater, session and date.

    Adds ``_group`` (one per client, episode, measure and rater), ``_n`` (its size),
    ``_session``, ``_total``, ``_intake`` and ``_intake_session`` (its first rating) and
    ``_stratum`` (measure|rater[|age_group] of the intake).
    """
    required = ["client", "episode", "session", "measure", "rater", "total"]
    if s.by_age_group:
        required.append("age_group")
    require_columns(data, cols, required)
    keep = (data[cols["measure"]].isin(s.measures) & data[cols["rater"]].isin(s.raters)
            & data[cols["total"]].notna()).to_numpy(dtype=bool)
    df = data.loc[keep, [c for c in dict.fromkeys(cols.values()) if c in data.columns]]
    for arg in ("clinician", "date", "age_group"):
        if cols[arg] not in df.columns:
            df[cols[arg]] = pd.NaT if arg == "date" else np.nan
    if df[cols["session"]].isna().any():
        raise ValueError(f"session={cols['session']!r} is missing on some outcome rows; the "
                         "loader derives session numbers from dates (srs_analytics.load)")
    df, group, starts, session = sort_into_groups(df, cols,
                                                  ("client", "episode", "measure", "rater"))
    df["_group"] = group
    df["_n"] = np.diff(np.append(starts, len(df)))[group]
    df["_session"] = session
    df["_total"] = df[cols["total"]].to_numpy(dtype=float)
    df["_intake"] = df["_total"].to_numpy()[starts][group]
    df["_intake_session"] = df["_session"].to_numpy()[starts][group]
    # the stratum of each episode's intake, spelled once per episode and taken per row
    first = df.iloc[starts]
    stratum = first[cols["measure"]].astype("str") + "|" + first[cols["rater"]].astype("str")
    if s.by_age_group:
        stratum = stratum + "|" + first[cols["age_group"]].astype("str").fillna("unknown")
    df["_stratum"] = pd.array(pa.array(stratum.to_numpy(dtype=object), pa.large_string())
                              .take(pa.array(group)), dtype="str")
    return df


def _stratum_codes(rows, strata):
    """The place of each row's stratum in ``strata`` (-1 where absent), looked up once per
    distinct stratum."""
    codes, uniques = pd.factorize(rows["_stratum"])
    where = pd.Index(strata).get_indexer(np.asarray(uniques, dtype=object)).astype(np.int64)
    return where[codes] if len(codes) else codes.astype(np.int64)


def _geometry(s):
    """Number of intake bands and of sessions (2 .. max_session) in the table."""
    return int(np.ceil(_TOP / s.band_width - EPS)), s.max_session - 1


def _band(intake, s, n_bands):
    return np.clip(np.floor(intake / s.band_width + EPS), 0, n_bands - 1).astype(np.int64)


def _grouped_quantiles(cell, values, weight, n_cells):
    """Quantiles (linear interpolation, numpy's default) per cell of values given with
    their counts (``weight``, a histogram); NaN where a cell is empty.

    The order statistics of the expanded values are read off the cumulated counts, so the
    result is bitwise that of the values repeated ``weight`` times. Returns the quantiles
    and the count of each cell.
    """
    order = np.lexsort((values, cell))
    v = values[order]
    end = np.cumsum(weight[order])  # values v[j] hold the order statistics < end[j]
    count = np.bincount(cell, weight, minlength=n_cells).astype(np.int64)
    start = np.cumsum(count) - count
    out = np.full((n_cells, len(_QUANTILES)), np.nan)
    has = count > 0
    for j, q in enumerate(_QUANTILES):
        h = (count[has] - 1) * q
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, count[has] - 1)
        a = v[np.searchsorted(end, start[has] + lo, side="right")]
        b = v[np.searchsorted(end, start[has] + hi, side="right")]
        out[has, j] = a + (h - lo) * (b - a)
    return out, count


def _fit_table(cells, s, strata):
    """Percentiles of the change from intake for every stratum x band x session cell.

    ``cells`` holds arrays ``k`` (place of the stratum in ``strata``), ``band``, ``sess``
    (0-based), ``change``, ``n`` and ``first`` (the histogram of :func:`expected_counts`).
    """
    n_bands, n_sess = _geometry(s)
    n_cells = len(strata) * n_bands * n_sess
    k, band, sess = cells["k"], cells["band"], cells["sess"]
    best = np.full((n_cells, len(_QUANTILES)), np.nan)
    level = np.full(n_cells, -1)
    for w in range(s.widen + 1):  # widen the intake window one band at a time
        shift = np.repeat(np.arange(-w, w + 1), len(band))
        b = np.tile(band, 2 * w + 1) + shift
        ok = (b >= 0) & (b < n_bands)
        cell = ((np.tile(k, 2 * w + 1) * n_bands + b) * n_sess + np.tile(sess, 2 * w + 1))[ok]
        q, count = _grouped_quantiles(cell, np.tile(cells["change"], 2 * w + 1)[ok],
                                      np.tile(cells["n"], 2 * w + 1)[ok], n_cells)
        eps = np.bincount(cell, np.tile(cells["first"], 2 * w + 1)[ok],
                          n_cells).astype(np.int64)
        if w == 0:  # cells that never reach min_episodes report their own band's counts
            n_eps, n_adm = eps, count
        take = (level < 0) & (eps >= s.min_episodes)
        best[take], n_eps[take], n_adm[take], level[take] = q[take], eps[take], count[take], w

    idx = np.arange(n_cells)
    st, bd, se = idx // (n_bands * n_sess), idx // n_sess % n_bands, idx % n_sess
    table = _split_strata(strata, s, st)
    table["band"] = bd
    table["intake_low"] = bd * s.band_width
    table["intake_high"] = np.minimum((bd + 1) * s.band_width, _TOP)
    table["session"] = se + 2
    table["n_episodes"], table["n_administrations"] = n_eps, n_adm
    table["bands_pooled"] = pd.arrays.IntegerArray(np.maximum(level, 0), level < 0)
    mid = (table["intake_low"] + table["intake_high"]).to_numpy() / 2
    for j, q in enumerate(_QUANTILES):
        table[f"change_p{round(q * 100)}"] = best[:, j]
    for j, q in enumerate(_QUANTILES):
        table[f"p{round(q * 100)}"] = np.clip(mid + best[:, j], 0, _TOP)
    return table


def _split_strata(labels, s, take=None):
    """The strata columns (measure, rater[, age_group]) of ``measure|rater[|age]`` labels,
    each spelled once; with ``take``, of ``labels[take]``."""
    keys = _strata_columns(s)
    if not len(labels):
        return pd.DataFrame(columns=keys)
    out = pd.DataFrame([x.split("|") for x in labels], columns=keys)
    return out if take is None else out.take(take).reset_index(drop=True)


def _labels(counts, keys):
    """The ``measure|rater[|age]`` label of each row of ``counts``, spelled once per
    stratum."""
    codes = counts.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    first = counts[keys].drop_duplicates()  # the groups, in the order of ngroup
    spelled = first[keys[0]].astype("str").str.cat(
        [first[c].astype("str") for c in keys[1:]], sep="|").to_numpy(dtype=object)
    return spelled[codes]


def _histogram(rows, cols, s):
    """The additive counts of :func:`expected_counts` from the rows of :func:`_outcome_rows`."""
    fit = rows[(rows["_n"] >= 2) & (rows["_session"] > rows["_intake_session"])]
    used = rows[rows["_group"].isin(fit["_group"].unique())]
    strata = np.sort(used["_stratum"].unique())
    per = used.groupby("_stratum").agg(n=("_group", "size"), first=("_group", "nunique"),
                                       first_date=(cols["date"], "min"),
                                       last_date=(cols["date"], "max"))

    n_bands, n_sess = _geometry(s)
    k = _stratum_codes(fit, strata)  # every stratum of fit is one of used
    band = _band(fit["_intake"].to_numpy(), s, n_bands)
    sess = (np.clip(fit["_session"].to_numpy(), 2, s.max_session) - 2).astype(np.int64)
    change = fit["_total"].to_numpy() - fit["_intake"].to_numpy()
    group = fit["_group"].to_numpy()
    # rows are in session order within an episode: its repeats of a cell (sessions pooled
    # into max_session) follow each other, so the first of each counts the episode once
    first = np.ones(len(group), dtype=np.int64)
    first[1:] = (group[1:] != group[:-1]) | (sess[1:] != sess[:-1])
    cell = (k * n_bands + band) * n_sess + sess
    order = np.lexsort((change, cell))
    cell, change, first = cell[order], change[order], first[order]
    new = np.ones(len(cell), dtype=bool)
    new[1:] = (cell[1:] != cell[:-1]) | (change[1:] != change[:-1])
    starts = np.flatnonzero(new)
    cell, change = cell[starts], change[starts]
    n = np.diff(np.append(starts, len(new))).astype(np.int64)
    first = np.add.reduceat(first, starts) if len(starts) else first[:0]

    no_date = per["first_date"].iloc[:0].reindex(range(len(cell)))
    cells = _split_strata(strata, s, cell // (n_bands * n_sess)).assign(
        kind="cell", band=pd.array(cell // n_sess % n_bands, dtype="Int64"),
        session=pd.array(cell % n_sess + 2, dtype="Int64"), change=change, n=n, first=first,
        first_date=no_date.to_numpy(), last_date=no_date.to_numpy())
    totals = _split_strata(per.index, s).assign(
        kind="stratum", band=pd.array([pd.NA] * len(per), dtype="Int64"),
        session=pd.array([pd.NA] * len(per), dtype="Int64"), change=np.nan,
        n=per["n"].to_numpy(np.int64), first=per["first"].to_numpy(np.int64),
        first_date=per["first_date"].to_numpy(), last_date=per["last_date"].to_numpy())
    out = pd.concat([cells, totals], ignore_index=True)
    out["kind"] = out["kind"].astype("str")
    return out[["kind", *_strata_columns(s), "band", "session", "change", "n", "first",
                "first_date", "last_date"]]


def _fit_counts(counts, s):
    """The expected treatment response from the counts of :func:`expected_counts`."""
    keys = _strata_columns(s)
    need = ["kind", *keys, "band", "session", "change", "n", "first", "first_date",
            "last_date"]
    if not isinstance(counts, pd.DataFrame):
        raise TypeError(f"counts must be a pandas DataFrame (srs_analytics.expected_counts); "
                        f"got {type(counts).__name__}")
    missing = [c for c in need if c not in counts.columns]
    if missing:
        raise ValueError(f"counts lacks the column(s) {missing} (expected_counts with the "
                         f"same settings makes them); got {list(counts.columns)}")
    kinds = set(counts["kind"].unique()) - set(COUNT_KINDS)
    if kinds:
        raise ValueError(f"counts['kind'] must be one of {COUNT_KINDS}; got {sorted(kinds)}")
    counts = counts[(counts["measure"].isin(s.measures) & counts["rater"].isin(s.raters))
                    .to_numpy(dtype=bool)]
    label = _labels(counts, keys)
    is_cell = (counts["kind"] == "cell").to_numpy(dtype=bool)
    # per stratum: episodes, administrations and dates, summed over the partitions
    totals = counts.loc[~is_cell, ["n", "first", "first_date", "last_date"]].assign(
        _stratum=pd.array(label[~is_cell], dtype="str"))
    per = totals.groupby("_stratum").agg(n_episodes=("first", "sum"),
                                         n_administrations=("n", "sum"),
                                         first_date=("first_date", "min"),
                                         last_date=("last_date", "max"))
    strata = per.index.to_numpy(dtype=object)

    n_bands, _ = _geometry(s)
    c = counts[is_cell]
    k = pd.Index(strata).get_indexer(label[is_cell]).astype(np.int64)
    band = c["band"].to_numpy(dtype=np.int64, na_value=-1)
    session = c["session"].to_numpy(dtype=np.int64, na_value=-1)
    bad = (k < 0) | (band < 0) | (band >= n_bands) | (session < 2) | (session > s.max_session)
    if bad.any():
        raise ValueError(
            f"counts has {int(bad.sum())} cell row(s) outside the settings (a band from 0 to "
            f"{n_bands - 1}, a session from 2 to {s.max_session}, a stratum with a "
            f"'stratum' row): make the counts with the settings of the fit")
    cells = {"k": k, "band": band, "sess": session - 2,
             "change": c["change"].to_numpy(dtype=float),
             "n": c["n"].to_numpy(dtype=np.int64), "first": c["first"].to_numpy(dtype=np.int64)}
    table = _fit_table(cells, s, strata)

    n_eps, n_adm = int(per["n_episodes"].sum()), int(per["n_administrations"].sum())
    first_dates, last_dates = per["first_date"].dropna(), per["last_date"].dropna()
    per = pd.concat([_split_strata(per.index, s), per.reset_index(drop=True)], axis=1)
    sufficient = bool(table["p50"].notna().any())
    reason = "" if sufficient else (
        f"{n_eps:,} client episodes with at least two {_raters_text(s)} "
        f"{' or '.join(s.measures)}; no intake band and session reaches {s.min_episodes}, "
        f"even pooling {s.widen} neighbouring band(s) on each side")
    return ExpectedResponse(
        table=table, settings=s, n_episodes=n_eps, n_administrations=n_adm,
        first_date=first_dates.min() if len(first_dates) else None,
        last_date=last_dates.max() if len(last_dates) else None,
        sufficient=sufficient, reason=reason, counts=per)


def _lookup(model, rows):
    """Percentiles of the change for each row: blended between the two nearest band middles.

    Returns an (n, 3) array (NaN where the model has no percentiles) and the episodes behind
    them.
    """
    s = model.settings
    n_bands, n_sess = _geometry(s)
    keys = [model.table[c].astype("str") for c in _strata_columns(s)]
    strata = (keys[0].str.cat(keys[1:], sep="|") if len(model.table) else keys[0])
    strata = strata.to_numpy()[:: n_bands * n_sess]  # the table is stratum x band x session
    k = _stratum_codes(rows, strata)  # -1: no fit
    u = rows["_intake"].to_numpy() / s.band_width - 0.5  # in units of band middles
    b0 = np.clip(np.floor(u), 0, n_bands - 1).astype(np.int64)
    b1 = np.minimum(b0 + 1, n_bands - 1)
    frac = np.clip(u - b0, 0, 1)[:, None]
    sess = (np.clip(rows["_session"].to_numpy(), 2, s.max_session) - 2).astype(np.int64)
    known = k >= 0
    q = model.table[[f"change_p{round(x * 100)}" for x in _QUANTILES]].to_numpy(dtype=float)
    n_eps = model.table["n_episodes"].to_numpy()
    out = np.full((len(rows), len(_QUANTILES)), np.nan)
    n_fit = np.zeros(len(rows), np.int64)
    c0 = ((k * n_bands + b0) * n_sess + sess)[known]
    c1 = ((k * n_bands + b1) * n_sess + sess)[known]
    blend = (1 - frac[known]) * q[c0] + frac[known] * q[c1]
    near = np.where(frac[known, 0] < 0.5, c0, c1)  # the band the intake falls in
    one = np.isnan(blend).any(axis=1)  # a neighbour without percentiles: own band alone
    blend[one] = q[near[one]]
    out[known] = blend
    n_fit[known] = np.where(one, n_eps[near], np.maximum(n_eps[c0], n_eps[c1]))
    return out, n_fit


@_docstrings.fill
def fit_expected(
    data: pd.DataFrame | None,
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
    settings: ExpectedSettings | None = None,
    counts: pd.DataFrame | None = None,
) -> ExpectedResponse:
    """Fit the expected treatment response: ORS percentiles by intake band and session.

    Parameters
    ----------
    {data}
        An agency's history, say. Alliance measures, the YCORS and collateral ratings
        are ignored. None when ``counts`` is given.
    {columns}
        ``clinician`` and ``date`` may be absent; ``age_group`` is needed only with
        ``settings.by_age_group``.
    settings : ExpectedSettings, optional
        The defaults of :class:`ExpectedSettings` when omitted.
    counts : pandas.DataFrame, optional
        Instead of ``data``: the counts of :func:`expected_counts`, made with the same
        settings, of the whole data or of its partitions concatenated (each partition
        holding whole clients). The fit is exactly the one on the data they came from.

    Returns
    -------
    ExpectedResponse
        The table of percentiles (columns in :class:`ExpectedResponse`), how many client
        episodes and ratings it rests on, their dates, ``sufficient`` and a ``summary``.
        Printing it says plainly how much data the fit used.

    Notes
    -----
    The 25th, 50th and 75th percentile of the ORS at session *s* for clients with a similar
    intake, fitted on episodes with at least two ORS (``docs/measures-and-rules.md``,
    "Expected treatment response").

    1. Intake is the first rating of a client's episode (per measure and rater); the
       change at a later session is the rating minus the intake. Only client episodes with
       at least two ratings count (each partner of a couple is a client episode).
    2. Intakes fall in bands of ``band_width`` (5) points; sessions 2 .. ``max_session``
       (12) each have a cell, later sessions join the last one.
    3. In each measure x rater x band x session cell, the 25th, 50th and 75th percentiles
       of the change (linear interpolation between order statistics, numpy's default) are
       taken when the cell holds at least ``min_episodes`` (20) client episodes; else the
       ``widen`` (1) neighbouring bands on each side are pooled; else the cell stays empty.
    4. The expected ORS is intake + percentile of the change. :func:`expected_status`
       blends the percentiles of the two band middles nearest the client's intake, so a
       client at the top of a band is not read as one at its middle. ``p25`` .. ``p75`` in
       the table are for an intake at the middle of the band, capped at 40.

    Percentiles of the change within narrow intake bands rather than a quantile regression
    on intake and log session (the other common route): no distributional or
    functional form is assumed, the fit needs numpy only, and every number can be checked by
    hand. The price is data: sparse bands (very low or very high intakes) stay empty and use
    the fallback of :func:`expected_status`.

    References
    ----------
    Finch, A. E., Lambert, M. J. and Schaalje, B. G. (2001). Psychotherapy quality control:
    the statistical generation of expected recovery curves for integration into an early
    warning system. Clinical Psychology and Psychotherapy, 8(4), 231-242.
    MyOutcomes: a client at or above the 50th percentile of the expected response is on
    track.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> model = fit_expected(load_sample())
    >>> model.sufficient, model.n_episodes
    (True, 251)
    >>> cell = model.table.query("measure == 'ORS' and band == 3 and session == 4")
    >>> cell[["intake_low", "intake_high", "n_episodes", "p25", "p50", "p75"]].round(1)
         intake_low  intake_high  n_episodes   p25   p50   p75
    123        15.0         20.0          52  18.8  22.4  26.8
    """
    s = settings or ExpectedSettings()
    if counts is not None:
        if data is not None:
            raise ValueError("give data or counts, not both")
        return _fit_counts(counts, s)
    if data is None:
        raise ValueError("data is None: give data, or counts (srs_analytics.expected_counts)")
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total,
                      age_group=age_group)
    return _fit_counts(_histogram(_outcome_rows(data, cols, s), cols, s), s)


@_docstrings.fill
def expected_counts(
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
    settings: ExpectedSettings | None = None,
) -> pd.DataFrame:
    """What :func:`fit_expected` needs of the data, as counts that add up across partitions.

    For data too big for one machine (Dask, Spark), split into partitions that each hold
    whole clients: the counts of every partition, concatenated, give
    ``fit_expected(None, counts=...)`` exactly the model that ``fit_expected`` gives on the
    whole data. ``fit_expected(data)`` itself goes through these counts.

    Parameters
    ----------
    {data}
        One partition, holding every row of each of its clients.
    {columns}
        ``clinician`` and ``date`` may be absent; ``age_group`` is needed only with
        ``settings.by_age_group``.
    settings : ExpectedSettings, optional
        The defaults of :class:`ExpectedSettings` when omitted; the fit must use the same.

    Returns
    -------
    pandas.DataFrame
        Rows of two kinds, with the columns ``kind``, ``measure``, ``rater`` (and
        ``age_group`` with ``settings.by_age_group``: the stratum, of the episode's intake,
        ``"unknown"`` when missing), ``band``, ``session``, ``change``, ``n``, ``first``,
        ``first_date`` and ``last_date``:

        - ``kind == "cell"``: one row per stratum, intake ``band`` (0-based, Int64),
          ``session`` (Int64, 2 .. ``max_session``, the last standing for later sessions)
          and distinct ``change`` from intake (float) among the ratings the fit reads: ``n``
          of them have that change, and ``first`` client episodes count in the cell through
          it (an episode's first rating in the cell); the dates are NaT;
        - ``kind == "stratum"``: one row per stratum, ``band``, ``session`` and ``change``
          missing: ``n`` ratings (intakes included) of ``first`` client episodes with at
          least two ratings, dated ``first_date`` to ``last_date`` (NaT when undated).

        Across partitions ``n`` and ``first`` add up and the dates take their minimum and
        maximum; the same cell and change may come from several partitions (the fit sums
        them).

    Notes
    -----
    The exact percentiles of :func:`fit_expected` are read off the histogram of distinct
    changes: the order statistics are the same values, so the interpolation gives the same
    numbers, to the bit. The widening to neighbouring bands is done by the fit, from the
    cells of the neighbouring bands.

    Examples
    --------
    Three partitions of whole clients, and the fit on their counts:

    >>> import pandas as pd
    >>> from srs_analytics import load_sample
    >>> data = load_sample()
    >>> part = data["client_id"].str[-1].astype(int) % 3
    >>> counts = pd.concat([expected_counts(data[part == i]) for i in range(3)])
    >>> counts.columns.tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['kind', 'measure', 'rater', 'band', 'session', 'change', 'n', 'first', 'first_date',
     'last_date']
    >>> model = fit_expected(None, counts=counts)
    >>> model.n_episodes, model.table.equals(fit_expected(data).table)
    (251, True)
    """
    s = settings or ExpectedSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total,
                      age_group=age_group)
    return _histogram(_outcome_rows(data, cols, s), cols, s)
@_docstrings.fill
def expected_status(
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
    model: ExpectedResponse | None = None,
    settings: ExpectedSettings | None = None,
) -> pd.DataFrame:
    """Read every outcome rating against the expected treatment response.

    Parameters
    ----------
    {data}
        The ratings to read (this month's caseload, say).
    {columns}
        ``clinician`` and ``date`` may be absent.
    {model}
    settings : ExpectedSettings, optional
        Used to fit when ``model`` is omitted; with a model, its ``reliable_change`` and
        ``fallback_session`` override the model's (its bands and measures stay).

    Returns
    -------
    pandas.DataFrame
        One row per outcome rating of the measures and raters of the model (self-rated
        ORS and CORS by default), intake included, sorted by client, episode, measure,
        rater and session: ``client_id``, ``episode_id``, ``clinician_id``,
        ``session_number``, ``session_date``, ``measure``, ``rater``, ``total`` (the names
        passed in), ``ors_intake`` (the first rating of the episode), ``ors_change`` (total -
        intake), ``p25``, ``p50``, ``p75`` (the expected ORS, capped at 40; NaN where
        not fitted), ``n_fit`` (Int64: client episodes behind the percentiles),
        ``etr_status`` (one of :data:`STATUSES`) and ``basis`` (``"intake"``, ``"fitted"``
        or ``"fallback: no reliable improvement by session 4"``).

    Notes
    -----
    With the fit (:func:`fit_expected`): ``on_track`` when total >= p50 (MyOutcomes' rule),
    ``watch`` when p25 <= total < p50, ``off_track`` when total < p25.

    Fallback, where the model has no percentiles for the client's measure, intake and
    session (too little data, or an intake outside the data it was fitted on): from
    session ``fallback_session`` (4) on, ``off_track`` when the change from intake is
    below ``reliable_change`` (5 points: no reliable improvement, PCOMS points method)
    and ``on_track`` otherwise; before it, ``insufficient_data``. Expected recovery curves
    (Finch et al. 2001) show most of the change comes early, which is why session 4 is
    the fallback's first verdict.

    The intake rating itself is ``intake``, with NaN percentiles (it defines the curve).
    A later rating with the same session number as the intake is also ``intake``.

    References
    ----------
    Finch, A. E., Lambert, M. J. and Schaalje, B. G. (2001). Psychotherapy quality control:
    the statistical generation of expected recovery curves for integration into an early
    warning system. Clinical Psychology and Psychotherapy, 8(4), 231-242.
    MyOutcomes (on track at or above the 50th percentile); OpenFIT and PCOMS (reliable
    change of 5 points).

    Examples
    --------
    >>> import pandas as pd
    >>> history = pd.DataFrame({"client_id": [f"C{i}" for i in range(101) for _ in (1, 2)],
    ...                         "session_number": [1, 2] * 101, "measure": "ORS",
    ...                         "rater": "self",
    ...                         "total": [v for i in range(101) for v in (20, 20 + i / 10)]})
    >>> history["episode_id"] = history["client_id"]
    >>> model = fit_expected(history)
    >>> now = history.query("client_id == 'C5'").assign(total=[20.0, 25.0])
    >>> expected_status(now, model=model)[["session_number", "total", "p25", "p50", "p75",
    ...                                "etr_status", "basis"]]
       session_number  total   p25   p50   p75 etr_status   basis
    0               1   20.0   NaN   NaN   NaN     intake  intake
    1               2   25.0  22.5  25.0  27.5   on_track  fitted
    """
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total,
                      age_group=age_group)
    if model is None:
        model = fit_expected(data, **cols, settings=settings)
    elif not isinstance(model, ExpectedResponse):
        raise TypeError(f"model must be an ExpectedResponse (srs_analytics.fit_expected); got "
                        f"{type(model).__name__}")
    s = model.settings
    rci = (settings or s).reliable_change
    first_verdict = (settings or s).fallback_session
    rows = _outcome_rows(data, cols, s)
    out = rows[[cols[k] for k in ("client", "episode", "clinician", "session", "date",
                                  "measure", "rater")]].copy()
    t, intake = rows["_total"].to_numpy(), rows["_intake"].to_numpy()
    out[cols["total"]], out["ors_intake"] = t, intake
    out["ors_change"] = np.round(t - intake, 9)
    is_intake = rows["_session"].to_numpy() <= rows["_intake_session"].to_numpy()
    q, n_fit = _lookup(model, rows) if len(rows) else (np.empty((0, 3)), np.empty(0, int))
    q[is_intake] = np.nan
    p = np.clip(intake[:, None] + q, 0, _TOP)
    out["p25"], out["p50"], out["p75"] = p[:, 0], p[:, 1], p[:, 2]
    fitted = ~np.isnan(q).any(axis=1)
    out["n_fit"] = pd.arrays.IntegerArray(n_fit, ~fitted)
    late = rows["_session"].to_numpy() >= first_verdict
    improved = t - intake >= rci - EPS
    code = STATUSES.index
    with np.errstate(invalid="ignore"):
        status = np.select(
            [is_intake, fitted & (t >= p[:, 1] - EPS), fitted & (t >= p[:, 0] - EPS), fitted,
             late & improved, late],
            [code("intake"), code("on_track"), code("watch"), code("off_track"),
             code("on_track"), code("off_track")], code("insufficient_data"))
    out["etr_status"] = _spelled(STATUSES, status)
    basis = np.where(is_intake, 0, np.where(fitted, 1, 2))
    out["basis"] = _spelled(("intake", "fitted", "fallback: no reliable improvement by "
                             f"session {first_verdict}"), basis)
    return out


def _spelled(words, codes):
    """A ``str`` column of ``words[codes]``, taken in arrow (not a Python object per row)."""
    return pd.array(pa.array(list(words), pa.large_string()).take(pa.array(codes)), dtype="str")
