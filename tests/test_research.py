"""The research statistics: checked against scipy and statsmodels on the same data, by hand
on small tables, and by recovering effects put into simulated data with known sizes
(srs_analytics.simulate: next_ors_within, next_ors_between). All data here is synthetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import srs_analytics as srs
from srs_analytics.research import (
    RESEARCH_COLUMNS,
    ResearchSettings,
    _next_ors_frame,
    alliance_correlations,
    alliance_outcome_table,
    ceiling_raters,
    next_ors_model,
    outcome_by_alliance,
    research_table,
    srs_by_context,
)
from srs_analytics.schema import coerce_canonical


@pytest.fixture(scope="module")
def sample():
    return srs.load_sample()


@pytest.fixture(scope="module")
def table(sample):
    return alliance_outcome_table(sample)


def _row(t, analysis, term):
    rows = t[(t["analysis"] == analysis) & (t["term"] == term)]
    assert len(rows) == 1, (analysis, term)
    return rows.iloc[0]


# --------------------------------------------------------------------------- the data set
def test_the_data_set_joins_outcome_and_alliance(sample, table):
    outcomes = srs.client_outcomes(sample)
    assert len(table) == len(outcomes) == 300
    merged = table.merge(outcomes, on=["client_id", "episode_id"], suffixes=("", "_o"))
    assert np.allclose(merged["ors_change"], merged["ors_change_o"], equal_nan=True)
    # srs_early: the mean SRS of sessions 1-3, by hand for one client
    c = table.dropna(subset=["srs_early"]).iloc[5]
    own = sample[(sample["client_id"] == c["client_id"]) & (sample["rater"] == "self")
                 & sample["measure"].isin(["SRS", "CSRS", "GSRS"])
                 & (sample["session_number"] <= 3)]
    assert c["srs_early"] == pytest.approx(own["total"].mean())
    # the residualised change is uncorrelated with the intake severity (least squares)
    ok = table.dropna(subset=["ors_change_residual"])
    assert abs(np.corrcoef(ok["severity"], ok["ors_change_residual"])[0, 1]) < 1e-9
    assert set(table["early_change_group"].dropna()) == {"rise", "stable", "fall"}


# --------------------------------------------------------------------------- correlations
def test_correlations_are_scipys_with_seeded_bootstrap_intervals(sample, table):
    r = alliance_correlations(sample, n_boot=300, seed=4)
    assert list(r.columns) == list(RESEARCH_COLUMNS) and len(r) == 12
    for kind, ref in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
        row = _row(r, f"correlation_{kind}", "srs_mean~ors_change")
        pair = table[["srs_mean", "ors_change"]].dropna()
        want = ref(pair["srs_mean"], pair["ors_change"])
        assert row["estimate"] == pytest.approx(want.statistic)
        assert row["p"] == pytest.approx(want.pvalue)
        assert row["n"] == len(pair)
        assert row["ci_low"] < row["estimate"] < row["ci_high"]
    # the BCa bootstrap interval is close to the Fisher z interval of the same r
    row = _row(r, "correlation_pearson", "srs_mean~ors_change")
    fisher = stats.pearsonr(pair["srs_mean"], pair["ors_change"]).confidence_interval()
    assert row["ci_low"] == pytest.approx(fisher.low, abs=0.06)
    assert row["ci_high"] == pytest.approx(fisher.high, abs=0.06)
    again = alliance_correlations(sample, n_boot=300, seed=4)
    pd.testing.assert_frame_equal(r, again)
    other = alliance_correlations(sample, n_boot=300, seed=5)
    assert not np.allclose(r["ci_low"], other["ci_low"])


def test_the_simulated_alliance_outcome_correlation_is_recovered():
    """simulate() is tuned to r = .28 (Flückiger et al. 2018) between a client's mean SRS
    and ORS change; without the alliance effect it is near 0."""
    tuned = alliance_correlations(srs.simulate(2500, seed=31), n_boot=200)
    row = _row(tuned, "correlation_pearson", "srs_mean~ors_change")
    assert row["ci_low"] < 0.28 < row["ci_high"]
    flat = alliance_correlations(srs.simulate(2500, seed=31, alliance_effect=0.0), n_boot=200)
    row = _row(flat, "correlation_pearson", "srs_mean~ors_change")
    assert abs(row["estimate"]) < 0.1


# --------------------------------------------------------------------------- next ORS
def test_the_model_is_statsmodels_mixedlm_on_the_same_pairs(sample):
    """The same model through statsmodels' formula interface gives the same numbers."""
    import statsmodels.formula.api as smf

    from srs_analytics import _caseframes as cf
    from srs_analytics._frames import column_map

    got = next_ors_model(sample).set_index("term")
    df = cf.view(sample, column_map(**{k: k2 for k, k2 in cf.CANONICAL.items()}))
    pairs = _next_ors_frame(df, ResearchSettings())
    pairs["log_session"] = np.log(pairs["session_number"].astype(float))
    fit = smf.mixedlm("ors_next ~ ors + srs_within + srs_between + log_session", pairs,
                      groups=pairs["unit"]).fit(reml=True)
    for term, name in (("ors", "ors"), ("srs_within", "srs_within"),
                       ("srs_between", "srs_between"), ("intercept", "Intercept")):
        assert got.loc[term, "estimate"] == pytest.approx(fit.params[name], rel=1e-3)
        assert got.loc[term, "p"] == pytest.approx(fit.pvalues[name], rel=1e-2, abs=1e-12)
    assert got.loc["client_variance", "estimate"] == pytest.approx(
        fit.cov_re.iloc[0, 0], rel=1e-2)
    assert got.loc["srs_within", "n"] == len(pairs)
    # srs_within is centred on each client's own mean SRS
    means = pairs.groupby("unit")["srs"].transform("mean")
    assert np.allclose(pairs["srs_within"], pairs["srs"] - pairs["srs_client_mean"])
    assert np.corrcoef(pairs["srs_client_mean"], means)[0, 1] > 0.95


def _recover(within, between, seed=11):
    data = srs.simulate(2000, seed=seed, alliance_effect=0.0, srs_ors_noise=0.0,
                        next_ors_within=within, next_ors_between=between)
    return next_ors_model(data).set_index("term")


def test_a_within_client_effect_without_a_between_effect_is_recovered():
    m = _recover(within=1.0, between=0.0)
    assert m.loc["srs_within", "ci_low"] < 1.0 < m.loc["srs_within", "ci_high"]
    assert m.loc["srs_within", "estimate"] == pytest.approx(1.0, abs=0.1)
    assert m.loc["srs_between", "ci_low"] < 0.0 < m.loc["srs_between", "ci_high"]


def test_a_between_client_effect_without_a_within_effect_is_separated():
    """A lasting difference of b points per SRS point shows in a model that holds the
    current ORS as an effect on change of less than b (docs/research.md): separated from
    the within term, significant, smaller than b."""
    m = _recover(within=0.0, between=1.0)
    assert m.loc["srs_within", "ci_low"] < 0.0 < m.loc["srs_within", "ci_high"]
    assert m.loc["srs_between", "ci_low"] > 0.4
    assert 0.5 < m.loc["srs_between", "estimate"] < 1.0


def test_no_effects_give_estimates_near_zero_and_a_random_slope_fits():
    data = srs.simulate(800, seed=12, alliance_effect=0.0, srs_ors_noise=0.0,
                        next_ors_within=0.5)
    m = next_ors_model(data).set_index("term")
    slope = next_ors_model(data, random_slope=True).set_index("term")
    assert "srs_within_slope_variance" in slope.index
    assert slope.loc["srs_within", "estimate"] == pytest.approx(
        m.loc["srs_within", "estimate"], abs=0.1)
    none = next_ors_model(srs.simulate(800, seed=12, alliance_effect=0.0,
                                       srs_ors_noise=0.0)).set_index("term")
    assert abs(none.loc["srs_within", "estimate"]) < 0.1
    assert none.loc["srs_between", "ci_low"] < 0 < none.loc["srs_between", "ci_high"]


def test_too_little_data_gives_empty_estimates_not_an_error(small_caseload):
    m = next_ors_model(small_caseload)
    assert m["estimate"].isna().all() and (m["n"] == 4).all()


# --------------------------------------------------------------------------- patterns
def test_effect_sizes_by_pattern_by_hand(table, sample):
    t = outcome_by_alliance(sample)
    cases = table.dropna(subset=["ors_change", "cutoff"])
    sd = cases["severity"].std(ddof=1)
    for pattern in ("ascending", "stable_high", "high_then_drop"):
        v = cases.loc[cases["alliance_pattern"] == pattern, "ors_change"]
        row = _row(t, "es_by_pattern", pattern)
        ci = stats.ttest_1samp(v, 0).confidence_interval(0.95)
        assert (row["estimate"], row["ci_low"], row["ci_high"], row["n"]) == pytest.approx(
            (v.mean() / sd, ci.low / sd, ci.high / sd, len(v)))
    groups = [g["ors_change"].to_numpy() for _, g in
              cases[cases["alliance_pattern"] != "insufficient"].groupby("alliance_pattern")]
    assert _row(t, "es_by_pattern", "eta_squared")["p"] == pytest.approx(
        stats.f_oneway(*groups).pvalue)
    assert {"rise", "stable", "fall", "eta_squared"} == set(
        t.loc[t["analysis"] == "es_by_early_change", "term"])


def test_ceiling_raters_against_welchs_t_test(table, sample):
    t = ceiling_raters(sample)
    cases = table[(table["n_srs"] >= 3) & table["ors_change"].notna() & table["cutoff"].notna()]
    top = cases["all_at_ceiling"].astype(bool)
    a, b = cases.loc[top, "ors_change"], cases.loc[~top, "ors_change"]
    want = stats.ttest_ind(a, b, equal_var=False)
    row = _row(t, "ceiling_raters", "difference")
    assert row["estimate"] == pytest.approx(a.mean() - b.mean())
    assert row["p"] == pytest.approx(want.pvalue)
    assert row["ci_low"] == pytest.approx(want.confidence_interval().low)
    assert _row(t, "ceiling_raters", "mean_change[ceiling_raters]")["n"] == len(a)


def test_context_means_with_cluster_robust_intervals_by_hand():
    """Two formats, clustered within clients: the cell means and the sandwich standard
    error of their difference with statsmodels' small-sample factor, by hand."""
    rows = []
    values = {"A": [(38, "paper"), (36, "paper"), (40, "digital")],
              "B": [(30, "paper"), (34, "digital"), (35, "digital")],
              "C": [(39, "paper"), (37, "digital")], "D": [(33, "paper"), (36, "paper")]}
    for client, ratings in values.items():
        for s, (total, fmt) in enumerate(ratings, 1):
            rows.append(dict(client_id=client, episode_id=client, session_number=s,
                             measure="SRS", rater="self", total=float(total), format=fmt,
                             setting="in_person"))
    data = coerce_canonical(pd.DataFrame(rows))
    t = srs_by_context(data)
    paper = [38, 36, 30, 39, 33, 36]
    assert _row(t, "srs_by_format", "srs_mean[paper]")["estimate"] == pytest.approx(
        np.mean(paper))
    # by hand: residuals by cell, score sums by client, sandwich with G/(G-1) (N-1)/(N-K)
    f = pd.DataFrame(rows)
    f["d"] = (f["format"] == "digital").astype(float)
    x = np.column_stack([np.ones(len(f)), f["d"]])
    y = f["total"].to_numpy(float)
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    e = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    meat = sum(np.outer(s, s) for s in (pd.DataFrame(x * e[:, None]).groupby(
        f["client_id"].to_numpy()).sum().to_numpy()))
    g, n, k = f["client_id"].nunique(), len(f), 2
    cov = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    row = _row(t, "srs_by_format", "digital-paper")
    assert row["estimate"] == pytest.approx(beta[1])
    half = stats.norm.ppf(0.975) * np.sqrt(cov[1, 1])
    assert row["ci_high"] - row["estimate"] == pytest.approx(half)
    assert row["p"] == pytest.approx(2 * stats.norm.sf(abs(beta[1]) / np.sqrt(cov[1, 1])))


def test_the_simulated_setting_has_no_effect_on_the_srs():
    """simulate() draws the SRS without regard to the setting: the contrast covers 0."""
    t = srs_by_context(srs.simulate(1500, seed=5))
    row = _row(t, "srs_by_setting", "telehealth-in_person")
    assert row["ci_low"] < 0 < row["ci_high"]


# --------------------------------------------------------------------------- everything
def test_the_research_table_holds_every_analysis(sample):
    t = research_table(sample, n_boot=100)
    assert list(t.columns) == list(RESEARCH_COLUMNS)
    assert t["n"].dtype == np.int64 and t["estimate"].notna().all()
    assert t["analysis"].unique().tolist() == [
        "correlation_pearson", "correlation_spearman", "next_ors", "es_by_pattern",
        "es_by_early_change", "ceiling_raters", "srs_by_format", "ceiling_by_format",
        "srs_by_setting", "ceiling_by_setting"]
    ok = t.dropna(subset=["ci_low"])
    assert ((ok["ci_low"] <= ok["estimate"]) & (ok["estimate"] <= ok["ci_high"])).all()
    with pytest.raises(ValueError, match="n_boot must be"):
        ResearchSettings(n_boot=1)
