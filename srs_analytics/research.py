"""Does the alliance predict outcome in these data? The researcher's statistics, in one
tidy table.

:func:`research_table` runs every analysis below and returns one table with the columns
:data:`RESEARCH_COLUMNS` (analysis, term, estimate, ci_low, ci_high, p, n);
:func:`alliance_outcome_table` is the data set they are computed from (one row per client
and episode), ready to plot or to take to other software. Each model, its formula and its
references are in ``docs/research.md``.

- :func:`alliance_correlations`: Pearson and Spearman correlations of the alliance (mean,
  early and slope of the SRS) with the outcome (ORS change, residualised change), with
  bootstrap intervals;
- :func:`next_ors_model`: a multilevel model of the next session's ORS on this session's
  ORS and SRS, the SRS split into its within-client (``srs_within``) and between-client
  (``srs_between``) parts;
- :func:`outcome_by_alliance`: effect sizes by alliance pattern (the ACORN table) and by
  early alliance change;
- :func:`ceiling_raters`: do clients whose SRS never leaves the ceiling improve less?
- :func:`srs_by_context`: SRS level and ceiling rate by format (paper, digital, verbal)
  and setting (in person, telehealth).

Examples
--------
>>> from srs_analytics import load_sample
>>> table = research_table(load_sample(), n_boot=200)
>>> sorted(table["analysis"].unique())  # doctest: +NORMALIZE_WHITESPACE
['ceiling_by_format', 'ceiling_by_setting', 'ceiling_raters', 'correlation_pearson',
 'correlation_spearman', 'es_by_early_change', 'es_by_pattern', 'next_ors',
 'srs_by_format', 'srs_by_setting']
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _caseframes as cf
from . import _docstrings
from ._checks import check_number
from ._effects import reference_fit, t_interval
from ._frames import EPS, column_map
from .alliance import AllianceSettings, client_alliance
from .outcomes import OutcomeSettings, client_outcomes
from .schema import ITEM_COLUMNS

__all__ = ["ALLIANCE_MEASURES", "BCA_MAX", "OUTCOME_MEASURES", "RESEARCH_COLUMNS",
           "ResearchSettings", "alliance_correlations", "alliance_outcome_table", "ceiling_raters",
           "next_ors_model", "outcome_by_alliance", "research_table", "srs_by_context"]

#: The columns of every research table, in order.
RESEARCH_COLUMNS = ("analysis", "term", "estimate", "ci_low", "ci_high", "p", "n")
#: Alliance measures of :func:`alliance_outcome_table` (its predictors).
ALLIANCE_MEASURES = ("srs_mean", "srs_early", "srs_slope")
#: Outcome measures of :func:`alliance_outcome_table`.
OUTCOME_MEASURES = ("ors_change", "ors_change_residual")
#: Up to this many clients a correlation's bootstrap interval is BCa; above, percentile
#: (BCa's jackknife costs n squared, and its correction fades as n grows).
BCA_MAX = 2000


@dataclass(frozen=True)
class ResearchSettings:
    """How the research statistics are computed.

    Attributes
    ----------
    outcome : OutcomeSettings
        Reliable change and cutoffs (the cutoff also puts ORS and CORS intakes on one
        scale of distress).
    alliance : AllianceSettings
        SRS cutoff (36), ceiling (39), the early sessions (1-3), the rise and fall of an
        early change (1 point) and the patterns.
    n_boot : int, default 2000
        Bootstrap resamples of each correlation interval.
    seed : int, default 0
        Seed of the bootstrap: the same data and seed give the same intervals.
    confidence : float, default 0.95
        Level of every interval.
    random_slope : bool, default False
        :func:`next_ors_model` lets the effect of ``srs_within`` vary between clients.
    time_trend : bool, default True
        :func:`next_ors_model` adjusts for the log of the session number (the dose-effect
        curve of Howard et al. 1986).
    """

    outcome: OutcomeSettings = field(default_factory=OutcomeSettings)
    alliance: AllianceSettings = field(default_factory=AllianceSettings)
    n_boot: int = 2000
    seed: int = 0
    confidence: float = 0.95
    random_slope: bool = False
    time_trend: bool = True

    def __post_init__(self):
        for name, kind in (("outcome", OutcomeSettings), ("alliance", AllianceSettings)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be {kind.__name__}; got "
                                f"{type(getattr(self, name)).__name__}")
        check_number("n_boot", self.n_boot, 10, integer=True)
        check_number("seed", self.seed, 0, integer=True)
        check_number("confidence", self.confidence, 0, 1, low_open=True, high_open=True)


def _settings(settings, n_boot=None, seed=None):
    s = settings or ResearchSettings()
    changes = {k: v for k, v in (("n_boot", n_boot), ("seed", seed)) if v is not None}
    if changes:
        from dataclasses import replace

        s = replace(s, **changes)
    return s


def _rows(analysis, term, estimate, low=np.nan, high=np.nan, p=np.nan, n=0) -> dict:
    return {"analysis": analysis, "term": term, "estimate": float(estimate),
            "ci_low": float(low), "ci_high": float(high), "p": float(p), "n": int(n)}


def _tidy(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(RESEARCH_COLUMNS))
    out["analysis"] = out["analysis"].astype("str")
    out["term"] = out["term"].astype("str")
    out["n"] = out["n"].astype(np.int64)
    return out


# --------------------------------------------------------------------------- the data set
def _cols(**names):
    return column_map(**names)




@_docstrings.fill
def alliance_outcome_table(
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
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    age_group: str = "age_group",
    format: str = "format",
    setting: str = "setting",
    status: str = "episode_status",
    settings: ResearchSettings | None = None,
) -> pd.DataFrame:
    """One row per client and episode: the alliance and the outcome, side by side.

    Parameters
    ----------
    {data}
        Self-ratings are used; collateral ratings are left out.
    {columns}
    settings : ResearchSettings, optional
        The outcome and alliance rules.

    Returns
    -------
    pandas.DataFrame
        One row per client and episode with a self-rated outcome or alliance rating,
        sorted by them: ``client_id``, ``episode_id``, ``clinician_id``, ``age_group``,
        ``episode_status``, ``format`` and ``setting`` (the episode's most common);
        ``measure``, ``cutoff``, ``n_ors``, ``ors_intake``, ``ors_last``, ``ors_change``,
        ``reliable_change``, ``outcome``, ``intake_clinical`` (as
        :func:`srs_analytics.client_outcomes`); ``severity`` (intake minus cutoff);
        ``ors_change_residual`` (the change minus the change predicted from the intake
        severity by least squares over every case with a change: the residualised
        gain); ``n_srs``, ``srs_first``, ``srs_mean``, ``srs_early`` (mean of the SRS of
        sessions 1-3), ``srs_slope``, ``early_change`` (SRS of session 3 minus session
        1), ``early_change_group`` (``rise``, ``stable`` or ``fall``: by at least the
        ``rise`` / ``fall`` of the alliance settings, 1 point), ``share_at_ceiling``,
        ``all_at_ceiling`` (every SRS at the ceiling, over 3 or more),
        ``alliance_pattern`` (as :func:`srs_analytics.client_alliance`).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> t = alliance_outcome_table(load_sample())
    >>> round(float(t[["srs_mean", "ors_change"]].corr().iloc[0, 1]), 2)
    0.3
    """
    s = _settings(settings)
    cols = _cols(client=client, episode=episode, clinician=clinician, session=session,
                 date=date, measure=measure, rater=rater, total=total, items=items,
                 imputed=imputed, age_group=age_group, format=format, setting=setting,
                 status=status)
    return _table(cf.view(data, cols), s).rename(columns={
        "client_id": client, "episode_id": episode, "clinician_id": clinician,
        "age_group": age_group, "episode_status": status, "format": format,
        "setting": setting, "measure": measure})


def _table(df: pd.DataFrame, s: ResearchSettings) -> pd.DataFrame:
    """:func:`alliance_outcome_table` on a canonical view."""
    key = ["client_id", "episode_id"]
    out = client_outcomes(df, settings=s.outcome)
    out = out[[*key, "clinician_id", "age_group", "episode_status", "measure", "cutoff",
               "n_sessions", "ors_intake", "ors_last", "ors_change", "reliable_change",
               "outcome", "intake_clinical"]].rename(columns={"n_sessions": "n_ors"})
    ally = client_alliance(df, settings=s.alliance)
    ally = ally[ally["rater"].eq("self")]
    ally = ally[[*key, "clinician_id", "n_sessions", "srs_first", "srs_mean", "srs_slope",
                 "early_change", "share_at_ceiling", "all_at_ceiling", "alliance_pattern"]
                ].rename(columns={"n_sessions": "n_srs", "clinician_id": "_clin"})
    self_srs = df[df["measure"].isin(s.alliance.measures).to_numpy(dtype=bool)
                  & df["rater"].eq("self").to_numpy(dtype=bool, na_value=False)]
    early = self_srs[pd.to_numeric(self_srs["session_number"]).le(s.alliance.early_sessions)
                     .to_numpy(dtype=bool)]
    early = early.groupby(key, sort=True)["total"].mean().rename("srs_early").reset_index()
    table = out.merge(ally, on=key, how="outer").merge(early, on=key, how="left")
    table["clinician_id"] = table["clinician_id"].fillna(table.pop("_clin"))
    ses = cf.session_frame(df)
    modes = pd.DataFrame({c: cf.mode(ses[c], ses["_ce"].to_numpy()) for c in
                          ("format", "setting")})
    first = ses.groupby("_ce", sort=True)[key].first()
    table = table.merge(first.join(modes), on=key, how="left")
    table["severity"] = table["ors_intake"] - table["cutoff"]
    scored = (table["ors_change"].notna() & table["cutoff"].notna()).to_numpy()
    a, b = reference_fit(table.loc[scored, "severity"], table.loc[scored, "ors_change"])
    table["ors_change_residual"] = np.where(
        scored, table["ors_change"] - (a + b * table["severity"]), np.nan)
    ec = table["early_change"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        group = np.select([ec >= s.alliance.rise - EPS, ec <= -s.alliance.fall + EPS],
                          ["rise", "fall"], "stable").astype(object)
    group[np.isnan(ec)] = None
    table["early_change_group"] = pd.array(group, dtype="str")
    order = [*key, "clinician_id", "age_group", "episode_status", "format", "setting",
             "measure", "cutoff", "n_ors", "ors_intake", "ors_last", "ors_change",
             "reliable_change", "outcome", "intake_clinical", "severity",
             "ors_change_residual", "n_srs", "srs_first", "srs_mean", "srs_early",
             "srs_slope", "early_change", "early_change_group", "share_at_ceiling",
             "all_at_ceiling", "alliance_pattern"]
    table["n_srs"] = table["n_srs"].astype("Int64")
    return table[order].sort_values(key, ignore_index=True)


# --------------------------------------------------------------------------- correlations
def _pearson(x, y, axis=-1):
    xc = x - x.mean(axis=axis, keepdims=True)
    yc = y - y.mean(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (xc * yc).sum(axis=axis) / np.sqrt((xc * xc).sum(axis=axis)
                                                  * (yc * yc).sum(axis=axis))


def _spearman(x, y, axis=-1):
    from scipy.stats import rankdata

    return _pearson(rankdata(x, axis=axis), rankdata(y, axis=axis), axis=axis)


def _correlations(table: pd.DataFrame, s: ResearchSettings) -> list[dict]:
    from scipy import stats

    rows = []
    rng = np.random.default_rng(s.seed)
    for x_name in ALLIANCE_MEASURES:
        for y_name in OUTCOME_MEASURES:
            pair = table[[x_name, y_name]].dropna()
            x, y = pair[x_name].to_numpy(float), pair[y_name].to_numpy(float)
            term = f"{x_name}~{y_name}"
            for kind, func, ref in (("pearson", _pearson, stats.pearsonr),
                                    ("spearman", _spearman, stats.spearmanr)):
                if len(x) < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
                    rows.append(_rows(f"correlation_{kind}", term, np.nan, n=len(x)))
                    continue
                res = ref(x, y)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # a degenerate resample gives NaN
                    boot = stats.bootstrap((x, y), func, paired=True, vectorized=True,
                                           n_resamples=s.n_boot, confidence_level=s.confidence,
                                           method="BCa" if len(x) <= BCA_MAX else "percentile",
                                           rng=rng)
                ci = boot.confidence_interval
                rows.append(_rows(f"correlation_{kind}", term, res.statistic, ci.low,
                                  ci.high, res.pvalue, len(x)))
    return rows


@_docstrings.fill
def alliance_correlations(
    data: pd.DataFrame,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    age_group: str = "age_group",
    settings: ResearchSettings | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Correlations of the alliance with the outcome, with bootstrap intervals.

    Parameters
    ----------
    {data}
    {columns}
    settings : ResearchSettings, optional
        ``n_boot``, ``seed`` and ``confidence`` of the bootstrap, the outcome rules.
    n_boot, seed : int, optional
        Override ``settings.n_boot`` and ``settings.seed``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESEARCH_COLUMNS`. ``analysis`` is ``correlation_pearson`` or
        ``correlation_spearman``; ``term`` is ``"<alliance>~<outcome>"`` for each of
        :data:`ALLIANCE_MEASURES` and :data:`OUTCOME_MEASURES`; ``estimate`` is r or rho,
        ``p`` its two-sided p-value (:func:`scipy.stats.pearsonr`,
        :func:`scipy.stats.spearmanr`), ``ci_low`` / ``ci_high`` the bias-corrected and
        accelerated (BCa) bootstrap interval over clients (:func:`scipy.stats.bootstrap`,
        pairs resampled; the percentile interval above :data:`BCA_MAX` clients), ``n``
        the clients with both values.

    Notes
    -----
    One value per client and episode (:func:`alliance_outcome_table`): the mean, early
    (sessions 1-3) and slope of the SRS against the ORS change and the residualised change
    (the change not predicted by the intake). Correlations of a mean SRS with change
    include sessions after the change began; the early SRS and :func:`next_ors_model` are
    the answers to that objection. Flückiger et al. (2018) found r = .278 over 295
    studies.

    References
    ----------
    Flückiger, C., Del Re, A. C., Wampold, B. E. and Horvath, A. O. (2018). The alliance
    in adult psychotherapy: a meta-analytic synthesis. Psychotherapy, 55(4), 316-340.
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman and
    Hall (the BCa interval).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> r = alliance_correlations(load_sample(), n_boot=200)
    >>> r.iloc[0][["analysis", "term"]].tolist(), int(r.iloc[0]["n"])
    (['correlation_pearson', 'srs_mean~ors_change'], 251)
    """
    s = _settings(settings, n_boot, seed)
    cols = _cols(client=client, episode=episode, session=session, date=date, measure=measure,
                 rater=rater, total=total, age_group=age_group)
    return _tidy(_correlations(_table(cf.view(data, cols), s), s))


# --------------------------------------------------------------------------- next ORS
def _next_ors_frame(df: pd.DataFrame, s: ResearchSettings) -> pd.DataFrame:
    """Pairs of this session's ORS and SRS with the next ORS of the client's episode."""
    key = ["client_id", "episode_id"]
    own = df["rater"].eq("self").to_numpy(dtype=bool, na_value=False)
    ors = df[own & df["measure"].isin(("ORS", "CORS")).to_numpy(dtype=bool)]
    ors = ors[[*key, "measure", "session_number", "session_date", "total"]].rename(
        columns={"total": "ors"})
    # the episode's own measure only (a child who moved from the CORS to the ORS)
    main = ors.groupby([*key, "measure"], sort=True).size().rename("n").reset_index()
    main = main.sort_values([*key, "n", "measure"], ascending=[True, True, False, True],
                            kind="stable").drop_duplicates(key)[[*key, "measure"]]
    ors = ors.merge(main, on=[*key, "measure"])
    ors = ors.sort_values([*key, "session_number", "session_date"], kind="stable")
    ors = ors.drop_duplicates([*key, "session_number"])
    ors["ors_next"] = ors.groupby(key, sort=False)["ors"].shift(-1)
    srs = df[own & df["measure"].isin(s.alliance.measures).to_numpy(dtype=bool)]
    srs = srs.sort_values([*key, "session_number"], kind="stable").drop_duplicates(
        [*key, "session_number"])[[*key, "session_number", "total"]].rename(
        columns={"total": "srs"})
    srs["srs_client_mean"] = srs.groupby(key, sort=False)["srs"].transform("mean")
    pairs = ors.merge(srs, on=[*key, "session_number"]).dropna(subset=["ors_next"])
    pairs["srs_within"] = pairs["srs"] - pairs["srs_client_mean"]
    pairs["srs_between"] = pairs["srs_client_mean"] - pairs.drop_duplicates(key)[
        "srs_client_mean"].mean()
    pairs["unit"] = pd.factorize(pairs["client_id"].astype(str) + "\x1f"
                                 + pairs["episode_id"].astype(str))[0]
    return pairs.reset_index(drop=True)


def _next_ors(df: pd.DataFrame, s: ResearchSettings) -> list[dict]:
    from scipy import stats
    from statsmodels.regression.mixed_linear_model import MixedLM

    pairs = _next_ors_frame(df, s)
    terms = ["intercept", "ors", "srs_within", "srs_between"]
    if s.time_trend:
        terms.append("log_session")
        pairs["log_session"] = np.log(pairs["session_number"].astype(float))
    n, units = len(pairs), pairs["unit"].nunique()
    if n < 10 or units < 3:
        return [_rows("next_ors", t, np.nan, n=n) for t in terms]
    y = pairs["ors_next"].to_numpy(float)
    x = np.column_stack([np.ones(n), pairs[terms[1:]].to_numpy(float)])
    z = np.column_stack([np.ones(n), pairs["srs_within"].to_numpy(float)]) \
        if s.random_slope else np.ones((n, 1))
    # lbfgs fits the random slope; the default (bfgs) the random intercept more reliably
    methods = ("lbfgs", "bfgs", "powell") if s.random_slope else ("bfgs", "lbfgs", "powell")
    fit = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in methods:
            try:
                fit = MixedLM(y, x, groups=pairs["unit"].to_numpy(), exog_re=z).fit(
                    reml=True, method=[method])
            except (np.linalg.LinAlgError, ValueError):
                fit = None
                continue
            if fit.converged:
                break
    if fit is None:
        return [_rows("next_ors", t, np.nan, n=n) for t in terms]
    est, se = np.asarray(fit.fe_params), np.asarray(fit.bse_fe)
    zc = stats.norm.ppf(0.5 + s.confidence / 2)
    p = 2 * stats.norm.sf(np.abs(est / se))
    rows = [_rows("next_ors", t, est[j], est[j] - zc * se[j], est[j] + zc * se[j], p[j], n)
            for j, t in enumerate(terms)]
    cov = np.asarray(fit.cov_re)
    rows.append(_rows("next_ors", "client_variance", cov[0, 0], n=units))
    if s.random_slope:
        rows.append(_rows("next_ors", "srs_within_slope_variance", cov[1, 1], n=units))
    rows.append(_rows("next_ors", "residual_variance", fit.scale, n=n))
    return rows


@_docstrings.fill
def next_ors_model(
    data: pd.DataFrame,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    settings: ResearchSettings | None = None,
    random_slope: bool | None = None,
) -> pd.DataFrame:
    """Does this session's alliance predict the next session's ORS, within and between
    clients?

    Parameters
    ----------
    {data}
    {columns}
    settings : ResearchSettings, optional
        ``confidence``, ``random_slope`` and the alliance measures.
    random_slope : bool, optional
        Overrides ``settings.random_slope``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESEARCH_COLUMNS`, ``analysis`` ``"next_ors"``: the fixed effects
        ``intercept``, ``ors``, ``srs_within``, ``srs_between`` and ``log_session`` (with
        ``time_trend``; estimate, Wald interval and p-value, ``n`` the session pairs),
        then ``client_variance`` (and
        ``srs_within_slope_variance`` with a random slope; ``n`` the clients) and
        ``residual_variance``.

    Notes
    -----
    For session :math:`t` of client :math:`i` (one client's episode) with a self-rated
    ORS (or CORS: the measure the episode used most) and SRS, and the client's next ORS
    in the episode,

    .. math:: ORS_{i,t+1} = \\beta_0 + \\beta_1 ORS_{it}
              + \\beta_w (SRS_{it} - \\overline{SRS}_i)
              + \\beta_b (\\overline{SRS}_i - \\overline{SRS})
              + \\beta_t \\ln s_{it} + u_i + e_{it}

    with :math:`u_i \\sim N(0, \\tau^2)` (plus a random slope of the within term when
    asked), fitted by REML (statsmodels ``MixedLM``). :math:`\\overline{SRS}_i` is the
    mean of all the client's SRS in the episode, :math:`\\overline{SRS}` the mean of those
    means, :math:`s_{it}` the session number (``log_session``, with ``time_trend``: ORS
    gains slow down over sessions, the dose-effect curve of Howard et al. 1986, while the
    SRS drifts up; without it the within term picks up the two trends). :math:`\\beta_w`
    (``srs_within``) asks whether a session rated better than the
    client's own usual is followed by a better ORS; :math:`\\beta_b` (``srs_between``)
    whether clients who rate the alliance higher do better. Mixing the two in one
    coefficient confounds a client's level with session-to-session change (Curran and
    Bauer 2011; Falkenström et al. 2017).

    Read with care: with the current ORS in the model, :math:`\\beta_b` is the effect of
    the client's alliance level on the next ORS over and above the current one (on
    change), which is smaller than a lasting difference in level; and a lagged outcome
    with a random intercept is biased in short series (Falkenström et al. 2017 discuss
    remedies). The recovery tests in ``tests/test_research.py`` show both on simulated
    data.

    References
    ----------
    Curran, P. J. and Bauer, D. J. (2011). The disaggregation of within-person and
    between-person effects in longitudinal models of change. Annual Review of Psychology,
    62, 583-619.
    Falkenström, F., Finkel, S., Sandell, R., Rubel, J. A. and Holmqvist, R. (2017).
    Dynamic models of individual change in psychotherapy process research. Journal of
    Consulting and Clinical Psychology, 85(6), 537-549.
    Zilcha-Mano, S. (2017). Is the alliance really therapeutic? American Psychologist,
    72(4), 311-325.
    Howard, K. I., Kopta, S. M., Krause, M. S. and Orlinsky, D. E. (1986). The
    dose-effect relationship in psychotherapy. American Psychologist, 41(2), 159-164.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> m = next_ors_model(load_sample())
    >>> m["term"].tolist()
    ['intercept', 'ors', 'srs_within', 'srs_between', 'log_session', 'client_variance',
     'residual_variance']
    """
    s = _settings(settings)
    if random_slope is not None:
        from dataclasses import replace

        s = replace(s, random_slope=bool(random_slope))
    cols = _cols(client=client, episode=episode, session=session, date=date, measure=measure,
                 rater=rater, total=total)
    return _tidy(_next_ors(cf.view(data, cols), s))


# --------------------------------------------------------------------------- by pattern
def _es_by(table: pd.DataFrame, by: str, analysis: str, levels, s) -> list[dict]:
    """Pre-post effect size per level of ``by`` (t intervals), and a one-way ANOVA."""
    from scipy import stats

    cases = table[table["ors_change"].notna() & table["cutoff"].notna()
                  & table[by].notna()]
    sd = cases["severity"].std(ddof=1)  # the same SD as the caseload's effect sizes
    g = cases.groupby(by, sort=True)["ors_change"].agg(["count", "mean", "std"])
    g = g.reindex([lv for lv in levels if lv in g.index])
    low, high = t_interval(g["mean"], g["std"], g["count"], s.confidence)
    rows = [_rows(analysis, str(lv), m / sd, lo / sd, hi / sd, np.nan, k)
            for lv, m, lo, hi, k in zip(g.index, g["mean"], low, high, g["count"])]
    samples = [v.to_numpy(float) for lv, v in cases.groupby(by, sort=True)["ors_change"]
               if lv in levels and len(v) >= 2]
    if len(samples) >= 2:
        f = stats.f_oneway(*samples)
        allv = np.concatenate(samples)
        between = sum(len(v) * (v.mean() - allv.mean()) ** 2 for v in samples)
        eta2 = between / ((allv - allv.mean()) ** 2).sum()
        rows.append(_rows(analysis, "eta_squared", eta2, p=f.pvalue, n=len(allv)))
    return rows


def _by_alliance(table, s) -> list[dict]:
    from .alliance import PATTERNS

    patterns = [p for p in PATTERNS if p != "insufficient"]
    return (_es_by(table, "alliance_pattern", "es_by_pattern", patterns, s)
            + _es_by(table, "early_change_group", "es_by_early_change",
                     ("rise", "stable", "fall"), s))


@_docstrings.fill
def outcome_by_alliance(
    data: pd.DataFrame,
    *,
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
    """Effect sizes by alliance pattern (the ACORN table) and by early alliance change.

    Parameters
    ----------
    {data}
    {columns}
    settings : ResearchSettings, optional
        The alliance patterns' thresholds and ``confidence``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESEARCH_COLUMNS`. ``es_by_pattern``: one row per alliance
        pattern with cases (``ascending``, ``stable_high``, ``high_then_drop``,
        ``descending``, ``stable_low``; three or more SRS), ``estimate`` the pre-post
        effect size (mean change / SD of the intake severity of every case with a change)
        with its t interval, ``n`` the cases; then ``eta_squared``: the share of the
        variance of change between patterns, ``p`` of the one-way ANOVA
        (:func:`scipy.stats.f_oneway`). ``es_by_early_change``: the same for an SRS that
        rose, stayed or fell from session 1 to 3.

    References
    ----------
    ACORN, "Alliance" help page (acorncollaboration.org/alliance): improving from an
    imperfect alliance, mean effect size .85; excellent throughout .78; excellent early,
    then any drop, .60.
    Anker, M. G., Owen, J., Duncan, B. L. and Sparks, J. A. (2010). Journal of Consulting
    and Clinical Psychology, 78(5), 635-645.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> t = outcome_by_alliance(load_sample())
    >>> t[t["analysis"] == "es_by_pattern"]["term"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['ascending', 'stable_high', 'high_then_drop', 'descending', 'stable_low',
     'eta_squared']
    """
    s = _settings(settings)
    cols = _cols(client=client, episode=episode, session=session, date=date, measure=measure,
                 rater=rater, total=total, age_group=age_group)
    return _tidy(_by_alliance(_table(cf.view(data, cols), s), s))


# --------------------------------------------------------------------------- ceiling raters
def _ceiling(table: pd.DataFrame, s: ResearchSettings) -> list[dict]:
    from scipy import stats

    cases = table[(table["n_srs"].fillna(0) >= s.alliance.ceiling_sessions).to_numpy(bool)
                  & table["ors_change"].notna().to_numpy() & table["cutoff"].notna()]
    top = cases["all_at_ceiling"].fillna(False).to_numpy(dtype=bool)
    rows = []
    for label, mask in (("ceiling_raters", top), ("other_raters", ~top)):
        v = cases.loc[mask, "ors_change"]
        low, high = t_interval([v.mean()], [v.std(ddof=1)], [len(v)], s.confidence)
        rows.append(_rows("ceiling_raters", f"mean_change[{label}]", v.mean(), low[0],
                          high[0], n=len(v)))
    for col, term in (("ors_change", "difference"),
                      ("ors_change_residual", "difference_residualised")):
        a, b = cases.loc[top, col].to_numpy(float), cases.loc[~top, col].to_numpy(float)
        if len(a) < 2 or len(b) < 2:
            rows.append(_rows("ceiling_raters", term, np.nan, n=len(a) + len(b)))
            continue
        res = stats.ttest_ind(a, b, equal_var=False)
        ci = res.confidence_interval(s.confidence)
        rows.append(_rows("ceiling_raters", term, a.mean() - b.mean(), ci.low, ci.high,
                          res.pvalue, len(a) + len(b)))
    return rows


@_docstrings.fill
def ceiling_raters(
    data: pd.DataFrame,
    *,
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
    """Do clients whose SRS never leaves the ceiling improve less than the others?

    Parameters
    ----------
    {data}
    {columns}
    settings : ResearchSettings, optional
        The ceiling (39) and the ratings it takes (3), and ``confidence``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESEARCH_COLUMNS`, ``analysis`` ``"ceiling_raters"``, over the
        clients with a change and at least ``ceiling_sessions`` (3) SRS:
        ``mean_change[ceiling_raters]`` and ``mean_change[other_raters]`` (ORS points,
        t intervals); ``difference`` (ceiling raters minus the others) and
        ``difference_residualised`` (the same on the change not predicted by the
        intake, since ceiling raters may start higher), each with Welch's t interval and
        p-value (:func:`scipy.stats.ttest_ind`, ``equal_var=False``).

    Notes
    -----
    A client gives every SRS at or above 39 (``all_at_ceiling`` of
    :func:`srs_analytics.client_alliance`). Such scores leave no room to show a rupture:
    the false reassurance PCOMS trainers warn about. The SRS ceiling effect and its growth
    over sessions: Meier and Feeley (2022).

    References
    ----------
    Meier, S. T. and Feeley, T. H. (2022). Ceiling effects indicate a possible threshold
    structure for working alliance. Journal of Counseling Psychology, 69(2), 235-245.
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. Biometrika, 34(1-2), 28-35.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> ceiling_raters(load_sample())["term"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['mean_change[ceiling_raters]', 'mean_change[other_raters]', 'difference',
     'difference_residualised']
    """
    s = _settings(settings)
    cols = _cols(client=client, episode=episode, session=session, date=date, measure=measure,
                 rater=rater, total=total, age_group=age_group)
    return _tidy(_ceiling(_table(cf.view(data, cols), s), s))


# --------------------------------------------------------------------------- context
_CONTEXT = (("format", ("paper", "digital", "verbal")), ("setting", ("in_person",
                                                                     "telehealth")))


def _context(df: pd.DataFrame, s: ResearchSettings) -> list[dict]:
    from scipy import stats
    from statsmodels.regression.linear_model import OLS

    own = df["rater"].eq("self").to_numpy(dtype=bool, na_value=False)
    srs = df[own & df["measure"].isin(s.alliance.measures).to_numpy(dtype=bool)]
    unit = pd.factorize(srs["client_id"].astype(str) + "\x1f"
                        + srs["episode_id"].astype(str))[0]
    t = srs["total"].to_numpy(float)
    outcomes = {"srs": t, "ceiling": (t >= s.alliance.ceiling - EPS).astype(float)}
    zc = stats.norm.ppf(0.5 + s.confidence / 2)
    rows = []
    for factor, levels in _CONTEXT:
        values = srs[factor].to_numpy(dtype=object)
        present = [lv for lv in levels if (values == lv).any()]
        known = np.isin(values, present)
        dummies = np.column_stack([values[known] == lv for lv in present]).astype(float) \
            if present else np.zeros((0, 0))
        for name, y in outcomes.items():
            analysis = f"{name}_by_{factor}"
            label = "srs_mean" if name == "srs" else "ceiling_share"
            if len(present) < 1 or known.sum() < 3:
                continue
            groups = unit[known]
            if np.unique(groups).size < 2:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cell = OLS(y[known], dummies).fit(cov_type="cluster",
                                                  cov_kwds={"groups": groups})
            counts = dummies.sum(axis=0)
            for j, lv in enumerate(present):
                b, se = cell.params[j], cell.bse[j]
                rows.append(_rows(analysis, f"{label}[{lv}]", b, b - zc * se, b + zc * se,
                                  np.nan, counts[j]))
            for j, lv in enumerate(present[1:], start=1):
                c = np.zeros(len(present))
                c[j], c[0] = 1, -1
                test = cell.t_test(c)
                d, se = float(np.squeeze(test.effect)), float(np.squeeze(test.sd))
                rows.append(_rows(analysis, f"{lv}-{present[0]}", d, d - zc * se,
                                  d + zc * se, float(np.squeeze(test.pvalue)),
                                  counts[0] + counts[j]))
    return rows


@_docstrings.fill
def srs_by_context(
    data: pd.DataFrame,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    session: str = "session_number",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    format: str = "format",
    setting: str = "setting",
    settings: ResearchSettings | None = None,
) -> pd.DataFrame:
    """SRS level and ceiling rate by format (paper, digital, verbal) and setting (in
    person, telehealth).

    Parameters
    ----------
    {data}
    {columns}
    settings : ResearchSettings, optional
        The ceiling (39), the alliance measures and ``confidence``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESEARCH_COLUMNS`; ``analysis`` ``srs_by_format``,
        ``ceiling_by_format``, ``srs_by_setting`` or ``ceiling_by_setting``. Per level,
        ``srs_mean[paper]`` (mean SRS total) or ``ceiling_share[paper]`` (share at or above
        the ceiling) with its interval, ``n`` the ratings; then each level against the
        first (``digital-paper``, ``verbal-paper``, ``telehealth-in_person``): the
        difference with its interval and p-value, ``n`` the ratings of both.

    Notes
    -----
    One row per self-rated SRS-family rating. The means are least-squares cell means and
    the differences their contrasts, with standard errors robust to the clustering of
    ratings within a client's episode (statsmodels ``OLS`` with ``cov_type="cluster"``:
    the sandwich estimator with the small-sample factor
    :math:`G/(G-1) \\cdot (N-1)/(N-K)`), normal intervals and Wald p-values. A client
    who saw their clinician both in person and by video contributes to both levels.
    Verbal administration adds social pressure and telehealth makes disengagement easier
    to miss: two reasons to check the SRS by context. Observational: clients choose
    their format and setting.

    References
    ----------
    Liang, K.-Y. and Zeger, S. L. (1986). Longitudinal data analysis using generalized
    linear models. Biometrika, 73(1), 13-22 (cluster-robust standard errors).
    Meier, S. T. and Feeley, T. H. (2022). Journal of Counseling Psychology, 69(2),
    235-245 (the SRS ceiling).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> t = srs_by_context(load_sample())
    >>> t[t["analysis"] == "srs_by_setting"]["term"].tolist()
    ['srs_mean[in_person]', 'srs_mean[telehealth]', 'telehealth-in_person']
    """
    s = _settings(settings)
    cols = _cols(client=client, episode=episode, session=session, measure=measure,
                 rater=rater, total=total, format=format, setting=setting)
    return _tidy(_context(cf.view(data, cols), s))


# --------------------------------------------------------------------------- everything
@_docstrings.fill
def research_table(
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
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    age_group: str = "age_group",
    format: str = "format",
    setting: str = "setting",
    status: str = "episode_status",
    settings: ResearchSettings | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Every research analysis in one tidy table.

    Parameters
    ----------
    {data}
    {columns}
    settings : ResearchSettings, optional
        Bootstrap, confidence, random slope, outcome and alliance rules.
    n_boot, seed : int, optional
        Override ``settings.n_boot`` and ``settings.seed``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESEARCH_COLUMNS`, the rows of :func:`alliance_correlations`,
        :func:`next_ors_model`, :func:`outcome_by_alliance`, :func:`ceiling_raters` and
        :func:`srs_by_context` in that order. ``p`` is NaN where no test applies (a
        descriptive row, a variance), the interval NaN where none is computed.
    """
    s = _settings(settings, n_boot, seed)
    cols = _cols(client=client, episode=episode, clinician=clinician, session=session,
                 date=date, measure=measure, rater=rater, total=total, items=items,
                 imputed=imputed, age_group=age_group, format=format, setting=setting,
                 status=status)
    df = cf.view(data, cols)
    table = _table(df, s)
    rows = (_correlations(table, s) + _next_ors(df, s) + _by_alliance(table, s)
            + _ceiling(table, s) + _context(df, s))
    return _tidy(rows)
