"""Outcomes: reliable change and clinical significance, checked against published counts.

The reference data in ``tests/data/`` are copies of published data sets (see
``tests/data/README.md`` for provenance). Everything else here is synthetic.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from srs_analytics import load_sample, simulate
from srs_analytics.outcomes import (
    OUTCOME_CATEGORIES,
    IntakeNorms,
    OutcomeSettings,
    client_outcomes,
    clinical_cutoff,
    clinical_significance,
    intake_counts,
    intake_norms,
    reliable_change,
    reliable_change_threshold,
    session_outcomes,
)
from srs_analytics.schema import coerce_canonical

DATA = Path(__file__).parent / "data"


def counts(categories: pd.Series) -> dict:
    """Counts of every category present (zeros included), as plain ints."""
    return {k: int(v) for k, v in categories.value_counts(sort=False).items()}


def canonical(rows) -> pd.DataFrame:
    """A tiny canonical table from (client, episode, session, total[, measure, rater, age])."""
    out = []
    for row in rows:
        client, episode, s, total, measure, rater, age = (*row, "ORS", "self", "adult")[:7]
        out.append({"client_id": client, "episode_id": episode, "clinician_id": "T1",
                    "session_date": pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=s - 1),
                    "session_number": s, "measure": measure, "rater": rater,
                    "total": total, "age_group": age})
    return coerce_canonical(pd.DataFrame(out))


def pre_post(pre, post, **kw) -> pd.DataFrame:
    """A canonical table with one two-session episode per (pre, post) pair."""
    rows = []
    for i, (a, b) in enumerate(zip(pre, post, strict=True)):
        rows += [(f"C{i:04d}", f"E{i:04d}", 1, a), (f"C{i:04d}", f"E{i:04d}", 2, b)]
    return canonical(rows)


def one(rows, settings=None) -> pd.Series:
    """The single row of client_outcomes for a one-episode table."""
    out = client_outcomes(canonical(rows), settings=settings)
    assert len(out) == 1
    return out.iloc[0]


# --- published results ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def das():
    return pd.read_csv(DATA / "jacobson_truax_1991_das.csv")


@pytest.fixture(scope="module")
def antidepressants():
    d = pd.read_csv(DATA / "clinicalsignificance_antidepressants.csv")
    return d.pivot(index="patient", columns="measurement", values="mom_di")


@pytest.fixture(scope="module")
def claus():
    return pd.read_csv(DATA / "clinicalsignificance_claus_2020.csv")


def test_das_sample_statistics_and_cutoff_a(das):
    """Jacobson and Truax (1991), Table 2 (DAS): pre mean 81.583, SD 11.826, a = 105.23."""
    assert das["pre"].mean() == pytest.approx(81.583, abs=5e-4)
    assert das["pre"].std() == pytest.approx(11.826, abs=5e-4)
    assert clinical_cutoff(das["pre"], "a") == pytest.approx(105.23, abs=5e-3)


@pytest.mark.parametrize("reliability, expected", [
    (0.84, {"recovered": 10, "improved": 8, "unchanged": 11, "deteriorated": 1, "harmed": 0}),
    (0.80, {"recovered": 10, "improved": 6, "unchanged": 13, "deteriorated": 1, "harmed": 0}),
])
def test_jacobson_truax_1991_das(das, reliability, expected):
    """Jacobson and Truax (1991), Table 2, DAS of 30 couples, cutoff a; the counts of the R
    packages rciplot / clinicalsignificance (``jacobson_1989``)."""
    got = clinical_significance(das["pre"], das["post"], cutoff="a", method="jt",
                                reliability=reliability)
    assert counts(got) == expected


def test_jacobson_truax_1991_das_through_client_outcomes(das):
    """The same published DAS counts (J&T 1991, reliability .84, cutoff a) when the pairs
    come as a canonical table: the intake SD and mean are computed from the data."""
    table = pre_post(das["pre"], das["post"])
    out = client_outcomes(table, settings=OutcomeSettings(method="jt", reliability=0.84,
                                                          cutoff="a"))
    assert out["cutoff"].iloc[0] == pytest.approx(105.23, abs=5e-3)
    assert counts(out["outcome"].astype(str)) == {"recovered": 10, "improved": 8,
                                                  "unchanged": 11, "deteriorated": 1}


def test_clinicalsignificance_antidepressants_reliable_change(antidepressants):
    """R package clinicalsignificance, data set ``antidepressants`` (mom_di, lower is
    better), reliability .80, JT reliable change only: 274 / 237 / 44."""
    got = reliable_change(antidepressants["Before"], antidepressants["After"], method="jt",
                          reliability=0.80, higher_is_better=False)
    assert counts(got) == {"improvement": 274, "none": 237, "deterioration": 44}


def test_clinicalsignificance_antidepressants_cutoff_c(antidepressants):
    """R package clinicalsignificance, ``antidepressants``, reliability .80, functional
    norms 7 / 7, cutoff c = 19.72: 159 / 115 / 237 / 34 / 10."""
    pre, post = antidepressants["Before"], antidepressants["After"]
    c = clinical_cutoff(pre, "c", functional_mean=7, functional_sd=7, higher_is_better=False)
    assert c == pytest.approx(19.72, abs=5e-3)
    got = clinical_significance(pre, post, cutoff="c", method="jt", reliability=0.80,
                                functional_mean=7, functional_sd=7, higher_is_better=False)
    assert counts(got) == {"recovered": 159, "improved": 115, "unchanged": 237,
                           "deteriorated": 34, "harmed": 10}
    # the same through the canonical-table path, direction reversed
    table = pre_post(pre, post)
    settings = OutcomeSettings(method="jt", reliability=0.80, cutoff="c", functional_mean=7,
                               functional_sd=7, higher_is_better=False)
    out = client_outcomes(table, settings=settings)
    assert counts(out["outcome"].astype(str)) == counts(got.astype(str))


def _claus_pairs(claus, score):
    wide = claus.pivot(index="id", columns="time", values=score)
    return wide[1], wide[4]


def test_clinicalsignificance_claus_2020_hamd(claus):
    """R package clinicalsignificance, ``claus_2020``, HAMD time 1 vs 4 (lower is better),
    reliability .80: 29 / 10 / 1; with norms 8 / 8 and cutoff c: 26 / 3 / 10 / 1 / 0.
    Three patients lack time 4 and get NA (complete pairs, as in the R package)."""
    pre, post = _claus_pairs(claus, "hamd")
    rc = reliable_change(pre, post, method="jt", reliability=0.80, higher_is_better=False)
    assert counts(rc) == {"improvement": 29, "none": 10, "deterioration": 1}
    assert rc.isna().sum() == 3 and rc.index.equals(pre.index)
    got = clinical_significance(pre, post, cutoff="c", method="jt", reliability=0.80,
                                functional_mean=8, functional_sd=8, higher_is_better=False)
    assert counts(got) == {"recovered": 26, "improved": 3, "unchanged": 10,
                           "deteriorated": 1, "harmed": 0}


def test_clinicalsignificance_claus_2020_bdi(claus):
    """R package clinicalsignificance, ``claus_2020``, BDI time 1 vs 4, reliability .801,
    JT: 18 improved, 22 unchanged, 0 deteriorated."""
    pre, post = _claus_pairs(claus, "bdi")
    rc = reliable_change(pre, post, method="jt", reliability=0.801, higher_is_better=False)
    assert counts(rc) == {"improvement": 18, "none": 22, "deterioration": 0}


def test_domain_consistency_check():
    """docs/measures-and-rules.md: reliability .93, intake SD about 7 and non-clinical norms
    30.5 / 5.8 (Miller et al. 2003) give a reliable change of about 5 points and a cutoff
    of about 25, the published PCOMS numbers."""
    assert reliable_change_threshold(7, 0.93) == pytest.approx(5, abs=0.25)
    assert clinical_cutoff([10.5, 17.5, 24.5], "c") == pytest.approx(25, abs=0.5)
    settings = OutcomeSettings(method="jt", cutoff="c", sd_intake=7, mean_intake=17.5)
    out = client_outcomes(pre_post([15, 20], [21, 20]), settings=settings)
    assert out["rci"].iloc[0] == pytest.approx(5.13, abs=0.01)
    assert out["cutoff"].iloc[0] == pytest.approx(24.6, abs=0.05)


# --- the rules at their boundaries ---------------------------------------------------------

def test_points_rule_is_inclusive_at_5():
    """PCOMS convention (OpenFIT KA-01028): a change of exactly 5 points is reliable."""
    got = reliable_change([15, 12.6, 15, 15, 20], [20, 17.6, 19.99, 10, 15.01])
    assert got.tolist() == ["improvement", "improvement", "none", "deterioration", "none"]
    assert one([("C", "E", 1, 15.0), ("C", "E", 2, 20.0)])["reliable_change"] == "improvement"


def test_jt_rule_is_strict():
    """Jacobson and Truax (1991): reliable only when |z| > 1.959964, strictly."""
    sd, r = 10.0, 0.5  # S_diff = 10, so a change of 19.59964 is exactly on the boundary
    got = reliable_change([0, 0, 0], [19.59964, 19.6, -19.6], method="jt", reliability=r,
                          sd_pre=sd)
    assert got.tolist() == ["none", "improvement", "deterioration"]


def test_cutoff_is_strict():
    """docs/measures-and-rules.md: a score exactly at the cutoff is neither clinical nor
    recovered."""
    at_intake = one([("C", "E", 1, 25.0), ("C", "E", 2, 31.0)])
    assert not at_intake["intake_clinical"]
    assert at_intake["outcome"] == "improved"
    at_last = one([("C", "E", 1, 18.0), ("C", "E", 2, 25.0)])
    assert at_last["intake_clinical"] and at_last["outcome"] == "improved"
    assert one([("C", "E", 1, 18.0), ("C", "E", 2, 25.01)])["outcome"] == "recovered"


def test_harmed_and_deteriorated():
    """docs/measures-and-rules.md: harmed = reliable deterioration with the intake not below
    the cutoff and the last score not above it; any other reliable deterioration is
    deteriorated."""
    got = clinical_significance([25, 30, 33, 20], [19, 25, 26, 14], cutoff=25)
    assert got.tolist() == ["harmed", "harmed", "deteriorated", "deteriorated"]


def test_age_group_cutoffs():
    """OpenFIT KA-01028: adult ORS 25, child CORS 32; adolescent 28 (widely taught)."""
    rows = [("A", "EA", 1, 28.0), ("A", "EA", 2, 33.5),
            ("K", "EK", 1, 28.0, "CORS", "self", "child"),
            ("K", "EK", 2, 33.5, "CORS", "self", "child"),
            ("T", "ET", 1, 27.9, "ORS", "self", "adolescent"),
            ("T", "ET", 2, 33.5, "ORS", "self", "adolescent"),
            ("U", "EU", 1, 28.0, "ORS", "self", "adolescent"),
            ("U", "EU", 2, 33.5, "ORS", "self", "adolescent")]
    out = client_outcomes(canonical(rows)).set_index("client_id")
    assert out["cutoff"].to_dict() == {"A": 25.0, "K": 32.0, "T": 28.0, "U": 28.0}
    assert out["intake_clinical"].tolist() == [False, True, True, False]
    assert out["outcome"].tolist() == ["improved", "recovered", "recovered", "improved"]


def test_zero_is_a_real_score():
    """docs/measures-and-rules.md: 0 is a real score, never missing."""
    up = one([("C", "E", 1, 0.0), ("C", "E", 2, 6.0)])
    assert up["ors_intake"] == 0 and up["ors_change"] == 6 and up["intake_clinical"]
    assert up["outcome"] == "improved"
    down = one([("C", "E", 1, 5.0), ("C", "E", 2, 0.0)])
    assert down["ors_last"] == 0 and down["reliable_change"] == "deterioration"


def test_single_session_episode():
    out = one([("C", "E", 1, 14.0)])
    assert out["n_sessions"] == 1 and out["n_days"] == 0
    assert out["ors_intake"] == out["ors_last"] == 14.0
    assert np.isnan(out["ors_change"]) and pd.isna(out["reliable_change"])
    assert out["outcome"] == "insufficient" and out["intake_clinical"]


def test_young_child_is_not_scored():
    """docs/measures-and-rules.md: the YCORS is not scored against a cutoff."""
    out = one([("Y", "E", 1, 2.0, "YCORS", "self", "young_child"),
               ("Y", "E", 2, 4.0, "YCORS", "self", "young_child")])
    assert out["measure"] == "YCORS" and out["ors_change"] == 2
    assert out["outcome"] == "not_scored" and pd.isna(out["reliable_change"])
    assert pd.isna(out["intake_clinical"]) and np.isnan(out["cutoff"])


# --- the table -------------------------------------------------------------------------------

def test_intake_is_first_by_session_order_not_row_order():
    table = canonical([("C", "E", 3, 30.0), ("C", "E", 1, 12.0), ("C", "E", 2, 20.0)])
    out = client_outcomes(table).iloc[0]
    assert (out["ors_intake"], out["ors_last"], out["n_sessions"]) == (12.0, 30.0, 3)
    assert out["n_days"] == 14 and out["first_date"] == pd.Timestamp("2026-01-05")
    no_numbers = table.assign(session_number=pd.array([pd.NA] * 3, dtype="Int64"))
    assert client_outcomes(no_numbers).iloc[0]["ors_intake"] == 12.0  # date order


def test_collateral_ratings_are_beside_never_mixed_in():
    """docs/measures-and-rules.md: collateral ratings reported beside, never mixed in."""
    self_rows = [("K", "E", s, t, "CORS", "self", "child")
                 for s, t in [(1, 20.0), (2, 24.0), (3, 30.0)]]
    parent = [("K", "E", s, t, "CORS", "parent", "child") for s, t in [(1, 10.0), (3, 12.0)]]
    teacher = [("K", "E", 2, 35.0, "CORS", "teacher", "child")]
    alone = client_outcomes(canonical(self_rows))
    both = client_outcomes(canonical(parent + self_rows + teacher))
    own = ["ors_intake", "ors_last", "ors_change", "n_sessions", "outcome", "reliable_change"]
    pd.testing.assert_frame_equal(alone[own], both[own])
    row = both.iloc[0]
    assert row["collateral_raters"] == "parent, teacher"
    assert (row["collateral_rater"], row["collateral_n"]) == ("parent", 2)
    assert (row["collateral_intake"], row["collateral_last"], row["collateral_change"]) == (
        10.0, 12.0, 2.0)
    assert alone.iloc[0]["collateral_n"] == 0 and pd.isna(alone.iloc[0]["collateral_raters"])
    sessions = session_outcomes(canonical(parent + self_rows + teacher))
    assert sessions["total"].tolist() == [20.0, 24.0, 30.0]


def test_a_child_rated_only_by_a_parent_has_a_row():
    """Issue 8: a parent's report of deterioration (CORS 30, 27, 20) is seen: the episode
    has a row, with the collateral columns filled and the self columns empty."""
    parent = [("K", "E", s, t, "CORS", "parent", "child") for s, t in [(1, 30.0), (2, 27.0),
                                                                      (3, 20.0)]]
    adult = [("A", "EA", s, t) for s, t in [(1, 15.0), (2, 21.0)]]
    out = client_outcomes(canonical(parent + adult)).set_index("client_id")
    assert list(out.index) == ["A", "K"]
    k = out.loc["K"]
    assert (k["collateral_rater"], k["collateral_measure"], k["collateral_n"]) == (
        "parent", "CORS", 3)
    assert (k["collateral_intake"], k["collateral_last"], k["collateral_change"]) == (
        30.0, 20.0, -10.0)
    assert k["n_sessions"] == 0 and k["age_group"] == "child"
    for col in ("measure", "cutoff", "rci", "ors_intake", "ors_last", "ors_change",
                "reliable_change", "outcome", "intake_clinical", "first_date"):
        assert pd.isna(k[col]), col
    assert out.loc["A", "outcome"] == "improved"  # the self-rated client is unchanged by it
    # the client table has the row too
    from srs_analytics.clients import client_table
    table = client_table(canonical(parent + adult)).set_index("client_id")
    assert table.loc["K", "collateral_change"] == -10.0 and table.loc["K", "n_sessions"] == 0


def test_jacobson_truax_on_three_adolescents_uses_the_sd_of_all_ages():
    """Issue 8: an intake SD from 3 adolescents (0.5) would make 27 to 26 a reliable
    deterioration (RCI 0.37). Below min_intakes (20) the SD of the ORS across all age groups
    is used, and rci_basis says so."""
    z = np.linspace(-1.6, 1.6, 25)
    adults = [(f"A{i}", f"EA{i}", s, t) for i, v in enumerate(17.5 + 7 * z)
              for s, t in [(1, round(v, 1)), (2, round(v + 3, 1))]]
    teens = [(f"T{i}", f"ET{i}", s, t, "ORS", "self", "adolescent")
             for i, v in enumerate([27.0, 27.5, 28.0]) for s, t in [(1, v), (2, v - 1)]]
    data = canonical(adults + teens)
    settings = OutcomeSettings(method="jt")
    out = client_outcomes(data, settings=settings)
    intakes = np.array([t for (_, _, s, t, *_) in adults + teens if s == 1])
    expected = 1.959964 * np.sqrt(2) * intakes.std(ddof=1) * np.sqrt(1 - 0.93)
    teen = out[out["age_group"] == "adolescent"]
    assert teen["rci"].to_numpy() == pytest.approx([expected] * 3)
    assert set(teen["outcome"]) == {"unchanged"}  # 27 to 26 is no reliable change
    assert teen["rci_basis"].iloc[0] == (
        f"Jacobson-Truax: SD {intakes.std(ddof=1):.2f} of 28 ORS intakes of all age groups: "
        "only 3 ORS adolescent intake(s), below 20")
    adult = out[out["age_group"] == "adult"]
    own_sd = intakes[:25].std(ddof=1)
    assert adult["rci"].iloc[0] == pytest.approx(
        1.959964 * np.sqrt(2) * own_sd * np.sqrt(1 - 0.93))
    assert adult["rci_basis"].iloc[0] == (
        f"Jacobson-Truax: SD {own_sd:.2f} of 25 ORS adult intakes")
    # the old behaviour, on purpose: a minimum of 3 takes the adolescents' own SD
    tiny = client_outcomes(data, settings=OutcomeSettings(method="jt", min_intakes=3))
    teen = tiny[tiny["age_group"] == "adolescent"]
    assert teen["rci"].iloc[0] == pytest.approx(0.367, abs=1e-3)
    assert set(teen["outcome"]) == {"deteriorated", "harmed"}
    # a given fallback SD
    given = client_outcomes(data, settings=OutcomeSettings(method="jt", fallback_sd=7.0))
    teen = given[given["age_group"] == "adolescent"]
    assert teen["rci"].iloc[0] == pytest.approx(5.13, abs=0.01)
    assert "the given fallback SD 7: only 3 ORS adolescent intake(s)" in teen["rci_basis"].iloc[0]
    # the points method says so too
    assert set(client_outcomes(data)["rci_basis"]) == {"points method: 5 points"}


def by_client(data, parts=3):
    """``data`` split into ``parts`` partitions of whole clients (by a hash of the id)."""
    part = pd.util.hash_pandas_object(data["client_id"], index=False).to_numpy() % parts
    return [data[part == i] for i in range(parts)]


@pytest.mark.parametrize("kwargs", [
    {"method": "jt"}, {"cutoff": "c"}, {"method": "jt", "cutoff": "a"},
    {"method": "jt", "cutoff": "c", "min_intakes": 40},  # adolescents take the ORS's SD
    {"method": "jt", "min_intakes": 40, "fallback_sd": 6.5},
])
def test_norms_of_partitions_judge_as_the_whole(kwargs):
    """Partitions of whole clients (Dask, Spark): the intake norms combined from their
    counts give the outcomes of the whole data, on the whole and on each partition."""
    data = load_sample()
    parts = by_client(data)
    norms = intake_norms(pd.concat([intake_counts(part) for part in parts]))
    whole = OutcomeSettings(**kwargs)
    given = OutcomeSettings(**kwargs, norms=norms)
    expected = client_outcomes(data, settings=whole)
    pd.testing.assert_frame_equal(client_outcomes(data, settings=given), expected, rtol=1e-12)
    pd.testing.assert_frame_equal(session_outcomes(data, settings=given),
                                  session_outcomes(data, settings=whole), rtol=1e-12)
    for part in parts:
        own = client_outcomes(part, settings=given)
        same = expected[expected["client_id"].isin(part["client_id"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(own, same, rtol=1e-12)


def test_intake_norms_are_the_pandas_statistics():
    data = load_sample()
    norms = intake_norms(pd.concat([intake_counts(part) for part in by_client(data)])).table
    own = intake_norms(intake_counts(data)).table
    assert list(norms.columns) == ["measure", "cutoff_group", "n", "mean", "sd", "n_all",
                                   "m_all", "sd_all"]
    pd.testing.assert_frame_equal(norms, own, rtol=1e-12)
    # the intakes of client_outcomes: chosen self-rated episodes with a change
    out = client_outcomes(data)
    used = out[(out["n_sessions"] > 1) & out["outcome"].ne("not_scored")].assign(
        cutoff_group=lambda d: d["age_group"].where(d["measure"] == "ORS", "child"))
    stats = used.groupby(["measure", "cutoff_group"])["ors_intake"].agg(["size", "mean", "std"])
    norms = norms.set_index(["measure", "cutoff_group"]).loc[stats.index]
    assert norms["n"].tolist() == stats["size"].tolist()
    np.testing.assert_allclose(norms["mean"], stats["mean"], rtol=1e-12)
    np.testing.assert_allclose(norms["sd"], stats["std"], rtol=1e-12)
    assert norms.loc["ORS", "n_all"].iloc[0] == stats.loc["ORS", "size"].sum()
    np.testing.assert_allclose(norms.loc["ORS", "sd_all"].iloc[0],
                               used.loc[used["measure"] == "ORS", "ors_intake"].std(),
                               rtol=1e-12)


def test_norms_are_read_only_hashable_and_compared_by_value():
    counts = intake_counts(load_sample())
    a, b = intake_norms(counts), intake_norms(counts.copy())
    assert a == b and hash(a) == hash(b)
    assert OutcomeSettings(method="jt", norms=a) == OutcomeSettings(method="jt", norms=b)
    assert hash(OutcomeSettings(norms=a)) == hash(OutcomeSettings(norms=b))
    assert OutcomeSettings(norms=a) != OutcomeSettings()
    table = a.table
    table.loc[0, "sd"] = 0.0  # a copy: the norms stay
    assert a == b
    one = IntakeNorms((("ORS", "adult", 1, 20.0, np.nan, 1, 20.0, np.nan),))
    assert one == IntakeNorms((("ORS", "adult", 1, 20.0, None, 1, 20.0, None),))
    assert one.table["sd"].isna().all()
    with pytest.raises(TypeError, match="norms"):
        OutcomeSettings(norms=counts)
    with pytest.raises(ValueError, match="n, mean, sd"):
        IntakeNorms((("ORS", "adult", 1),))
    with pytest.raises(ValueError, match="m2"):
        intake_norms(counts.drop(columns="m2"))


def test_given_norms_on_three_adolescents_say_the_same():
    """The words of rci_basis and the small-group fallback are those of the data's own."""
    z = np.linspace(-1.6, 1.6, 25)
    adults = [(f"A{i}", f"EA{i}", s, t) for i, v in enumerate(17.5 + 7 * z)
              for s, t in [(1, round(v, 1)), (2, round(v + 3, 1))]]
    teens = [(f"T{i}", f"ET{i}", s, t, "ORS", "self", "adolescent")
             for i, v in enumerate([27.0, 27.5, 28.0]) for s, t in [(1, v), (2, v - 1)]]
    data = canonical(adults + teens)
    norms = intake_norms(pd.concat([intake_counts(data[data["client_id"].str[0] == c])
                                    for c in "AT"]))
    for kwargs in ({"method": "jt"}, {"method": "jt", "fallback_sd": 7.0},
                   {"method": "jt", "cutoff": "c", "min_intakes": 3}):
        pd.testing.assert_frame_equal(
            client_outcomes(data, settings=OutcomeSettings(**kwargs, norms=norms)),
            client_outcomes(data, settings=OutcomeSettings(**kwargs)), rtol=1e-12)


def test_couple_gives_one_row_per_client():
    rows = [("A", "E1", 1, 15.0, "ORS", "self"), ("B", "E1", 1, 26.0, "ORS", "self"),
            ("A", "E1", 2, 22.0, "ORS", "self"), ("B", "E1", 2, 20.0, "ORS", "self"),
            ("A", "E1", 2, 10.0, "ORS", "partner")]
    out = client_outcomes(canonical(rows))
    assert out[["client_id", "episode_id"]].values.tolist() == [["A", "E1"], ["B", "E1"]]
    assert out["outcome"].tolist() == ["improved", "harmed"]
    assert out["collateral_raters"].fillna("-").tolist() == ["partner", "-"]


def test_measure_of_the_age_group_is_used():
    """A child's CORS is used even when ORS rows exist in the same episode."""
    rows = [("K", "E", s, t, m, "self", "child")
            for s, t, m in [(1, 20.0, "ORS"), (2, 21.0, "ORS"), (3, 22.0, "ORS"),
                            (1, 30.0, "CORS"), (2, 36.0, "CORS")]]
    out = one(rows)
    assert (out["measure"], out["cutoff"], out["outcome"]) == ("CORS", 32.0, "recovered")


def test_session_outcomes_match_client_outcomes():
    data = simulate(200, seed=5)
    for settings in (None, OutcomeSettings(method="jt", cutoff="c")):
        per_client = client_outcomes(data, settings=settings)
        per_session = session_outcomes(data, settings=settings)
        self_outcome = data[(data["rater"] == "self")
                            & data["measure"].isin(["ORS", "CORS", "YCORS"])]
        assert len(per_session) == len(self_outcome)
        last = per_session.groupby(["client_id", "episode_id", "measure"]).tail(1)
        merged = per_client.merge(last, on=["client_id", "episode_id", "measure"])
        assert len(merged) == len(per_client)
        scored = merged["reliable_change"].notna()
        assert (merged.loc[scored, "reliable_improvement"]
                == (merged.loc[scored, "reliable_change"] == "improvement")).all()
        assert (merged["rci_x"].dropna() == merged["rci_y"].dropna()).all()
    ycors = per_session[per_session["measure"] == "YCORS"]
    assert ycors["clinical"].isna().all() and ycors["reliable_improvement"].isna().all()


def test_jt_needs_enough_episodes():
    """With method='jt' and a single episode with a change, the intake SD is unknown."""
    out = one([("C", "E", 1, 10.0), ("C", "E", 2, 30.0)], OutcomeSettings(method="jt"))
    assert out["outcome"] == "insufficient" and np.isnan(out["rci"])
    fixed = one([("C", "E", 1, 10.0), ("C", "E", 2, 30.0)],
                OutcomeSettings(method="jt", sd_intake=7.0))
    assert fixed["outcome"] == "recovered" and fixed["rci"] == pytest.approx(5.13, abs=0.01)


def test_plausible_shares_on_simulated_caseload():
    out = client_outcomes(simulate(2000, seed=11))
    scored = out[out["outcome"].isin(OUTCOME_CATEGORIES)]
    share = scored["outcome"].value_counts(normalize=True)
    assert 0.30 <= share["recovered"] + share["improved"] <= 0.70
    assert share["deteriorated"] + share["harmed"] <= 0.15
    adults = out[out["age_group"] == "adult"]
    assert 0.55 <= adults["intake_clinical"].mean() <= 0.95  # intake 17.5 (SD 7) vs 25
    jt = client_outcomes(simulate(2000, seed=11), settings=OutcomeSettings(method="jt"))
    assert 4.0 <= jt.loc[jt["age_group"] == "adult", "rci"].iloc[0] <= 6.5


def test_vectorised_speed():
    data = simulate(n_administrations=200_000, seed=2)
    start = time.perf_counter()
    out = client_outcomes(data)
    assert time.perf_counter() - start < 5  # about 0.15 s; a per-client loop takes minutes
    assert out[["client_id", "episode_id"]].duplicated().sum() == 0


def test_empty_and_sample_data():
    empty = client_outcomes(simulate(20, seed=1).iloc[:0])
    assert len(empty) == 0 and "outcome" in empty.columns
    sample = pd.read_csv(Path(__file__).parents[1] / "data" / "sample" / "caseload.csv",
                         parse_dates=["session_date"])
    out = client_outcomes(coerce_canonical(sample))
    assert out["n_sessions"].min() >= 1 and out["ors_intake"].notna().all()


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    ({"method": "median"}, "method"), ({"rci": 0}, "rci"), ({"reliability": 1.0},
                                                             "reliability"),
    ({"cutoff": "d"}, "cutoff"), ({"functional_sd": -1}, "functional_sd"),
    ({"sd_intake": 0}, "sd_intake"), ({"mean_intake": "17"}, "mean_intake"),
    ({"min_intakes": 1}, "min_intakes"), ({"fallback_sd": -1.0}, "fallback_sd"),
])
def test_settings_are_checked(kwargs, name):
    with pytest.raises(ValueError, match=name):
        OutcomeSettings(**kwargs)


def test_bad_input_names_the_problem():
    with pytest.raises(ValueError, match="'total'"):
        client_outcomes(canonical([("C", "E", 1, 10.0)]).drop(columns="total"))
    with pytest.raises(ValueError, match="same length"):
        reliable_change([1, 2], [1])
    with pytest.raises(ValueError, match="cutoff"):
        clinical_significance([1, 2], [3, 4], cutoff="z")
