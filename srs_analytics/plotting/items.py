"""The items chart: the four SRS items of every session of one client's episode, as a heat
map with the lowest item of each session boxed and the items below the threshold hatched.

:func:`items_chart_data` computes the tidy table (from
:func:`~srs_analytics.alliance.session_alliance`), :func:`draw_items_chart` draws it and
:func:`items_chart` does both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Rectangle

from .. import _docstrings
from .._frames import EPS, column_map
from .._select import client_rows
from .._text import ITEM_NAMES
from ..alliance import ITEM_LABELS, AllianceSettings, session_alliance
from ..schema import ITEM_COLUMNS
from ._style import COLORS, axes

__all__ = ["ITEMS_COLUMNS", "draw_items_chart", "items_chart", "items_chart_data"]

#: The columns of :func:`items_chart_data`.
ITEMS_COLUMNS = ("session_number", "session_date", "measure", "column", "item", "item_name",
                 "value", "threshold", "low", "lowest")
#: A sequential colour map readable by colour-blind readers and in grey scale (Nuñez,
#: Anderton and Renslow 2018, PLoS ONE 13(7): e0199239).
CMAP = "cividis"


@_docstrings.fill
def items_chart_data(
    data: pd.DataFrame,
    client_id: str,
    *,
    episode_id: str | None = None,
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
    settings: AllianceSettings | None = None,
) -> pd.DataFrame:
    """The four alliance items of each session of one client's episode, as a tidy table.

    Parameters
    ----------
    {data}
    client_id : str
        The client.
    episode_id : str, optional
        The episode; by default the one of the client's latest rating.
    {columns}
        ``clinician`` and ``date`` may be absent.
    settings : AllianceSettings, optional
        ``low_item`` (9) is the item threshold.

    Returns
    -------
    pandas.DataFrame
        Four rows per self-rated alliance rating whose items were rated (not back-filled
        from a total), in session order, columns :data:`ITEMS_COLUMNS`: ``session_number``
        and ``session_date`` (the names passed in), ``measure``, ``column`` (the heat map's
        column: ``"S3"``, or ``"S3 CSRS"`` when the episode has several alliance
        measures), ``item`` (the short label), ``item_name`` (in prose), ``value``,
        ``threshold`` (``settings.low_item``), ``low`` (value below the threshold) and
        ``lowest`` (the lowest item of the session, every tied one; none when all four
        are equal).

    Notes
    -----
    An item below 9 (9 = 36 / 4) is a practitioners' heuristic, not a published cutoff;
    the lowest item is always named (PCOMS practice: one follow-up on the lowest item).
    See ``docs/measures-and-rules.md``, "Alliance".

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> frame = items_chart_data(load_sample(), "C00270")
    >>> frame.query("lowest")[["session_number", "item", "value", "low"]].head(3)
        session_number             item  value   low
    2                1  approach_method   7.00  True
    6                2  approach_method   8.49  True
    10               3  approach_method   8.40  True
    """
    s = settings or AllianceSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total, items=items,
                      imputed=imputed)
    rows, ep = client_rows(data, client_id, episode_id, cols=cols)
    args = {k: v for k, v in cols.items() if k not in {f"item_{j}" for j in range(1, 5)}}
    args = {k: v for k, v in args.items() if k == "items" or v in data.columns}
    ses = session_alliance(rows, settings=s, **args)
    ses = ses[ses["lowest_item"].notna().to_numpy()]
    order = [c for c in (session, date, measure) if c in ses.columns]
    ses = ses.sort_values(order, kind="stable").reset_index(drop=True)  # session order
    n = len(ses)
    values = ses[list(items)].to_numpy(dtype=float).ravel()
    label = np.tile(np.asarray(ITEM_LABELS, dtype=object), n)
    tied = [str(low).split(";") for low in ses["lowest_item"].to_numpy(dtype=object)]
    # four equal items: no item is lower than another, none is marked
    lowest = np.array([lab in t and len(t) < 4 for lab, t in
                       zip(label, (t for t in tied for _ in range(4)))], dtype=bool)
    m = ses[measure].astype(str).to_numpy()
    num = ses[session].to_numpy(dtype=float)
    column = np.array([f"S{v:g}" for v in num], dtype=object)
    if len(set(m)) > 1:
        column = np.char.add(np.char.add(column.astype(str), " "), m.astype(str)).astype(object)
    frame = pd.DataFrame({
        session: np.repeat(ses[session].to_numpy(), 4),
        date: np.repeat(ses[date].to_numpy(), 4) if date in ses else pd.NaT,
        measure: np.repeat(m, 4), "column": np.repeat(column, 4), "item": label,
        "item_name": [ITEM_NAMES[v] for v in label], "value": values,
        "threshold": s.low_item, "low": values < s.low_item - EPS, "lowest": lowest})
    frame.attrs = {"client_id": client_id, "episode_id": ep}
    return frame


def draw_items_chart(frame: pd.DataFrame, ax=None, *, title: str | None = None,
                     colorbar: bool = True):
    """Draw a table of :func:`items_chart_data` as a heat map and return the Axes.

    Rows are the four items, columns the sessions; each cell shows its score. Items below
    the threshold are hatched, the lowest item of each session has a thick black frame, and
    the colour bar marks the threshold. The colour map (cividis) reads in grey scale and
    for colour-blind readers; the numbers and the hatching carry the meaning without colour.

    Parameters
    ----------
    frame : pandas.DataFrame
        What :func:`items_chart_data` returns.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        By default it says what the marks mean.
    colorbar : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
        The frames of the lowest items have the ``gid`` ``"lowest"``, the hatched cells
        ``"low"``, the threshold on the colour bar ``"threshold"``.
    """
    columns = list(dict.fromkeys(frame["column"]))
    ax = axes(ax, figsize=(min(11.0, max(4.0, 0.6 * len(columns) + 2.5)), 2.8))
    names = [ITEM_NAMES[v] for v in ITEM_LABELS]
    threshold = float(frame["threshold"].iloc[0]) if len(frame) else np.nan
    if not len(frame):
        ax.text(0.5, 0.5, "No SRS with rated items to draw", transform=ax.transAxes,
                ha="center", va="center", gid="empty")
        ax.set_axis_off()
        return ax
    grid = frame.pivot(index="item_name", columns="column", values="value")
    grid = grid.reindex(index=names, columns=columns)
    text = grid.map(lambda v: "" if np.isnan(v) else f"{v:.2f}".rstrip("0").rstrip("."))
    size = "medium" if len(columns) <= 10 else "small" if len(columns) <= 16 else "x-small"
    sns.heatmap(grid, ax=ax, vmin=0, vmax=10, cmap=CMAP, annot=text.to_numpy(), fmt="",
                annot_kws={"fontsize": size},
                linewidths=1, linecolor="white", cbar=colorbar, square=False,
                cbar_kws={"label": "item score (0-10)", "shrink": 0.9} if colorbar else None)
    row = {v: i for i, v in enumerate(names)}
    col = {v: j for j, v in enumerate(columns)}
    for r in frame.itertuples(index=False):
        i, j = row[r.item_name], col[r.column]
        if r.low:
            ax.add_patch(Rectangle((j, i), 1, 1, fill=False, hatch="//", lw=0,
                                   edgecolor=(1, 1, 1, 0.6), gid="low", zorder=2))
        if r.lowest:
            ax.add_patch(Rectangle((j + 0.04, i + 0.04), 0.92, 0.92, fill=False, lw=2.5,
                                   edgecolor="black", gid="lowest"))
    for t in ax.texts:  # the numbers above the hatching
        t.set_zorder(3)
    if colorbar:
        cbar = ax.collections[0].colorbar
        cbar.ax.axhline(threshold, color=COLORS["alert"], lw=2.5, gid="threshold")
        cbar.ax.text(1.6, threshold, f"{threshold:g}", transform=cbar.ax.get_yaxis_transform(),
                     va="center", ha="left", fontsize="small", color=COLORS["alert"])
    ax.set_xlabel("Session")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    if title is None:
        title = f"SRS items: below {threshold:g} hatched, lowest item framed"
    ax.set_title(title, loc="left")
    return ax


@_docstrings.fill
def items_chart(
    data: pd.DataFrame,
    client_id: str,
    *,
    episode_id: str | None = None,
    settings: AllianceSettings | None = None,
    ax=None,
    title: str | None = None,
    colorbar: bool = True,
    **columns: str,
):
    """Chart the four SRS items of each session of one client's episode (a heat map).

    Parameters
    ----------
    {data}
    client_id : str
        The client.
    episode_id, settings
        As in :func:`items_chart_data`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title, colorbar
        As in :func:`draw_items_chart`.
    **columns : str
        Column names, as in :func:`items_chart_data`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> ax = items_chart(load_sample(), "C00003")
    >>> sum(p.get_gid() == "lowest" for p in ax.patches)  # four sessions with a lowest item
    4
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = items_chart_data(data, client_id, episode_id=episode_id, settings=settings,
                             **columns)
    return draw_items_chart(frame, ax, title=title, colorbar=colorbar)
