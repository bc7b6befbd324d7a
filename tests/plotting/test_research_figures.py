"""The research figures: the fitted line and its band against statsmodels, the estimates
against the research analyses, and what was drawn (artists, not pixels)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import srs_analytics as srs
from srs_analytics.plotting import chart_style, figure_bytes
from srs_analytics.plotting.research import (
    ACORN_PATTERN_ES,
    ALLIANCE_OUTCOME_COLUMNS,
    alliance_outcome_data,
    draw_alliance_outcome,
    draw_estimates,
    estimates_data,
    pattern_outcome_chart,
    within_between_chart,
)
from srs_analytics.research import ResearchSettings

SETTINGS = ResearchSettings(n_boot=200, seed=3)


@pytest.fixture(scope="module")
def sample():
    data = srs.load_sample()
    return data, srs.research_table(data, settings=SETTINGS)


def _by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def test_the_line_and_its_band_are_statsmodels_ols(sample):
    import statsmodels.api as sm

    data, table = sample
    frame = alliance_outcome_data(data, alliance="srs_early", research=table,
                                  settings=SETTINGS)
    assert list(frame.columns) == list(ALLIANCE_OUTCOME_COLUMNS)
    cases = frame[frame["layer"] == "case"]
    fit = frame[frame["layer"] == "fit"]
    ols = sm.OLS(cases["y"].to_numpy(), sm.add_constant(cases["x"].to_numpy())).fit()
    pred = ols.get_prediction(sm.add_constant(fit["x"].to_numpy())).summary_frame(alpha=0.05)
    np.testing.assert_allclose(fit["y"], pred["mean"])
    np.testing.assert_allclose(fit["low"], pred["mean_ci_lower"])
    np.testing.assert_allclose(fit["high"], pred["mean_ci_upper"])
    a = frame.attrs
    assert (a["intercept"], a["slope"]) == pytest.approx(tuple(ols.params))
    assert (a["slope_low"], a["slope_high"]) == pytest.approx(tuple(ols.conf_int()[1]))
    r = stats.pearsonr(cases["x"], cases["y"])
    assert (a["r"], a["p"]) == pytest.approx((r.statistic, r.pvalue))
    row = table[(table["analysis"] == "correlation_pearson")
                & (table["term"] == "srs_early~ors_change")].iloc[0]
    assert (a["r_low"], a["r_high"], a["n"]) == (row["ci_low"], row["ci_high"], row["n"])
    outcomes = srs.alliance_outcome_table(data)
    assert a["n"] == outcomes[["srs_early", "ors_change"]].dropna().shape[0]


def test_the_correlation_is_computed_when_not_given(sample):
    data, table = sample
    own = alliance_outcome_data(data, settings=SETTINGS)
    given = alliance_outcome_data(data, research=table, settings=SETTINGS)
    assert own.attrs == given.attrs  # the same seed, the same bootstrap


def test_the_figure_draws_the_cases_the_line_and_the_correlation(sample):
    data, table = sample
    frame = alliance_outcome_data(data, research=table, settings=SETTINGS)
    with chart_style("paper"):
        ax = draw_alliance_outcome(frame)
        svg = figure_bytes(ax.figure, "svg")
    cases = frame[frame["layer"] == "case"]
    points = _by_gid(ax.collections, "case")[0].get_offsets()
    np.testing.assert_allclose(points, cases[["x", "y"]].to_numpy())
    line = _by_gid(ax.lines, "fit")[0]
    np.testing.assert_allclose(line.get_ydata(), frame[frame["layer"] == "fit"]["y"])
    assert _by_gid(ax.collections, "fit_interval")
    text = _by_gid(ax.texts, "correlation")[0].get_text()
    a = frame.attrs
    assert text.startswith(f"r = {a['r']:.2f} (95% CI {a['r_low']:.2f} to {a['r_high']:.2f})")
    assert f"n = {a['n']}" in text
    assert svg.lstrip().startswith(b"<?xml") and b"Mean SRS over the episode" in svg


def test_estimates_are_the_research_tables_rows(sample):
    _, table = sample
    f = estimates_data(table, "es_by_pattern", reference=ACORN_PATTERN_ES)
    rows = table[(table["analysis"] == "es_by_pattern") & (table["term"] != "eta_squared")]
    est = f[f["layer"] == "estimate"]
    assert est["term"].tolist() == rows["term"].tolist()  # the table's order, never ranked
    np.testing.assert_allclose(est["low"], rows["ci_low"])
    assert f.attrs["extra"]["eta_squared"][0] == pytest.approx(
        table[(table["analysis"] == "es_by_pattern")
              & (table["term"] == "eta_squared")]["estimate"].iloc[0])
    ref = f[f["layer"] == "reference"].set_index("term")["estimate"]
    assert ref.to_dict() == {"ascending": 0.85, "stable_high": 0.78, "high_then_drop": 0.60}
    with pytest.raises(ValueError, match="analysis 'nothing' is not in the table"):
        estimates_data(table, "nothing")
    with pytest.raises(ValueError, match="not in analysis 'next_ors'"):
        estimates_data(table, "next_ors", terms=["srs_sideways"])


def test_the_pattern_chart_draws_the_estimates_and_acorns(sample):
    data, table = sample
    ax = pattern_outcome_chart(data, research=table)
    rows = table[(table["analysis"] == "es_by_pattern") & (table["term"] != "eta_squared")]
    for r in rows.itertuples():
        marker = [a for a in _by_gid(ax.lines, f"estimate:{r.term}") if len(a.get_xdata())]
        assert marker[0].get_xdata()[0] == pytest.approx(r.estimate)
        assert [t.get_text() for t in ax.texts if t.get_gid() == f"n:{r.term}"] == [
            f"n = {r.n}"]
    for term, value in ACORN_PATTERN_ES.items():
        assert _by_gid(ax.collections, f"reference:{term}")[0].get_offsets()[0][0] == value
    assert "eta squared" in ax.get_title(loc="left")


def test_within_and_between_are_the_models(sample):
    data, table = sample
    ax = within_between_chart(data, research=table)
    model = srs.next_ors_model(data).set_index("term")
    for term in ("srs_within", "srs_between"):
        bar = _by_gid(ax.collections, f"estimate:{term}")[0]
        (x0, _), (x1, _) = bar.get_segments()[0]
        assert (x0, x1) == pytest.approx((model.loc[term, "ci_low"],
                                          model.loc[term, "ci_high"]))
    assert _by_gid(ax.lines, "reference_line")[0].get_xdata()[0] == 0


def test_any_analysis_as_a_forest(sample):
    _, table = sample
    f = estimates_data(table, "srs_by_format")
    ax = draw_estimates(f, reference_line=None, xlabel="SRS")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["paper", "digital", "verbal", "digital minus paper",
                      "verbal minus paper"]
    assert not _by_gid(ax.lines, "reference_line")
