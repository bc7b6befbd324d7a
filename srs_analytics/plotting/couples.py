"""Clients seen together: the couple or family chart and the group chart.

- :func:`couple_chart`: each client's SRS and ORS of one couple's or family's episode on
  one axis, the sessions with a split alliance shaded, and below it the gap between the
  clients over the sessions (:func:`~srs_analytics.couple_sessions`);
- :func:`group_chart`: each member's group rating (GSRS) over the group's sessions, the
  group's mean with its spread, members below the cutoff and members who stay below the
  rest marked (:func:`~srs_analytics.group_sessions`,
  :func:`~srs_analytics.group_members`).

Each has a ``*_data`` function (a tidy table of what to draw) and a ``draw_*`` function,
as the other charts. The numbers are the couples and groups analyses'; nothing is
computed here that they do not compute, but for the clients' own ratings and cutoffs.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .. import _docstrings
from .._checks import require_columns
from ..couples import FAMILIES, CoupleSettings, couple_episodes, couple_sessions
from ..groups import GroupSettings, group_members, group_sessions
from ..outcomes import client_outcomes
from ..schema import ITEM_COLUMNS
from ._style import ALERT_MARKERS, COLORS, HATCHES, LOOKS, SERVICE_LOOK, axes, group_look

__all__ = ["COUPLE_COLUMNS", "GROUP_COLUMNS", "couple_chart", "couple_chart_data",
           "draw_couple_chart", "draw_group_chart", "group_chart", "group_chart_data"]

#: The columns of :func:`couple_chart_data`.
COUPLE_COLUMNS = ("layer", "family", "measure", "client_id", "session_number", "y", "label",
                  "flag")
#: The columns of :func:`group_chart_data`.
GROUP_COLUMNS = ("layer", "client_id", "group_session", "session_date", "y", "low", "high",
                 "below_cutoff", "stays_below")
_WORDS = {"SRS": "alliance", "ORS": "outcome"}


def _cols(**cols) -> dict:
    return cols


# --------------------------------------------------------------------------- couples
@_docstrings.fill
def couple_chart_data(
    data: pd.DataFrame,
    episode_id: str,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    age_group: str = "age_group",
    settings: CoupleSettings | None = None,
) -> pd.DataFrame:
    """What the couple or family chart draws, as a tidy table.

    Parameters
    ----------
    {data}
    episode_id : str
        The episode the clients share.
    {columns}
    settings : CoupleSettings, optional
        The gap that counts as large (5), the SRS cutoff (36), the outcome cutoffs.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COUPLE_COLUMNS` (``client_id`` and ``session_number`` under the
        names given), ``family`` ``"SRS"`` (SRS, CSRS) or ``"ORS"`` (ORS, CORS):

        - ``score``: each client's own rating per session (``measure``, ``y``);
        - ``cutoff``: ``y`` the SRS cutoff, and each outcome cutoff of the clients (adult
          ORS 25, adolescent 28, child CORS 32), ``label`` naming it;
        - ``split``: the sessions whose alliance is split (one client below the cutoff,
          another not);
        - ``gap``: per joint session and family, ``y`` the gap between the highest and
          the lowest total, ``flag`` ``"widening"`` where the gap has widened
          (``widening_gap``), ``"large"`` where it is at least ``settings.gap``, else "";
        - ``threshold``: ``y`` the large gap (``settings.gap``).

        ``attrs`` holds ``episode_id``, ``clients``, ``clinician_id`` and ``episodes``: the
        rows of :func:`srs_analytics.couple_episodes` by family (share split, gap trend,
        consistently lowest client...).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> frame = couple_chart_data(load_sample(), "E00273")
    >>> frame.attrs["clients"]
    ['C00274', 'C00275']
    >>> frame[frame["layer"] == "split"]["session_number"].tolist()
    [1.0, 2.0, 3.0]
    >>> frame.attrs["episodes"]["SRS"]["gap_trend"]
    'narrowing'
    """
    s = settings or CoupleSettings()
    require_columns(data, {"client": client, "episode": episode},
                    ["client", "episode"])
    rows = data[(data[episode] == episode_id).to_numpy(dtype=bool)]
    if rows.empty:
        known = sorted(map(str, pd.unique(data[episode].dropna())))
        raise ValueError(f"episode_id {episode_id!r} is not in episode={episode!r} "
                         f"({len(known):,} episodes, e.g. {', '.join(known[:3])})")
    cols = _cols(client=client, episode=episode, clinician=clinician, session=session,
                 date=date, measure=measure, rater=rater, total=total, items=items,
                 imputed=imputed, age_group=age_group)
    own = rows[(rows[rater] == "self").to_numpy(dtype=bool, na_value=False)]
    fam = pd.Series(np.select([own[measure].isin(FAMILIES[f]) for f in FAMILIES],
                              list(FAMILIES), ""), index=own.index)
    own = own[(fam != "").to_numpy() & own[total].notna().to_numpy()]
    fam = fam[own.index]
    clients = sorted(map(str, pd.unique(own[client])))
    if len(clients) < 2:
        raise ValueError(f"episode {episode_id!r} has {len(clients)} client(s) with their own "
                         "SRS or ORS ratings: a couple or family chart needs two or more")
    parts = [pd.DataFrame({
        "layer": "score", "family": fam.to_numpy(dtype=object),
        "measure": own[measure].astype(str).to_numpy(dtype=object),
        client: own[client].astype(str).to_numpy(dtype=object),
        session: own[session].to_numpy(dtype=float),
        "y": own[total].to_numpy(dtype=float),
        "label": (own[client].astype(str) + " " + own[measure].astype(str)).to_numpy(
            dtype=object)})]
    parts.append(pd.DataFrame({"layer": ["cutoff"], "family": ["SRS"], "measure": ["SRS"],
                               "y": [s.alliance.cutoff],
                               "label": [f"SRS cutoff {s.alliance.cutoff:g}"]}))
    out = client_outcomes(rows, settings=s.outcome, **{
        k: v for k, v in cols.items() if k not in ("items", "imputed")})
    out = out[out["cutoff"].notna().to_numpy()]
    if len(out):
        cut = out.groupby([measure, "cutoff"], sort=True)[client].agg(
            lambda c: ", ".join(sorted(map(str, c)))).reset_index()
        parts.append(pd.DataFrame({
            "layer": "cutoff", "family": "ORS", "measure": cut[measure].astype(str),
            "y": cut["cutoff"].to_numpy(dtype=float),
            "label": [f"{m} cutoff {c:g} ({who})" for m, c, who in
                      zip(cut[measure], cut["cutoff"], cut[client])]}))
    joint = couple_sessions(rows, settings=s, **cols)
    js = joint[session].to_numpy(dtype=float)
    split = joint[(joint[measure] == "SRS").to_numpy(dtype=bool)
                  & joint["split"].to_numpy(dtype=bool)]
    parts.append(pd.DataFrame({"layer": "split", "family": "SRS", session: split[
        session].to_numpy(dtype=float), "label": "split alliance"}))
    flag = np.where(joint["widening_gap"].to_numpy(dtype=bool), "widening",
                    np.where(joint["large_gap"].to_numpy(dtype=bool), "large", ""))
    parts.append(pd.DataFrame({
        "layer": "gap", "family": joint[measure].astype(str).to_numpy(dtype=object),
        session: js, "y": joint["gap"].to_numpy(dtype=float),
        "label": [f"{f} gap" for f in joint[measure].astype(str)], "flag": flag}))
    parts.append(pd.DataFrame({"layer": ["threshold"], "y": [s.gap],
                               "label": [f"large gap ({s.gap:g} points)"]}))
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True)
    frame = frame.reindex(columns=["layer", "family", "measure", client, session, "y",
                                   "label", "flag"])
    episodes = couple_episodes(rows, settings=s, **cols)
    clin = rows[clinician].dropna() if clinician in rows else pd.Series([], dtype=object)
    frame.attrs = {"episode_id": episode_id, "clients": clients,
                   "clinician_id": str(clin.iloc[-1]) if len(clin) else None,
                   "episodes": {str(r[measure]): {k: _plain(r[k]) for k in episodes.columns}
                                for _, r in episodes.iterrows()},
                   "client": client, "session": session}
    return frame


def _plain(value):
    """A value of a table row as a plain Python value (NA as None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def draw_couple_chart(frame: pd.DataFrame, ax=None, *, title: str | None = None,
                      legend: bool = True):
    """Draw a table of :func:`couple_chart_data`: the clients' ratings above, the gap
    between them below.

    Parameters
    ----------
    frame : pandas.DataFrame
        What :func:`couple_chart_data` returns.
    ax : sequence of two Axes, optional
        The ratings' and the gap's; by default a new figure with the two, one above the
        other.
    title : str, optional
        By default the episode, its clients and the clinician.
    legend : bool, default True

    Returns
    -------
    numpy.ndarray of two matplotlib.axes.Axes
        The ratings (``gid`` ``"score:<client> <measure>"``, ``"split"`` for the shaded
        sessions, ``"cutoff:<label>"``) and the gap (``"gap:SRS"``, ``"gap:ORS"``,
        ``"widening"`` for the sessions whose gap widened, ``"threshold"``).

    Notes
    -----
    Each client has a colour (and the legend names them); the alliance (SRS, CSRS) is a
    dashed line with squares, the outcome (ORS, CORS) a solid line with circles, as in the
    client chart. Split sessions are hatched, so they read without colour.
    """
    a = frame.attrs
    csession = a.get("session", "session_number")
    cclient = a.get("client", "client_id")
    if ax is None:
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.2), sharex=True,
                                          layout="constrained",
                                          gridspec_kw={"height_ratios": [3, 1.2]})
    elif isinstance(ax, Axes):
        raise ValueError("the couple chart draws two panels: pass two Axes, or none")
    else:
        top, bottom = list(np.ravel(ax))
    layers = {k: g for k, g in frame.groupby("layer", sort=False)}
    for i, x in enumerate(layers.get("split", pd.DataFrame({csession: []}))[csession]):
        top.axvspan(x - 0.45, x + 0.45, facecolor=COLORS["alert"], alpha=0.13,
                    hatch=HATCHES["expected"], edgecolor=COLORS["alert"], lw=0, zorder=0,
                    gid="split", label="split alliance (one below 36, another not)"
                    if i == 0 else None)
    for _, r in layers.get("cutoff", pd.DataFrame()).iterrows():
        look = LOOKS["alliance_cutoff" if r["family"] == "SRS" else "outcome_cutoff"]
        top.axhline(r["y"], color=COLORS["band"], linestyle=look.linestyle, lw=1.3,
                    zorder=1, gid=f"cutoff:{r['label']}", label=r["label"])
    clients = a.get("clients") or sorted(set(layers.get("score", pd.DataFrame(
        {cclient: []}))[cclient]))
    colour = {c: group_look(i)["color"] for i, c in enumerate(clients)}
    scores = layers.get("score", pd.DataFrame({"label": []}))
    for label, g in scores.groupby("label", sort=True):
        g = g.sort_values(csession)
        look = LOOKS["alliance" if g["family"].iloc[0] == "SRS" else "outcome"].line_kwargs()
        look.update(color=colour[g[cclient].iloc[0]], markeredgecolor=colour[g[cclient].iloc[
            0]], markerfacecolor=colour[g[cclient].iloc[0]], linewidth=1.8, markersize=6)
        top.plot(g[csession], g["y"], label=label, gid=f"score:{label}", zorder=3, **look)
    top.set_ylim(0, 40.9)
    top.set_yticks(range(0, 41, 5))
    top.set_ylabel("Total score (0-40)")
    gaps = layers.get("gap", pd.DataFrame({"family": []}))
    for fam, g in gaps.groupby("family", sort=False):
        g = g.sort_values(csession)
        look = (SERVICE_LOOK if fam == "SRS" else LOOKS["outcome"]).line_kwargs()
        look.update(linestyle="--" if fam == "SRS" else "-", marker="s" if fam == "SRS"
                    else "o", color=COLORS["text"] if fam == "SRS" else COLORS["band"],
                    markeredgecolor=COLORS["text"] if fam == "SRS" else COLORS["band"],
                    markerfacecolor=COLORS["text"] if fam == "SRS" else COLORS["band"],
                    linewidth=1.6, markersize=5)
        bottom.plot(g[csession], g["y"], label=f"{_WORDS.get(fam, fam)} gap ({fam})",
                    gid=f"gap:{fam}", **look)
    wide = gaps[gaps["flag"] == "widening"] if len(gaps) else gaps
    if len(wide):
        bottom.scatter(wide[csession], wide["y"], gid="widening", zorder=4,
                       label="the gap widened", **ALERT_MARKERS["warning"])
    for _, r in layers.get("threshold", pd.DataFrame()).iterrows():
        bottom.axhline(r["y"], color=COLORS["alert"], ls=":", lw=1.2, gid="threshold",
                       label=r["label"])
    top_gap = gaps["y"].max() if len(gaps) else 0
    bottom.set_ylim(0, max(10.0, float(top_gap) * 1.15 + 0.5))
    bottom.set_ylabel("Gap (points)")
    bottom.set_xlabel("Session")
    bottom.xaxis.get_major_locator().set_params(integer=True)
    eps = a.get("episodes", {})
    trend = "; ".join(f"{f} gap {eps[f]['gap_trend']}" for f in ("SRS", "ORS")
                      if f in eps and eps[f].get("gap_trend"))
    bottom.set_title("Highest minus lowest total at each joint session"
                     + (f" ({trend})" if trend else ""), loc="left", fontsize="small")
    if title is None and a.get("episode_id") is not None:
        who = ", ".join(clients)
        title = f"Episode {a['episode_id']}: {who}" + (
            f", clinician {a['clinician_id']}" if a.get("clinician_id") else "")
    if title:
        top.set_title(title, loc="left")
    if scores.empty:
        top.text(0.5, 0.5, "No SRS or ORS rating to draw", transform=top.transAxes,
                 ha="center", va="center", gid="empty")
    if legend:
        for panel in (top, bottom):
            if panel.get_legend_handles_labels()[1]:
                panel.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return np.array([top, bottom], dtype=object)


@_docstrings.fill
def couple_chart(data: pd.DataFrame, episode_id: str, *,
                 settings: CoupleSettings | None = None, ax=None, title: str | None = None,
                 legend: bool = True, **columns: str):
    """Chart a couple's or a family's episode: each client's SRS and ORS on one axis, the
    sessions with a split alliance shaded, and the gap between the clients over the
    sessions below.

    Parameters
    ----------
    {data}
    episode_id : str
        The episode the clients share.
    settings : CoupleSettings, optional
        As in :func:`couple_chart_data`.
    ax, title, legend
        As in :func:`draw_couple_chart`.
    **columns : str
        Column names, as in :func:`couple_chart_data`.

    Returns
    -------
    numpy.ndarray of two matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> top, gap = couple_chart(load_sample(), "E00273")
    >>> sorted(p.get_gid() for p in top.patches)
    ['split', 'split', 'split']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = couple_chart_data(data, episode_id, settings=settings, **columns)
    return draw_couple_chart(frame, ax, title=title, legend=legend)


# --------------------------------------------------------------------------- groups
@_docstrings.fill
def group_chart_data(
    data: pd.DataFrame,
    group_id: str,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    group: str = "group_id",
    settings: GroupSettings | None = None,
) -> pd.DataFrame:
    """What the group chart draws, as a tidy table.

    Parameters
    ----------
    {data}
    group_id : str
        The group.
    {columns}
    settings : GroupSettings, optional
        The cutoff (36) and how far below the others a member stands out.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GROUP_COLUMNS` (``client_id`` under the name given):

        - ``member``: each member's rating per group session (``y``), ``below_cutoff``
          and ``stays_below`` (below the others now and in at least 2 of the last 3 group
          sessions: the ``group_outlier`` alert) from :func:`srs_analytics.group_members`;
        - ``group``: per group session, ``y`` the members' mean, ``low`` / ``high`` one SD
          either side (:func:`srs_analytics.group_sessions`);
        - ``cutoff``: ``y`` the cutoff.

        ``attrs`` holds ``group_id``, ``measure`` (the group measure drawn: the one with
        the most ratings), ``clinician_id`` and ``sessions``: the rows of
        :func:`srs_analytics.group_sessions`.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> frame = group_chart_data(load_sample(), "G01")
    >>> frame[frame["layer"] == "group"][["group_session", "y", "low"]].round(2)
        group_session      y    low
    21            1.0  37.13  34.72
    22            2.0  35.23  31.57
    23            3.0  36.31  33.23
    """
    s = settings or GroupSettings()
    require_columns(data, {"group": group}, ["group"])
    rows = data[(data[group] == group_id).to_numpy(dtype=bool, na_value=False)]
    if rows.empty:
        known = sorted(map(str, pd.unique(data[group].dropna())))
        raise ValueError(f"group_id {group_id!r} is not in group={group!r}; its groups: "
                         f"{', '.join(known) or '(none)'}")
    cols = _cols(client=client, episode=episode, clinician=clinician, session=session,
                 date=date, measure=measure, rater=rater, total=total, items=items,
                 imputed=imputed, group=group)
    ses = group_sessions(rows, settings=s, **cols)
    mem = group_members(rows, settings=s, **cols)
    if ses.empty:
        raise ValueError(f"group {group_id!r} has no GSRS or CGSRS rating of its members")
    which = ses[measure].value_counts().index[0]
    ses = ses[(ses[measure] == which).to_numpy(dtype=bool)].reset_index(drop=True)
    mem = mem[(mem[measure] == which).to_numpy(dtype=bool)]
    sd = ses["sd_total"].to_numpy(dtype=float)
    mean = ses["mean_total"].to_numpy(dtype=float)
    frame = pd.concat([
        pd.DataFrame({"layer": "member", client: mem[client].astype(str).to_numpy(
            dtype=object), "group_session": mem["group_session"].to_numpy(dtype=float),
            "session_date": pd.to_datetime(mem[date]).to_numpy(),
            "y": mem["total"].to_numpy(dtype=float),
            "below_cutoff": mem["below_cutoff"].to_numpy(dtype=bool),
            "stays_below": mem["stays_below"].to_numpy(dtype=bool)}),
        pd.DataFrame({"layer": "group", "group_session": ses["group_session"].to_numpy(
            dtype=float), "session_date": pd.to_datetime(ses[date]).to_numpy(),
            "y": mean, "low": mean - np.nan_to_num(sd), "high": mean + np.nan_to_num(sd)}),
        pd.DataFrame({"layer": ["cutoff"], "y": [s.alliance.cutoff]}),
    ], ignore_index=True).reindex(columns=["layer", client, "group_session",
                                           "session_date", "y", "low", "high",
                                           "below_cutoff", "stays_below"])
    clin = ses[clinician].dropna() if clinician in ses else pd.Series([], dtype=object)
    frame.attrs = {"group_id": group_id, "measure": str(which), "client": client,
                   "clinician_id": str(clin.iloc[0]) if len(clin) else None,
                   "sessions": ses}
    return frame


def draw_group_chart(frame: pd.DataFrame, ax=None, *, title: str | None = None,
                     legend: bool = True):
    """Draw a table of :func:`group_chart_data` and return the Axes.

    The group's mean is the thick black line in a grey band of one SD either side; each
    member a thin line in their own colour; a member's rating below the cutoff has an open
    diamond around it, and a member who stays below the rest of the group a filled cross
    (the ``group_outlier`` alert). The cutoff is dotted. Group ratings sit high on the
    scale, so the axis starts at the multiple of 5 below the lowest rating (said on the
    axis), not at 0.

    Returns
    -------
    matplotlib.axes.Axes
        ``gid`` ``"member:<client>"``, ``"group_mean"``, ``"group_spread"``,
        ``"below_cutoff"``, ``"stays_below"`` and ``"cutoff"``.
    """
    a = frame.attrs
    cclient = a.get("client", "client_id")
    ax = axes(ax, figsize=(9, 4.8))
    grp = frame[frame["layer"] == "group"].sort_values("group_session")
    mem = frame[frame["layer"] == "member"]
    ax.fill_between(grp["group_session"], grp["low"], grp["high"], color=COLORS["band"],
                    alpha=0.28, lw=0, zorder=1, gid="group_spread",
                    label="group mean \u00b1 1 SD")
    for i, (who, g) in enumerate(mem.groupby(cclient, sort=True)):
        g = g.sort_values("group_session")
        look = group_look(i)
        look.update(linewidth=1.1, markersize=4)
        ax.plot(g["group_session"], g["y"], label=who, gid=f"member:{who}", alpha=0.85,
                zorder=2, **look)
    look = SERVICE_LOOK.line_kwargs()
    look.update(linewidth=3, markersize=5)
    ax.plot(grp["group_session"], grp["y"], label="group mean", gid="group_mean", zorder=4,
            **look)
    low = mem[mem["below_cutoff"].astype(bool)]
    if len(low):
        ax.scatter(low["group_session"], low["y"], gid="below_cutoff", zorder=5,
                   label="below the cutoff", **ALERT_MARKERS["warning"])
    stays = mem[mem["stays_below"].astype(bool)]
    if len(stays):
        ax.scatter(stays["group_session"], stays["y"], gid="stays_below", zorder=6,
                   label="stays below the rest of the group", **ALERT_MARKERS["critical"])
    for _, r in frame[frame["layer"] == "cutoff"].iterrows():
        cut = LOOKS["alliance_cutoff"].line_kwargs()
        cut.update(marker="", linewidth=1.4)
        ax.axhline(r["y"], gid="cutoff", label=f"cutoff {r['y']:g}", zorder=1, **cut)
    # group ratings sit high on the scale: the axis starts at the multiple of 5 below the
    # lowest rating (or band), so that the members' lines part visibly
    values = frame.loc[frame["layer"] != "cutoff", ["y", "low"]].to_numpy(dtype=float)
    floor = np.nanmin(values) if np.isfinite(values).any() else 0.0
    bottom = max(0, 5 * int(np.floor((floor - 1) / 5)))
    ax.set_ylim(bottom, 40.9)
    ax.set_yticks(range(bottom, 41, 5))
    ax.set_ylabel(f"{a.get('measure', 'GSRS')} total (0-40; from {bottom})" if bottom
                  else f"{a.get('measure', 'GSRS')} total (0-40)")
    ticks = grp["group_session"].to_numpy()
    dates = pd.to_datetime(grp["session_date"])
    ax.set_xticks(ticks, [f"{int(t)}" + (f"\n{d.day} {d:%b}" if not pd.isna(d) else "")
                          for t, d in zip(ticks, dates)])
    if len(ticks):
        ax.set_xlim(ticks.min() - 0.3, ticks.max() + 0.3)
    ax.set_xlabel("Group session")
    if title is None and a.get("group_id") is not None:
        n = mem[cclient].nunique()
        title = f"Group {a['group_id']}: {n} members" + (
            f", clinician {a['clinician_id']}" if a.get("clinician_id") else "")
    if title:
        ax.set_title(title, loc="left")
    if legend and ax.get_legend_handles_labels()[1]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return ax


@_docstrings.fill
def group_chart(data: pd.DataFrame, group_id: str, *, settings: GroupSettings | None = None,
                ax=None, title: str | None = None, legend: bool = True, **columns: str):
    """Chart a group: each member's group rating over the group's sessions, the group's
    mean and spread, members below the cutoff and members who stay below the rest marked.

    Parameters
    ----------
    {data}
    group_id : str
        The group.
    settings : GroupSettings, optional
        As in :func:`group_chart_data`.
    ax, title, legend
        As in :func:`draw_group_chart`.
    **columns : str
        Column names, as in :func:`group_chart_data`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> ax = group_chart(load_sample(), "G01")
    >>> len([line for line in ax.lines if line.get_gid().startswith("member:")])
    7
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = group_chart_data(data, group_id, settings=settings, **columns)
    return draw_group_chart(frame, ax, title=title, legend=legend)
