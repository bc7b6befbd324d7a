"""Alliance flags and patterns (srs_analytics.alliance). All data here is synthetic.

Every flag is tested where it fires and at its boundary (docs/measures-and-rules.md): SRS 36 is
not low and 35.9 is; 39 is at the ceiling and 38.9 is not; a fall of exactly 1 is a drop
and 0.9 is not; exactly 5 is sharp and 4.9 is not; an item of 9 is not low and 8.9 is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from srs_analytics.alliance import PATTERNS, AllianceSettings, client_alliance, session_alliance
from srs_analytics.schema import coerce_canonical
from srs_analytics.synthetic import simulate


def srs(sessions, client="C1", episode=None, measure="SRS", rater="self", start=1):
    """A canonical table of one client's alliance ratings.

    ``sessions`` holds totals (spread evenly over the four items) or four-item lists.
    """
    rows = []
    for i, value in enumerate(sessions):
        items = list(value) if np.ndim(value) else [value / 4] * 4
        rows.append({"client_id": client, "episode_id": episode or client,
                     "clinician_id": "T1", "session_number": start + i,
                     "session_date": pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=i),
                     "measure": measure, "rater": rater,
                     **{f"item_{j + 1}": v for j, v in enumerate(items)},
                     "total": float(np.sum(items)) if np.ndim(value) else float(value)})
    return coerce_canonical(pd.DataFrame(rows))


def flags(sessions, column, **kwargs):
    return session_alliance(srs(sessions), **kwargs)[column].tolist()


# --------------------------------------------------------------------------- session flags
def test_low_total_boundary():
    assert flags([36.0, 35.9, 35.99, 40.0], "below_cutoff") == [False, True, True, False]


def test_low_total_allows_floating_point_error_in_a_sum_of_items():
    # 8.9 + 9.1 + 9.0 + 9.0 is 35.99999999999999 in floating point: not low
    assert flags([[8.9, 9.1, 9.0, 9.0]], "below_cutoff") == [False]


def test_ceiling_boundary():
    assert flags([39.0, 38.9, 40.0], "at_ceiling") == [True, False, True]


def test_drop_boundary():
    out = session_alliance(srs([38.3, 37.3, 36.4, 36.4, 37.0]))
    assert out["drop"].tolist() == [False, True, False, False, False]
    assert out["change_from_previous"].tolist()[1:] == [-1.0, -0.9, 0.0, 0.6]
    assert np.isnan(out["change_from_previous"].iloc[0])


def test_sharp_drop_boundary():
    out = session_alliance(srs([38.0, 33.0, 38.3, 33.4, 38.0, 29.0]))
    assert out["sharp_drop"].tolist() == [False, True, False, False, False, True]
    assert out["drop"].tolist() == [False, True, False, True, False, True]


def test_low_item_boundary_and_labels():
    out = session_alliance(srs([[9.0, 8.9, 10, 10], [8.0, 9.0, 8.5, 9.0], [9, 9, 9, 9]]))
    assert out["low_items"].tolist() == ["goals_topics", "relationship;approach_method", ""]
    assert out["n_low_items"].tolist() == [1, 2, 0]
    assert out["low_relationship"].tolist() == [False, True, False]
    assert out["low_goals_topics"].tolist() == [True, False, False]
    assert out["low_approach_method"].tolist() == [False, True, False]
    assert out["low_overall"].tolist() == [False, False, False]


def test_lowest_item_names_every_tied_item_in_item_order():
    out = session_alliance(srs([[9, 8, 8, 10], [7, 9, 9, 9], [10, 10, 10, 10]]))
    assert out["lowest_item"].tolist() == [
        "goals_topics;approach_method", "relationship",
        "relationship;goals_topics;approach_method;overall"]
    assert out["lowest_item_score"].tolist() == [8.0, 7.0, 10.0]


def test_imputed_or_missing_items_give_na_item_flags_but_keep_total_flags():
    data = srs([[8, 8, 8, 8], [8, 8, 8, 8], [9, 9, 9, np.nan]])
    data.loc[0, "items_imputed"] = True
    data.loc[2, "total"] = 35.0  # a total-only rating with a partial set of items
    out = session_alliance(data)
    for col in ("lowest_item", "low_items", "n_low_items", "low_relationship",
                "repeated_low_item", "lowest_item_score"):
        assert out[col].isna().tolist() == [True, False, True], col
    assert out["below_cutoff"].tolist() == [True, True, True]
    # the imputed rating does not count as low in the window: only one low rating by session 2
    assert out["repeated_low_item"].iloc[1] == ""


def test_repeated_low_item_is_low_now_and_in_one_of_the_two_before():
    low, ok = [7.9, 10, 10, 10], [10, 10, 10, 10]
    assert flags([low, ok, low], "repeated_low_item") == ["", "", "relationship"]
    assert flags([low, low], "repeated_low_item") == ["", "relationship"]
    # low at sessions 1 and 4 only: the window of session 4 is 2-4, one low rating
    assert flags([low, ok, ok, low], "repeated_low_item") == ["", "", "", ""]
    # it holds only while the item is still low: recovered at session 3, nothing
    assert flags([low, low, ok], "repeated_low_item") == ["", "relationship", ""]
    # the label lists every repeated item
    both = [7, 10, 7.5, 10]
    assert flags([both, ok, both], "repeated_low_item") == [
        "", "", "relationship;approach_method"]


def test_repeated_low_item_is_below_8_and_recurring_below_9():
    eights, boundary = [8.5, 10, 10, 10], [8.0, 10, 10, 10]
    assert flags([eights, eights, eights], "repeated_low_item") == ["", "", ""]
    assert flags([eights, eights, eights], "recurring_low_item") == [
        "", "relationship", "relationship"]
    assert flags([boundary, boundary], "repeated_low_item") == ["", ""]  # 8 is not below 8
    assert flags([[7.99, 10, 10, 10]] * 2, "repeated_low_item") == ["", "relationship"]
    assert flags([[9.0, 10, 10, 10]] * 2, "recurring_low_item") == ["", ""]


def test_repeated_low_item_window_is_a_setting():
    low, ok = [7, 10, 10, 10], [10, 10, 10, 10]
    wide = AllianceSettings(repeat_window=4)
    assert flags([low, ok, ok, low], "repeated_low_item", settings=wide)[-1] == "relationship"
    high = AllianceSettings(repeat_low=9)
    assert flags([[8.5, 10, 10, 10]] * 2, "repeated_low_item", settings=high) == [
        "", "relationship"]


def test_deep_and_fallen_items_boundaries():
    out = session_alliance(srs([[10, 10, 10, 10], [7.0, 7.1, 10, 10], [10, 10, 7.01, 9.9],
                                [10, 10, 7.0, 6.9]]))
    assert out["deep_items"].tolist() == ["", "relationship", "", "approach_method;overall"]
    # a fall of exactly 3 counts (10 to 7; 9.9 to 6.9 in floating point), 2.9 and 2.99 not
    assert out["fallen_items"].tolist() == ["", "relationship", "", "overall"]
    # the first rating and a rating after one without items have no fall
    data = srs([[10, 10, 10, 10], [10, 10, 10, 10], [6, 10, 10, 10]])
    data.loc[1, "items_imputed"] = True
    fallen = session_alliance(data)["fallen_items"]
    assert fallen.isna().tolist() == [False, True, False] and fallen.iloc[2] == ""


def test_each_measure_is_its_own_series():
    """An individual SRS followed by a group GSRS: no drop, no streak across measures."""
    data = pd.concat([srs([39.5, 39.5], client="A"),
                      srs([[8, 8, 8, 8], [8, 8, 8, 8]], client="A", measure="GSRS", start=3)])
    out = session_alliance(data)
    assert out["measure"].tolist() == ["GSRS", "GSRS", "SRS", "SRS"]
    assert out["change_from_previous"].isna().tolist() == [True, False, True, False]
    assert not out["drop"].any()
    assert out["ceiling_streak"].tolist() == [0, 0, 1, 2]
    per = client_alliance(data)
    assert per["measure"].tolist() == ["GSRS", "SRS"]
    assert per["n_sessions"].tolist() == [2, 2] and per["srs_first"].tolist() == [32.0, 39.5]


def test_no_variation_and_ceiling_streak():
    out = session_alliance(srs([36, 36, 36, 36, 40, 40, 38, 39, 39]))
    assert out["no_variation"].tolist() == [False] * 3 + [True] + [False] * 5
    assert out["ceiling_streak"].tolist() == [0, 0, 0, 0, 1, 2, 0, 1, 2]


def test_windows_do_not_cross_episodes_or_clients():
    data = pd.concat([srs([39, 39, 39, 39], client="A"), srs([39, 30], client="B"),
                      srs([[8, 10, 10, 10]], client="C"), srs([[8, 10, 10, 10]], client="D")])
    out = session_alliance(data)
    assert out["ceiling_streak"].tolist() == [1, 2, 3, 4, 1, 0, 0, 0]
    assert out["no_variation"].tolist() == [False, False, False, True] + [False] * 4
    assert out["drop"].tolist() == [False] * 5 + [True, False, False]
    assert out["repeated_low_item"].tolist()[-2:] == ["", ""]
    assert out["fallen_items"].tolist()[-2:] == ["", ""]


def test_rows_are_sorted_and_other_measures_and_raters_left_out():
    data = pd.concat([srs([38, 30, 39], client="B"), srs([37, 36], client="A"),
                      srs([20, 22], client="A", measure="ORS"),
                      srs([30, 31], client="A", rater="partner"),
                      srs([39, 39], client="G", measure="GSRS"),
                      srs([35, 35], client="K", measure="CSRS")]).sample(frac=1, random_state=3)
    out = session_alliance(data)
    assert list(zip(out["client_id"], out["session_number"])) == [
        ("A", 1), ("A", 2), ("B", 1), ("B", 2), ("B", 3), ("G", 1), ("G", 2), ("K", 1),
        ("K", 2)]
    assert set(out["rater"]) == {"self"}
    both = session_alliance(data, settings=AllianceSettings(raters=("self", "partner")))
    assert len(both) == 11
    partner = both[both["rater"] == "partner"]
    assert partner["drop"].tolist() == [False, False]  # kept apart from the client's own


def test_columns_and_dtypes():
    out = session_alliance(srs([38, 30]))
    assert list(out.columns) == [
        "client_id", "episode_id", "clinician_id", "session_number", "session_date",
        "measure", "rater", "total", "item_1", "item_2", "item_3", "item_4", "items_imputed",
        "lowest_item", "lowest_item_score", "below_cutoff", "at_ceiling", "ceiling_streak",
        "no_variation", "change_from_previous", "drop", "sharp_drop", "low_items",
        "n_low_items", "low_relationship", "low_goals_topics", "low_approach_method",
        "low_overall", "deep_items", "fallen_items", "repeated_low_item",
        "recurring_low_item"]
    assert out["below_cutoff"].dtype == bool and out["low_overall"].dtype == "boolean"


def test_custom_column_names_and_missing_optional_columns():
    data = srs([38, 30]).rename(columns={"client_id": "person", "total": "score"})
    data = data.drop(columns=["clinician_id", "session_date"])
    out = session_alliance(data, client="person", total="score")
    assert out["drop"].tolist() == [False, True] and "person" in out


def test_bad_input_names_the_column():
    with pytest.raises(ValueError, match="client='who'"):
        session_alliance(srs([38]), client="who")
    data = srs([38, 37])
    data.loc[1, "session_number"] = pd.NA
    with pytest.raises(ValueError, match="session='session_number'"):
        session_alliance(data)
    with pytest.raises(TypeError, match="DataFrame"):
        session_alliance([1, 2])
    with pytest.raises(ValueError, match="repeat_min"):
        AllianceSettings(repeat_min=4)


# --------------------------------------------------------------------------- per episode
def pattern(totals, **kwargs):
    return client_alliance(srs(totals), **kwargs)["alliance_pattern"].iloc[0]


@pytest.mark.parametrize("totals, expected", [
    ([32, 34, 37, 39], "ascending"),            # imperfect start, improving
    ([38, 37.5, 39, 39.5], "ascending"),        # below the ceiling at first, 1.5 up
    ([39, 40, 39.5, 40], "stable_high"),        # excellent throughout (39 is no room to rise)
    ([39, 28, 39, 39], "stable_high"),          # a rupture repaired by the end
    ([40, 40, 40], "stable_high"),
    ([39, 40, 38, 35], "high_then_drop"),       # excellent, then worse at the end
    ([40, 40, 39], "high_then_drop"),           # "even by a small amount"
    ([33, 39, 39, 33], "high_then_drop"),       # fell back into the low range
    ([30, 39, 39, 31], "high_then_drop"),       # not ascending: a sharp drop from its peak
    ([34, 33, 32, 31], "descending"),           # low and falling
    ([30, 31, 30, 30.5], "stable_low"),         # low without a rise
    ([35, 36, 35, 35.5], "stable_low"),         # a wobble around the cutoff is no drop
    ([35, 36.5, 35, 35.5], "high_then_drop"),
    ([38, 37], "insufficient"),
    ([38], "insufficient"),
])
def test_alliance_patterns(totals, expected):
    assert pattern(totals) == expected


def test_pattern_thresholds_are_settings():
    assert pattern([40, 40, 39]) == "high_then_drop"
    assert pattern([40, 40, 39], settings=AllianceSettings(fall=2)) == "stable_high"
    assert pattern([38, 38, 38.5]) == "stable_high"
    assert pattern([38, 38, 38.5], settings=AllianceSettings(rise=0.5)) == "ascending"
    assert pattern([38, 37], settings=AllianceSettings(min_sessions=2)) == "high_then_drop"


def test_every_pattern_is_a_documented_one():
    per = client_alliance(simulate(300, seed=1))
    assert set(per["alliance_pattern"]) <= set(PATTERNS)
    assert (per["alliance_pattern"] == "insufficient").eq(per["n_sessions"] < 3).all()


def test_summary_statistics_and_slope_on_a_known_line():
    data = srs([31.0, 32.5, 35.5, 40.0], start=1)
    data["session_number"] = pd.array([1, 2, 4, 7], dtype="Int64")
    row = client_alliance(data).iloc[0]
    assert row["srs_slope"] == pytest.approx(1.5)
    assert (row["n_sessions"], row["srs_first"], row["srs_last"], row["srs_min"]) == (
        4, 31.0, 40.0, 31.0)
    assert row["srs_mean"] == pytest.approx(34.75)
    assert row["share_below_cutoff"] == 0.75 and row["share_at_ceiling"] == 0.25
    assert row["early_change"] == pytest.approx(1.5)  # sessions 1 and 2: no rating at 3


@pytest.mark.parametrize("numbers, expected", [
    ([1, 2, 3, 4], 4.0),     # session 3 - session 1
    ([1, 3, 5, 6], 2.0),     # session 3 - session 1, no rating at 2
    ([2, 3, 4, 5], 2.0),     # no rating at 1: session 3 - session 2
    ([3, 4, 5, 6], np.nan),  # one rating in sessions 1-3
])
def test_early_change(numbers, expected):
    data = srs([30.0, 32.0, 34.0, 36.0])
    data["session_number"] = pd.array(numbers, dtype="Int64")
    assert client_alliance(data)["early_change"].iloc[0] == pytest.approx(expected,
                                                                          nan_ok=True)


def test_lowest_item_over_the_episode_uses_item_means():
    data = srs([[10, 8, 10, 10], [10, 10, 10, 10], [10, 10, 8, 10]])
    row = client_alliance(data).iloc[0]
    assert row["lowest_item"] == "goals_topics;approach_method"  # both average 9.3333
    assert row["lowest_item_mean"] == pytest.approx(28 / 3)
    data.loc[2, "items_imputed"] = True  # left out of the item means
    row = client_alliance(data).iloc[0]
    assert (row["lowest_item"], row["lowest_item_mean"]) == ("goals_topics", 9.0)
    totals_only = srs([36, 37, 38]).assign(item_1=np.nan)
    assert client_alliance(totals_only)["lowest_item"].isna().all()


def test_couples_give_one_row_per_client():
    data = pd.concat([srs([39, 39, 40], client="P1", episode="E1"),
                      srs([33, 30, 29], client="P2", episode="E1")])
    out = client_alliance(data)
    assert out[["client_id", "episode_id"]].values.tolist() == [["P1", "E1"], ["P2", "E1"]]
    assert out["alliance_pattern"].tolist() == ["stable_high", "descending"]


def test_false_reassurance_flags_and_mixed_measures():
    data = pd.concat([srs([39, 40, 39.5], client="A"), srs([39, 40], client="B"),
                      srs([36, 36, 36, 36], client="C"),
                      srs([35, 36], client="D", measure="CSRS"),
                      srs([37], client="D", measure="SRS", start=3)])
    out = client_alliance(data).set_index("client_id")
    assert out["all_at_ceiling"].to_dict() == {"A": True, "B": False, "C": False, "D": False}
    assert out["no_variation"].to_dict() == {"A": False, "B": False, "C": True, "D": False}
    # a child who moved from the CSRS to the SRS: one row per measure, never mixed
    assert out.loc["D", "measure"].tolist() == ["CSRS", "SRS"]
    assert out.loc["D", "n_sessions"].tolist() == [2, 1]
    assert out.loc["A", "measure"] == "SRS"


def test_client_columns():
    out = client_alliance(srs([38, 30, 39]))
    assert list(out.columns) == [
        "client_id", "episode_id", "rater", "clinician_id", "measure", "n_sessions",
        "srs_first", "srs_last", "srs_mean", "srs_min", "srs_slope", "early_change",
        "share_below_cutoff", "share_at_ceiling", "all_at_ceiling", "no_variation",
        "lowest_item", "lowest_item_mean", "alliance_pattern"]


def test_empty_input_gives_empty_tables():
    data = srs([20, 22], measure="ORS")
    assert session_alliance(data).empty
    out = client_alliance(data)
    assert out.empty and "alliance_pattern" in out


def test_simulated_caseload_agrees_with_a_per_client_loop():
    """The vectorised flags against a plain per-client computation on simulated data."""
    data = simulate(120, seed=7)
    out = session_alliance(data)
    per = client_alliance(data)
    for (c, e), g in out.groupby(["client_id", "episode_id"]):
        t = g["total"].to_numpy()
        assert g["drop"].tolist() == [False] + list(np.diff(t) <= -1 + 1e-9)
        row = per[(per["client_id"] == c) & (per["episode_id"] == e)].iloc[0]
        assert row["srs_mean"] == pytest.approx(t.mean())
        if len(t) > 1 and g["session_number"].nunique() > 1:
            slope = np.polyfit(g["session_number"].astype(float), t, 1)[0]
            assert row["srs_slope"] == pytest.approx(slope)
