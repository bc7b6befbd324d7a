"""The caseload charts: their tables are the caseload analyses' numbers, and what is drawn is
those numbers (artists, not pixels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.dates import date2num
from statsmodels.stats.proportion import proportion_confint

import srs_analytics as srs
from srs_analytics.caseload import CaseloadSettings
from srs_analytics.plotting.caseload import (
    CATEGORY_COLUMNS,
    EFFECT_COLUMNS,
    RATE_COLUMNS,
    RATES,
    caseload_rates,
    caseload_rates_data,
    draw_caseload_rates,
    draw_effect_sizes,
    draw_outcome_categories,
    effect_sizes_data,
    outcome_categories_data,
)


@pytest.fixture(scope="module")
def sample():
    data = srs.load_sample()
    return data, srs.fit_expected(data)


@pytest.fixture(scope="module")
def rates(sample):
    data, model = sample
    return caseload_rates_data(data, model=model)


def _by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def test_the_rates_are_the_caseload_summarys(sample, rates):
    data, model = sample
    assert list(rates.columns) == list(RATE_COLUMNS)
    assert list(dict.fromkeys(rates["rate"])) == list(RATES)
    by_month = srs.caseload_summary(data, by="month", model=model).set_index("month")
    by_both = srs.caseload_summary(data, by="clinician,month", model=model)
    for rate in RATES:
        f = rates[rates["rate"] == rate]
        service = f[f["service"]].set_index("month")
        pd.testing.assert_series_equal(service["share"], by_month.loc[service.index, rate],
                                       check_names=False)
        mine = f[f["group"] == "T03"].set_index("month")
        theirs = by_both[by_both["clinician_id"] == "T03"].set_index("month")
        np.testing.assert_allclose(mine["share"], theirs.loc[mine.index, rate])
        np.testing.assert_allclose(mine["low"], theirs.loc[mine.index, f"{rate}_low"])


def test_the_service_band_is_the_wilson_interval_of_statsmodels(rates):
    f = rates[rates["service"] & (rates["rate"] == "share_srs_below_cutoff")]
    low, high = proportion_confint(f["k"], f["n"], alpha=0.05, method="wilson")
    np.testing.assert_allclose(f["low"], low, atol=1e-12)
    np.testing.assert_allclose(f["high"], high, atol=1e-12)


def test_chosen_clinicians_add_up_and_the_service_stays_whole(sample, rates):
    data, model = sample
    mine = caseload_rates_data(data, by=None, clinicians=["T01", "T02"], model=model,
                               rates=["share_srs_completion"])
    assert set(mine["group"]) == {"Whole service", "Chosen clinicians"}
    chosen = mine[~mine["service"]].set_index("month")
    parts = rates[(rates["rate"] == "share_srs_completion") & rates["group"].isin(
        ["T01", "T02"])].groupby("month")[["k", "n"]].sum()
    assert chosen["k"].to_dict() == parts["k"].to_dict()
    assert chosen["n"].to_dict() == parts["n"].to_dict()
    whole = rates[(rates["rate"] == "share_srs_completion") & rates["service"]]
    assert mine[mine["service"]]["n"].sum() == whole["n"].sum()
    assert whole["n"].sum() == rates[(rates["rate"] == "share_srs_completion")
                                     & ~rates["service"]]["n"].sum()


def test_another_grouping_and_a_period(sample):
    data, model = sample
    f = caseload_rates_data(data, by="setting", start="2025-04-01", end="2025-06-30",
                            model=model, rates=["share_srs_at_ceiling"])
    assert set(f["group"]) == {"in person", "telehealth", "Whole service"}
    assert f["month"].min() == pd.Timestamp("2025-04-01")
    assert f["month"].max() == pd.Timestamp("2025-06-01")
    with pytest.raises(ValueError, match="by must be one of"):
        caseload_rates_data(data, by="month", model=model)
    with pytest.raises(ValueError, match="rates must be one of"):
        caseload_rates_data(data, rates=["share_of_nothing"], model=model)


def test_no_alert_share_without_an_alert_severity(sample):
    data, model = sample
    f = caseload_rates_data(data, by=None, model=model,
                            settings=CaseloadSettings(alert_severity=None))
    assert "share_sessions_with_alert" not in set(f["rate"])


def test_the_rates_drawn_are_the_shares(rates):
    panels = draw_caseload_rates(rates)
    assert len(panels) == 4
    for ax, rate in zip(panels, RATES):
        assert ax.get_title(loc="left") == RATES[rate]
        f = rates[rates["rate"] == rate]
        line = _by_gid(ax.lines, f"service:{rate}")[0]
        service = f[f["service"]]
        np.testing.assert_allclose(line.get_ydata(), service["share"] * 100)
        np.testing.assert_allclose(date2num(line.get_xdata()), date2num(service["month"]))
        assert _by_gid(ax.collections, f"service_interval:{rate}")
        t07 = _by_gid(ax.lines, f"group:{rate}:T07")[0]
        np.testing.assert_allclose(t07.get_ydata(), f[f["group"] == "T07"]["share"] * 100)
        sizes = _by_gid(ax.collections, f"group_n:{rate}:T07")[0].get_sizes()
        n = f[f["group"] == "T07"]["n"].to_numpy()
        assert (np.diff(sizes[np.argsort(n)]) >= 0).all()  # more ratings, a larger marker
    legend = panels[0].figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()][2:] == [f"T0{i}" for i in range(1, 9)]


def test_one_rate_on_one_axes(rates):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert draw_caseload_rates(rates, ax, rate="share_srs_completion") is ax
    with pytest.raises(ValueError, match="give rate="):
        draw_caseload_rates(rates, ax)


def test_the_convenience_draws_the_chosen_clinicians(sample):
    data, model = sample
    ax = caseload_rates(data, clinicians=["T05"], rates=["share_srs_below_cutoff"],
                        model=model)
    assert sorted(line.get_gid() for line in ax.lines) == [
        "group:share_srs_below_cutoff:T05", "service:share_srs_below_cutoff"]


# --------------------------------------------------------------------------- outcomes
def test_the_outcome_categories_are_the_summarys_counts(sample):
    data, model = sample
    f = outcome_categories_data(data, model=model, episodes="all")
    assert list(f.columns) == list(CATEGORY_COLUMNS)
    table = srs.caseload_summary(data, episodes="all", model=model).set_index("clinician_id")
    for clinician, g in f[~f["service"]].groupby("group"):
        row = table.loc[clinician]
        assert g.set_index("category")["k"].to_dict() == {
            c: row[f"n_outcome_{c}"] for c in srs.outcomes.OUTCOME_CATEGORIES}
        assert (g["n"] == row["n_change"]).all()
        assert g["share"].sum() == pytest.approx(1)
    service = f[f["service"]]
    outcomes = srs.client_outcomes(data)["outcome"].astype(str).value_counts()
    assert service.set_index("category")["k"].to_dict() == {
        c: int(outcomes.get(c, 0)) for c in srs.outcomes.OUTCOME_CATEGORIES}


def test_the_outcome_bars_are_the_shares(sample):
    data, model = sample
    f = outcome_categories_data(data, model=model, clinicians=["T02", "T07"])
    assert list(dict.fromkeys(f["group"])) == ["T02", "T07", "Whole service"]
    ax = draw_outcome_categories(f)
    for cat in srs.outcomes.OUTCOME_CATEGORIES:
        bars = _by_gid(ax.patches, f"outcome:{cat}")
        assert [b.get_width() for b in bars] == pytest.approx(
            (f[f["category"] == cat]["share"] * 100).tolist())
    # the segments of a bar end at 100%
    ends = {}
    for p in ax.patches:
        ends[round(p.get_y(), 3)] = max(ends.get(round(p.get_y(), 3), 0),
                                        p.get_x() + p.get_width())
    assert list(ends.values()) == pytest.approx([100, 100, 100])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["T02", "T07", "Whole service"]
    n = f.drop_duplicates("group").set_index("group")["n"]
    assert [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n:")] == [
        f"n = {n[g]}" for g in labels]


# --------------------------------------------------------------------------- effect sizes
def test_effect_sizes_are_the_comparisons_and_hide_small_caseloads(sample):
    data, model = sample
    f = effect_sizes_data(data, model=model)
    assert list(f.columns) == list(EFFECT_COLUMNS)
    comp = srs.clinician_comparison(data)
    shown = comp[comp["shown"]].set_index("clinician_id")
    es = f[f["kind"] == "severity_adjusted"].set_index("clinician")
    np.testing.assert_allclose(es["estimate"], shown["severity_adjusted_es"])
    np.testing.assert_allclose(es["low"], shown["severity_adjusted_es_low"])
    np.testing.assert_allclose(f[f["kind"] == "shrunk"]["high"], shown["shrunk_es_high"])
    hidden = comp[~comp["shown"]]
    assert f.attrs["too_few"] == list(zip(hidden["clinician_id"], hidden["n_es"]))
    assert not set(hidden["clinician_id"]) & set(f["clinician"])
    assert f.attrs["service_es"] == pytest.approx(comp["service_es"].iloc[0])


def test_the_effect_sizes_drawn_in_clinician_order(sample):
    data, model = sample
    f = effect_sizes_data(data, model=model)
    ax = draw_effect_sizes(f)
    labels = [t.get_text().split(" ")[0] for t in ax.get_yticklabels()]
    assert labels == sorted(labels) == sorted(set(f["clinician"]))  # never by result
    for r in f[f["kind"] == "severity_adjusted"].itertuples():
        marker = _by_gid(ax.lines, f"es:{r.clinician}")[0]
        assert marker.get_xdata()[0] == pytest.approx(r.estimate)
        bar = _by_gid(ax.collections, f"es:{r.clinician}")[0]
        (x0, _), (x1, _) = bar.get_segments()[0]
        assert (x0, x1) == pytest.approx((r.low, r.high))
    service = _by_gid(ax.lines, "service_es")[0]
    assert service.get_xdata()[0] == pytest.approx(f.attrs["service_es"])
    note = _by_gid(ax.texts, "too_few")[0].get_text()
    assert "T01 (13)" in note and "T03 (14)" in note and "15" in note
    assert not _by_gid(ax.lines, "es:T01")


def test_a_period_with_no_variance_between_clinicians_shrinks_them_to_the_service(sample):
    """From July on, the sample's closed episodes show no variance between clinicians (a
    boundary fit): the multilevel estimate of every clinician shown is the service's."""
    data, model = sample
    f = effect_sizes_data(data, start="2025-07-01", model=model)
    shrunk = f[f["kind"] == "shrunk"]
    assert len(shrunk) and shrunk["estimate"].nunique() == 1
    ax = draw_effect_sizes(f)
    for r in shrunk.itertuples():
        marker = _by_gid(ax.lines, f"shrunk:{r.clinician}")[0]
        assert marker.get_xdata()[0] == pytest.approx(r.estimate)

