"""The director's caseload charts: alliance rates by month, outcome categories, and the
clinicians' effect sizes with their intervals.

Each chart has a ``*_data`` function that computes a tidy table from the caseload analyses
(:func:`~srs_analytics.caseload.caseload_summary`,
:func:`~srs_analytics.comparison.clinician_comparison`), a ``draw_*`` function that draws
such a table, and one that does both:

- :func:`caseload_rates`: SRS below the cutoff, SRS at the ceiling, SRS completion and
  sessions with an alert, per month, for each clinician (or site, age group...) and the
  whole service with its confidence band;
- :func:`outcome_categories`: recovered, improved, unchanged, deteriorated, harmed, per
  clinician (Jacobson and Truax 1991);
- :func:`effect_sizes_chart`: each clinician's severity-adjusted and shrunk effect size with
  its interval, in clinician order (never a ranking), beside the service's; clinicians
  with fewer cases than the minimum are named, not drawn.

The Jacobson-Truax scatter is in :mod:`srs_analytics.plotting.significance`.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from .. import _docstrings
from .._checks import check_choice
from .._effects import wilson
from ..caseload import BY, DERIVED_FROM, CaseloadSettings, caseload_summary
from ..comparison import clinician_comparison
from ..expected import ExpectedResponse
from ..outcomes import OUTCOME_CATEGORIES
from ..schema import ITEM_COLUMNS
from ._style import CATEGORY_LOOKS, COLORS, SERVICE_LOOK, axes, group_look

__all__ = ["CATEGORY_COLUMNS", "EFFECT_COLUMNS", "RATES", "RATE_COLUMNS", "caseload_rates",
           "caseload_rates_data", "draw_caseload_rates",
           "draw_effect_sizes",
           "draw_outcome_categories", "effect_sizes_chart", "effect_sizes_data",
           "outcome_categories", "outcome_categories_data"]

#: The rates :func:`caseload_rates` draws (columns of ``caseload_summary``), with titles.
RATES = MappingProxyType({
    "share_srs_below_cutoff": "SRS below the cutoff",
    "share_srs_at_ceiling": "SRS at the ceiling",
    "share_srs_completion": "SRS completion",
    "share_sessions_with_alert": "Sessions with an alert",
})
#: What each rate is a share of (its denominator), for the axis.
_BASIS = MappingProxyType({
    "share_srs_below_cutoff": "% of SRS ratings", "share_srs_at_ceiling": "% of SRS ratings",
    "share_srs_completion": "% of sessions with an ORS",
    "share_sessions_with_alert": "% of client sessions",
})
#: The columns of :func:`caseload_rates_data`.
RATE_COLUMNS = ("rate", "title", "group", "month", "k", "n", "share", "low", "high",
                "service")
#: The columns of :func:`outcome_categories_data`.
CATEGORY_COLUMNS = ("group", "category", "k", "n", "share", "service")
#: The columns of :func:`effect_sizes_data`.
EFFECT_COLUMNS = ("clinician", "kind", "label", "estimate", "low", "high", "n_es")
#: The name of the whole service's row in the tables of this module.
SERVICE = "Whole service"
_NONE = ("", "none", None)


def _grouping(by) -> list[str]:
    """``by`` as a list of at most one grouping of :data:`BY` (month is the axis)."""
    if isinstance(by, (list, tuple)):
        if len(by) > 1:
            raise ValueError(f"by must be one grouping; got {by!r}")
        by = by[0] if by else None
    if by in _NONE:
        return []
    check_choice("by", by, tuple(b for b in BY if b != "month"))
    return [by]


def _columns(**cols) -> dict:
    return cols


def _out_name(by: str, cols: dict) -> str:
    """The column of ``caseload_summary``'s output that holds grouping ``by``."""
    return cols.get(by, by) if by in ("clinician", "site", "age_group", "format",
                                      "setting") else by


def _summary(data, keys, start, end, cols, settings, model, **kwargs):
    return caseload_summary(data, by=keys, start=start, end=end, settings=settings,
                            model=model, **cols, **kwargs)


def _chosen(table, clinician_col, clinicians):
    """The rows of the chosen clinicians (all rows when ``clinicians`` is None)."""
    if clinicians is None:
        return table
    if isinstance(clinicians, str):
        clinicians = [clinicians]
    return table[table[clinician_col].isin(list(clinicians)).to_numpy(dtype=bool)]


def _label(values) -> np.ndarray:
    """Group values as text ("(unknown)" for a missing one)."""
    v = pd.Series(values, dtype=object)
    return v.where(v.notna(), "(unknown)").astype(str).str.replace("_", " ").to_numpy(
        dtype=object)


# --------------------------------------------------------------------------- rates
@_docstrings.fill
def caseload_rates_data(
    data: pd.DataFrame,
    *,
    by: str | None = "clinician",
    start=None,
    end=None,
    clinicians=None,
    rates=tuple(RATES),
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    site: str = "site",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    age_group: str = "age_group",
    group: str = "group_id",
    format: str = "format",
    setting: str = "setting",
    status: str = "episode_status",
    settings: CaseloadSettings | None = None,
    model: ExpectedResponse | None = None,
) -> pd.DataFrame:
    """What the caseload rates chart draws: four alliance rates per month, by group.

    Parameters
    ----------
    {data}
    by : str or None, default "clinician"
        One grouping of :data:`srs_analytics.caseload.BY` other than ``month`` (one line per
        clinician, site, age group, format, setting or service type), or None for the
        service (or the chosen clinicians) alone.
    start, end : date-like, optional
        The period, both days included.
    clinicians : sequence of str, optional
        Only these clinicians' sessions make the group lines; the service line is always
        the whole service.
    rates : sequence of str, default all of :data:`RATES`
        ``share_sessions_with_alert`` is left out when ``settings.alert_severity`` is None.
    {columns}
    settings : CaseloadSettings, optional
        The SRS cutoff and ceiling, the alert rules and severity, the confidence level.
    {model}

    Returns
    -------
    pandas.DataFrame
        One row per rate, group and month, columns :data:`RATE_COLUMNS`: ``rate`` (a key of
        :data:`RATES`) and its ``title``, ``group`` (the group as text, or
        ``"Whole service"``), ``month`` (its first day), ``k`` and ``n`` (numerator and
        denominator, the counts of ``caseload_summary`` that :data:`DERIVED_FROM
        <srs_analytics.caseload.DERIVED_FROM>` names), ``share``, its Wilson interval
        ``low`` / ``high``, and ``service`` (True on the whole service's rows). Months
        without a denominator are left out. ``attrs`` holds ``by``, ``clinicians``,
        ``start``, ``end``, ``confidence`` and ``undated`` (client sessions without a date,
        which no month can show).

    Notes
    -----
    A session is counted by its own clinician and month, as in ``caseload_summary``; the
    counts of the chosen clinicians add up to a group's, and those of every clinician to
    the service's, so one call of ``caseload_summary`` by clinician, group and month gives
    them all. The SRS cutoff (36) is OpenFIT KA-01031's; the ceiling (39) our choice after
    Meier and Feeley (2022); see ``docs/caseload.md``.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> frame = caseload_rates_data(load_sample(), by=None, rates=["share_srs_completion"])
    >>> frame[["group", "month", "k", "n"]].head(2)
               group      month   k   n
    0  Whole service 2025-01-01  47  48
    1  Whole service 2025-02-01  69  71
    """
    s = settings or CaseloadSettings()
    names = _grouping(by)
    rates = list(rates)
    for r in rates:
        check_choice("rates", r, tuple(RATES))
    if s.alert_severity is None:
        rates = [r for r in rates if r != "share_sessions_with_alert"]
    cols = _columns(client=client, episode=episode, clinician=clinician, site=site,
                    session=session, date=date, measure=measure, rater=rater, total=total,
                    items=items, imputed=imputed, age_group=age_group, group=group,
                    format=format, setting=setting, status=status)
    keys = ["clinician", *(b for b in names if b != "clinician"), "month"]
    table = _summary(data, keys, start, end, cols, s, model)
    clin = _out_name("clinician", cols)
    gcol = _out_name(names[0], cols) if names else None
    undated = int(table.loc[table["month"].isna(), "n_client_sessions"].sum())
    table = table[table["month"].notna()]
    mine = _chosen(table, clin, clinicians)
    parts = []
    for rate in rates:  # four rates: each is one grouped sum over the whole table
        n, k = DERIVED_FROM[rate]
        svc = table.groupby("month", sort=True)[[k, n]].sum().reset_index()
        svc["group"] = SERVICE
        frames = [svc]
        if gcol is not None or clinicians is not None:
            if gcol is None:
                g = mine.groupby("month", sort=True)[[k, n]].sum().reset_index()
                g["group"] = "Chosen clinicians"
            else:
                g = mine.groupby([gcol, "month"], sort=True, dropna=False)[[k, n]].sum()
                g = g.reset_index()
                g["group"] = _label(g.pop(gcol))
            frames.append(g)
        both = pd.concat(frames, ignore_index=True)
        both = both[both[n] > 0]
        low, high = wilson(both[k], both[n], s.confidence)
        parts.append(pd.DataFrame({
            "rate": rate, "title": RATES[rate], "group": both["group"].to_numpy(dtype=object),
            "month": both["month"].to_numpy(), "k": both[k].to_numpy(dtype=np.int64),
            "n": both[n].to_numpy(dtype=np.int64),
            "share": both[k].to_numpy(dtype=float) / both[n].to_numpy(dtype=float),
            "low": low, "high": high,
            "service": (both["group"] == SERVICE).to_numpy(dtype=bool)}))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=list(RATE_COLUMNS))
    frame = frame.reindex(columns=list(RATE_COLUMNS))
    frame.attrs = {"by": names[0] if names else None, "start": start, "end": end,
                   "clinicians": None if clinicians is None else list(clinicians),
                   "confidence": s.confidence, "undated": undated}
    return frame


def draw_caseload_rates(frame: pd.DataFrame, ax=None, *, rate: str | None = None,
                        legend: bool = True):
    """Draw a table of :func:`caseload_rates_data`: one panel per rate, months across.

    Parameters
    ----------
    frame : pandas.DataFrame
        What :func:`caseload_rates_data` returns.
    ax : matplotlib.axes.Axes or sequence of Axes, optional
        One Axes per rate drawn; by default a new figure with a panel for each.
    rate : str, optional
        Draw this rate only (needed to draw on a single Axes when the table has several).
    legend : bool, default True
        One legend for the panels, to the right.

    Returns
    -------
    matplotlib.axes.Axes or numpy.ndarray of Axes
        The Axes of a single rate, else an array of them in the order of the rates. The
        whole service is a thick black line (``gid`` ``"service:<rate>"``) in its grey
        confidence band (``"service_interval:<rate>"``); each group a thin line in its own
        colour and marker (``"group:<rate>:<group>"``) with a marker per month whose area
        grows with the month's denominator (``"group_n:<rate>:<group>"``).
    """
    rates = [rate] if rate is not None else list(dict.fromkeys(frame["rate"]))
    if not rates:
        rates = [None]
    if ax is None:
        ncols = 1 if len(rates) == 1 else 2
        nrows = -(-len(rates) // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 3.3 * nrows + 0.4),
                                 layout="constrained", sharex=True, squeeze=False)
        panels = list(grid.ravel())
        for extra in panels[len(rates):]:
            extra.remove()
        panels = panels[:len(rates)]
    elif isinstance(ax, Axes):
        if len(rates) > 1:
            raise ValueError("the table holds several rates: give rate=... to draw one on "
                             "a single Axes, or one Axes per rate")
        panels = [ax]
    else:
        panels = list(np.ravel(ax))
        if len(panels) != len(rates):
            raise ValueError(f"ax holds {len(panels)} Axes for {len(rates)} rates")
    groups = sorted({g for g in frame.loc[~frame["service"].astype(bool), "group"]})
    looks = {g: group_look(i) for i, g in enumerate(groups)}
    conf = frame.attrs.get("confidence", 0.95)
    for a, r in zip(panels, rates):
        f = frame[frame["rate"] == r].sort_values("month")
        if r is None or f.empty:
            a.text(0.5, 0.5, "No session in the period", transform=a.transAxes,
                   ha="center", va="center", gid="empty")
            continue
        svc = f[f["service"].astype(bool)]
        a.fill_between(svc["month"], svc["low"] * 100, svc["high"] * 100,
                       color=COLORS["band"], alpha=0.28, lw=0, zorder=1,
                       label=f"whole service, {conf:.0%} interval",
                       gid=f"service_interval:{r}")
        look = SERVICE_LOOK.line_kwargs()
        look.update(linewidth=2.8, markersize=4)
        a.plot(svc["month"], svc["share"] * 100, label=SERVICE, gid=f"service:{r}",
               zorder=3, **look)
        for g, gf in f[~f["service"].astype(bool)].groupby("group", sort=True):
            look = dict(looks[g], linewidth=1.1, markersize=4)
            a.plot(gf["month"], gf["share"] * 100, label=g, gid=f"group:{r}:{g}", zorder=2,
                   alpha=0.8, **look)
            # the marker's area grows with the month's denominator: a share of 3 ratings
            # should not catch the eye as one of 30 does
            a.scatter(gf["month"], gf["share"] * 100, s=_area(gf["n"]), color=look["color"],
                      marker=look["marker"], alpha=0.45, lw=0, zorder=2,
                      gid=f"group_n:{r}:{g}")
        a.set_title(RATES.get(r, r), loc="left")
        a.set_ylabel(_BASIS.get(r, "%"))
        a.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        lo = np.nanmin(f[["low", "share"]].to_numpy(dtype=float)) * 100
        hi = np.nanmax(f[["high", "share"]].to_numpy(dtype=float)) * 100
        a.set_ylim(max(0.0, lo - 4), min(100.0, hi + 4) + 0.5)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        a.xaxis.set_major_locator(locator)
        a.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if legend and panels:
        handles, labels = panels[0].get_legend_handles_labels()
        if labels:
            panels[0].figure.legend(handles, labels, loc="outside right upper",
                                    fontsize="small", title=_by_title(frame.attrs.get("by")))
    return panels[0] if len(panels) == 1 else np.array(panels, dtype=object)


def _area(n) -> np.ndarray:
    """Marker areas (points squared) for denominators ``n``: 6 for 1, 120 from 40 on."""
    return np.clip(6 + 3 * (np.asarray(n, dtype=float) - 1), 6, 120)


def _by_title(by) -> str | None:
    return None if by is None else str(by).replace("_", " ").capitalize()


@_docstrings.fill
def caseload_rates(
    data: pd.DataFrame,
    *,
    by: str | None = "clinician",
    start=None,
    end=None,
    clinicians=None,
    rates=tuple(RATES),
    settings: CaseloadSettings | None = None,
    model: ExpectedResponse | None = None,
    ax=None,
    legend: bool = True,
    **columns: str,
):
    """Chart the alliance rates of the caseload per month: SRS below the cutoff, at the
    ceiling, SRS completion and sessions with an alert, by clinician (or another grouping)
    beside the whole service.

    Parameters
    ----------
    {data}
    by, start, end, clinicians, rates, settings
        As in :func:`caseload_rates_data`.
    {model}
    ax, legend
        As in :func:`draw_caseload_rates`.
    **columns : str
        Column names, as in :func:`caseload_rates_data`.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        One panel per rate (an Axes when one rate is drawn).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> panels = caseload_rates(load_sample(), clinicians=["T01", "T02"])
    >>> [p.get_title(loc="left") for p in panels]  # doctest: +NORMALIZE_WHITESPACE
    ['SRS below the cutoff', 'SRS at the ceiling', 'SRS completion',
     'Sessions with an alert']
    >>> sorted(line.get_gid() for line in panels[0].lines)
    ['group:share_srs_below_cutoff:T01', 'group:share_srs_below_cutoff:T02',
     'service:share_srs_below_cutoff']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = caseload_rates_data(data, by=by, start=start, end=end, clinicians=clinicians,
                                rates=rates, settings=settings, model=model, **columns)
    return draw_caseload_rates(frame, ax, legend=legend)


# --------------------------------------------------------------------------- outcomes
@_docstrings.fill
def outcome_categories_data(
    data: pd.DataFrame,
    *,
    by: str | None = "clinician",
    start=None,
    end=None,
    episodes: str | None = None,
    clinicians=None,
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
    status: str = "episode_status",
    settings: CaseloadSettings | None = None,
    model: ExpectedResponse | None = None,
) -> pd.DataFrame:
    """What the outcome categories chart draws: how the episodes ended, per group.

    Parameters
    ----------
    {data}
    by : str or None, default "clinician"
        One grouping of :data:`srs_analytics.caseload.BY` other than ``month``, or None for
        the service alone.
    start, end : date-like, optional
        The period, both days included.
    episodes : {"closed", "all"}, optional
        The episodes closed in the period (default, ``settings.episodes``) or all with a
        session in it.
    clinicians : sequence of str, optional
        Only these clinicians' episodes (by the episode's last clinician) make the groups;
        the service row is always the whole service.
    {columns}
    settings : CaseloadSettings, optional
        Reliable change and cutoffs (``settings.outcome``), which episodes.
    {model}

    Returns
    -------
    pandas.DataFrame
        One row per group and category of :data:`srs_analytics.outcomes.OUTCOME_CATEGORIES`
        (best first), columns :data:`CATEGORY_COLUMNS`: ``group`` (text, the service last
        as ``"Whole service"``), ``category``, ``k`` (the episodes in it: the
        ``n_outcome_*`` counts of ``caseload_summary``), ``n`` (the episodes with a change,
        ``n_change``), ``share`` (``k / n``) and ``service``. ``attrs`` holds ``by``,
        ``episodes``, ``start``, ``end``.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> frame = outcome_categories_data(load_sample(), episodes="all")
    >>> frame[frame["service"]][["category", "k", "n"]]  # doctest: +NORMALIZE_WHITESPACE
            category    k    n
    40     recovered   75  251
    41      improved   63  251
    42     unchanged   94  251
    43  deteriorated   13  251
    44        harmed    6  251
    """
    s = settings or CaseloadSettings()
    s = replace(s, alert_severity=None)  # no alerts are counted here: no time spent on them
    if episodes is not None:
        s = replace(s, episodes=episodes)
    names = _grouping(by)
    cols = _columns(client=client, episode=episode, clinician=clinician, site=site,
                    session=session, date=date, measure=measure, rater=rater, total=total,
                    age_group=age_group, group=group, format=format, setting=setting,
                    status=status)
    keys = ["clinician", *(b for b in names if b != "clinician")]
    table = _summary(data, keys, start, end, cols, s, model)
    counts = ["n_change", *(f"n_outcome_{c}" for c in OUTCOME_CATEGORIES)]
    svc = table[counts].sum().to_frame().T.assign(group=SERVICE)
    frames = []
    mine = _chosen(table, _out_name("clinician", cols), clinicians)
    if names:
        gcol = _out_name(names[0], cols)
        g = mine.groupby(gcol, sort=True, dropna=False)[counts].sum().reset_index()
        g["group"] = _label(g.pop(gcol))
        frames.append(g)
    elif clinicians is not None:
        frames.append(mine[counts].sum().to_frame().T.assign(group="Chosen clinicians"))
    wide = pd.concat([*frames, svc], ignore_index=True)
    n = wide["n_change"].to_numpy(dtype=np.int64)
    k = wide[[f"n_outcome_{c}" for c in OUTCOME_CATEGORIES]].to_numpy(dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = k / n[:, None]
    groups = wide["group"].to_numpy(dtype=object)
    m = len(OUTCOME_CATEGORIES)
    frame = pd.DataFrame({
        "group": np.repeat(groups, m), "category": np.tile(OUTCOME_CATEGORIES, len(wide)),
        "k": k.ravel(), "n": np.repeat(n, m), "share": share.ravel(),
        "service": np.repeat(groups == SERVICE, m)})
    frame.attrs = {"by": names[0] if names else None, "episodes": s.episodes,
                   "start": start, "end": end}
    return frame


def draw_outcome_categories(frame: pd.DataFrame, ax=None, *, title: str | None = None,
                            legend: bool = True):
    """Draw a table of :func:`outcome_categories_data` as one 100% bar per group.

    Groups run top to bottom in their own order (never sorted by result), the whole
    service last. Each segment is a category, with its count inside when it is wide
    enough, and ``n`` (the episodes with a change) at the right of the bar.

    Returns
    -------
    matplotlib.axes.Axes
        Each category's bars have the ``gid`` ``"outcome:<category>"``; the ``n`` labels
        ``"n:<group>"``.
    """
    groups = list(dict.fromkeys(frame["group"]))
    ax = axes(ax, figsize=(9, 0.45 * len(groups) + 1.6))
    if not groups or not frame["n"].gt(0).any():
        ax.text(0.5, 0.5, "No episode with a change in the period", transform=ax.transAxes,
                ha="center", va="center", gid="empty")
        ax.set_axis_off()
        return ax
    y = {g: i + (0.6 if g == SERVICE else 0) for i, g in enumerate(groups)}
    left = {g: 0.0 for g in groups}
    for cat in OUTCOME_CATEGORIES:
        f = frame[frame["category"] == cat]
        look = CATEGORY_LOOKS[cat]
        width = (f["share"].fillna(0) * 100).to_numpy()
        starts = np.array([left[g] for g in f["group"]])
        ys = np.array([y[g] for g in f["group"]])
        bars = ax.barh(ys, width, left=starts, height=0.7, color=look["color"],
                       hatch=look["hatch"], edgecolor="white", linewidth=0.8,
                       label=cat, gid=f"outcome:{cat}")
        for bar, w, k, x0 in zip(bars, width, f["k"], starts):
            if w >= 6:
                ax.text(x0 + w / 2, bar.get_y() + bar.get_height() / 2, f"{k}",
                        ha="center", va="center", fontsize="x-small",
                        color="white" if cat in ("recovered", "harmed") else "black")
        for g, w in zip(f["group"], width):
            left[g] += w
    ns = frame.drop_duplicates("group")
    for g, n in zip(ns["group"], ns["n"]):
        ax.text(101.5, y[g], f"n = {n}" if n else "no change to report", va="center",
                fontsize="small", gid=f"n:{g}", clip_on=False)
    ax.set_yticks([y[g] for g in groups], groups)
    ax.set_ylim(max(y.values()) + 0.6, -0.6)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_xlabel("% of the episodes with a change (ORS or CORS intake and a later rating)")
    ax.grid(axis="y", visible=False)
    if title is None:
        which = ("closed in the period" if frame.attrs.get("episodes", "closed") == "closed"
                 else "with a session in the period")
        title = f"Outcome of the episodes {which}"
    if title:
        ax.set_title(title, loc="left")
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.11, 1), fontsize="small",
                  title="Outcome (Jacobson-Truax)")
    return ax


@_docstrings.fill
def outcome_categories(
    data: pd.DataFrame,
    *,
    by: str | None = "clinician",
    start=None,
    end=None,
    episodes: str | None = None,
    clinicians=None,
    settings: CaseloadSettings | None = None,
    model: ExpectedResponse | None = None,
    ax=None,
    title: str | None = None,
    legend: bool = True,
    **columns: str,
):
    """Chart how the episodes ended, per clinician: recovered, improved, unchanged,
    deteriorated, harmed (Jacobson and Truax 1991).

    Parameters
    ----------
    {data}
    by, start, end, episodes, clinicians, settings
        As in :func:`outcome_categories_data`.
    {model}
    ax, title, legend
        As in :func:`draw_outcome_categories`.
    **columns : str
        Column names, as in :func:`outcome_categories_data`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> ax = outcome_categories(load_sample(), episodes="all")
    >>> [t.get_text() for t in ax.get_yticklabels()][-2:]
    ['T08', 'Whole service']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = outcome_categories_data(data, by=by, start=start, end=end, episodes=episodes,
                                    clinicians=clinicians, settings=settings, model=model,
                                    **columns)
    return draw_outcome_categories(frame, ax, title=title, legend=legend)


# --------------------------------------------------------------------------- effect sizes
_KINDS = MappingProxyType({"severity_adjusted": "severity-adjusted effect size",
                           "shrunk": "shrunk towards the service (multilevel)"})


@_docstrings.fill
def effect_sizes_data(
    data: pd.DataFrame,
    *,
    start=None,
    end=None,
    episodes: str | None = None,
    clinicians=None,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    age_group: str = "age_group",
    status: str = "episode_status",
    settings: CaseloadSettings | None = None,
    model: ExpectedResponse | None = None,
) -> pd.DataFrame:
    """What the effect sizes chart draws: each clinician's estimates with their intervals.

    Parameters
    ----------
    {data}
    start, end : date-like, optional
        The period, both days included.
    episodes : {"closed", "all"}, optional
        Overrides ``settings.episodes``.
    clinicians : sequence of str, optional
        Only these clinicians (the model is fitted on every clinician's cases).
    {columns}
    settings : CaseloadSettings, optional
        ``min_cases`` (15, ACORN), ``clinical_only``, ``confidence``, the outcome rules.
    {model}

    Returns
    -------
    pandas.DataFrame
        Two rows per clinician with at least ``min_cases`` cases, in clinician order
        (never sorted by result), columns :data:`EFFECT_COLUMNS`: ``clinician``, ``kind``
        (``severity_adjusted``: the severity-adjusted effect size with its t interval;
        ``shrunk``: the multilevel estimate with its interval), ``label``, ``estimate``,
        ``low``, ``high``, ``n_es`` (the clinician's cases). ``attrs`` holds
        ``service_es`` (the service's severity-adjusted effect size), ``min_cases``,
        ``too_few`` (a list of ``(clinician, cases)`` not shown), ``confidence``,
        and ``episodes``.

    Notes
    -----
    The figures are :func:`srs_analytics.clinician_comparison`'s (Seidel, Miller and Chow
    2014; ACORN's minimum of 15 clinical-range cases); see ``docs/caseload.md``, "Comparing
    clinicians".

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> frame = effect_sizes_data(load_sample())
    >>> frame.attrs["too_few"], frame.attrs["min_cases"]
    ([('T01', 13), ('T03', 14)], 15)
    >>> frame["clinician"].unique().tolist()
    ['T02', 'T04', 'T05', 'T06', 'T07', 'T08']
    """
    s = settings or CaseloadSettings()
    cols = _columns(client=client, episode=episode, clinician=clinician, session=session,
                    date=date, measure=measure, rater=rater, total=total,
                    age_group=age_group, status=status)
    table = clinician_comparison(data, start=start, end=end, episodes=episodes, settings=s,
                                 model=model, **cols)
    table = _chosen(table, clinician, clinicians)
    shown = table[table["shown"].to_numpy(dtype=bool)]
    hidden = table[~table["shown"].to_numpy(dtype=bool)]
    parts = []
    for kind, col in (("severity_adjusted", "severity_adjusted_es"), ("shrunk", "shrunk_es")):
        parts.append(pd.DataFrame({
            "clinician": shown[clinician].astype(str).to_numpy(dtype=object), "kind": kind,
            "label": _KINDS[kind], "estimate": shown[col].to_numpy(dtype=float),
            "low": shown[f"{col}_low"].to_numpy(dtype=float),
            "high": shown[f"{col}_high"].to_numpy(dtype=float),
            "n_es": shown["n_es"].to_numpy(dtype=np.int64)}))
    frame = pd.concat(parts, ignore_index=True)
    order = {c: i for i, c in enumerate(sorted(frame["clinician"].unique()))}
    frame = frame.iloc[np.lexsort((frame["kind"].map({"severity_adjusted": 0, "shrunk": 1}),
                                   frame["clinician"].map(order)))].reset_index(drop=True)
    frame.attrs = {
        "service_es": float(table["service_es"].iloc[0]) if len(table) else np.nan,
        "min_cases": s.min_cases, "confidence": s.confidence,
        "episodes": episodes or s.episodes,
        "too_few": [(str(c), int(n)) for c, n in zip(hidden[clinician], hidden["n_es"])]}
    return frame


def draw_effect_sizes(frame: pd.DataFrame, ax=None, *, title: str | None = None,
                      legend: bool = True):
    """Draw a table of :func:`effect_sizes_data`: a forest of intervals, one row per
    clinician in clinician order, the service's effect size as a vertical line.

    Returns
    -------
    matplotlib.axes.Axes
        ``gid`` ``"es:<clinician>"`` (the severity-adjusted estimate and its interval,
        circles), ``"shrunk:<clinician>"`` (diamonds), ``"service_es"`` (the line) and
        ``"too_few"`` (the note naming the clinicians not shown).
    """
    clinicians = list(dict.fromkeys(frame["clinician"]))
    a = frame.attrs
    ax = axes(ax, figsize=(8.5, 0.5 * max(len(clinicians), 2) + 1.9))
    y = {c: i for i, c in enumerate(clinicians)}
    styles = {"severity_adjusted": ("o", COLORS["outcome"], -0.14, "white"),
              "shrunk": ("D", COLORS["text"], 0.14, "none")}
    for kind, (marker, color, dy, face) in styles.items():
        f = frame[frame["kind"] == kind]
        for r in f.itertuples(index=False):
            drawn = ax.errorbar([r.estimate], [y[r.clinician] + dy],
                                xerr=[[r.estimate - r.low], [r.high - r.estimate]],
                                fmt=marker, color=color, capsize=3, lw=1.6, ms=6,
                                markerfacecolor=color if face == "white" else "white",
                                label=_KINDS[kind] if r.clinician == clinicians[0] else None)
            for artist in drawn.get_children():  # the marker, the bar and its caps
                artist.set_gid(f"{'es' if kind != 'shrunk' else kind}:{r.clinician}")
    service = a.get("service_es", np.nan)
    if np.isfinite(service):
        ax.axvline(service, color=COLORS["band"], ls="--", lw=1.5, gid="service_es",
                   label=f"whole service ({service:.2f})")
    ax.axvline(0, color="black", lw=0.8, zorder=0)
    ax.set_yticks(range(len(clinicians)), [f"{c} (n = {n})" for c, n in
                                           frame.drop_duplicates("clinician")[
                                               ["clinician", "n_es"]].itertuples(
                                               index=False)])
    ax.set_ylim(len(clinicians) - 0.4, -0.6)
    ax.grid(axis="y", visible=False)
    conf = a.get("confidence", 0.95)
    ax.set_xlabel(f"Effect size (change / SD of the intake), {conf:.0%} intervals")
    if not clinicians:
        ax.text(0.5, 0.5, f"No clinician with {a.get('min_cases', 15)} or more cases",
                transform=ax.transAxes, ha="center", va="center", gid="empty")
    few = a.get("too_few", [])
    if few:
        names = ", ".join(f"{c} ({n})" for c, n in few)
        ax.annotate(f"Not shown, fewer than {a.get('min_cases', 15)} cases: {names}",
                    xy=(0, 0), xycoords="axes fraction", xytext=(0, -42),
                    textcoords="offset points", ha="left", va="top", fontsize="small",
                    gid="too_few")
    if title is None:
        title = "Clinicians' effect sizes, in clinician order: compare the intervals"
    if title:
        ax.set_title(title, loc="left")
    if legend and ax.get_legend_handles_labels()[1]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return ax


@_docstrings.fill
def effect_sizes_chart(
    data: pd.DataFrame,
    *,
    start=None,
    end=None,
    episodes: str | None = None,
    clinicians=None,
    settings: CaseloadSettings | None = None,
    model: ExpectedResponse | None = None,
    ax=None,
    title: str | None = None,
    legend: bool = True,
    **columns: str,
):
    """Chart each clinician's effect size with its interval, beside the service's.

    The severity-adjusted effect size (Seidel, Miller and Chow 2014) and the estimate
    shrunk towards the service by a multilevel model, each with its interval; clinicians
    come in clinician order, never ranked, and those with fewer cases than
    ``settings.min_cases`` (15, ACORN) are named below the chart, not drawn.

    Parameters
    ----------
    {data}
    start, end, episodes, clinicians, settings
        As in :func:`effect_sizes_data`.
    {model}
    ax, title, legend
        As in :func:`draw_effect_sizes`.
    **columns : str
        Column names, as in :func:`effect_sizes_data`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> ax = effect_sizes_chart(load_sample())
    >>> [line.get_gid() for line in ax.lines][:4]
    ['es:T02', 'es:T02', 'es:T02', 'es:T04']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = effect_sizes_data(data, start=start, end=end, episodes=episodes,
                              clinicians=clinicians, settings=settings, model=model, **columns)
    return draw_effect_sizes(frame, ax, title=title, legend=legend)
