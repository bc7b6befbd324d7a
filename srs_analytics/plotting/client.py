"""The client chart: ORS and SRS over the sessions of one client's episode.

:func:`client_chart_data` computes what to draw as a tidy table (one row per point, line
or band), :func:`draw_client_chart` draws such a table, and :func:`client_chart` does both.
The numbers come from the analyses (:func:`~srs_analytics.outcomes.session_outcomes`,
:func:`~srs_analytics.expected.expected_status`, :func:`~srs_analytics.alerting.alerts`);
nothing is computed here that they do not compute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _docstrings
from .._checks import check_choice
from .._frames import column_map
from .._select import client_rows
from ..alerting import SEVERITIES, AlertSettings, alerts
from ..expected import ExpectedResponse, expected_status
from ..instruments import ALLIANCE, INSTRUMENTS, OUTCOME
from ..outcomes import session_outcomes
from ..schema import ITEM_COLUMNS
from ._style import ALERT_MARKERS, COLORS, HATCHES, LOOKS, axes

__all__ = ["CHART_COLUMNS", "LAYERS", "client_chart", "client_chart_data",
           "draw_client_chart"]

#: What :func:`client_chart_data` holds, drawn in this order (bands at the back).
LAYERS = ("reliable_change", "expected", "cutoff", "score", "collateral", "alert")
#: The columns of :func:`client_chart_data`.
CHART_COLUMNS = ("layer", "family", "measure", "rater", "label", "session_number",
                 "session_date", "x", "y", "low", "high", "severity", "rule")
#: Measures drawn on the 0-40 axis (the YCORS, a 1-4 rating without cutoff, is not).
_CHARTED = tuple(k for k, inst in INSTRUMENTS.items() if inst.total_range == (0, 40))


@_docstrings.fill
def client_chart_data(
    data: pd.DataFrame,
    client_id: str,
    *,
    episode_id: str | None = None,
    x: str = "session",
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
    settings: AlertSettings | None = None,
    model: ExpectedResponse | None = None,
) -> pd.DataFrame:
    """What the client chart draws, as a tidy table.

    Parameters
    ----------
    {data}
    client_id : str
        The client.
    episode_id : str, optional
        The episode; by default the one of the client's latest rating.
    x : {"session", "date"}, default "session"
        What the horizontal axis shows: session numbers or session dates.
    {columns}
        ``clinician``, ``age_group`` and the items may be absent; ``date`` only with
        ``x="session"``.
    settings : AlertSettings, optional
        The alert rules, with the outcome settings (cutoffs by age group, reliable change)
        in ``settings.outcome`` and the SRS cutoff in ``settings.alliance``.
    {model}
        Only with a model is the expected-response band drawn; the alerts use it too
        (without one, ``off_track`` falls back to "no reliable improvement by session 4").

    Returns
    -------
    pandas.DataFrame
        One row per thing to draw, columns :data:`CHART_COLUMNS`:

        - ``layer``: one of :data:`LAYERS`. ``score``: the client's own ratings of each
          measure drawn (ORS, CORS, SRS, CSRS, GSRS, CGSRS; the YCORS, rated 1-4, is not);
          ``collateral``: a parent's, a teacher's or a partner's ratings, never mixed with
          the client's; ``cutoff``: one row per measure, ``y`` the cutoff (the client's
          age group's for the outcome, the SRS cutoff for the alliance); ``reliable_change``:
          ``y`` the intake, ``low`` and ``high`` the intake -/+ the reliable change;
          ``expected``: at each later outcome rating, ``low``, ``y``, ``high`` the 25th,
          50th and 75th percentile expected (only with ``model``); ``alert``: a rating with
          a warning or a critical alert, ``severity`` the worst, ``rule`` the rules;
        - ``family`` (``outcome`` or ``alliance``), ``measure``, ``rater``, ``label`` (the
          legend's text), ``session_number``, ``session_date``;
        - ``x`` (the session number or date), ``y``, ``low``, ``high``.

        ``attrs`` holds ``client_id``, ``episode_id``, ``clinician_id`` and ``x``.

    Notes
    -----
    The client's rows are analysed alone, except with the Jacobson-Truax method without a
    given intake SD, whose reliable change needs the whole table's intakes. Pass a
    ``model`` fitted on the whole caseload (or an agency's history): fitted on one
    client, it would have too little data.

    Examples
    --------
    An adolescent: the ORS cutoff is 28, and the reliable change band runs 5 points either
    side of the intake.

    >>> from srs_analytics import load_sample
    >>> frame = client_chart_data(load_sample(), "C00003")
    >>> frame.query("layer in ['reliable_change', 'cutoff']")[["layer", "measure", "y", "low",
    ...                                                         "high"]]
                 layer measure      y   low   high
    0  reliable_change     ORS  10.28  5.28  15.28
    1           cutoff     ORS  28.00   NaN    NaN
    2           cutoff     SRS  36.00   NaN    NaN
    """
    check_choice("x", x, ("session", "date"))
    s = settings or AlertSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total, items=items,
                      imputed=imputed, age_group=age_group)
    rows, ep = client_rows(data, client_id, episode_id, cols=cols)
    xcol = session if x == "session" else date
    if xcol not in rows.columns or rows[xcol].isna().all():
        raise ValueError(f"x={x!r} needs the column {xcol!r} with values for client "
                         f"{client_id!r}")
    args = {k: cols[k] for k in ("client", "episode", "clinician", "session", "date",
                                 "measure", "rater", "total", "age_group") if k in cols}
    args = {k: v for k, v in args.items() if v in data.columns}
    whole = s.outcome.method == "jt" and s.outcome.sd_intake is None

    def mine(table):  # the client's episode's rows of a table computed on ``data``
        keep = (table[client] == client_id) & (table[episode] == ep)
        return table[keep.to_numpy(dtype=bool)]

    parts = [_scores(rows, cols, xcol)]
    out = session_outcomes(data if whole else rows, settings=s.outcome, **args)
    out = mine(out) if whole else out
    parts.append(_outcome_lines(out, cols, s))
    if rows[measure].isin([m for m in _CHARTED
                           if INSTRUMENTS[m].family == ALLIANCE]).any():
        m = rows.loc[rows[measure].isin(_CHARTED), measure]
        m = [v for v in m if INSTRUMENTS[v].family == ALLIANCE][0]
        parts.append(pd.DataFrame({"layer": ["cutoff"], "family": ALLIANCE, "measure": m,
                                   "label": f"{m} cutoff {s.alliance.cutoff:g}",
                                   "y": s.alliance.cutoff}))
    if model is not None:
        parts.append(_expected(expected_status(rows, model=model, **{
            k: v for k, v in args.items() if k != "age_group"}), cols, xcol))
    found = alerts(data if whole else rows, settings=s, model=model, min_severity="warning",
                   **args, items=items, **({"imputed": imputed} if imputed in data else {}))
    parts.append(_alerts(mine(found) if whole else found, parts[0], cols))
    parts = [p for p in parts if len(p)]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    frame = frame.reindex(columns=list(CHART_COLUMNS))
    frame["x"] = frame[xcol]
    frame["layer"] = pd.Categorical(frame["layer"], categories=LAYERS)
    frame = frame.sort_values(["layer", "measure", "rater", "x"], kind="stable",
                              ignore_index=True)
    frame["layer"] = frame["layer"].astype(str)
    frame = frame.rename(columns={"session_number": session, "session_date": date})
    clin = rows[clinician].dropna() if clinician in rows else pd.Series([], dtype=object)
    frame.attrs = {"client_id": client_id, "episode_id": ep, "x": x,
                   "clinician_id": clin.iloc[-1] if len(clin) else None}
    return frame


def _scores(rows, cols, xcol):
    """Every 0-40 rating of the episode: the client's own (score) and collateral ones."""
    r = rows[rows[cols["measure"]].isin(_CHARTED) & rows[cols["total"]].notna()]
    own = (r[cols["rater"]] == "self").to_numpy(dtype=bool)
    m = r[cols["measure"]].astype(str).to_numpy()
    who = r[cols["rater"]].astype(str).to_numpy()
    return pd.DataFrame({
        "layer": np.where(own, "score", "collateral"),
        "family": [INSTRUMENTS[v].family for v in m],
        "measure": m, "rater": who,
        "label": np.where(own, m, np.char.add(np.char.add(m.astype(str), " ("),
                                               np.char.add(who.astype(str), ")"))),
        "session_number": r[cols["session"]].to_numpy(dtype=float, na_value=np.nan)
        if cols["session"] in r else np.nan,
        "session_date": r[cols["date"]].to_numpy() if cols["date"] in r else pd.NaT,
        "y": r[cols["total"]].to_numpy(dtype=float)})


def _outcome_lines(out, cols, s):
    """The cutoff and the reliable-change band of each self-rated outcome measure."""
    if out.empty:
        return pd.DataFrame()
    first = out.drop_duplicates(cols["measure"])
    first = first[first["cutoff"].notna()]
    m = first[cols["measure"]].astype(str).to_numpy()
    age = first[cols["age_group"]].to_numpy(dtype=object)
    group = [INSTRUMENTS[v].cutoff_group(a if isinstance(a, str) else None)
             for v, a in zip(m, age)]
    named = s.outcome.cutoff == "default"
    cut = first["cutoff"].to_numpy(dtype=float)
    intake, rci = first["ors_intake"].to_numpy(dtype=float), first["rci"].to_numpy(dtype=float)
    label = [f"{v} cutoff {c:g}" + (f" ({g.replace('_', ' ')})" if named and g and v == "ORS"
                                    and g != "adult" else "") for v, c, g in zip(m, cut, group)]
    band = [f"{v} reliable change: intake {i:g} \u00b1 {r:.3g}" for v, i, r in
            zip(m, intake, rci)]
    ok = ~np.isnan(rci)
    return pd.concat([
        pd.DataFrame({"layer": "cutoff", "family": OUTCOME, "measure": m, "label": label,
                      "y": cut}),
        pd.DataFrame({"layer": "reliable_change", "family": OUTCOME, "measure": m[ok],
                      "rater": "self", "label": np.asarray(band, dtype=object)[ok],
                      "y": intake[ok], "low": (intake - rci)[ok], "high": (intake + rci)[ok]}),
    ], ignore_index=True)


def _expected(es, cols, xcol):
    """The expected-response percentiles at the client's later outcome ratings."""
    es = es[(es[cols["rater"]] == "self").to_numpy(dtype=bool) & es["p50"].notna().to_numpy()]
    return pd.DataFrame({
        "layer": "expected", "family": OUTCOME,
        "measure": es[cols["measure"]].astype(str).to_numpy(), "rater": "self",
        "label": "expected 25th-75th percentile",
        "session_number": es[cols["session"]].to_numpy(dtype=float),
        "session_date": es[cols["date"]].to_numpy(),
        "y": es["p50"].to_numpy(), "low": es["p25"].to_numpy(), "high": es["p75"].to_numpy()})


def _alerts(found, scores, cols):
    """One marker per rating with a warning or worse: the worst severity, every rule."""
    if found.empty:
        return pd.DataFrame()
    key = [cols["session"], cols["measure"]]
    f = found.assign(_level=found["severity"].cat.codes)
    worst = f.groupby(key, observed=True).agg(
        _level=("_level", "max"), rule=("rule", lambda r: ", ".join(dict.fromkeys(r))))
    worst = worst.reset_index()
    own = scores[scores["layer"] == "score"].rename(
        columns={"session_number": cols["session"], "measure": cols["measure"]})
    own = own.astype({cols["session"]: float})
    worst[cols["session"]] = worst[cols["session"]].astype(float)
    hit = own.merge(worst, on=key, how="inner").rename(
        columns={cols["session"]: "session_number", cols["measure"]: "measure"})
    sev = np.asarray(SEVERITIES, dtype=object)[hit["_level"].to_numpy()]
    return hit.assign(layer="alert", severity=sev, label=[f"{v} alert" for v in sev]).drop(
        columns="_level")


def draw_client_chart(frame: pd.DataFrame, ax=None, *, title: str | None = None,
                      legend: bool = True):
    """Draw a table of :func:`client_chart_data` and return the Axes.

    Parameters
    ----------
    frame : pandas.DataFrame
        What :func:`client_chart_data` returns.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        By default the client, the episode and the clinician.
    legend : bool, default True
        A legend to the right of the plot.

    Returns
    -------
    matplotlib.axes.Axes
        Every artist drawn carries a ``gid`` naming what it shows
        (``"score:ORS"``, ``"cutoff:SRS"``, ``"alert:critical"``, ...).

    Notes
    -----
    Outcome ratings are solid lines with filled circles, alliance ratings dashed lines with
    filled squares, collateral ratings dotted lines with open triangles; the outcome cutoff
    is dash-dot, the alliance cutoff dotted, the reliable-change band a plain grey band, the
    expected response a hatched band around its dash-dot median. A warning is an open
    diamond and a critical alert a filled cross around the rating. Colours are the
    colour-blind-safe palette of :mod:`seaborn` (Wong 2011); the chart reads in black and
    white too.
    """
    ax = axes(ax)
    a = frame.attrs
    by = frame.groupby("layer", sort=False)
    layers = {k: g for k, g in by}
    for _, r in layers.get("reliable_change", pd.DataFrame()).iterrows():
        ax.axhspan(r["low"], r["high"], color=COLORS["band"], alpha=0.22, lw=0, zorder=0,
                   hatch=HATCHES["reliable_change"], label=r["label"],
                   gid=f"reliable_change:{r['measure']}")
    for m, g in layers.get("expected", pd.DataFrame({"measure": []})).groupby("measure"):
        g = g.sort_values("x")
        if len(g) == 1:  # one session: a band has no width, so a bar from p25 to p75
            ax.errorbar(g["x"], g["y"], yerr=[g["y"] - g["low"], g["high"] - g["y"]],
                        fmt="_", markersize=14, capsize=7, elinewidth=6, alpha=0.6,
                        color=COLORS["expected"], zorder=1, gid=f"expected:{m}",
                        label=f"{m} expected (25th-75th percentile, median)")
            continue
        ax.fill_between(g["x"], g["low"], g["high"], facecolor=COLORS["expected"], alpha=0.25,
                        edgecolor=COLORS["expected"], hatch=HATCHES["expected"], lw=0,
                        zorder=1, label=f"{m} expected (25th-75th percentile)",
                        gid=f"expected:{m}")
        look = LOOKS["expected"].line_kwargs()
        look.update(marker="", linewidth=1.5)
        ax.plot(g["x"], g["y"], label=f"{m} expected median", gid=f"expected_median:{m}",
                zorder=2, **look)
    for _, r in layers.get("cutoff", pd.DataFrame()).iterrows():
        look = LOOKS[f"{r['family']}_cutoff"].line_kwargs()
        look.update(marker="", linewidth=1.4)
        ax.axhline(r["y"], label=r["label"], gid=f"cutoff:{r['measure']}", zorder=2, **look)
    for layer in ("score", "collateral"):
        for label, g in layers.get(layer, pd.DataFrame({"label": []})).groupby(
                "label", sort=True):
            g = g.sort_values("x")
            look = LOOKS["collateral" if layer == "collateral" else g["family"].iloc[0]]
            ax.plot(g["x"], g["y"], label=label, gid=f"{layer}:{label}", zorder=3,
                    **look.line_kwargs())
    alert_rows = layers.get("alert", pd.DataFrame({"severity": []}))
    for sev in ("warning", "critical"):
        g = alert_rows[alert_rows["severity"] == sev]
        if len(g):
            ax.scatter(g["x"], g["y"], label=f"{sev} alert", gid=f"alert:{sev}", zorder=4,
                       **ALERT_MARKERS[sev])
    ax.set_ylim(0, 40.9)  # a rating of 40 stays whole
    ax.set_yticks(range(0, 41, 5))
    ax.set_ylabel("Total score (0-40)")
    if a.get("x", "session") == "session":
        ax.set_xlabel("Session")
        ax.xaxis.get_major_locator().set_params(integer=True)
    else:
        ax.set_xlabel("Session date")
        ax.figure.autofmt_xdate()
    if title is None and a.get("client_id") is not None:
        title = f"Client {a['client_id']}, episode {a['episode_id']}" + (
            f", clinician {a['clinician_id']}" if a.get("clinician_id") else "")
    if title:
        ax.set_title(title, loc="left")
    if not layers.get("score", pd.DataFrame()).shape[0] \
            and not layers.get("collateral", pd.DataFrame()).shape[0]:
        ax.text(0.5, 0.5, "No ORS, CORS or SRS rating to draw", transform=ax.transAxes,
                ha="center", va="center", gid="empty")
    if legend:
        if ax.get_legend_handles_labels()[1]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return ax


@_docstrings.fill
def client_chart(
    data: pd.DataFrame,
    client_id: str,
    *,
    episode_id: str | None = None,
    x: str = "session",
    settings: AlertSettings | None = None,
    model: ExpectedResponse | None = None,
    ax=None,
    title: str | None = None,
    legend: bool = True,
    **columns: str,
):
    """Chart one client's episode: ORS and SRS over the sessions, with what to read them by.

    The client's own outcome (ORS, or CORS for a child) and alliance (SRS, CSRS...)
    ratings, collateral ratings beside them in their own style, the outcome cutoff of the
    client's age group and the SRS cutoff, the reliable-change band around the intake, the
    expected-response band (25th to 75th percentile) when a model is given, and markers on
    the ratings with a warning or a critical alert.

    Parameters
    ----------
    {data}
    client_id : str
        The client.
    episode_id, x, settings
        As in :func:`client_chart_data`.
    {model}
        Only with a model is the expected-response band drawn.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title, legend
        As in :func:`draw_client_chart`.
    **columns : str
        Column names, as in :func:`client_chart_data` (``client="id"``...).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import srs_analytics as srs
    >>> from srs_analytics.plotting import chart_style, client_chart
    >>> data = srs.load_sample()
    >>> with chart_style():
    ...     ax = client_chart(data, "C00003", model=srs.fit_expected(data))
    >>> sorted({line.get_gid().split(":")[0] for line in ax.lines})
    ['collateral', 'cutoff', 'expected_median', 'score']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = client_chart_data(data, client_id, episode_id=episode_id, x=x, settings=settings,
                              model=model, **columns)
    return draw_client_chart(frame, ax, title=title, legend=legend)
