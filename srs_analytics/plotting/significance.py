"""The Jacobson-Truax scatter: each episode's intake against its last outcome rating, with
the band of no reliable change and the clinical cutoff (Jacobson and Truax 1991, figure 2).

:func:`jacobson_truax_data` computes the tidy table from
:func:`~srs_analytics.outcomes.client_outcomes`, :func:`draw_jacobson_truax` draws it and
:func:`jacobson_truax_chart` does both. A point above the diagonal improved; outside the
grey band the change is reliable; left of the vertical cutoff the client started in the
clinical range, above the horizontal one they ended outside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _docstrings
from .._checks import check_choice, require_columns
from ..caseload import EPISODE_SETS
from ..outcomes import OUTCOME_CATEGORIES, OutcomeSettings, client_outcomes
from ._style import CATEGORY_LOOKS, COLORS, LOOKS, axes

__all__ = ["JT_COLUMNS", "draw_jacobson_truax", "jacobson_truax_chart", "jacobson_truax_data"]

#: The columns of :func:`jacobson_truax_data`.
JT_COLUMNS = ("client_id", "episode_id", "clinician_id", "measure", "age_group", "intake",
              "last", "change", "cutoff", "rci", "outcome")
_CLOSED = ("closed_planned", "closed_unplanned")


@_docstrings.fill
def jacobson_truax_data(
    data: pd.DataFrame,
    *,
    outcome_measure: str | None = None,
    ages=None,
    start=None,
    end=None,
    episodes: str = "all",
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
    settings: OutcomeSettings | None = None,
) -> pd.DataFrame:
    """What the Jacobson-Truax scatter draws: one point per client episode with a change.

    Parameters
    ----------
    {data}
    outcome_measure : str, optional
        The outcome measure (``"ORS"`` or ``"CORS"``); by default the one with the most
        episodes.
    ages : str or sequence of str, optional
        Only clients of these age groups (``"adult"``, ``"adolescent"``, ``"child"``). One
        chart has one cutoff and one reliable change: when the episodes left have several
        (adult ORS 25 and adolescent 28), the chart shows those of the most common one and
        ``attrs["other"]`` counts the rest.
    start, end : date-like, optional
        The period, both days included, read as ``episodes`` says.
    episodes : {"all", "closed"}, default "all"
        ``"all"``: every episode with a session in the period, its outcome read up to
        ``end``; ``"closed"``: the episodes closed in the period (as in
        :func:`srs_analytics.caseload_summary`).
    clinicians : sequence of str, optional
        Only the episodes whose last clinician is one of these.
    {columns}
    settings : OutcomeSettings, optional
        Reliable change (points, 5; or Jacobson-Truax) and the cutoff rule.

    Returns
    -------
    pandas.DataFrame
        One row per client episode with a self-rated intake and a later rating on a scored
        measure, columns :data:`JT_COLUMNS` (``client_id``, ``episode_id`` and
        ``clinician_id`` under these names): ``intake`` and ``last`` (the first and the
        last rating), ``change``, ``cutoff`` and ``rci`` (the reliable change in points)
        applied, and ``outcome`` (one of
        :data:`srs_analytics.outcomes.OUTCOME_CATEGORIES`). ``attrs`` holds ``measure``,
        ``cutoff``, ``rci``, ``method``, ``age_groups`` (those shown), ``other`` (episodes
        with a change left out for another cutoff or reliable change) and ``episodes``.

    Notes
    -----
    The categories are those of :func:`srs_analytics.client_outcomes` (Jacobson and Truax
    1991): recovered (reliable improvement from below the cutoff to above it), improved,
    unchanged, deteriorated, harmed. With the points method a change of ``rci`` or more is
    reliable; with ``method="jt"`` one of more than ``rci``.

    References
    ----------
    Jacobson, N. S. and Truax, P. (1991). Clinical significance: a statistical approach to
    defining meaningful change in psychotherapy research. Journal of Consulting and
    Clinical Psychology, 59(1), 12-19 (figure 2).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> frame = jacobson_truax_data(load_sample())
    >>> frame.attrs["measure"], frame.attrs["cutoff"], frame.attrs["rci"], len(frame)
    ('ORS', 25.0, 5.0, 191)
    >>> frame.attrs["age_groups"], frame.attrs["other"]  # adolescents (28), children (CORS)
    (['adult'], 60)
    >>> frame["outcome"].value_counts().to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'unchanged': 77, 'recovered': 50, 'improved': 48, 'deteriorated': 12, 'harmed': 4}
    """
    check_choice("episodes", episodes, EPISODE_SETS)
    if settings is not None and not isinstance(settings, OutcomeSettings):
        raise TypeError(f"settings must be OutcomeSettings (the outcome part of caseload or "
                        f"alert settings: settings.outcome); got {type(settings).__name__}")
    s = settings or OutcomeSettings()
    cols = {"client": client, "episode": episode, "clinician": clinician,
            "session": session, "date": date, "measure": measure, "rater": rater,
            "total": total, "age_group": age_group, "status": status}
    require_columns(data, {"client": client, "episode": episode}, ["client", "episode"])
    start = None if start is None else pd.Timestamp(start)
    end = None if end is None else pd.Timestamp(end)
    df = data
    if end is not None:
        df = data[(pd.to_datetime(data[date]) <= end).to_numpy(dtype=bool, na_value=False)]
    out = client_outcomes(df, settings=s, **cols)
    out = out[out["outcome"].isin(OUTCOME_CATEGORIES).to_numpy(dtype=bool)]
    out = out[_in_period(data, out, cols, start, end, episodes)]
    if clinicians is not None:
        chosen = [clinicians] if isinstance(clinicians, str) else list(clinicians)
        out = out[out[clinician].isin(chosen).to_numpy(dtype=bool)]
    if outcome_measure is not None:
        out = out[(out[measure] == outcome_measure).to_numpy(dtype=bool)]
    if ages is not None:
        ages = [ages] if isinstance(ages, str) else list(ages)
        out = out[out[age_group].isin(ages).to_numpy(dtype=bool)]
    panels = out.groupby([measure, "cutoff", "rci"], sort=True).size()
    if len(panels):
        m, cut, rci = panels.sort_values(ascending=False, kind="stable").index[0]
    else:
        m, cut, rci = outcome_measure, np.nan, np.nan
    keep = ((out[measure] == m) & (out["cutoff"] == cut) & (out["rci"] == rci)).to_numpy(
        dtype=bool)
    shown = out[keep]
    frame = pd.DataFrame({
        client: shown[client].to_numpy(dtype=object),
        episode: shown[episode].to_numpy(dtype=object),
        clinician: shown[clinician].to_numpy(dtype=object),
        "measure": shown[measure].astype(str).to_numpy(dtype=object),
        "age_group": shown[age_group].to_numpy(dtype=object),
        "intake": shown["ors_intake"].to_numpy(dtype=float),
        "last": shown["ors_last"].to_numpy(dtype=float),
        "change": shown["ors_change"].to_numpy(dtype=float),
        "cutoff": shown["cutoff"].to_numpy(dtype=float),
        "rci": shown["rci"].to_numpy(dtype=float),
        "outcome": shown["outcome"].astype(str).to_numpy(dtype=object)})
    ages = sorted({a for a in frame["age_group"] if isinstance(a, str)})
    frame.attrs = {"measure": m, "cutoff": float(cut), "rci": float(rci),
                   "method": s.method, "age_groups": ages, "other": int((~keep).sum()),
                   "episodes": episodes}
    return frame


def _in_period(data, out, cols, start, end, episodes) -> np.ndarray:
    """Which client episodes of ``out`` the period takes (as ``caseload_summary`` does)."""
    if start is None and end is None and episodes == "all":
        return np.ones(len(out), dtype=bool)
    key = [cols["client"], cols["episode"]]
    dates = pd.to_datetime(data[cols["date"]])
    inside = np.ones(len(data), dtype=bool)
    if start is not None:
        inside &= (dates >= start).to_numpy(dtype=bool, na_value=False)
    if end is not None:
        inside &= (dates <= end).to_numpy(dtype=bool, na_value=False)
    if episodes == "all":
        seen = data.loc[inside, key].drop_duplicates()
        return out[key].merge(seen, how="left", indicator=True)["_merge"].eq(
            "both").to_numpy()
    # closed in the period: a closed status and the episode's last session in it
    last = data.assign(_d=dates).groupby(cols["episode"], sort=False)["_d"].max()
    ended = out[cols["episode"]].map(last)
    ok = np.array(out[cols["status"]].isin(_CLOSED), dtype=bool) \
        if cols["status"] in out else np.zeros(len(out), dtype=bool)
    if start is not None:
        ok &= (ended >= start).to_numpy(dtype=bool, na_value=False)
    if end is not None:
        ok &= (ended <= end).to_numpy(dtype=bool, na_value=False)
    return ok


def draw_jacobson_truax(frame: pd.DataFrame, ax=None, *, title: str | None = None,
                        legend: bool = True):
    """Draw a table of :func:`jacobson_truax_data`: intake across, last rating up.

    The diagonal is no change; the grey band around it, ``rci`` points either side, is
    change within measurement noise; the dash-dot lines are the cutoff, vertical for the
    intake and horizontal for the last rating. Each outcome category has its own colour
    and marker (recovered: blue circles; harmed: vermillion crosses), so the chart reads
    in black and white.

    Returns
    -------
    matplotlib.axes.Axes
        ``gid`` ``"case:<category>"`` (the points of a category), ``"no_change"`` (the
        diagonal), ``"reliable_change"`` (the band), ``"cutoff:intake"`` and
        ``"cutoff:last"``.
    """
    a = frame.attrs
    ax = axes(ax, figsize=(6.8, 6.0))
    values = frame[["intake", "last"]].to_numpy(dtype=float)
    top = np.nanmax(values) if values.size else 40
    # a 0-40 total keeps its scale; another scale (a reference data set) gets its own
    lim = (0, 40.9) if top <= 40 else (min(0.0, np.nanmin(values)), top * 1.04)
    grid = np.array(lim)
    rci, cut = a.get("rci", np.nan), a.get("cutoff", np.nan)
    if np.isfinite(rci):
        ax.fill_between(grid, grid - rci, grid + rci, color=COLORS["band"], alpha=0.22, lw=0,
                        zorder=0, gid="reliable_change",
                        label=f"no reliable change (\u00b1{rci:.3g} points)")
    ax.plot(grid, grid, color=COLORS["text"], lw=0.9, zorder=1, gid="no_change",
            label="no change")
    if np.isfinite(cut):
        look = LOOKS["outcome_cutoff"].line_kwargs()
        look.update(marker="", linewidth=1.4)
        ax.axvline(cut, gid="cutoff:intake", zorder=1, label=f"cutoff {cut:g}", **look)
        ax.axhline(cut, gid="cutoff:last", zorder=1, **look)
    counts = frame["outcome"].value_counts()
    for cat in OUTCOME_CATEGORIES:
        f = frame[frame["outcome"] == cat]
        look = CATEGORY_LOOKS[cat]
        ax.scatter(f["intake"], f["last"], s=36, marker=look["marker"], color=look["color"],
                   edgecolors="black" if cat in ("unchanged", "improved") else "white",
                   linewidths=0.5, zorder=3, gid=f"case:{cat}",
                   label=f"{cat} ({counts.get(cat, 0)})")
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_aspect("equal")
    if lim[1] < 41:
        ax.set_xticks(range(0, 41, 5))
        ax.set_yticks(range(0, 41, 5))
    m = a.get("measure") or "Outcome"
    ax.set_xlabel(f"{m} at intake")
    ax.set_ylabel(f"{m} at the last rating")
    if not len(frame):
        ax.text(0.5, 0.5, "No episode with a change to draw", transform=ax.transAxes,
                ha="center", va="center", gid="empty")
    if title is None:
        ages = ", ".join(x.replace("_", " ") for x in a.get("age_groups", [])) or "clients"
        title = f"{m}, {ages}: {len(frame)} episodes (Jacobson and Truax 1991)"
    if title:
        ax.set_title(title, loc="left")
    if a.get("other"):
        ax.annotate(f"{a['other']} episode(s) on another measure or cutoff not shown",
                    xy=(0, 0), xycoords="axes fraction", xytext=(0, -36),
                    textcoords="offset points", fontsize="small", va="top", gid="other")
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")
    return ax


@_docstrings.fill
def jacobson_truax_chart(
    data: pd.DataFrame,
    *,
    outcome_measure: str | None = None,
    ages=None,
    start=None,
    end=None,
    episodes: str = "all",
    clinicians=None,
    settings: OutcomeSettings | None = None,
    ax=None,
    title: str | None = None,
    legend: bool = True,
    **columns: str,
):
    """Chart each client episode's intake against its last outcome rating, with the
    reliable-change band and the cutoff lines (Jacobson and Truax 1991, figure 2).

    Parameters
    ----------
    {data}
    outcome_measure, ages, start, end, episodes, clinicians, settings
        As in :func:`jacobson_truax_data`.
    ax, title, legend
        As in :func:`draw_jacobson_truax`.
    **columns : str
        Column names, as in :func:`jacobson_truax_data`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> ax = jacobson_truax_chart(load_sample(), ages="adolescent")
    >>> ax.get_title(loc="left")
    'ORS, adolescent: 29 episodes (Jacobson and Truax 1991)'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = jacobson_truax_data(data, outcome_measure=outcome_measure, ages=ages, start=start,
                                end=end, episodes=episodes, clinicians=clinicians,
                                settings=settings, **columns)
    return draw_jacobson_truax(frame, ax, title=title, legend=legend)
