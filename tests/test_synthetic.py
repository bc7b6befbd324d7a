"""Tests of the synthetic caseload generator (all data here is synthetic).

The published figures the simulation is built to reproduce (docs/measures-and-rules.md,
"Synthetic data"): adult intake ORS 16-19 with SD about 7 (Miller et al. 2003), a strong SRS
ceiling (Meier and Feeley 2022), alliance-outcome r = .278 (Flückiger et al. 2018) and an
ORS-SRS correlation of .29.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from srs_analytics.schema import CANONICAL_COLUMNS, CANONICAL_SCHEMA, ITEM_COLUMNS
from srs_analytics.synthetic import simulate

ALLIANCE = ["SRS", "CSRS", "GSRS"]


@pytest.fixture(scope="module")
def df():
    return simulate(600, seed=3)


@pytest.fixture(scope="module")
def big():
    return simulate(5000, seed=11)


def _self(data, measures):
    return data[(data["rater"] == "self") & data["measure"].isin(measures)]


def _srs_sessions(data):
    """SRS-family totals and items, one row per client and session, in session order."""
    return _self(data, ALLIANCE).sort_values(["client_id", "session_number"])


# --- the table --------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 5, 20, 600])
def test_schema_validates(n):
    out = simulate(n, seed=n)
    CANONICAL_SCHEMA.validate(out)
    assert list(out.columns) == list(CANONICAL_COLUMNS)
    assert out["client_id"].nunique() == n


def test_big_schema_validates(big):
    CANONICAL_SCHEMA.validate(big)


def test_deterministic_per_seed():
    a, b = simulate(200, seed=5), simulate(200, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(simulate(200, seed=6))
    CANONICAL_SCHEMA.validate(simulate(50, seed=None))


def test_identifiers_and_provenance(df):
    assert df["client_id"].str.fullmatch(r"C\d{5}").all()
    assert df["episode_id"].str.fullmatch(r"E\d{5}").all()
    assert df["clinician_id"].str.fullmatch(r"T\d{2}").all()
    assert set(df["site"]) == {"North", "South", "East"}
    assert df["clinician_id"].nunique() == 8
    assert (df.groupby("clinician_id")["site"].nunique() == 1).all()
    assert (df["source_file"] == "simulated").all()
    assert df["source_row"].tolist() == list(range(1, len(df) + 1))
    assert not df["items_imputed"].any()
    wide = simulate(120, seed=0, n_clinicians=12, n_sites=10)
    assert wide["clinician_id"].str.fullmatch(r"T\d{2}").all()
    assert wide["site"].nunique() > 3


def test_totals_equal_item_sums_and_ranges(big):
    items = big[list(ITEM_COLUMNS)]
    full = items.notna().all(axis=1)
    assert np.allclose(items[full].sum(axis=1), big.loc[full, "total"], atol=1e-9)
    assert ((items[full] >= 0) & (items[full] <= 10)).all().all()
    assert big["total"].between(0, 40).all()
    ycors = big[big["measure"] == "YCORS"]
    assert len(ycors) > 0 and ycors[list(ITEM_COLUMNS)].isna().all().all()
    assert set(ycors["total"]) <= {1.0, 2.0, 3.0, 4.0}
    assert (big["measure"] == "YCORS").eq(~full).all()


@pytest.mark.parametrize("fmt, step", [("paper", 10), ("digital", 100), ("verbal", 1)])
def test_item_resolution_follows_format(big, fmt, step):
    rows = (big["format"] == fmt) & (big["measure"] != "YCORS")
    values = big.loc[rows, list(ITEM_COLUMNS)].to_numpy().ravel() * step
    assert np.allclose(values, np.round(values))
    if step > 1:  # and the finer steps are used
        assert not np.allclose(values / 10, np.round(values / 10))


def test_session_numbers_contiguous_and_dates_ordered(big):
    per = big.groupby(["episode_id", "client_id"])["session_number"]
    assert (per.min() == 1).all()
    assert (per.max() == per.nunique()).all()
    dates = big.groupby(["episode_id", "session_number"])["session_date"].nunique()
    assert (dates == 1).all()  # ORS and SRS (and every member) share the date
    first = big.drop_duplicates(["episode_id", "session_number"])
    gaps = first.sort_values(["episode_id", "session_number"]).groupby("episode_id")[
        "session_date"].diff().dropna().dt.days
    assert (gaps > 0).all()
    assert gaps.median() == 7  # weekly-ish
    assert (gaps >= 21).mean() > 0.03  # with some gaps
    assert (big["session_date"].dt.day_of_week < 5).all()


def test_every_outcome_session_has_one_self_outcome(big):
    out = big[(big["rater"] == "self") & big["measure"].isin(["ORS", "CORS", "YCORS"])]
    assert not out.duplicated(["client_id", "session_number"]).any()
    sessions = big[["client_id", "session_number"]].drop_duplicates()
    assert len(out) == len(sessions)
    srs = _self(big, ALLIANCE)
    assert not srs.duplicated(["client_id", "session_number"]).any()


def test_episode_lengths_right_skewed(big):
    n = big.groupby("episode_id")["session_number"].max()
    assert 4 <= n.median() <= 6
    assert n.mean() > n.median()
    assert n.max() <= 20
    assert 0.08 <= (n == 1).mean() <= 0.25


def test_episode_status(big):
    status = big.groupby("episode_id")["episode_status"]
    assert (status.nunique() == 1).all()
    share = status.first().value_counts(normalize=True)
    assert set(share.index) == {"open", "closed_planned", "closed_unplanned"}
    assert 0.15 <= share["closed_unplanned"] <= 0.45
    last = big.groupby("episode_id")["session_date"].max()
    is_open = status.first() == "open"
    assert last[is_open].min() > last[~is_open].median()  # the most recent episodes


def test_format_setting_and_comments(big):
    assert set(big["format"]) == {"paper", "digital", "verbal"}
    assert set(big["setting"]) == {"in_person", "telehealth"}
    assert (big.loc[big["setting"] == "telehealth", "format"] != "paper").all()
    commented = big[big["comment"].notna()]
    assert 0.01 < len(commented) / len(big) < 0.10
    assert commented["measure"].isin(ALLIANCE).all()
    assert commented["comment"].str.len().between(5, 100).all()


def test_n_administrations_scales():
    out = simulate(n_administrations=20_000, seed=2)
    assert 17_000 <= len(out) <= 23_000


@pytest.mark.parametrize("kwargs, name", [({"n_clients": 0}, "n_clients"),
                                           ({"n_sites": 0}, "n_sites"),
                                           ({"p_end": 1.5}, "p_end"),
                                           ({"retest_sd": 9.0}, "retest_sd")])
def test_bad_arguments_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        simulate(**kwargs)


# --- published figures ------------------------------------------------------------------

def test_adult_intake_ors(big):
    """Adult outpatients start at about 16-19 with SD about 7 (the PCOMS literature's
    typical figures)."""
    intake = _self(big, ["ORS"])
    intake = intake[(intake["age_group"] == "adult") & (intake["session_number"] == 1)]
    assert len(intake) > 2000
    assert 16 <= intake["total"].mean() <= 19
    assert 6 <= intake["total"].std() <= 8


def test_srs_ceiling(big):
    """Most SRS totals 36-40, many at 39-40, left-skewed (Meier and Feeley 2022)."""
    total = _self(big, ALLIANCE)["total"]
    assert 0.30 <= (total >= 39).mean() <= 0.55
    assert 0.65 <= (total >= 36).mean() <= 0.90
    assert 0.10 <= (total == 40).mean() <= 0.35
    assert total.median() >= 37
    assert total.skew() < -1
    srs = _self(big, ["SRS"])
    at = srs.groupby(srs["session_number"].clip(upper=6))["total"].apply(lambda t: (t >= 39).mean())
    assert at.loc[6] > at.loc[1]  # the ceiling grows slightly over sessions


def test_alliance_outcome_correlation(big):
    """Client mean SRS vs ORS change: r = .278 in Flückiger et al. (2018)."""
    ors = _self(big, ["ORS"]).sort_values(["client_id", "session_number"])
    by = ors.groupby("client_id")["total"]
    change = (by.last() - by.first())[by.size() >= 2]
    alliance = _self(big, ["SRS", "GSRS"]).groupby("client_id")["total"].mean()
    both = pd.concat([change.rename("change"), alliance.rename("srs")], axis=1).dropna()
    assert len(both) > 2500
    assert 0.18 <= both["srs"].corr(both["change"]) <= 0.38


def test_ors_srs_session_correlation(big):
    """SRS correlates .29 with ORS (Duncan et al. 2003)."""
    keys = ["client_id", "session_number"]
    both = _self(big, ["ORS"]).merge(_self(big, ["SRS"]), on=keys, suffixes=("_o", "_s"))
    assert 0.15 <= both["total_o"].corr(both["total_s"]) <= 0.45


def test_improvement_depends_on_intake_and_some_deteriorate(big):
    ors = _self(big, ["ORS"]).sort_values(["client_id", "session_number"])
    by = ors.groupby("client_id")["total"]
    keep = by.size() >= 3
    intake, change = by.first()[keep], (by.last() - by.first())[keep]
    assert intake.corr(change) < -0.3  # lower intakes improve more
    assert 3 <= change.mean() <= 10
    assert 0.02 <= (change <= -5).mean() <= 0.15  # reliable deterioration


# --- the cohorts and patterns the toolkit must find -------------------------------------

def test_couples_and_families_share_an_episode_with_split_alliances(df):
    selfs = df[(df["rater"] == "self") & df["group_id"].isna()]
    shared = selfs.groupby("episode_id")["client_id"].nunique()
    joint = selfs[selfs["episode_id"].isin(shared[shared > 1].index)]
    assert joint["episode_id"].nunique() >= 5
    srs = joint[joint["measure"].isin(["SRS", "CSRS"])]
    spread = srs.groupby(["episode_id", "session_number"])["total"].agg(["min", "max", "size"])
    spread = spread[spread["size"] > 1]
    assert ((spread["min"] < 36) & (spread["max"] >= 36)).any()  # split alliance


def test_collateral_raters(df):
    parent = df[df["rater"] == "parent"]
    teacher = df[df["rater"] == "teacher"]
    assert len(parent) > 0 and len(teacher) > 0
    assert (parent.loc[parent["age_group"] == "child", "measure"] == "CORS").all()
    assert (teacher["measure"] == "CORS").all()
    assert not df.loc[df["rater"] != "self", "measure"].isin(ALLIANCE).any()
    rated = df.loc[df["rater"] == "self", ["client_id", "session_number"]].drop_duplicates()
    assert len(parent.merge(rated, on=["client_id", "session_number"])) == len(parent)


def test_group_on_gsrs(df):
    gsrs = df[df["measure"] == "GSRS"]
    assert len(gsrs) > 0 and gsrs["group_id"].notna().all()
    members = df[df["group_id"].notna()]
    per_group = members.groupby("group_id")
    assert (per_group["client_id"].nunique() >= 6).all()
    assert (per_group["client_id"].nunique() == per_group["episode_id"].nunique()).all()
    dates = members.groupby(["group_id", "session_number"])["session_date"].nunique()
    assert (dates == 1).all()


def test_age_groups_and_their_measures(df):
    selfs = df[df["rater"] == "self"]
    child = selfs[selfs["age_group"] == "child"]
    assert set(child["measure"]) == {"CORS", "CSRS"}
    assert set(selfs.loc[selfs["age_group"] == "adolescent", "measure"]) == {"ORS", "SRS"}
    assert set(selfs.loc[selfs["age_group"] == "young_child", "measure"]) == {"YCORS"}
    assert set(selfs.loc[selfs["age_group"] == "adult", "measure"]) == {"ORS", "SRS", "GSRS"}


def test_all_tens_clients(df):
    srs = _srs_sessions(df)
    by = srs.groupby("client_id")
    all_tens = (by[list(ITEM_COLUMNS)].min().min(axis=1) == 10) & (by.size() >= 3)
    assert all_tens.sum() >= 3


def test_sharp_drops(df):
    srs = _srs_sessions(df)
    drop = srs.groupby("client_id")["total"].diff()
    assert (drop <= -5).sum() >= 5  # e.g. 38 to 29


def test_ascending_alliances(df):
    srs = _srs_sessions(df)
    by = srs.groupby("client_id")["total"]
    rising = (by.first() <= 33) & (by.nth(3).groupby(srs["client_id"]).first() >= 36)
    assert rising.sum() >= 3


def test_recurring_low_item(df):
    srs = _srs_sessions(df)
    low = (srs[list(ITEM_COLUMNS)] < 9).groupby(srs["client_id"]).sum()
    typical = srs.groupby("client_id").size() >= 4
    # the same item low in at least 3 sessions, while the others mostly are not
    focal = (low.max(axis=1) >= 3) & (low.min(axis=1) <= 1) & typical
    assert focal.sum() >= 3


# --- known alliance effects (parameters for recovery checks) ----------------------------

def test_the_defaults_still_make_the_packaged_sample():
    """The sample was made by simulate(300, seed=2026); the parameters added for recovery
    checks must leave the defaults' data unchanged (the loader reorders rows and renames
    the source, nothing else)."""
    from srs_analytics import load_sample

    keys = ["client_id", "episode_id", "session_number", "measure", "rater"]
    cols = [c for c in CANONICAL_COLUMNS if c not in ("source_file", "source_row")]
    packaged = load_sample()[cols].sort_values(keys, ignore_index=True)
    made = simulate(300, seed=2026, next_ors_within=0.0, next_ors_between=0.0,
                    srs_ors_noise=0.2)[cols].sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(packaged, made, check_dtype=False)


def test_known_effects_move_only_self_rated_outcomes_after_the_first():
    base = simulate(300, seed=4)
    moved = simulate(300, seed=4, next_ors_within=2.0, next_ors_between=1.0)
    changed = base["total"].ne(moved["total"])
    assert changed.any()
    rows = moved[changed]
    assert set(rows["measure"]) <= {"ORS", "CORS"} and set(rows["rater"]) == {"self"}
    assert rows["session_number"].min() >= 2
    alliance = base["measure"].isin(ALLIANCE)
    pd.testing.assert_series_equal(base.loc[alliance, "total"], moved.loc[alliance, "total"])


def test_the_within_effect_is_what_was_added():
    """By hand on the unrounded scale: with only a within effect, the next ORS moves by
    b_w times the previous SRS minus the client's mean SRS (rounding and clipping aside)."""
    b_w = 1.0
    base = simulate(200, seed=8, alliance_effect=0.0)
    moved = simulate(200, seed=8, alliance_effect=0.0, next_ors_within=b_w)
    key = ["client_id", "episode_id", "session_number"]
    srs = _self(base, ALLIANCE)[[*key, "total"]].rename(columns={"total": "srs"})
    srs["dev"] = srs["srs"] - srs.groupby(["client_id", "episode_id"])["srs"].transform("mean")
    srs["session_number"] += 1  # the SRS of session s acts on the ORS of session s + 1
    ors = _self(base, ["ORS", "CORS"])[[*key, "total"]].merge(
        _self(moved, ["ORS", "CORS"])[[*key, "total"]], on=key, suffixes=("", "_moved"))
    both = ors.merge(srs, on=key)
    free = both["total_moved"].between(4, 36) & both["total"].between(4, 36)
    diff = (both["total_moved"] - both["total"])[free]
    expected = b_w * both.loc[free, "dev"]
    # items are rounded (0.01 to 1 point) and clipped to 0-10 each, and the effect is made
    # from the unrounded SRS: a few totals move less than what was added, most by it
    # to within rounding
    assert np.corrcoef(diff, expected)[0, 1] > 0.98
    assert np.quantile(np.abs(diff - expected), 0.9) < 0.35
