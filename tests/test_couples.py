"""Couples and families (srs_analytics.couples). All data here is synthetic.

Hand-built cases at every boundary (docs/measures-and-rules.md, "Couples, families and
groups"): a total of exactly 36 is not below the cutoff and 35.9 is; a gap of exactly 5 is
large and 4.9 is not; a split in 2 of the last 3 joint sessions is persistent; a gap that
grew by exactly 5 over the last 3 joint sessions is widening; outcomes 5 points of change
apart part, 4.9 do not. The whole table is checked against a plain groupby on a simulated
caseload.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.couples import (
    COUPLE_EPISODE_COLUMNS,
    COUPLE_SESSION_COLUMNS,
    CoupleSettings,
    couple_episodes,
    couple_sessions,
)
from srs_analytics.schema import coerce_canonical

START = pd.Timestamp("2026-01-05")


def rated(client, values, *, episode="E1", measure="SRS", rater="self", age_group="adult"):
    """Rows of one client: one value per session (None: not rated); a value is a total
    (spread over the items) or a list of four items."""
    out = []
    for i, v in enumerate(values):
        if v is None:
            continue
        items = list(v) if np.ndim(v) else [v / 4] * 4
        out.append({"client_id": client, "episode_id": episode, "clinician_id": "T1",
                    "session_number": i + 1, "session_date": START + pd.Timedelta(weeks=i),
                    "measure": measure, "rater": rater, "age_group": age_group,
                    **{f"item_{j + 1}": x for j, x in enumerate(items)},
                    "total": float(np.sum(items))})
    return out


def table(*parts):
    return coerce_canonical(pd.DataFrame([r for p in parts for r in p]))


def srs_rows(out):
    return out[out["measure"] == "SRS"].reset_index(drop=True)


# --------------------------------------------------------------------------- sessions
def test_partners_40_and_35_are_split_with_a_gap_of_5():
    """The issue's case: 40 and 35 in one session is a split, and a gap of exactly 5 is
    large."""
    out = srs_rows(couple_sessions(table(rated("A", [40.0]), rated("B", [35.0]))))
    row = out.iloc[0]
    assert (row["n_clients"], row["clients"], row["totals"]) == (2, "A;B", "40;35")
    assert (row["min_total"], row["max_total"], row["gap"]) == (35.0, 40.0, 5.0)
    assert (row["lowest_client"], row["n_below_cutoff"], row["split"]) == ("B", 1, True)
    assert row["large_gap"]


@pytest.mark.parametrize("low, split", [(36.0, False), (35.9, True), (35.99, True)])
def test_one_partner_at_exactly_36_is_not_below_the_cutoff(low, split):
    out = srs_rows(couple_sessions(table(rated("A", [40.0]), rated("B", [low]))))
    assert out["split"].tolist() == [split]
    assert out["n_below_cutoff"].tolist() == [int(split)]


@pytest.mark.parametrize("b, large", [(35.0, True), (35.1, False), (30.0, True)])
def test_a_gap_of_exactly_5_is_large(b, large):
    out = srs_rows(couple_sessions(table(rated("A", [40.0]), rated("B", [b]))))
    assert out["large_gap"].tolist() == [large]


def test_both_below_the_cutoff_is_no_split_but_can_be_a_large_gap():
    out = srs_rows(couple_sessions(table(rated("A", [34.0, 35.0]), rated("B", [28.0, 34.0]))))
    assert out["split"].tolist() == [False, False]
    assert out["large_gap"].tolist() == [True, False]
    assert out["gap"].tolist() == [6.0, 1.0]


def test_only_sessions_where_two_or_more_clients_rated_are_joint():
    data = table(rated("A", [38.0, 39.0, 37.0]), rated("B", [36.5, None, 35.0]))
    out = srs_rows(couple_sessions(data))
    assert out["session_number"].tolist() == [1, 3]
    assert out["gap_change"].round(9).tolist()[1] == 0.5  # 2 - 1.5: the previous *joint* one


def test_individual_clients_collateral_raters_and_group_measures_are_not_partners():
    data = table(rated("A", [38.0], episode="E1"), rated("B", [30.0], episode="E2"),
                 rated("A", [20.0], episode="E1", measure="ORS", rater="partner"),
                 rated("A", [21.0], episode="E1", measure="ORS"),
                 rated("C", [35.0], episode="G", measure="GSRS"),
                 rated("D", [39.0], episode="G", measure="GSRS"))
    assert len(couple_sessions(data)) == 0
    assert list(couple_sessions(data).columns) == list(COUPLE_SESSION_COLUMNS)


def test_a_family_with_a_child_compares_the_srs_family_and_the_ors_family_apart():
    data = table(rated("P1", [39.0, 40.0]), rated("P2", [38.0, 37.0]),
                 rated("K", [33.0, 36.0], measure="CSRS", age_group="child"),
                 rated("P1", [20.0, 22.0], measure="ORS"),
                 rated("K", [30.0, 31.0], measure="CORS", age_group="child"),
                 rated("Y", [2.0, 3.0], measure="YCORS", age_group="young_child"))
    out = couple_sessions(data)
    assert out["measure"].tolist() == ["SRS", "SRS", "ORS", "ORS"]
    s = out.iloc[0]
    assert (s["measures"], s["n_clients"], s["clients"]) == ("SRS;CSRS", 3, "K;P1;P2")
    assert (s["lowest_client"], s["gap"], s["split"]) == ("K", 6.0, True)
    o = out.iloc[2]
    assert (o["measures"], o["clients"], o["totals"]) == ("ORS;CORS", "K;P1", "30;20")
    # the ORS family's cutoff is each client's own: adult 25, child CORS 32
    assert (o["n_below_cutoff"], o["split"]) == (2, False)


def test_the_outcome_split_reads_each_clients_own_cutoff():
    data = table(rated("A", [26.0], measure="ORS"), rated("B", [24.0], measure="ORS"),
                 rated("K", [31.0], measure="CORS", age_group="child"))
    row = couple_sessions(data).iloc[0]
    assert (row["n_below_cutoff"], row["split"]) == (2, True)  # B below 25, K below 32


def test_ties_for_lowest_name_every_client():
    out = srs_rows(couple_sessions(table(rated("A", [34.0]), rated("B", [34.0]),
                                         rated("C", [39.0]))))
    assert out["lowest_client"].tolist() == ["A;B"]


def test_the_most_divergent_item_and_its_gap():
    data = table(rated("A", [[9.5, 9.5, 9.0, 9.5]]), rated("B", [[9.0, 6.0, 8.5, 9.0]]))
    row = srs_rows(couple_sessions(data)).iloc[0]
    assert (row["most_divergent_item"], row["item_gap"]) == ("goals_topics", 3.5)
    tie = table(rated("A", [[10, 10, 10, 10]]), rated("B", [[8, 10, 10, 8]]))
    assert srs_rows(couple_sessions(tie))["most_divergent_item"].tolist() == [
        "relationship;overall"]


def test_no_divergent_item_without_two_clients_rating_items_or_without_a_difference():
    same = table(rated("A", [[9, 9, 9, 9]]), rated("B", [[9, 9, 9, 9]]))
    assert srs_rows(couple_sessions(same))["most_divergent_item"].isna().all()
    totals_only = table(rated("A", [[9, 9, 9, 9]]), rated("B", [30.0]))
    totals_only.loc[totals_only["client_id"] == "B", ["item_1", "item_2", "item_3",
                                                      "item_4"]] = np.nan
    out = srs_rows(couple_sessions(totals_only))
    assert out["most_divergent_item"].isna().all() and out["item_gap"].isna().all()
    imputed = table(rated("A", [[9, 9, 9, 9]]), rated("B", [30.0]))
    imputed["items_imputed"] = imputed["client_id"].eq("B")
    assert srs_rows(couple_sessions(imputed))["most_divergent_item"].isna().all()


def test_a_persistent_split_is_split_now_and_in_2_of_the_last_3_joint_sessions():
    #              1 split  2 no   3 split  4 no   5 no   6 split  7 split
    a = [40, 40, 40, 40, 40, 40, 40]
    b = [35, 38, 34, 38, 39, 33, 35]
    out = srs_rows(couple_sessions(table(rated("A", a), rated("B", b))))
    assert out["split"].tolist() == [True, False, True, False, False, True, True]
    assert out["recent_splits"].tolist() == [1, 1, 2, 1, 1, 1, 2]
    assert out["persistent_split"].tolist() == [False, False, True, False, False, False,
                                                True]


def test_a_widening_gap_grew_by_at_least_5_over_the_last_3_joint_sessions():
    a = [40, 40, 40, 40]
    out = srs_rows(couple_sessions(table(rated("A", a), rated("B", [40, 38, 35, 35.1]))))
    assert out["gap"].tolist() == [0, 2, 5, 4.9]
    assert out["gap_growth"].round(9).tolist()[2:] == [5.0, 2.9]
    assert out["widening_gap"].tolist() == [False, False, True, False]
    assert np.isnan(out["gap_growth"].iloc[:2]).all()


def test_outcomes_part_when_one_client_improved_reliably_and_another_lags_5_behind():
    data = table(rated("A", [10.0, 13.0, 16.0], measure="ORS"),
                 rated("B", [12.0, 12.5, 13.0], measure="ORS"),
                 rated("C", [15.0, 16.0, 17.1], measure="ORS"))
    out = couple_sessions(data)
    last = out.iloc[-1]
    assert (last["n_improved"], last["n_deteriorated"]) == (1, 0)
    assert last["change_spread"] == 5.0  # A +6, B +1 (C +2.1)
    assert bool(last["outcome_divergence"]) and last["lagging_client"] == "B"
    assert out["outcome_divergence"].tolist() == [False, False, True]


def test_outcomes_4_9_points_apart_do_not_part():
    data = table(rated("A", [10.0, 16.0], measure="ORS"), rated("B", [12.0, 13.1],
                                                                 measure="ORS"))
    last = couple_sessions(data).iloc[-1]
    assert last["change_spread"] == 4.9
    assert not last["outcome_divergence"] and pd.isna(last["lagging_client"])


def test_outcome_columns_are_missing_for_the_alliance_family():
    out = srs_rows(couple_sessions(table(rated("A", [40.0]), rated("B", [35.0]))))
    assert out["n_improved"].isna().all() and out["outcome_divergence"].isna().all()


def test_settings_change_the_thresholds():
    data = table(rated("A", [40.0, 40.0]), rated("B", [36.0, 37.0]))
    assert srs_rows(couple_sessions(data))["large_gap"].tolist() == [False, False]
    s = CoupleSettings(gap=3)
    assert srs_rows(couple_sessions(data, settings=s))["large_gap"].tolist() == [True, True]
    from srs_analytics.alliance import AllianceSettings
    s = CoupleSettings(alliance=AllianceSettings(cutoff=37))
    assert srs_rows(couple_sessions(data, settings=s))["split"].tolist() == [True, False]


@pytest.mark.parametrize("kwargs, match", [
    ({"gap": 0}, "gap must be a number"), ({"split_min": 4}, "split_min"),
    ({"window": 1.5}, "window must be an integer"), ({"lowest_share": 2}, "lowest_share"),
    ({"alliance": 36}, "alliance must be AllianceSettings")])
def test_bad_settings_say_which(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        CoupleSettings(**kwargs)


def test_settings_are_read_only():
    with pytest.raises(AttributeError):
        CoupleSettings().gap = 3


def test_output_columns_follow_the_callers_names():
    data = table(rated("A", [40.0]), rated("B", [35.0])).rename(
        columns={"episode_id": "case", "total": "score", "session_number": "visit"})
    out = couple_sessions(data, episode="case", total="score", session="visit")
    assert {"case", "visit"} <= set(out.columns) and "episode_id" not in out.columns
    assert out["gap"].tolist()[0] == 5.0


def test_missing_session_numbers_are_a_clear_error():
    data = table(rated("A", [40.0]), rated("B", [35.0]))
    data["session_number"] = pd.array([pd.NA, 1], dtype="Int64")
    with pytest.raises(ValueError, match="session='session_number' is missing"):
        couple_sessions(data)


def test_the_table_matches_a_plain_groupby_on_a_simulated_caseload():
    data = srs.simulate(1500, seed=3)
    out = couple_sessions(data)
    assert len(out) > 50
    own = data[data["rater"].eq("self") & data["measure"].isin(["SRS", "CSRS", "ORS",
                                                                "CORS"])].copy()
    own["family"] = np.where(own["measure"].isin(["SRS", "CSRS"]), "SRS", "ORS")
    g = own.groupby(["episode_id", "family", "session_number"])["total"]
    ref = pd.DataFrame({"n": g.size(), "lo": g.min(), "hi": g.max()})
    ref = ref[ref["n"] >= 2]
    got = out.set_index(["episode_id", "measure", "session_number"]).sort_index()
    ref = ref.sort_index()
    assert got.index.tolist() == ref.index.tolist()
    np.testing.assert_array_equal(got["n_clients"], ref["n"])
    np.testing.assert_allclose(got["gap"], ref["hi"] - ref["lo"])
    srs_part = ref.xs("SRS", level="family")
    low = own[own["family"].eq("SRS")].assign(b=lambda d: d["total"] < 36)
    below = low.groupby(["episode_id", "session_number"])["b"].agg(["sum", "size"])
    below = below.loc[srs_part.index]
    split = (below["sum"] >= 1) & (below["sum"] < below["size"])
    assert got.xs("SRS", level="measure")["split"].tolist() == split.tolist()


def test_the_sample_holds_couples_and_families():
    out = couple_sessions(srs.load_sample())
    joint = out.groupby("episode_id")["n_clients"].max()
    assert (joint == 2).sum() == 8 and (joint == 3).sum() == 2  # 6 couples, 4 families
    fam = out[(out["episode_id"] == "E00278") & (out["measure"] == "SRS")]
    assert set(fam["measures"]) == {"SRS;CSRS"} and len(fam) == 10


# --------------------------------------------------------------------------- episodes
def test_the_episode_summary_counts_splits_and_fits_the_gap_trend():
    # gaps 1, 3, 5, 7 at sessions 1-4: slope 2 points per session
    data = table(rated("A", [40, 40, 40, 40]), rated("B", [39, 37, 35, 33]))
    row = couple_episodes(data).iloc[0]
    assert list(couple_episodes(data).columns) == list(COUPLE_EPISODE_COLUMNS)
    assert (row["measure"], row["n_clients"], row["clients"]) == ("SRS", 2, "A;B")
    assert (row["n_joint_sessions"], row["n_split"], row["share_split"]) == (4, 2, 0.5)
    assert (row["gap_first"], row["gap_last"], row["gap_mean"], row["gap_max"]) == (
        1.0, 7.0, 4.0, 7.0)
    assert row["gap_slope"] == pytest.approx(2.0)
    assert row["gap_trend"] == "widening"
    assert (row["lowest_client"], row["n_lowest"], row["share_lowest"]) == ("B", 4, 1.0)
    assert row["consistently_lowest"]


@pytest.mark.parametrize("b, trend", [
    ([39, 38.5, 38], "widening"),      # slope 0.5: at the threshold
    ([39, 38.55, 38.1], "stable"),     # slope 0.45
    ([35, 35.5, 36], "narrowing"),     # slope -0.5
    ([39, 38], "insufficient"),        # two joint sessions
])
def test_the_gap_trend_thresholds(b, trend):
    data = table(rated("A", [40] * len(b)), rated("B", b))
    assert couple_episodes(data)["gap_trend"].tolist() == [trend]


def test_the_consistently_lowest_client_needs_three_quarters_of_three_sessions():
    data = table(rated("A", [40, 38, 40, 40]), rated("B", [39, 39, 39, 39]))
    row = couple_episodes(data).iloc[0]
    assert (row["lowest_client"], row["n_lowest"], row["share_lowest"]) == ("B", 3, 0.75)
    assert row["consistently_lowest"]
    data = table(rated("A", [40, 38, 38, 40]), rated("B", [39, 39, 39, 39]))
    row = couple_episodes(data).iloc[0]
    assert (row["lowest_client"], row["n_lowest"]) == ("A", 2)  # a tie: A first in id order
    assert not row["consistently_lowest"]


def test_sessions_with_a_tie_for_lowest_count_for_no_one():
    data = table(rated("A", [38, 38, 39]), rated("B", [38, 38, 40]))
    row = couple_episodes(data).iloc[0]
    assert (row["lowest_client"], row["n_lowest"]) == ("A", 1)


def test_episode_outcome_divergence_reads_each_clients_whole_episode():
    # B is seen alone at session 3; the latest change counts, joint or not
    data = table(rated("A", [10.0, 12.0, None, 17.0], measure="ORS"),
                 rated("B", [12.0, 11.0, 13.0, None], measure="ORS"))
    eps = couple_episodes(data)
    row = eps[eps["measure"] == "ORS"].iloc[0]
    assert row["improved_clients"] == "A" and bool(row["outcome_divergence"])
    assert row["lagging_client"] == "B"  # A +7, B +1: 6 apart
    srs_row = couple_episodes(table(rated("A", [40.0]), rated("B", [35.0]))).iloc[0]
    assert pd.isna(srs_row["outcome_divergence"]) and pd.isna(srs_row["improved_clients"])


def test_no_couples_give_an_empty_summary_with_its_columns():
    out = couple_episodes(table(rated("A", [38.0, 39.0])))
    assert len(out) == 0 and list(out.columns) == list(COUPLE_EPISODE_COLUMNS)


def test_a_family_of_three_with_a_collateral_rater():
    """The issue's family: two parents and a child, and a parent who also rates the
    child's CORS. The parent's rating of the child is collateral: it never makes the
    parent a partner in the child's session, and it is read beside the child's own."""
    data = table(rated("P1", [38, 39, 39]), rated("P2", [37, 36, 38]),
                 rated("K", [35, 33, 32], measure="CSRS", age_group="child"),
                 rated("P1", [18, 20, 24], measure="ORS"),
                 rated("K", [24, 25, 26], measure="CORS", age_group="child"),
                 rated("K", [30, 27, 24], measure="CORS", rater="parent", age_group="child"))
    out = couple_sessions(data)
    ors = out[out["measure"] == "ORS"]
    assert ors["clients"].tolist() == ["K;P1"] * 3  # the parent's CORS of K is not P1's
    assert ors["totals"].tolist() == ["24;18", "25;20", "26;24"]
    alliance = srs_rows(out)
    assert alliance["split"].tolist() == [True, True, True]
    assert alliance["persistent_split"].tolist() == [False, True, True]
    eps = couple_episodes(data).set_index("measure")
    assert (eps.loc["SRS", "lowest_client"], bool(eps.loc["SRS", "consistently_lowest"])) == (
        "K", True)
    beside = srs.collateral_sessions(data)
    assert beside["gap"].tolist() == [6.0, 2.0, -2.0]
    assert beside["unshared_deterioration"].tolist() == [False, False, True]
    found = srs.alerts(data)
    assert set(found.loc[found["client_id"] == "K", "rule"]) >= {
        "split_alliance", "persistent_split", "collateral_deterioration"}
