"""Expected treatment response (srs_analytics.expected). All data here is synthetic.

The percentiles are checked on constructed data whose quantiles are known by hand: 101
client episodes with an intake of 20 and a session-2 change of 0.0, 0.1, ... 10.0 have a
25th, 50th and 75th percentile of change of exactly 2.5, 5 and 7.5 (linear interpolation
between order statistics, as numpy and R's default type 7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from srs_analytics.datasets import load_sample
from srs_analytics.expected import (
    STATUSES,
    ExpectedResponse,
    ExpectedSettings,
    expected_counts,
    expected_status,
    fit_expected,
)
from srs_analytics.schema import coerce_canonical
from srs_analytics.synthetic import simulate


def ors(episodes, measure="ORS", rater="self", prefix="C"):
    """A canonical table from ``{client: [total at session 1, 2, ...]}`` (None: not rated)."""
    rows = []
    for client, totals in episodes.items():
        for s, total in enumerate(totals, start=1):
            if total is not None:
                rows.append({"client_id": f"{prefix}{client}", "episode_id": f"E{client}",
                             "session_number": s, "measure": measure, "rater": rater,
                             "session_date": pd.Timestamp("2026-01-05")
                             + pd.Timedelta(weeks=s - 1), "total": float(total)})
    return coerce_canonical(pd.DataFrame(rows))


def uniform_history(intake=20.0, sessions=(2,), n=101, step=0.1, offset=0.0, key=0):
    """n client episodes: an intake, then intake + offset + i * step at each later session."""
    return ors({f"{key}-{i}": [intake] + [intake + offset + i * step if s in sessions else None
                                          for s in range(2, max(sessions) + 1)]
                for i in range(n)})


def status_of(model, intake, totals, **kwargs):
    """Statuses of one new client (intake then totals at sessions 2, 3, ...)."""
    new = ors({"new": [intake, *totals]}, prefix="N")
    return expected_status(new, model=model, **kwargs)


# --------------------------------------------------------------------------- the fit
def test_known_percentiles():
    model = fit_expected(uniform_history())
    assert model.sufficient and model.reason == ""
    assert (model.n_episodes, model.n_administrations) == (101, 202)
    cell = model.table.query("measure == 'ORS' and band == 4 and session == 2").iloc[0]
    assert (cell["intake_low"], cell["intake_high"]) == (20.0, 25.0)
    assert (cell["change_p25"], cell["change_p50"], cell["change_p75"]) == pytest.approx(
        (2.5, 5.0, 7.5))
    assert (cell["p25"], cell["p50"], cell["p75"]) == pytest.approx((25.0, 27.5, 30.0))
    assert (cell["n_episodes"], cell["n_administrations"], cell["bands_pooled"]) == (101, 101,
                                                                                      0)
    out = status_of(model, 20.0, [25.0])
    assert out[["p25", "p50", "p75"]].iloc[1].tolist() == pytest.approx([22.5, 25.0, 27.5])
    assert out["n_fit"].iloc[1] == 101


@pytest.mark.parametrize("total, expected", [
    (25.0, "on_track"),     # exactly the 50th percentile
    (27.6, "on_track"),
    (24.99, "watch"),
    (22.5, "watch"),        # exactly the 25th percentile
    (22.49, "off_track"),
    (15.0, "off_track"),
])
def test_status_boundaries(total, expected):
    model = fit_expected(uniform_history())
    out = status_of(model, 20.0, [total])
    assert out["etr_status"].tolist() == ["intake", expected]
    assert out["basis"].tolist() == ["intake", "fitted"]


def test_intake_row_and_columns():
    model = fit_expected(uniform_history())
    out = status_of(model, 20.0, [25.0])
    assert list(out.columns) == [
        "client_id", "episode_id", "clinician_id", "session_number", "session_date",
        "measure", "rater", "total", "ors_intake", "ors_change", "p25", "p50", "p75", "n_fit",
        "etr_status", "basis"]
    first = out.iloc[0]
    assert first["etr_status"] == "intake" and np.isnan(first["p50"])
    assert out["ors_change"].tolist() == [0.0, 5.0] and set(out["etr_status"]) <= set(STATUSES)


def test_percentiles_blend_between_band_middles():
    # band 2 (10-15): change 4 .. 14; band 3 (15-20): change 0 .. 10; no pooling
    history = pd.concat([uniform_history(intake=12.5, offset=4.0, key=1),
                         uniform_history(intake=17.5, key=2)])
    model = fit_expected(history, settings=ExpectedSettings(widen=0))
    p50 = {i: status_of(model, i, [30.0])["p50"].iloc[1] for i in (12.5, 15.0, 17.5, 19.0)}
    assert p50[12.5] == pytest.approx(12.5 + 9.0)   # the middle of band 2: its own median
    assert p50[17.5] == pytest.approx(17.5 + 5.0)   # the middle of band 3
    assert p50[15.0] == pytest.approx(15.0 + 7.0)   # half way: the average of the two
    assert p50[19.0] == pytest.approx(19.0 + 5.0)   # beyond the last fitted middle


def test_sparse_cells_pool_the_neighbouring_bands():
    # 15 episodes in band 3 and 10 in band 4: neither has 20; pooled, both have 25
    history = pd.concat([uniform_history(intake=17.0, n=15, step=1, key=1),
                         uniform_history(intake=22.0, n=10, step=1, key=2)])
    table = fit_expected(history).table.query("session == 2").set_index("band")
    assert table.loc[3, "bands_pooled"] == 1 and table.loc[3, "n_episodes"] == 25
    assert table.loc[4, "bands_pooled"] == 1 and table.loc[4, "n_episodes"] == 25
    # band 2 pools 1-3 (15 episodes): too few; an empty cell reports its own band's count
    assert pd.isna(table.loc[2, "bands_pooled"]) and np.isnan(table.loc[2, "p50"])
    assert table.loc[2, "n_episodes"] == 0
    none = fit_expected(history, settings=ExpectedSettings(widen=0))
    assert not none.sufficient and "25 client episodes" in none.reason


def test_later_sessions_share_the_last_cell():
    history = uniform_history(sessions=(12, 13, 14))
    model = fit_expected(history, settings=ExpectedSettings(max_session=12))
    cell = model.table.query("band == 4 and session == 12").iloc[0]
    assert (cell["n_episodes"], cell["n_administrations"]) == (101, 303)
    out = status_of(model, 20.0, [None] * 18 + [25.0])  # session 20 reads the session-12 cell
    assert out["basis"].iloc[-1] == "fitted" and out["session_number"].iloc[-1] == 20


def test_fit_on_one_table_apply_to_another():
    model = fit_expected(uniform_history())
    month = pd.concat([ors({"a": [20.0, 22.0]}, prefix="N"), ors({"b": [21.0, 30.0]}, prefix="N"),
                       ors({"c": [5.0, 6.0, 7.0, 9.9]}, prefix="N"),
                       ors({"d": [5.0, 6.0, 7.0, 10.0]}, prefix="N")])
    out = expected_status(month, model=model).set_index(["client_id", "session_number"])
    assert out.loc[("Na", 2), "etr_status"] == "off_track"
    assert out.loc[("Nb", 2), "etr_status"] == "on_track"
    assert out.loc[("Nb", 2), "p50"] == pytest.approx(26.0)
    # intake 5 lies outside what the model was fitted on: the fallback reads it
    c = out.loc["Nc"]
    assert c["etr_status"].tolist() == ["intake", "insufficient_data", "insufficient_data",
                                        "off_track"]
    assert c["basis"].tolist()[1:] == ["fallback: no reliable improvement by session 4"] * 3
    assert out.loc[("Nd", 4), "etr_status"] == "on_track"  # exactly 5 points: reliable


def test_too_little_data_falls_back_and_says_so():
    history = ors({i: [15.0, 16.0, 18.0] for i in range(5)})
    model = fit_expected(history)
    assert not model.sufficient and model.table["p50"].isna().all()
    assert "5 client episodes" in model.reason
    assert str(model).startswith("Too little data to fit an expected treatment response")
    out = status_of(model, 15.0, [17.0, 19.0, 19.9, 20.0])
    assert out["etr_status"].tolist() == ["intake", "insufficient_data", "insufficient_data",
                                          "off_track", "on_track"]
    settings = ExpectedSettings(reliable_change=4.0, fallback_session=3)
    out = status_of(model, 15.0, [17.0, 19.0], settings=settings)
    assert out["etr_status"].tolist() == ["intake", "insufficient_data", "on_track"]
    assert out["basis"].iloc[1] == "fallback: no reliable improvement by session 3"


def test_what_the_fit_counts():
    history = pd.concat([
        uniform_history(),
        ors({"single": [20.0]}),                        # one rating: not fitted
        ors({"p": [10.0, 12.0]}, rater="parent"),       # collateral: never mixed in
        ors({"y": [2.0, 3.0]}, measure="YCORS"),        # not scored
        ors({"s": [38.0, 39.0]}, measure="SRS"),        # alliance
    ])
    model = fit_expected(history)
    assert (model.n_episodes, model.n_administrations) == (101, 202)
    assert model.first_date == pd.Timestamp("2026-01-05")
    assert model.last_date == pd.Timestamp("2026-01-12")
    summary = model.summary
    assert summary.loc[("ORS", "self"), "n_episodes"] == 101
    assert summary.loc[("ORS", "self"), "cells"] == 8 * 11
    assert "101 client episodes (202 administrations)" in str(model)
    assert "<table" in model._repr_html_() and "101 client episodes" in model._repr_html_()
    out = expected_status(history, model=model)
    assert set(out["rater"]) == {"self"} and set(out["measure"]) == {"ORS"}
    assert out.loc[out["client_id"] == "Csingle", "etr_status"].tolist() == ["intake"]


def test_couples_count_as_two_client_episodes():
    history = uniform_history()
    partner = history.assign(client_id=history["client_id"] + "-partner")
    model = fit_expected(pd.concat([history, partner]))
    assert model.n_episodes == 202


def test_measures_and_age_groups_are_fitted_separately():
    history = pd.concat([uniform_history(), uniform_history().assign(
        measure="CORS", total=lambda d: d["total"] + 1)])
    model = fit_expected(history)
    table = model.table.query("band == 4 and session == 2").set_index("measure")
    assert table["change_p50"].to_dict() == pytest.approx({"CORS": 5.0, "ORS": 5.0})
    by_age = ExpectedSettings(by_age_group=True)
    aged = pd.concat([uniform_history().assign(age_group="adult"),
                      uniform_history(offset=2.0, key=9).assign(age_group="adolescent")])
    model = fit_expected(aged, settings=by_age)
    assert list(model.table.columns[:3]) == ["measure", "rater", "age_group"]
    teen = ors({"t": [20.0, 25.0]}, prefix="N").assign(age_group="adolescent")
    assert expected_status(teen, model=model)["p50"].iloc[1] == pytest.approx(27.0)
    with pytest.raises(ValueError, match="age_group"):
        fit_expected(uniform_history().drop(columns="age_group"), settings=by_age)


def test_status_fits_on_its_own_data_when_no_model_is_given():
    history = uniform_history()
    own = expected_status(history)
    assert own.equals(expected_status(history, model=fit_expected(history)))
    assert (own["etr_status"] != "insufficient_data").all()


def test_bad_input():
    with pytest.raises(ValueError, match="band_width"):
        ExpectedSettings(band_width=0)
    with pytest.raises(ValueError, match="measures"):
        ExpectedSettings(measures=("SRS",))
    with pytest.raises(ValueError, match="total='score'"):
        fit_expected(uniform_history(), total="score")
    with pytest.raises(TypeError):
        expected_status("caseload.csv")


def test_empty_tables():
    empty = ors({})
    model = fit_expected(empty)
    assert not model.sufficient and model.n_episodes == 0
    assert expected_status(empty, model=model).empty
    assert isinstance(model, ExpectedResponse) and model.summary.empty


def by_client(data, parts=3):
    """``data`` split into ``parts`` partitions of whole clients (by a hash of the id)."""
    part = pd.util.hash_pandas_object(data["client_id"], index=False).to_numpy() % parts
    return [data[part == i] for i in range(parts)]


def assert_same_model(model, whole):
    pd.testing.assert_frame_equal(model.table, whole.table, check_exact=True)
    pd.testing.assert_frame_equal(model.counts, whole.counts, check_exact=True)
    assert (model.n_episodes, model.n_administrations) == (whole.n_episodes,
                                                           whole.n_administrations)
    assert (model.first_date, model.last_date) == (whole.first_date, whole.last_date)
    assert (model.sufficient, model.reason, model.settings) == (whole.sufficient, whole.reason,
                                                                whole.settings)


@pytest.mark.parametrize("settings", [None, ExpectedSettings(by_age_group=True),
                                      ExpectedSettings(min_episodes=40, widen=2)])
def test_fit_from_the_counts_of_partitions_is_the_fit_on_the_whole(settings):
    """Partitions of whole clients (Dask, Spark): their counts, concatenated, give exactly
    the model of the whole data, percentiles to the bit."""
    data = load_sample()
    whole = fit_expected(data, settings=settings)
    counts = pd.concat([expected_counts(part, settings=settings) for part in by_client(data)])
    assert (counts.groupby("kind").size() > 0).all()
    assert_same_model(fit_expected(None, counts=counts, settings=settings), whole)
    shuffled = counts.sample(frac=1, random_state=0)  # order does not matter
    assert_same_model(fit_expected(None, counts=shuffled, settings=settings), whole)
    own = expected_counts(data, settings=settings)
    assert_same_model(fit_expected(None, counts=own, settings=settings), whole)
    # the counts add up: administrations and episodes over the cells of the partitions
    cells = counts[counts["kind"] == "cell"]
    assert cells["n"].sum() == own.loc[own["kind"] == "cell", "n"].sum()
    assert counts.loc[counts["kind"] == "stratum", "first"].sum() == whole.n_episodes


def test_counts_bad_input():
    data = uniform_history()
    counts = expected_counts(data)
    with pytest.raises(ValueError, match="not both"):
        fit_expected(data, counts=counts)
    with pytest.raises(ValueError, match="data is None"):
        fit_expected(None)
    with pytest.raises(ValueError, match="settings"):
        fit_expected(None, counts=counts, settings=ExpectedSettings(band_width=10))
    with pytest.raises(ValueError, match="age_group"):
        fit_expected(None, counts=counts, settings=ExpectedSettings(by_age_group=True))
    with pytest.raises(TypeError, match="counts"):
        fit_expected(None, counts="counts.csv")
    assert not fit_expected(None, counts=expected_counts(ors({}))).sufficient


def test_simulated_caseload_shares_are_plausible():
    """In sample the percentiles split the fitted ratings 25 / 25 / 50; out of sample (a
    different simulated agency, other clinicians) off track stays within 20-35%."""
    history, month = simulate(3000, seed=1), simulate(1500, seed=2)
    model = fit_expected(history)
    assert model.sufficient and model.n_episodes > 2000
    own = expected_status(history, model=model)
    fitted = own[own["basis"] == "fitted"]["etr_status"].value_counts(normalize=True)
    assert fitted["off_track"] == pytest.approx(0.25, abs=0.02)
    assert fitted["on_track"] == pytest.approx(0.50, abs=0.02)
    other = expected_status(month, model=model)
    later = other[other["etr_status"] != "intake"]["etr_status"].value_counts(normalize=True)
    assert 0.20 <= later["off_track"] <= 0.35
