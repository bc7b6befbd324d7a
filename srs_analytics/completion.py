"""SRS completion: is the SRS given at every session, or only when the clinician is worried?

:func:`srs_completion` gives the share of sessions with an ORS that also have an SRS, by
clinician and month (or any grouping of :data:`srs_analytics.caseload.BY`);
:func:`completion_trend` the line through the monthly shares. Giving the SRS only when
worried is the first common mistake of a service that starts with PCOMS; a director sees
it here and nowhere else (``docs/caseload.md``, "SRS completion").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _caseframes as cf
from . import _docstrings
from ._frames import column_map
from .caseload import BY, CaseloadSettings

__all__ = ["completion_trend", "srs_completion"]


@_docstrings.fill
def srs_completion(
    data: pd.DataFrame,
    *,
    by=("clinician", "month"),
    start=None,
    end=None,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    site: str = "site",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    age_group: str = "age_group",
    group: str = "group_id",
    format: str = "format",
    setting: str = "setting",
    settings: CaseloadSettings | None = None,
) -> pd.DataFrame:
    """The share of sessions with an ORS that also have an SRS, per clinician and month.

    PCOMS asks for the SRS at the end of every session. Giving it only when worried is
    the first common mistake of a service starting with it, and no summary of scores
    shows it: a clinician who skips the SRS after hard sessions has a reassuring mean.

    Parameters
    ----------
    {data}
    by : str or sequence of str, default ("clinician", "month")
        Groupings, any of :data:`BY`.
    start, end : date-like, optional
        The period, both days included.
    {columns}
    settings : CaseloadSettings, optional
        Its ``confidence`` sets the interval.

    Returns
    -------
    pandas.DataFrame
        One row per group: the group columns, ``n_ors_sessions`` (client sessions with a
        self-rated ORS or CORS), ``n_ors_sessions_with_srs`` (of them, with a self-rated
        SRS-family rating), ``share_srs_completion`` and its Wilson interval
        ``share_srs_completion_low`` / ``_high``.

    Notes
    -----
    A session is one client's session (each partner of a couple counts). Sessions with a
    YCORS only are left out: the under-sixes have no alliance measure here, and counting
    them would blame a clinician for seeing young children (on the bundled sample that
    alone takes one clinician's share from 96% to 81%).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> t = srs_completion(load_sample(), by="clinician")
    >>> t["share_srs_completion"].round(3).tolist()
    [0.977, 0.971, 0.963, 0.965, 0.975, 0.956, 0.987, 0.971]
    """
    s = settings or CaseloadSettings()
    keys = [BY[b] for b in cf.grouping(by)]
    cols = column_map(client=client, episode=episode, clinician=clinician, site=site,
                      session=session, date=date, measure=measure, rater=rater, total=total,
                      age_group=age_group, group=group, format=format, setting=setting)
    _, _, ses, now, _, _, _ = cf.prepare(data, cols, start, end)
    due = ses[now & ses["has_outcome"].to_numpy(dtype=bool)].assign(
        _one=1, _with=lambda f: f["has_alliance"].astype(np.int64))
    table = cf.join_parts([cf.counts(due, keys, "_one", name="n_ors_sessions"),
                   cf.counts(due, keys, "_with", name="n_ors_sessions_with_srs")], keys)
    table[["n_ors_sessions", "n_ors_sessions_with_srs"]] = table[
        ["n_ors_sessions", "n_ors_sessions_with_srs"]].astype(np.int64)
    cf.add_share(table, "srs_completion", "n_ors_sessions_with_srs", "n_ors_sessions",
           s.confidence)
    return table.rename(columns={BY[b]: cols[b] for b in ("clinician", "site", "age_group",
                                                          "format", "setting")})


@_docstrings.fill
def completion_trend(
    data: pd.DataFrame,
    *,
    by=("clinician",),
    start=None,
    end=None,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    site: str = "site",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    age_group: str = "age_group",
    group: str = "group_id",
    format: str = "format",
    setting: str = "setting",
    settings: CaseloadSettings | None = None,
) -> pd.DataFrame:
    """The trend of SRS completion: the least-squares line through the monthly shares.

    Parameters
    ----------
    {data}
    by : str or sequence of str, default ("clinician",)
        Groupings, any of :data:`BY` but ``month``; ``()`` for the whole service.
    start, end : date-like, optional
        The period, both days included.
    {columns}
    settings : CaseloadSettings, optional
        Its ``confidence`` sets the interval.

    Returns
    -------
    pandas.DataFrame
        One row per group: the group columns, ``n_months`` (months with a session due an
        SRS), ``first_month``, ``last_month``, ``n_ors_sessions``,
        ``share_srs_completion`` (over the whole period), ``completion_slope`` (change
        of the monthly share per month: -0.02 is two percentage points a month less) and
        its interval ``completion_slope_low`` / ``_high`` (NaN with fewer than three
        months).

    Notes
    -----
    With :math:`p_m` the share of month :math:`m` (months numbered from the first of the
    data), the slope is :math:`\\sum (m - \\bar m)(p_m - \\bar p) / \\sum (m - \\bar m)^2`
    and its standard error :math:`\\sqrt{\\sum r_m^2 / (k - 2) / \\sum (m - \\bar m)^2}`
    over the :math:`k` months, with a t interval on :math:`k - 2` degrees of freedom:
    months are the units, so sessions of one month sharing a cause do not narrow it.
    The monthly shares themselves are :func:`srs_completion` by month.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> t = completion_trend(load_sample(), by=())
    >>> t[["n_months", "share_srs_completion"]].round(3).to_dict("records")
    [{'n_months': 13, 'share_srs_completion': 0.97}]
    """
    from scipy.special import stdtrit  # the t quantile, without importing scipy.stats

    s = settings or CaseloadSettings()
    names = cf.grouping(by)
    if "month" in names:
        raise ValueError("by must not include month: the trend is over the months")
    keys = [BY[b] for b in names]
    monthly = srs_completion(data, by=[*names, "month"], start=start, end=end,
                             client=client, episode=episode, clinician=clinician,
                             site=site, session=session, date=date, measure=measure,
                             rater=rater, total=total, age_group=age_group, group=group,
                             format=format, setting=setting, settings=s)
    names_out = {BY[b]: c for b, c in (("clinician", clinician), ("site", site),
                                       ("age_group", age_group), ("format", format),
                                       ("setting", setting))}
    keys = [names_out.get(k, k) for k in keys]
    m = monthly[monthly["month"].notna()].copy()
    first = m["month"].min()
    m["_x"] = ((m["month"].dt.year - first.year) * 12 + m["month"].dt.month
               - first.month).astype(float)
    m["_y"] = m["share_srs_completion"]
    group_by = keys or ["_all"]
    m["_all"] = 0

    def grouped():
        return m.groupby(group_by, dropna=False, sort=True)

    m["_xc"] = m["_x"] - grouped()["_x"].transform("mean")
    m["_yc"] = m["_y"] - grouped()["_y"].transform("mean")
    m["_xx"], m["_xy"] = m["_xc"] ** 2, m["_xc"] * m["_yc"]
    with np.errstate(invalid="ignore", divide="ignore"):
        m["_b"] = grouped()["_xy"].transform("sum") / grouped()["_xx"].transform("sum")
    m["_rr"] = (m["_yc"] - m["_b"] * m["_xc"]) ** 2
    g = grouped()
    k, sxx, slope = g["_x"].count(), g["_xx"].sum(), g["_b"].first()
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(g["_rr"].sum() / (k - 2) / sxx)
        half = stdtrit(np.maximum(k - 2, 1), 0.5 + s.confidence / 2) * se
    out = pd.DataFrame({
        "n_months": k.astype(np.int64), "first_month": g["month"].min(),
        "last_month": g["month"].max(),
        "n_ors_sessions": g["n_ors_sessions"].sum().astype(np.int64),
        "n_ors_sessions_with_srs": g["n_ors_sessions_with_srs"].sum().astype(np.int64),
    })
    out["share_srs_completion"] = out["n_ors_sessions_with_srs"] / out["n_ors_sessions"]
    ok = (k >= 3).to_numpy()
    out["completion_slope"] = np.where(k >= 2, slope, np.nan)
    out["completion_slope_low"] = np.where(ok, slope - half, np.nan)
    out["completion_slope_high"] = np.where(ok, slope + half, np.nan)
    out = out.reset_index()
    return out.drop(columns="_all") if "_all" in out.columns else out
