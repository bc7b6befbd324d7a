"""Collateral raters (srs_analytics.collateral). All data here is synthetic.

A parent's CORS is read against the parent's own first rating, never the child's; a fall
of exactly 5 is a reliable deterioration and 4.9 is not; the deterioration is "unshared"
while the child's own latest rating does not show one (or the child has none). The
client's own outcome never changes when collateral ratings are added.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.collateral import (
    COLLATERAL_AGREEMENT_COLUMNS,
    COLLATERAL_SESSION_COLUMNS,
    collateral_agreement,
    collateral_sessions,
)
from srs_analytics.outcomes import OutcomeSettings, client_outcomes
from srs_analytics.schema import coerce_canonical


def rated(rater, totals, *, client="K", measure="CORS", age_group="child"):
    return [{"client_id": client, "episode_id": "E" + client, "session_number": i + 1,
             "session_date": pd.Timestamp("2026-01-07") + pd.Timedelta(weeks=i),
             "measure": measure, "rater": rater, "age_group": age_group, "total": float(t)}
            for i, t in enumerate(totals) if t is not None]


def table(*parts):
    return coerce_canonical(pd.DataFrame([r for p in parts for r in p]))


def test_each_collateral_rating_beside_the_clients_own():
    data = table(rated("self", [24, 25, 26]), rated("parent", [30, 27, 24]))
    out = collateral_sessions(data)
    assert list(out.columns) == list(COLLATERAL_SESSION_COLUMNS)
    assert out["rater"].tolist() == ["parent"] * 3
    assert out["ors_intake"].tolist() == [30.0] * 3  # the parent's own first rating
    assert out["ors_change"].tolist() == [0.0, -3.0, -6.0]
    assert out["self_total"].tolist() == [24.0, 25.0, 26.0]
    assert out["self_ors_change"].tolist() == [0.0, 1.0, 2.0]
    assert out["gap"].tolist() == [6.0, 2.0, -2.0]
    assert out["reliable_deterioration"].tolist() == [False, False, True]
    assert out["unshared_deterioration"].tolist() == [False, False, True]
    assert out["cutoff"].tolist() == [32.0] * 3  # the child's CORS cutoff


@pytest.mark.parametrize("last, worse", [(25.0, True), (25.1, False)])
def test_a_fall_of_exactly_5_from_the_raters_first_rating_is_reliable(last, worse):
    out = collateral_sessions(table(rated("parent", [30, last])))
    assert out["reliable_deterioration"].tolist() == [False, worse]


def test_a_deterioration_the_client_shows_too_is_shared():
    data = table(rated("self", [24, 18]), rated("parent", [30, 24]))
    out = collateral_sessions(data)
    assert out["self_deterioration"].tolist() == [False, True]
    assert out["unshared_deterioration"].tolist() == [False, False]


def test_the_clients_latest_own_rating_at_or_before_the_session_is_read():
    # the child skipped session 3; the parent rated it
    data = table(rated("self", [24, 18, None, 25]), rated("parent", [30, 29, 24, 31]))
    out = collateral_sessions(data)
    assert out["self_session"].tolist() == [1, 2, 2, 4]
    assert out["gap"].isna().tolist() == [False, False, True, False]
    assert out["unshared_deterioration"].tolist() == [False, False, False, False]


def test_a_child_without_own_ratings_still_has_the_parents_deterioration_seen():
    out = collateral_sessions(table(rated("parent", [30, 27, 20], age_group="young_child")))
    assert out["self_total"].isna().all() and out["self_deterioration"].isna().all()
    assert out["unshared_deterioration"].tolist() == [False, False, True]


def test_the_client_outcome_is_never_mixed_with_collateral_ratings():
    own = table(rated("self", [24, 30]))
    both = table(rated("self", [24, 30]), rated("parent", [30, 20]), rated("teacher",
                                                                           [20, None]))
    cols = ["ors_intake", "ors_last", "ors_change", "outcome", "reliable_change"]
    pd.testing.assert_frame_equal(client_outcomes(own)[cols], client_outcomes(both)[cols])


def test_agreement_over_the_episode():
    data = table(rated("self", [24, 25, None, 31]), rated("parent", [30, 27, 24, 32]),
                 rated("teacher", [20]))
    out = collateral_agreement(data)
    assert list(out.columns) == list(COLLATERAL_AGREEMENT_COLUMNS)
    p = out[out["rater"] == "parent"].iloc[0]
    assert (p["n_ratings"], p["n_paired"]) == (4, 3)
    gaps = [6.0, 2.0, 1.0]
    assert p["gap_mean"] == pytest.approx(np.mean(gaps))
    assert p["abs_gap_mean"] == pytest.approx(np.mean(np.abs(gaps)))
    assert (p["gap_first"], p["gap_last"]) == (6.0, 1.0)
    assert (p["ors_intake"], p["ors_last"], p["ors_change"]) == (30.0, 32.0, 2.0)
    assert p["reliable_change"] == "none"
    assert (p["self_intake"], p["self_last"], p["self_ors_change"]) == (24.0, 31.0, 7.0)
    assert p["self_reliable_change"] == "improvement"
    assert not p["agree"]
    t = out[out["rater"] == "teacher"].iloc[0]
    assert t["n_ratings"] == 1 and np.isnan(t["ors_change"]) and pd.isna(t["reliable_change"])
    assert pd.isna(t["agree"])


def test_the_jacobson_truax_rule_reads_the_clients_norms():
    clients = [r for i in range(30) for r in rated("self", [10 + i % 7, 14 + i % 5],
                                                   client=f"K{i:02d}")]
    data = table(clients, rated("parent", [30, 26], client="K00"))
    s = OutcomeSettings(method="jt")
    out = collateral_sessions(data, settings=s)
    own = srs.session_outcomes(data, settings=s)
    assert out["rci"].iloc[0] == pytest.approx(own["rci"].iloc[0])
    assert out["reliable_deterioration"].tolist()[1] == (4 > out["rci"].iloc[1])


def test_no_collateral_ratings_give_empty_tables_with_their_columns():
    data = table(rated("self", [24, 25]))
    assert len(collateral_sessions(data)) == 0 and len(collateral_agreement(data)) == 0
    assert list(collateral_agreement(data).columns) == list(COLLATERAL_AGREEMENT_COLUMNS)


def test_the_sample_parents_and_teachers():
    data = srs.load_sample()
    out = collateral_sessions(data)
    assert set(out["rater"]) == {"parent", "teacher"}
    assert len(out) == (data["rater"] != "self").sum()
    agree = collateral_agreement(data)
    assert agree["agree"].notna().sum() > 10
