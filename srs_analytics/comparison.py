"""Comparing clinicians fairly: effect sizes with intervals, a minimum number of cases,
and estimates shrunk towards the service's mean. Never a bare ranking.

A clinician's mean change over a dozen clients is mostly luck; sorted into a league table
it misleads and harms. :func:`clinician_comparison` shows each clinician with enough
clinical-range cases (ACORN's 15) with the pre-post and the severity-adjusted effect size
and their intervals, and a multilevel estimate (a random intercept per clinician) that
pulls small caseloads towards the service's mean as far as their uncertainty warrants.
Rows come in clinician order, not by estimate (``docs/caseload.md``, "Comparing
clinicians").
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import _caseframes as cf
from . import _docstrings
from ._checks import check_choice
from ._effects import effect_sizes
from ._frames import column_map
from .caseload import EPISODE_SETS, CaseloadSettings
from .expected import ExpectedResponse

__all__ = ["COMPARISON_COLUMNS", "clinician_comparison"]

#: The columns of :func:`clinician_comparison` after the clinician.
COMPARISON_COLUMNS = (
    "n_es", "shown", "mean_change", "effect_size", "effect_size_low", "effect_size_high",
    "severity_adjusted_es", "severity_adjusted_es_low", "severity_adjusted_es_high",
    "shrunk_es", "shrunk_es_low", "shrunk_es_high", "service_es", "compared_with_service",
)


@_docstrings.fill
def clinician_comparison(
    data: pd.DataFrame,
    *,
    start=None,
    end=None,
    episodes: str | None = None,
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
    """Each clinician's effect sizes with intervals, shrunk estimates, and enough cases.

    Parameters
    ----------
    {data}
    start, end : date-like, optional
        The period (both days included): the episodes closed in it, or with
        ``episodes="all"`` every episode with a session in it.
    episodes : {"closed", "all"}, optional
        Overrides ``settings.episodes``.
    {columns}
    settings : CaseloadSettings, optional
        ``min_cases`` (15), ``clinical_only``, ``sd_intake``, ``confidence`` and the
        outcome rules.
    {model}
        Not needed for the comparison; accepted so that one model serves every call.

    Returns
    -------
    pandas.DataFrame
        One row per clinician with a case, in clinician order (never sorted by result):

        - ``clinician_id`` (the name passed in); ``n_es``: the clinician's cases (a change
          on a scored measure, intake in the clinical range when ``clinical_only``);
        - ``shown``: at least ``min_cases`` cases. For the others every estimate is
          withheld (NaN) and ``compared_with_service`` is ``"too few cases"``;
        - ``mean_change``, ``effect_size`` and ``severity_adjusted_es`` with ``_low`` /
          ``_high``: as in :func:`srs_analytics.caseload.caseload_summary`;
        - ``shrunk_es`` with ``_low`` / ``_high``: the multilevel estimate of the
          clinician's severity-adjusted effect size (Notes);
        - ``service_es``: the severity-adjusted effect size of the whole service (the
          same for every row: the line to compare with);
        - ``compared_with_service``: ``"above"`` or ``"below"`` when the shrunk interval
          lies wholly above or below ``service_es``, else ``"within"``.

    Notes
    -----
    The shrunk estimate comes from a linear mixed model of the severity-adjusted change
    :math:`a_{ij}` of client :math:`i` of clinician :math:`j`,
    :math:`a_{ij} = \\mu + u_j + e_{ij}`, :math:`u_j \\sim N(0, \\tau^2)`,
    :math:`e_{ij} \\sim N(0, \\sigma^2)`, fitted by REML (statsmodels ``MixedLM``) on
    every case, clinicians below the minimum included. The clinician's estimate is the
    best linear unbiased prediction :math:`\\hat\\mu + \\hat u_j`, where
    :math:`\\hat u_j = n_j \\hat\\tau^2 / (n_j \\hat\\tau^2 + \\hat\\sigma^2)\\,
    (\\bar a_j - \\hat\\mu)`, so a clinician with few cases is pulled further towards
    the mean; its interval is :math:`\\pm z` times the square root of the variance of
    :math:`\\hat\\mu` plus the conditional variance of :math:`u_j`. Everything is divided
    by the same intake SD as the effect sizes.

    References
    ----------
    ACORN, "Severity Adjusted Effect Size" and its benchmarking (psychoutcomes.org): a
    minimum of 15 clinical-range cases.
    Seidel, J. A., Miller, S. D. and Chow, D. L. (2014). Effect size calculations for the
    clinician: methods and comparability. Psychotherapy Research, 24(4), 470-484.
    Baldwin, S. A. and Imel, Z. E. (2013). Therapist effects: findings and methods. In
    Bergin and Garfield's Handbook of Psychotherapy and Behavior Change (6th ed.).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> t = clinician_comparison(load_sample(), episodes="all")
    >>> t[["clinician_id", "n_es", "shown", "compared_with_service"]].head(3)
      clinician_id  n_es  shown compared_with_service
    0          T01    19   True                within
    1          T02    31   True                within
    2          T03    22   True                within
    """
    s = settings or CaseloadSettings()
    if episodes is not None:
        check_choice("episodes", episodes, EPISODE_SETS)
        from dataclasses import replace

        s = replace(s, episodes=episodes)
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total,
                      age_group=age_group, status=status)
    full, df, ses, _, start, end, _ = cf.prepare(data, cols, start, end)
    ep, sd, _ = cf.episode_set(full, df, ses, start, end, s, model, target=False)
    cases = ep[ep["es_case"] & ep["clinician_id"].notna()].reset_index(drop=True)
    cases["clinician_id"] = cases["clinician_id"].astype("str")
    table = effect_sizes(cases, ["clinician_id"], change="ors_change",
                         adjusted="adjusted_change", sd_ref=sd, confidence=s.confidence)
    service = effect_sizes(cases, [], change="ors_change", adjusted="adjusted_change",
                           sd_ref=sd, confidence=s.confidence)
    shrunk = _shrunk(cases, s.confidence)
    table = table.merge(shrunk, on="clinician_id", how="left")
    for c in ("shrunk_es", "shrunk_es_low", "shrunk_es_high"):
        table[c] = table[c] / sd
    table["service_es"] = float(service["severity_adjusted_es"].iloc[0]) if len(service) \
        else np.nan
    table["shown"] = table["n_es"].to_numpy() >= s.min_cases
    above = table["shrunk_es_low"] > table["service_es"]
    below = table["shrunk_es_high"] < table["service_es"]
    verdict = np.select([above, below], ["above", "below"], "within").astype(object)
    verdict[~table["shown"].to_numpy()] = "too few cases"
    table["compared_with_service"] = pd.array(verdict, dtype="str")
    hidden = ~table["shown"]
    for c in COMPARISON_COLUMNS[2:-2]:
        table.loc[hidden, c] = np.nan
    table = table[["clinician_id", *COMPARISON_COLUMNS]].sort_values(
        "clinician_id", ignore_index=True)
    return table.rename(columns={"clinician_id": clinician})


def _shrunk(cases: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """BLUP of each clinician's mean adjusted change, with its interval (change units)."""
    from scipy import stats

    empty = pd.DataFrame({"clinician_id": pd.Series(dtype="str"), "shrunk_es": [],
                          "shrunk_es_low": [], "shrunk_es_high": []})
    if cases["clinician_id"].nunique() < 2 or len(cases) < 3:
        return empty
    from statsmodels.regression.mixed_linear_model import MixedLM

    y = cases["adjusted_change"].to_numpy(dtype=float)
    groups = cases["clinician_id"].astype(str).to_numpy()
    fits = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a boundary fit (tau = 0) is an answer here
        for method in ("bfgs", "lbfgs", "powell"):
            try:
                fit = MixedLM(y, np.ones((len(y), 1)), groups=groups).fit(
                    reml=True, method=method)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if fit.converged and np.isfinite(fit.llf):
                fits.append(fit)
    if not fits:
        return empty
    # Near the boundary an optimiser can report convergence far from the optimum (seen:
    # lbfgs with an intercept of -5.2 for data whose mean is 4.5): keep the best likelihood.
    fit = max(fits, key=lambda f: f.llf)
    mu, var_mu = float(fit.fe_params[0]), float(np.asarray(fit.cov_params())[0, 0])
    names = sorted(np.unique(groups))
    if float(np.asarray(fit.cov_re)[0, 0]) <= 0:
        # No variance between clinicians (a boundary fit, tau = 0): every clinician's best
        # estimate is the service's, which statsmodels refuses to predict ("singular
        # covariance structure"): full shrinkage, u = 0 with no variance of its own.
        u = var_u = np.zeros(len(names))
    else:
        u = np.array([float(np.asarray(fit.random_effects[g])[0]) for g in names])
        var_u = np.array([float(np.asarray(fit.random_effects_cov[g])[0, 0]) for g in names])
    half = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(var_mu + var_u)
    return pd.DataFrame({"clinician_id": pd.array(names, dtype="str"),
                         "shrunk_es": mu + u, "shrunk_es_low": mu + u - half,
                         "shrunk_es_high": mu + u + half})
