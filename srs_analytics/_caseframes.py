"""Private frames the caseload and research analyses are computed from.

- :func:`view`: the columns an analysis was given, renamed to the canonical names (absent
  optional columns added empty), so that the rest of the code speaks one vocabulary;
- :func:`session_frame`: one row per client and session (a couple's joint session is one
  row per partner) with what was rated in it;
- :func:`episode_frame`: one row per client and episode with its outcome, its first SRS,
  the episode's length and the keys a caseload table groups it by.

Every step is a groupby or a merge over the whole table; nothing loops over clients.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from ._checks import check_choice, require_columns
from ._effects import adjusted_change, wilson
from .expected import expected_status, fit_expected
from .instruments import ALLIANCE, INSTRUMENTS, OUTCOME
from .outcomes import client_outcomes

#: Canonical name of every column parameter.
CANONICAL = MappingProxyType({
    "client": "client_id", "episode": "episode_id", "clinician": "clinician_id",
    "site": "site", "session": "session_number", "date": "session_date",
    "measure": "measure", "rater": "rater", "total": "total", "imputed": "items_imputed",
    "age_group": "age_group", "group": "group_id", "format": "format",
    "setting": "setting", "status": "episode_status",
})
ITEMS = ("item_1", "item_2", "item_3", "item_4")
REQUIRED = ("client", "episode", "session", "measure", "rater", "total")
OUTCOME_MEASURES = tuple(k for k, i in INSTRUMENTS.items() if i.family == OUTCOME)
ALLIANCE_MEASURES = tuple(k for k, i in INSTRUMENTS.items() if i.family == ALLIANCE)
#: Outcome measures that have an alliance measure for the same client (no SRS exists for
#: the under-sixes, who rate the YCORS).
_PAIRED_OUTCOME = tuple(m for m in OUTCOME_MEASURES if m != "YCORS")
_GROUP_MEASURES = ("GSRS", "CGSRS")
#: Service types, in the order a table shows them.
SERVICE_TYPES = ("individual", "couple", "family", "group")
#: The groupings a caseload table can be split by, and the column each one reads.
BY = MappingProxyType({"clinician": "clinician_id", "site": "site", "month": "month",
                       "age_group": "age_group", "format": "format", "setting": "setting",
                       "service_type": "service_type"})
#: Episode statuses of a closed episode.
CLOSED = ("closed_planned", "closed_unplanned")


def view(data, cols: dict, required=REQUIRED) -> pd.DataFrame:
    """The given columns under their canonical names; absent optional ones empty."""
    require_columns(data, cols, required)
    take = {}
    for key, col in cols.items():
        if key == "items":
            take.update({c: ITEMS[j] for j, c in enumerate(col) if c in data.columns})
        elif key in CANONICAL and col in data.columns:
            take[col] = CANONICAL[key]
    df = data[list(take)].rename(columns=take)
    for key in ("client", "episode"):
        if df[CANONICAL[key]].isna().any():
            raise ValueError(f"{key}={cols[key]!r} has missing values")
    if df["session_number"].isna().any():
        raise ValueError(f"session={cols['session']!r} has missing values; the loader derives "
                         "session numbers from dates (srs_analytics.load)")
    for name in (*CANONICAL.values(), *ITEMS):
        if name not in df.columns:
            df[name] = (pd.NaT if name == "session_date" else
                        False if name == "items_imputed" else np.nan)
    df["session_date"] = pd.to_datetime(df["session_date"], errors="coerce")
    df["total"] = pd.to_numeric(df["total"], errors="coerce")
    return df


def period(df: pd.DataFrame, start, end, *, need_dates: bool = True
           ) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``start`` and ``end`` as timestamps (``end`` inclusive of its whole day).

    ``need_dates``: a period of a table without a single date is an error (not for one
    partition of a table, which may hold only undated rows, or none)."""
    start = None if start is None else pd.Timestamp(start)
    end = None if end is None else pd.Timestamp(end)
    if start is not None and end is not None and start > end:
        raise ValueError(f"start ({start:%Y-%m-%d}) is after end ({end:%Y-%m-%d})")
    if need_dates and (start is not None or end is not None) \
            and not df["session_date"].notna().any():
        raise ValueError("start and end need session dates, and the data holds none")
    return start, end


def until(df: pd.DataFrame, end) -> pd.DataFrame:
    """The rows dated up to ``end`` (all rows when ``end`` is None; undated rows go when it
    is given)."""
    if end is None:
        return df
    return df[(df["session_date"] <= end).to_numpy(dtype=bool, na_value=False)]


def in_period(dates: pd.Series, start, end) -> np.ndarray:
    """Dates within ``start`` .. ``end`` (both inclusive); every row when neither is given,
    undated rows never when one is."""
    ok = np.ones(len(dates), dtype=bool)
    if start is not None:
        ok &= (dates >= start).to_numpy(dtype=bool, na_value=False)
    if end is not None:
        ok &= (dates <= end).to_numpy(dtype=bool, na_value=False)
    return ok


def month(dates: pd.Series) -> np.ndarray:
    """The first day of each date's month (NaT stays NaT)."""
    return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").astype(
        "datetime64[ns]")


def codes(df):
    """Integer codes of client, episode, client-episode and client-session; the
    client-session codes number the rows of :func:`session_frame`."""
    c = pd.factorize(df["client_id"])[0].astype(np.int64)
    e = pd.factorize(df["episode_id"])[0].astype(np.int64)
    ce = pd.factorize(c * (e.max(initial=0) + 1) + e)[0].astype(np.int64)
    s = pd.to_numeric(df["session_number"]).to_numpy(dtype=np.int64)
    cs = pd.factorize(ce * (s.max(initial=0) + 1) + s)[0].astype(np.int64)
    return c, e, ce, cs


def _first_known(values: pd.Series, codes: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The first known value of ``values`` per code: the value at the code's first row
    (``first``), or where that is missing, the first non-missing value of the code."""
    values = values.reset_index(drop=True)
    out = values.take(first)
    gaps = out.isna().to_numpy()
    if gaps.any() and values.notna().any():
        known = values.groupby(codes, sort=True).first()
        out = out.where(~gaps, known.reindex(np.flatnonzero(gaps)).set_axis(
            out.index[gaps]).reindex(out.index))
    return out.array


def service_types(df: pd.DataFrame, e: np.ndarray | None = None) -> pd.Series:
    """The service type of each episode, indexed by episode id (by the episode codes
    ``e`` of :func:`codes` when given).

    ``group``: a group measure (GSRS, CGSRS) or a group id in the episode; otherwise by
    the clients with their own ratings in it: ``individual`` (one), ``couple`` (two,
    neither a child or adolescent), ``family`` (the rest: three or more, or two with a
    child or adolescent).
    """
    by_id = e is None
    if by_id:
        e, uniques = pd.factorize(df["episode_id"], sort=True)
    c = pd.factorize(df["client_id"])[0]
    own = df["rater"].eq("self").to_numpy(dtype=bool, na_value=False)
    young = df["age_group"].isin(["young_child", "child", "adolescent"]).to_numpy(
        dtype=bool)
    grouped = (df["measure"].isin(_GROUP_MEASURES) | df["group_id"].notna()).to_numpy(
        dtype=bool, na_value=False)
    n_e = int(e.max()) + 1 if len(e) else 0
    pairs = pd.DataFrame({"e": e[own], "c": c[own]}).drop_duplicates()
    n = np.bincount(pairs["e"].to_numpy(), minlength=n_e)
    any_young = np.bincount(e[own & young], minlength=n_e) > 0
    is_group = np.bincount(e[grouped], minlength=n_e) > 0
    kind = np.select([is_group, n <= 1, (n == 2) & ~any_young],
                     ["group", "individual", "couple"], "family")
    index = pd.Index(uniques, name="episode_id") if by_id else pd.RangeIndex(n_e)
    return pd.Series(kind, index=index, name="service_type", dtype="str")


def session_frame(df: pd.DataFrame, *, with_codes: bool = False):
    """One row per client and session of ``df`` (canonical names).

    Columns: ``client_id``, ``episode_id``, ``session_number``, ``session_date``,
    ``clinician_id``, ``site``, ``format``, ``setting`` (the first known in the session's
    rows), ``age_group`` (the client's first known), ``service_type``, ``has_outcome``
    (a self-rated ORS or CORS: the sessions an SRS is due), ``has_alliance`` (a
    self-rated SRS-family rating), ``n_collateral`` (collateral ratings), and the integer
    codes ``_c``, ``_e``, ``_ce``. Row ``i`` is the client session with code ``i`` of
    :func:`codes`; ``with_codes`` returns those codes of the rows of ``df`` too.
    """
    c, e, ce, cs = codes(df)
    self_ = df["rater"].eq("self").to_numpy(dtype=bool, na_value=False)
    measure = df["measure"]
    n = int(cs.max()) + 1 if len(cs) else 0
    order = np.argsort(cs, kind="stable")
    first = order[np.r_[0, np.flatnonzero(np.diff(cs[order])) + 1]] if n else order
    out = pd.DataFrame({
        "_c": c[first], "_e": e[first], "_ce": ce[first],
        "has_outcome": np.bincount(cs[self_ & measure.isin(_PAIRED_OUTCOME)
                                      .to_numpy(dtype=bool)], minlength=n) > 0,
        "has_alliance": np.bincount(cs[self_ & measure.isin(ALLIANCE_MEASURES)
                                       .to_numpy(dtype=bool)], minlength=n) > 0,
        "n_collateral": np.bincount(cs[~self_], minlength=n),
    })
    rows = df[["client_id", "episode_id", "session_number"]].iloc[first]
    for col in rows.columns:
        out[col] = rows[col].array
    for col in ("session_date", "clinician_id", "site", "format", "setting"):
        out[col] = _first_known(df[col], cs, first)
    c_order = np.argsort(c, kind="stable")
    c_first = c_order[np.r_[0, np.flatnonzero(np.diff(c[c_order])) + 1]] if len(c) else c
    age = _first_known(df["age_group"], c, c_first)
    out["age_group"] = age.take(out["_c"].to_numpy())
    out["service_type"] = service_types(df, e).to_numpy()[out["_e"].to_numpy()]
    return (out, cs) if with_codes else out


def mode(values: pd.Series, codes: np.ndarray) -> pd.Series:
    """The most common known value per code (ties: the first in sorted order)."""
    f = pd.DataFrame({"k": codes, "v": values.to_numpy()}).dropna()
    counts = f.groupby(["k", "v"], sort=True).size().reset_index(name="n")
    counts = counts.sort_values(["k", "n"], ascending=[True, False], kind="stable")
    return counts.drop_duplicates("k").set_index("k")["v"]


def episode_frame(df: pd.DataFrame, sessions: pd.DataFrame, outcomes: pd.DataFrame,
                  *, full_last: pd.Series | None = None) -> pd.DataFrame:
    """One row per client and episode of ``sessions``.

    ``outcomes`` is :func:`srs_analytics.client_outcomes` of ``df`` (canonical names).
    Columns: ``client_id``, ``episode_id``, ``clinician_id`` and ``site`` (last known in
    the client's sessions), ``age_group``, ``service_type``, ``format`` and ``setting``
    (the episode's most common), ``episode_status``, ``first_date`` / ``last_date`` (the
    episode's, any client), ``ended`` (the episode's last date in ``full_last``, the whole
    history), ``n_episode_sessions`` (sessions of the episode), ``n_episode_days``,
    ``srs_intake`` (the client's first self-rated SRS-family total) and the outcome
    columns ``measure``, ``cutoff``, ``ors_intake``, ``ors_last``, ``ors_change``,
    ``reliable_change``, ``outcome``, ``intake_clinical``; ``scored`` (a change on a
    measure with a cutoff) and ``severity`` (intake minus cutoff, which puts the ORS and
    the CORS on one scale of distress).
    """
    s = sessions
    g = s.groupby("_ce", sort=True)
    ce = g[["client_id", "episode_id", "_e", "_c"]].first()
    for col in ("clinician_id", "site"):
        ce[col] = g[col].last()
    ce["age_group"] = g["age_group"].first()
    ce["service_type"] = g["service_type"].first()
    by_e = s.groupby("_e", sort=True)
    ep = pd.DataFrame({"first_date": by_e["session_date"].min(),
                       "last_date": by_e["session_date"].max(),
                       "n_episode_sessions": by_e["session_number"].nunique()})
    for col in ("format", "setting"):
        ep[col] = mode(s[col], s["_e"].to_numpy())
    ce = ce.join(ep, on="_e")
    ce["n_episode_days"] = (ce["last_date"] - ce["first_date"]).dt.days
    if full_last is None:
        ce["ended"] = ce["last_date"]
    else:
        ce["ended"] = full_last.reindex(ce["episode_id"].to_numpy()).to_numpy()
    status = df["episode_status"].groupby(df["episode_id"].to_numpy(), sort=True).last()
    ce["episode_status"] = status.reindex(ce["episode_id"].to_numpy()).to_numpy()
    ce = ce.reset_index()

    alliance = df[df["measure"].isin(ALLIANCE_MEASURES).to_numpy(dtype=bool)
                  & df["rater"].eq("self").to_numpy(dtype=bool, na_value=False)]
    first = alliance.sort_values(["client_id", "episode_id", "session_number"],
                                 kind="stable").drop_duplicates(["client_id", "episode_id"])
    ce = ce.merge(first[["client_id", "episode_id", "total"]].rename(
        columns={"total": "srs_intake"}), on=["client_id", "episode_id"], how="left")
    keep = ["client_id", "episode_id", "measure", "cutoff", "ors_intake", "ors_last",
            "ors_change", "reliable_change", "outcome", "intake_clinical"]
    ce = ce.merge(outcomes[keep], on=["client_id", "episode_id"], how="left")
    ce["scored"] = (ce["ors_change"].notna() & ce["cutoff"].notna()).to_numpy()
    ce["severity"] = ce["ors_intake"] - ce["cutoff"]
    return ce


# --------------------------------------------------------------------------- tables
def grouping(by) -> list[str]:
    """The grouping names of ``by`` (a name, "a,b" or a sequence) checked against
    :data:`BY`."""
    if by is None:
        return []
    names = [b.strip() for b in by.split(",")] if isinstance(by, str) else list(by)
    for b in names:
        check_choice("by", b, tuple(BY))
    if len(set(names)) < len(names):
        raise ValueError(f"by names a grouping twice; got {names!r}")
    return names


def counts(frame: pd.DataFrame, keys: list, col: str, *, distinct: bool = False,
            name: str) -> pd.Series:
    """Rows (or distinct values of ``col``) per group, as a named Series."""
    if not keys:
        v = frame[col].nunique() if distinct else frame[col].sum()
        return pd.Series([v], name=name)
    g = frame.groupby(keys, dropna=False, observed=True, sort=True)[col]
    return (g.nunique() if distinct else g.sum()).rename(name)


def add_share(table: pd.DataFrame, name: str, k: str, n: str, confidence: float) -> None:
    """Add ``share_<name>`` = k / n and its Wilson interval to ``table`` (in place)."""
    kk, nn = table[k].to_numpy(dtype=float), table[n].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table[f"share_{name}"] = np.where(nn > 0, kk / nn, np.nan)
    table[f"share_{name}_low"], table[f"share_{name}_high"] = wilson(kk, nn, confidence)


def join_parts(parts: list, keys: list) -> pd.DataFrame:
    """Join per-group Series and frames on the group keys (outer)."""
    frames = [p.to_frame() if isinstance(p, pd.Series) else p for p in parts]
    if not keys:
        return pd.concat([f.reset_index(drop=True) for f in frames], axis=1)
    out = frames[0]
    for f in frames[1:]:
        out = out.join(f, how="outer")
    return out.sort_index().reset_index()


def prepare(data, cols, start, end, *, need_dates: bool = True):
    """The canonical view of ``data`` (``full``), its rows up to ``end`` (``df``), their
    client sessions (with ``month``), which of those are in the period, the period, and
    the client-session code of each row of ``df``. ``need_dates``: see :func:`period`."""
    full = view(data, cols)
    start, end = period(full, start, end, need_dates=need_dates)
    df = until(full, end).reset_index(drop=True)
    ses, cs = session_frame(df, with_codes=True)
    ses["month"] = month(ses["session_date"])
    return full, df, ses, in_period(ses["session_date"], start, end), start, end, cs


def episode_rows(full, df, ses, start, end, s, model=None, *, target: bool = True):
    """The client-episodes whose outcomes a table reports (``s.episodes``: closed in the
    period, or all with a session in it), with ``month`` (of the last session), ``es_case``
    (in the effect-size set) and, with ``target``, the latest ``etr_status`` on ``model``
    (fitted on ``df`` when None).

    Every column is the client's or its episode's own: the rows of a part of the clients
    (whole episodes) are the rows of the whole table for those clients. What needs every
    case of the table is :func:`effect_reference`. ``s`` is a
    :class:`srs_analytics.caseload.CaseloadSettings`.
    """
    outcomes = client_outcomes(df, settings=s.outcome)
    full_last = full.groupby("episode_id", sort=True)["session_date"].max()
    ep = episode_frame(df, ses, outcomes, full_last=full_last)
    ep["month"] = month(ep["last_date"])
    if s.episodes == "closed":
        keep = ep["episode_status"].isin(CLOSED).to_numpy(dtype=bool) \
            & in_period(ep["ended"], start, end)
    else:
        seen = ses.loc[in_period(ses["session_date"], start, end), "_ce"].unique()
        keep = ep["_ce"].isin(seen).to_numpy(dtype=bool)
    ep = ep[keep].reset_index(drop=True)
    es = ep["scored"].to_numpy(dtype=bool)
    if s.clinical_only:
        es = es & ep["intake_clinical"].fillna(False).to_numpy(dtype=bool)
    ep["es_case"] = es
    if target:
        ep = with_target(ep, df, model)
    return ep


def with_target(ep, df, model=None):
    """``ep`` with the ``etr_status`` of each client-episode's latest self-rating on
    ``model`` (fitted on ``df`` when None); the rows keep their order."""
    if model is None:
        model = fit_expected(df)
    etr = expected_status(df, model=model)
    etr = etr[etr["rater"].eq("self")].sort_values(
        ["client_id", "episode_id", "session_number"], kind="stable").drop_duplicates(
        ["client_id", "episode_id"], keep="last")[["client_id", "episode_id", "etr_status"]]
    return ep.merge(etr, on=["client_id", "episode_id"], how="left")


def effect_reference(ep, s) -> tuple[np.ndarray, float]:
    """What an effect size needs from every case of the table: the ``adjusted_change`` of
    each row of ``ep`` (NaN outside the effect-size cases ``es_case``), from the
    least-squares line of change on severity over all of them, and the SD of the
    severity over the scored cases (``s.sd_intake`` when given)."""
    es = ep["es_case"].to_numpy(dtype=bool)
    adjusted = np.where(es, adjusted_change(ep["severity"], ep["ors_change"], es), np.nan)
    scored = ep["scored"].to_numpy(dtype=bool)
    sd = s.sd_intake or (ep.loc[scored, "severity"].std(ddof=1) if scored.sum() > 1
                         else np.nan)
    return adjusted, float(sd)


def episode_set(full, df, ses, start, end, s, model, *, target: bool = True):
    """The client-episodes whose outcomes a table reports (:func:`episode_rows`) with their
    ``adjusted_change``; the SD that turns a change into an effect size
    (:func:`effect_reference`); the expected-response model used.

    ``s`` is a :class:`srs_analytics.caseload.CaseloadSettings`.
    """
    ep = episode_rows(full, df, ses, start, end, s, target=False)
    ep["adjusted_change"], sd = effect_reference(ep, s)
    if not target:
        return ep, sd, model
    if model is None:
        model = fit_expected(df)
    return with_target(ep, df, model), sd, model
