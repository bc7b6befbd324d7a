"""Groups (srs_analytics.groups). All data here is synthetic.

A hand-built group of four: the group mean and sample SD, the members below the cutoff,
each member against the mean of the *other* members (exactly 5 below is below them, 4.9
is not), and a member who stays below: in 2 of their last 3 group sessions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.groups import (
    GROUP_MEMBER_COLUMNS,
    GROUP_SESSION_COLUMNS,
    GroupSettings,
    group_members,
    group_sessions,
)
from srs_analytics.schema import coerce_canonical

START = pd.Timestamp("2026-02-03")


def member(client, totals, *, group="G1", measure="GSRS", start=0, dated=True):
    """A member's group ratings, one per group session from ``start`` (None: absent)."""
    out = []
    for i, t in enumerate(totals):
        if t is None:
            continue
        out.append({"client_id": client, "episode_id": "E" + client, "clinician_id": "T9",
                    "session_number": i + 1 - start,
                    "session_date": START + pd.Timedelta(weeks=i) if dated else pd.NaT,
                    "measure": measure, "rater": "self", "group_id": group,
                    **{f"item_{j + 1}": t / 4 for j in range(4)}, "total": float(t)})
    return out


def table(*parts):
    return coerce_canonical(pd.DataFrame([r for p in parts for r in p]))


def test_the_group_session_mean_spread_and_members_below_the_cutoff():
    data = table(member("A", [40, 38]), member("B", [38, 36]), member("C", [36, 35.9]),
                 member("D", [30, 39]))
    out = group_sessions(data)
    assert list(out.columns) == list(GROUP_SESSION_COLUMNS)
    first = out.iloc[0]
    assert (first["group_id"], first["measure"], first["group_session"]) == ("G1", "GSRS", 1)
    assert (first["n_members"], first["members"]) == (4, "A;B;C;D")
    assert first["mean_total"] == 36.0
    assert first["sd_total"] == pytest.approx(np.std([40, 38, 36, 30], ddof=1))
    assert (first["min_total"], first["max_total"]) == (30.0, 40.0)
    assert (first["n_below_cutoff"], first["members_below"]) == (1, "D")
    assert first["lowest_member"] == "D"
    second = out.iloc[1]
    assert (second["n_below_cutoff"], second["members_below"]) == (1, "C")  # 36 is not low
    assert out["session_date"].tolist() == [START, START + pd.Timedelta(weeks=1)]


def test_each_member_is_read_against_the_mean_of_the_others():
    data = table(member("A", [40]), member("B", [38]), member("C", [36]), member("D", [30]))
    m = group_members(data).set_index("client_id")
    assert list(group_members(data).columns) == list(GROUP_MEMBER_COLUMNS)
    assert m.loc["D", "others_mean"] == 38.0 and m.loc["D", "diff_from_others"] == -8.0
    assert m.loc["A", "others_mean"] == pytest.approx(104 / 3)
    assert m["n_others"].tolist() == [3, 3, 3, 3]
    assert m["below_others"].tolist() == [False, False, False, True]


@pytest.mark.parametrize("low, below", [(33.0, True), (33.1, False)])
def test_exactly_5_below_the_others_is_below_them(low, below):
    data = table(member("A", [38]), member("B", [38]), member("C", [38]), member("D", [low]))
    m = group_members(data).set_index("client_id")
    assert bool(m.loc["D", "below_others"]) is below


def test_a_member_stays_below_in_2_of_their_last_3_group_sessions():
    others = [member(c, [38, 38, 38, 38, 38, 38]) for c in "ABC"]
    data = table(*others, member("D", [30, 37, 31, 37, 37, 30]))
    m = group_members(data)
    d = m[m["client_id"] == "D"]
    assert d["below_others"].tolist() == [True, False, True, False, False, True]
    assert d["recent_below_others"].tolist() == [1, 1, 2, 1, 1, 1]
    assert d["recent_window"].tolist() == [1, 2, 3, 3, 3, 3]
    assert d["stays_below"].tolist() == [False, False, True, False, False, False]
    assert group_sessions(data)["n_below_others"].tolist() == [1, 0, 1, 0, 0, 1]


def test_a_member_is_compared_only_with_at_least_two_others():
    data = table(member("A", [40, 40]), member("B", [30, 30]), member("C", [None, 40]))
    m = group_members(data)
    b = m[m["client_id"] == "B"]
    assert b["n_others"].tolist() == [1, 2]
    assert b["below_others"].tolist() == [False, True]
    alone = group_members(table(member("A", [40])))
    assert alone["n_others"].tolist() == [0] and alone["others_mean"].isna().all()
    assert group_sessions(table(member("A", [40])))["sd_total"].isna().all()


def test_members_who_join_late_keep_their_own_session_numbers():
    data = table(member("A", [38, 38, 38]), member("B", [38, 38, 38]),
                 member("C", [None, 30, 30], start=1))
    m = group_members(data)
    c = m[m["client_id"] == "C"]
    assert c["group_session"].tolist() == [2, 3]
    assert c["session_number"].tolist() == [1, 2]
    assert c["member_session"].tolist() == [1, 2]
    assert c["stays_below"].tolist() == [False, True]


def test_groups_and_measures_are_apart_and_ratings_without_a_group_are_left_out():
    data = table(member("A", [38]), member("B", [30]), member("C", [39], group="G2"),
                 member("K", [33], measure="CGSRS"), member("Z", [20], group=None),
                 [{**member("P", [20])[0], "measure": "SRS", "group_id": None}])
    out = group_sessions(data)
    assert list(zip(out["group_id"], out["measure"], out["n_members"])) == [
        ("G1", "CGSRS", 1), ("G1", "GSRS", 2), ("G2", "GSRS", 1)]


def test_undated_group_sessions_follow_the_session_number():
    data = table(member("A", [38, 39], dated=False), member("B", [36, 30], dated=False))
    out = group_sessions(data)
    assert out["group_session"].tolist() == [1, 2]
    assert out["session_date"].isna().all()
    assert out["mean_total"].tolist() == [37.0, 34.5]


def test_the_groups_lowest_item_is_the_lowest_mean():
    data = table(member("A", [38]), member("B", [38]))
    data.loc[0, ["item_1", "item_2", "item_3", "item_4"]] = [10, 10, 8, 10]
    data.loc[1, ["item_1", "item_2", "item_3", "item_4"]] = [9, 10, 9.5, 9.5]
    row = group_sessions(data).iloc[0]
    assert (row["lowest_item"], row["lowest_item_mean"]) == ("approach_method", 8.75)


def test_settings():
    data = table(member("A", [38]), member("B", [38]), member("C", [38]), member("D", [34]))
    assert not group_members(data)["below_others"].any()
    assert group_members(data, settings=GroupSettings(outlier_gap=4))["below_others"].sum() == 1
    with pytest.raises(ValueError, match="outlier_min"):
        GroupSettings(outlier_min=4)


def test_a_data_set_without_a_group_column_names_it():
    data = table(member("A", [38])).drop(columns="group_id")
    with pytest.raises(ValueError, match=r"group='group_id'"):
        group_sessions(data)


def test_the_sample_group():
    data = srs.load_sample()
    out = group_sessions(data)
    assert out["group_id"].tolist() == ["G01"] * 3
    assert out["n_members"].tolist() == [7, 7, 7]
    m = group_members(data)
    assert len(m) == 21 and not m["stays_below"].any()
    c = m[m["client_id"] == "C00300"]
    assert c["below_others"].tolist() == [False, True, False]  # 4.7, 6.33, then above
