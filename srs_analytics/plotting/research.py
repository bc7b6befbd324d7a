"""Research figures: does the alliance predict the outcome?

Each figure has a ``*_data`` function that computes a tidy table from the research
analyses (:mod:`srs_analytics.research`), a ``draw_*`` function and one doing both:

- :func:`alliance_outcome_chart`: one point per client episode, the alliance (mean SRS,
  say) across and the outcome (ORS change) up, with the least-squares line, its confidence
  band, and the correlation with its bootstrap interval;
- :func:`estimates_chart`: any analysis of :func:`~srs_analytics.research.research_table`
  as estimates with intervals (a forest plot), and its two common uses,
  :func:`pattern_outcome_chart` (outcome by alliance pattern, beside ACORN's published
  effect sizes) and :func:`within_between_chart` (the next session's ORS on this
  session's SRS, within and between clients).

Figures fit for a paper: draw them inside ``chart_style("paper")`` and save them as SVG or
PDF (:func:`~srs_analytics.plotting.figure_bytes` with ``fmt="svg"``); ``title=""`` leaves
the title to the caption.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from .. import _docstrings
from .._checks import check_choice, require_columns
from ..research import (
    ALLIANCE_MEASURES,
    OUTCOME_MEASURES,
    RESEARCH_COLUMNS,
    ResearchSettings,
    alliance_correlations,
    alliance_outcome_table,
    next_ors_model,
    outcome_by_alliance,
)
from ..schema import ITEM_COLUMNS
from ._style import COLORS, SERVICE_LOOK, axes

__all__ = ["ACORN_PATTERN_ES", "ALLIANCE_OUTCOME_COLUMNS", "ESTIMATE_COLUMNS", "TERM_LABELS",
           "alliance_outcome_chart", "alliance_outcome_data", "draw_alliance_outcome",
           "draw_estimates", "estimates_chart", "estimates_data", "pattern_outcome_chart",
           "pattern_outcome_data", "within_between_chart", "within_between_data"]

#: The columns of :func:`alliance_outcome_data`.
ALLIANCE_OUTCOME_COLUMNS = ("layer", "client_id", "episode_id", "x", "y", "low", "high")
#: The columns of :func:`estimates_data`.
ESTIMATE_COLUMNS = ("layer", "analysis", "term", "label", "estimate", "low", "high", "p",
                    "n")
#: Effect sizes by alliance pattern that ACORN published (acorncollaboration.org/alliance):
#: improving from an imperfect alliance .85, excellent throughout .78, excellent early and
#: then any drop .60. Drawn beside the data's own as a reference, not as a target.
ACORN_PATTERN_ES = MappingProxyType({"ascending": 0.85, "stable_high": 0.78,
                                     "high_then_drop": 0.60})
#: Axis labels of the measures of :func:`srs_analytics.alliance_outcome_table`.
_AXIS = MappingProxyType({
    "srs_mean": "Mean SRS over the episode", "srs_early": "Mean SRS of sessions 1-3",
    "srs_slope": "SRS slope (points per session)",
    "ors_change": "ORS change (last minus intake)",
    "ors_change_residual": "ORS change beyond what the intake predicts",
})
#: Readable labels of the terms of :func:`srs_analytics.research_table`.
TERM_LABELS = MappingProxyType({
    "ascending": "ascending (improving from imperfect)",
    "stable_high": "stable high (excellent throughout)",
    "high_then_drop": "high, then a drop", "descending": "descending",
    "stable_low": "stable low",
    "rise": "SRS rose from session 1 to 3", "stable": "SRS stable from session 1 to 3",
    "fall": "SRS fell from session 1 to 3",
    "srs_within": "SRS within clients (vs the client's own mean)",
    "srs_between": "SRS between clients (client's mean vs the others')",
    "ors": "this session's ORS", "log_session": "log of the session number",
    "intercept": "intercept",
    "mean_change[ceiling_raters]": "mean change, every SRS at the ceiling",
    "mean_change[other_raters]": "mean change, the other clients",
    "difference": "difference (ceiling minus others)",
    "difference_residualised": "difference, residualised change",
})
_NO_INTERVAL = ("eta_squared", "client_variance", "residual_variance",
                "srs_within_slope_variance")


def _columns(**cols) -> dict:
    return cols


# --------------------------------------------------------------------------- alliance-outcome
@_docstrings.fill
def alliance_outcome_data(
    data: pd.DataFrame,
    *,
    alliance: str = "srs_mean",
    outcome: str = "ors_change",
    research: pd.DataFrame | None = None,
    client: str = "client_id",
    episode: str = "episode_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    age_group: str = "age_group",
    settings: ResearchSettings | None = None,
) -> pd.DataFrame:
    """What the alliance-outcome figure draws: the cases, the fitted line and its band.

    Parameters
    ----------
    {data}
    alliance : {"srs_mean", "srs_early", "srs_slope"}, default "srs_mean"
        The alliance measure across (a column of
        :func:`srs_analytics.alliance_outcome_table`).
    outcome : {"ors_change", "ors_change_residual"}, default "ors_change"
        The outcome up.
    research : pandas.DataFrame, optional
        A table of :func:`srs_analytics.research_table` (or
        :func:`srs_analytics.alliance_correlations`) already computed, to take the
        correlation from; by default it is computed here (a bootstrap of
        ``settings.n_boot`` resamples).
    {columns}
    settings : ResearchSettings, optional
        Outcome and alliance rules, bootstrap, confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ALLIANCE_OUTCOME_COLUMNS` (``client_id`` and ``episode_id`` under
        the names given): ``layer`` ``"case"``, one row per client episode with both values
        (``x``, ``y``); ``layer`` ``"fit"``, 60 points along the least-squares line of
        ``y`` on ``x`` (``y``) with the confidence interval of the mean (``low``,
        ``high``). ``attrs`` holds ``alliance``, ``outcome``, ``n``, ``intercept``,
        ``slope`` with ``slope_low`` / ``slope_high``, ``r`` (Pearson) with ``r_low`` /
        ``r_high`` (the bootstrap interval of :func:`srs_analytics.alliance_correlations`)
        and ``p``, and ``confidence``.

    Notes
    -----
    With :math:`n` cases, the line :math:`\\hat y = a + b x` by least squares and the
    residual variance :math:`s^2 = \\sum e_i^2 / (n - 2)`, the band is
    :math:`\\hat y(x_0) \\pm t_{n-2}\\, s \\sqrt{1/n + (x_0 - \\bar x)^2 / S_{xx}}`: the
    interval of the mean outcome at :math:`x_0`, not of one client's. The correlation's
    interval is a bootstrap over clients (BCa; Efron and Tibshirani 1993). Across 295
    studies the alliance correlated r = .278 with outcome (Flückiger et al. 2018).

    References
    ----------
    Flückiger, C., Del Re, A. C., Wampold, B. E. and Horvath, A. O. (2018). The alliance
    in adult psychotherapy: a meta-analytic synthesis. Psychotherapy, 55(4), 316-340.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> from srs_analytics.research import ResearchSettings
    >>> frame = alliance_outcome_data(load_sample(), settings=ResearchSettings(n_boot=200))
    >>> a = frame.attrs
    >>> a["n"], round(a["r"], 2), round(a["slope"], 2)
    (251, 0.3, 1.17)
    """
    check_choice("alliance", alliance, ALLIANCE_MEASURES)
    check_choice("outcome", outcome, OUTCOME_MEASURES)
    s = settings or ResearchSettings()
    cols = _columns(client=client, episode=episode, session=session, date=date,
                    measure=measure, rater=rater, total=total, age_group=age_group)
    table = alliance_outcome_table(data, settings=s, items=items, **cols)
    pair = table[[client, episode, alliance, outcome]].dropna()
    x, y = pair[alliance].to_numpy(dtype=float), pair[outcome].to_numpy(dtype=float)
    fit = _line(x, y, s.confidence)
    if research is None:
        research = alliance_correlations(data, settings=s, **cols)
    require_columns(research, {c: c for c in RESEARCH_COLUMNS}, RESEARCH_COLUMNS)
    row = research[(research["analysis"] == "correlation_pearson")
                   & (research["term"] == f"{alliance}~{outcome}")]
    r = row.iloc[0] if len(row) else pd.Series({"estimate": np.nan, "ci_low": np.nan,
                                                  "ci_high": np.nan, "p": np.nan})
    frame = pd.concat([
        pd.DataFrame({"layer": "case", client: pair[client].to_numpy(dtype=object),
                      episode: pair[episode].to_numpy(dtype=object), "x": x, "y": y}),
        pd.DataFrame({"layer": "fit", "x": fit["x"], "y": fit["y"], "low": fit["low"],
                      "high": fit["high"]}),
    ], ignore_index=True)
    frame = frame.reindex(columns=["layer", client, episode, "x", "y", "low", "high"])
    frame.attrs = {"alliance": alliance, "outcome": outcome, "n": len(pair),
                   "intercept": fit["a"], "slope": fit["b"], "slope_low": fit["b_low"],
                   "slope_high": fit["b_high"], "r": float(r["estimate"]),
                   "r_low": float(r["ci_low"]), "r_high": float(r["ci_high"]),
                   "p": float(r["p"]), "confidence": s.confidence}
    return frame


def _line(x: np.ndarray, y: np.ndarray, confidence: float) -> dict:
    """Least-squares line of y on x, 60 points along it with the band of the mean."""
    from scipy.special import stdtrit

    n = len(x)
    nan = {"a": np.nan, "b": np.nan, "b_low": np.nan, "b_high": np.nan,
           "x": np.array([]), "y": np.array([]), "low": np.array([]), "high": np.array([])}
    if n < 3 or np.ptp(x) == 0:
        return nan
    xbar, ybar = x.mean(), y.mean()
    sxx = ((x - xbar) ** 2).sum()
    b = ((x - xbar) * (y - ybar)).sum() / sxx
    a = ybar - b * xbar
    s = np.sqrt(((y - a - b * x) ** 2).sum() / (n - 2))
    t = stdtrit(n - 2, 0.5 + confidence / 2)
    grid = np.linspace(x.min(), x.max(), 60)
    half = t * s * np.sqrt(1 / n + (grid - xbar) ** 2 / sxx)
    fit = a + b * grid
    se_b = s / np.sqrt(sxx)
    return {"a": float(a), "b": float(b), "b_low": float(b - t * se_b),
            "b_high": float(b + t * se_b), "x": grid, "y": fit, "low": fit - half,
            "high": fit + half}


def draw_alliance_outcome(frame: pd.DataFrame, ax=None, *, title: str | None = None,
                          legend: bool = True):
    """Draw a table of :func:`alliance_outcome_data` and return the Axes.

    The cases are small open circles, the least-squares line solid black in its grey
    confidence band, the correlation written in the corner.

    Returns
    -------
    matplotlib.axes.Axes
        ``gid`` ``"case"`` (the points), ``"fit"`` (the line), ``"fit_interval"`` (the
        band), ``"correlation"`` (the text), ``"zero"`` (the line of no change).
    """
    a = frame.attrs
    ax = axes(ax, figsize=(6.4, 4.8))
    cases = frame[frame["layer"] == "case"]
    fit = frame[frame["layer"] == "fit"]
    conf = a.get("confidence", 0.95)
    if a.get("outcome", "").startswith("ors_change"):
        ax.axhline(0, color=COLORS["band"], lw=0.9, zorder=0, gid="zero")
    ax.scatter(cases["x"], cases["y"], s=18, facecolors="none",
               edgecolors=COLORS["outcome"], linewidths=0.8, alpha=0.75, zorder=2,
               gid="case", label=f"client episodes (n = {len(cases)})")
    if len(fit):
        ax.fill_between(fit["x"], fit["low"], fit["high"], color=COLORS["band"], alpha=0.35,
                        lw=0, zorder=1, gid="fit_interval",
                        label=f"{conf:.0%} confidence band of the mean")
        look = SERVICE_LOOK.line_kwargs()
        look.update(marker="", linewidth=2)
        ax.plot(fit["x"], fit["y"], gid="fit", zorder=3,
                label=f"least squares: {a['slope']:.2f} points per point "
                f"({a['slope_low']:.2f} to {a['slope_high']:.2f})", **look)
    if np.isfinite(a.get("r", np.nan)):
        p = a.get("p", np.nan)
        ptext = "p < .001" if p < 0.001 else f"p = {p:.3f}".replace("0.", ".")
        text = (f"r = {a['r']:.2f} ({conf:.0%} CI {a['r_low']:.2f} to {a['r_high']:.2f}), "
                f"{ptext}, n = {a['n']}")
        ax.text(0.02, 0.98, text, transform=ax.transAxes, ha="left", va="top",
                fontsize="small", gid="correlation",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    ax.set_xlabel(_AXIS.get(a.get("alliance"), a.get("alliance", "")))
    ax.set_ylabel(_AXIS.get(a.get("outcome"), a.get("outcome", "")))
    if not len(cases):
        ax.text(0.5, 0.5, "No client episode with both measures", transform=ax.transAxes,
                ha="center", va="center", gid="empty")
    if title is None:
        title = "Alliance and outcome, one point per client episode"
    if title:
        ax.set_title(title, loc="left")
    if legend and ax.get_legend_handles_labels()[1]:
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.14), fontsize="small")
    return ax


@_docstrings.fill
def alliance_outcome_chart(
    data: pd.DataFrame,
    *,
    alliance: str = "srs_mean",
    outcome: str = "ors_change",
    research: pd.DataFrame | None = None,
    settings: ResearchSettings | None = None,
    ax=None,
    title: str | None = None,
    legend: bool = True,
    **columns: str,
):
    """Chart the alliance against the outcome, one point per client episode, with the
    fitted line, its confidence band and the correlation with its bootstrap interval.

    Parameters
    ----------
    {data}
    alliance, outcome, research, settings
        As in :func:`alliance_outcome_data`.
    ax, title, legend
        As in :func:`draw_alliance_outcome`.
    **columns : str
        Column names, as in :func:`alliance_outcome_data`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> from srs_analytics.research import ResearchSettings
    >>> ax = alliance_outcome_chart(load_sample(), alliance="srs_early",
    ...                             settings=ResearchSettings(n_boot=100))
    >>> ax.get_xlabel()
    'Mean SRS of sessions 1-3'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = alliance_outcome_data(data, alliance=alliance, outcome=outcome,
                                  research=research, settings=settings, **columns)
    return draw_alliance_outcome(frame, ax, title=title, legend=legend)


# --------------------------------------------------------------------------- estimates
def estimates_data(table: pd.DataFrame, analysis: str, *, terms=None,
                   reference=None) -> pd.DataFrame:
    """Rows of a research table as estimates with intervals, ready for a forest plot.

    Parameters
    ----------
    table : pandas.DataFrame
        A table with the columns :data:`srs_analytics.research.RESEARCH_COLUMNS` (from
        :func:`srs_analytics.research_table` or one of its parts).
    analysis : str
        The analysis to take (``"es_by_pattern"``, ``"next_ors"``, ``"ceiling_raters"``...).
    terms : sequence of str, optional
        These terms, in this order; by default every term with an interval, in the
        table's order.
    reference : mapping, optional
        Published values to draw beside the estimates, by term (say
        :data:`ACORN_PATTERN_ES`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ESTIMATE_COLUMNS`: ``layer`` ``"estimate"`` (one row per term:
        ``label`` from :data:`TERM_LABELS`, ``estimate``, ``low``, ``high``, ``p``, ``n``)
        and ``"reference"`` (one row per term with a published value in ``estimate``).
        Rows without an interval (a variance, eta squared) go to ``attrs["extra"]``: a
        dict of term to ``(estimate, p, n)``; ``attrs["analysis"]`` names the analysis.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"analysis": "es_by_pattern", "term": ["ascending", "eta_squared"],
    ...                   "estimate": [1.1, 0.05], "ci_low": [0.9, None],
    ...                   "ci_high": [1.4, None], "p": [None, 0.02], "n": [77, 215]})
    >>> f = estimates_data(t, "es_by_pattern", reference=ACORN_PATTERN_ES)
    >>> f[["layer", "term", "estimate"]]
           layer       term  estimate
    0   estimate  ascending      1.10
    1  reference  ascending      0.85
    >>> f.attrs["extra"]
    {'eta_squared': (0.05, 0.02, 215)}
    """
    require_columns(table, {c: c for c in RESEARCH_COLUMNS}, RESEARCH_COLUMNS)
    rows = table[(table["analysis"] == analysis).to_numpy(dtype=bool)]
    if rows.empty:
        known = ", ".join(sorted(map(str, pd.unique(table["analysis"]))))
        raise ValueError(f"analysis {analysis!r} is not in the table; it holds {known}")
    extra = rows[rows["term"].isin(_NO_INTERVAL).to_numpy(dtype=bool)]
    rows = rows[~rows["term"].isin(_NO_INTERVAL).to_numpy(dtype=bool)]
    if terms is not None:
        terms = list(terms)
        missing = [t for t in terms if t not in set(rows["term"])]
        if missing:
            raise ValueError(f"terms {missing} are not in analysis {analysis!r}; its terms: "
                             f"{', '.join(rows['term'])}")
        rows = rows.set_index("term").loc[terms].reset_index()
    frame = pd.DataFrame({
        "layer": "estimate", "analysis": analysis,
        "term": rows["term"].to_numpy(dtype=object),
        "label": [TERM_LABELS.get(t, _pretty(t)) for t in rows["term"]],
        "estimate": rows["estimate"].to_numpy(dtype=float),
        "low": rows["ci_low"].to_numpy(dtype=float),
        "high": rows["ci_high"].to_numpy(dtype=float),
        "p": rows["p"].to_numpy(dtype=float), "n": rows["n"].to_numpy(dtype=np.int64)})
    if reference:
        ref = frame[frame["term"].isin(list(reference))][["term", "label"]]
        frame = pd.concat([frame, ref.assign(
            layer="reference", analysis=analysis,
            estimate=[float(reference[t]) for t in ref["term"]])], ignore_index=True)
        frame = frame.iloc[np.lexsort((frame["layer"].eq("reference"),
                                       frame["term"].map({t: i for i, t in enumerate(
                                           dict.fromkeys(frame["term"]))})))]
        frame = frame.reset_index(drop=True)
    frame = frame.reindex(columns=list(ESTIMATE_COLUMNS))
    frame.attrs = {"analysis": analysis, "extra": {
        str(t): (float(e), float(p), int(n)) for t, e, p, n in
        extra[["term", "estimate", "p", "n"]].itertuples(index=False)}}
    return frame


def _pretty(term: str) -> str:
    """``srs_mean[paper]`` as ``paper``; ``digital-paper`` as ``digital minus paper``."""
    if "[" in term and term.endswith("]"):
        term = term[term.index("[") + 1:-1]
    elif "-" in term:
        term = term.replace("-", " minus ")
    return term.replace("_", " ")


def draw_estimates(frame: pd.DataFrame, ax=None, *, reference_line: float | None = 0.0,
                   xlabel: str | None = None, title: str | None = None,
                   reference_label: str = "published", legend: bool = True):
    """Draw a table of :func:`estimates_data` as a forest plot and return the Axes.

    One row per term, top to bottom in the table's order (never sorted by result): the
    estimate as a filled circle with its interval, ``n`` at the right, published values
    (``layer`` ``"reference"``) as open diamonds, and a vertical line at
    ``reference_line`` (0: no effect; None: none).

    Returns
    -------
    matplotlib.axes.Axes
        ``gid`` ``"estimate:<term>"`` (marker, interval and caps), ``"reference:<term>"``,
        ``"reference_line"`` and ``"n:<term>"``.
    """
    est = frame[frame["layer"] == "estimate"]
    ref = frame[frame["layer"] == "reference"]
    terms = list(est["term"])
    ax = axes(ax, figsize=(7.5, 0.55 * max(len(terms), 2) + 1.5))
    y = {t: i for i, t in enumerate(terms)}
    for r in est.itertuples(index=False):
        lo = r.estimate - r.low if np.isfinite(r.low) else 0
        hi = r.high - r.estimate if np.isfinite(r.high) else 0
        drawn = ax.errorbar([r.estimate], [y[r.term]], xerr=[[lo], [hi]], fmt="o",
                            color=COLORS["outcome"], capsize=3, lw=1.6, ms=6,
                            label="estimate, with its interval" if r.term == terms[0]
                            else None)
        for artist in drawn.get_children():
            artist.set_gid(f"estimate:{r.term}")
        ax.annotate(f"n = {int(r.n)}", xy=(1, y[r.term]), xycoords=("axes fraction", "data"),
                    xytext=(6, 0), textcoords="offset points", va="center",
                    fontsize="small", gid=f"n:{r.term}")
    for i, r in enumerate(ref.itertuples(index=False)):
        ax.scatter([r.estimate], [y[r.term]], marker="D", s=46, facecolors="white",
                   edgecolors=COLORS["text"], linewidths=1.2, zorder=4,
                   gid=f"reference:{r.term}", label=reference_label if i == 0 else None)
    if reference_line is not None:
        ax.axvline(reference_line, color="black", lw=0.8, zorder=0, gid="reference_line")
    ax.set_yticks(range(len(terms)), list(est["label"]))
    ax.set_ylim(len(terms) - 0.4, -0.6)
    ax.grid(axis="y", visible=False)
    if xlabel:
        ax.set_xlabel(xlabel)
    if not terms:
        ax.text(0.5, 0.5, "No estimate to draw", transform=ax.transAxes, ha="center",
                va="center", gid="empty")
    if title:
        ax.set_title(title, loc="left")
    if legend and ax.get_legend_handles_labels()[1]:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2,
                  fontsize="small")
    return ax


def estimates_chart(table: pd.DataFrame, analysis: str, *, terms=None, reference=None,
                    reference_line: float | None = 0.0, xlabel: str | None = None,
                    title: str | None = None, ax=None, legend: bool = True):
    """Chart one analysis of a research table as estimates with intervals.

    Parameters are those of :func:`estimates_data` and :func:`draw_estimates`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> from srs_analytics.research import ceiling_raters
    >>> ax = estimates_chart(ceiling_raters(load_sample()), "ceiling_raters",
    ...                      terms=["difference", "difference_residualised"])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['difference (ceiling minus others)', 'difference, residualised change']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = estimates_data(table, analysis, terms=terms, reference=reference)
    return draw_estimates(frame, ax, reference_line=reference_line, xlabel=xlabel,
                          title=title, legend=legend)


_BY = MappingProxyType({"alliance_pattern": "es_by_pattern",
                        "early_change": "es_by_early_change"})


@_docstrings.fill
def pattern_outcome_data(
    data: pd.DataFrame,
    *,
    by: str = "alliance_pattern",
    research: pd.DataFrame | None = None,
    client: str = "client_id",
    episode: str = "episode_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    age_group: str = "age_group",
    settings: ResearchSettings | None = None,
) -> pd.DataFrame:
    """The effect size of each alliance pattern (or early change), with ACORN's beside.

    Parameters
    ----------
    {data}
    by : {"alliance_pattern", "early_change"}, default "alliance_pattern"
        The alliance patterns of :func:`srs_analytics.client_alliance` (three or more
        SRS), or the SRS's rise, stability or fall from session 1 to 3.
    research : pandas.DataFrame, optional
        A table of :func:`srs_analytics.research_table` already computed.
    {columns}
    settings : ResearchSettings, optional

    Returns
    -------
    pandas.DataFrame
        :func:`estimates_data` of ``es_by_pattern`` (with :data:`ACORN_PATTERN_ES` as the
        reference) or ``es_by_early_change``; ``attrs["extra"]["eta_squared"]`` holds the
        share of the variance of change between the groups and the ANOVA's p-value.

    References
    ----------
    ACORN, "Alliance" help page (acorncollaboration.org/alliance). Anker, M. G., Owen, J.,
    Duncan, B. L. and Sparks, J. A. (2010). Journal of Consulting and Clinical
    Psychology, 78(5), 635-645.
    """
    check_choice("by", by, tuple(_BY))
    if research is None:
        research = outcome_by_alliance(data, settings=settings, **_columns(
            client=client, episode=episode, session=session, date=date, measure=measure,
            rater=rater, total=total, age_group=age_group))
    return estimates_data(research, _BY[by], reference=ACORN_PATTERN_ES
                          if by == "alliance_pattern" else None)


@_docstrings.fill
def pattern_outcome_chart(data: pd.DataFrame, *, by: str = "alliance_pattern",
                          research: pd.DataFrame | None = None,
                          settings: ResearchSettings | None = None, ax=None,
                          title: str | None = None, legend: bool = True, **columns: str):
    """Chart the outcome by alliance pattern (pre-post effect sizes with t intervals),
    with ACORN's published effect sizes as open diamonds.

    Parameters
    ----------
    {data}
    by, research, settings
        As in :func:`pattern_outcome_data`.
    ax, title, legend
        As in :func:`draw_estimates`.
    **columns : str
        Column names.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> ax = pattern_outcome_chart(load_sample())
    >>> sorted({a.get_gid() for a in ax.collections if a.get_gid().startswith("reference")})
    ['reference:ascending', 'reference:high_then_drop', 'reference:stable_high']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = pattern_outcome_data(data, by=by, research=research, settings=settings,
                                 **columns)
    eta = frame.attrs["extra"].get("eta_squared")
    if title is None:
        title = ("Outcome by alliance pattern" if by == "alliance_pattern"
                 else "Outcome by early alliance change")
        if eta:
            p = "p < .001" if eta[1] < 0.001 else f"p = {eta[1]:.3f}".replace("0.", ".")
            title += f" (eta squared {eta[0]:.3f}, {p})"
    return draw_estimates(frame, ax, xlabel="Pre-post effect size (ORS change / SD of "
                          "the intake), 95% intervals", title=title,
                          reference_label="ACORN (published)", legend=legend)


@_docstrings.fill
def within_between_data(
    data: pd.DataFrame,
    *,
    terms=("srs_within", "srs_between"),
    research: pd.DataFrame | None = None,
    client: str = "client_id",
    episode: str = "episode_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    settings: ResearchSettings | None = None,
) -> pd.DataFrame:
    """The within-client and between-client effects of the SRS on the next session's ORS.

    Parameters
    ----------
    {data}
    terms : sequence of str, default ("srs_within", "srs_between")
        Fixed effects of :func:`srs_analytics.next_ors_model` to show (``ors``,
        ``log_session``, ``intercept`` too).
    research : pandas.DataFrame, optional
        A table of :func:`srs_analytics.research_table` already computed.
    {columns}
    settings : ResearchSettings, optional

    Returns
    -------
    pandas.DataFrame
        :func:`estimates_data` of ``next_ors``; ``attrs["extra"]`` holds the variances.

    References
    ----------
    Curran, P. J. and Bauer, D. J. (2011). The disaggregation of within-person and
    between-person effects in longitudinal models of change. Annual Review of
    Psychology, 62, 583-619.
    """
    if research is None:
        research = next_ors_model(data, settings=settings, **_columns(
            client=client, episode=episode, session=session, date=date, measure=measure,
            rater=rater, total=total))
    return estimates_data(research, "next_ors", terms=terms)


@_docstrings.fill
def within_between_chart(data: pd.DataFrame, *, terms=("srs_within", "srs_between"),
                         research: pd.DataFrame | None = None,
                         settings: ResearchSettings | None = None, ax=None,
                         title: str | None = None, legend: bool = True, **columns: str):
    """Chart the SRS's effect on the next session's ORS, within and between clients, with
    Wald intervals (the multilevel model of :func:`srs_analytics.next_ors_model`).

    Parameters
    ----------
    {data}
    terms, research, settings
        As in :func:`within_between_data`.
    ax, title, legend
        As in :func:`draw_estimates`.
    **columns : str
        Column names.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> ax = within_between_chart(load_sample())
    >>> [t.get_text() for t in ax.get_yticklabels()]  # doctest: +NORMALIZE_WHITESPACE
    ["SRS within clients (vs the client's own mean)",
     "SRS between clients (client's mean vs the others')"]
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = within_between_data(data, terms=terms, research=research, settings=settings,
                                **columns)
    if title is None:
        title = "Next session's ORS per SRS point, within and between clients"
    return draw_estimates(frame, ax, xlabel="Points of the next ORS per point of SRS "
                          "(95% Wald intervals)", title=title, legend=legend)
