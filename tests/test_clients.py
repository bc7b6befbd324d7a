"""The client table: outcome, alliance and expected response joined per client and episode."""

from __future__ import annotations

import pandas as pd

from srs_analytics import simulate
from srs_analytics.alliance import client_alliance
from srs_analytics.cli import main
from srs_analytics.clients import CLIENT_COLUMNS, ClientSettings, client_table
from srs_analytics.outcomes import OutcomeSettings, client_outcomes


def test_one_row_per_client_episode_with_the_interface_columns():
    data = simulate(120, seed=5)
    table = client_table(data)
    assert tuple(table.columns[: len(CLIENT_COLUMNS)]) == CLIENT_COLUMNS
    assert not table[["client_id", "episode_id"]].duplicated().any()
    pairs = data[data["rater"].eq("self")][["client_id", "episode_id"]].drop_duplicates()
    assert len(table) == len(pairs)


def test_the_join_adds_nothing_of_its_own():
    data = simulate(80, seed=6)
    table = client_table(data).set_index(["client_id", "episode_id"])
    out = client_outcomes(data).set_index(["client_id", "episode_id"])
    ally = client_alliance(data)
    ally = ally[ally["rater"].eq("self")].set_index(["client_id", "episode_id"])
    pd.testing.assert_series_equal(table.loc[out.index, "ors_change"], out["ors_change"])
    pd.testing.assert_series_equal(table.loc[ally.index, "alliance_pattern"],
                                   ally["alliance_pattern"])


def test_one_alliance_measure_per_row():
    """Issue 8: an SRS then a group GSRS in one episode: one measure named, not "GSRS;SRS"."""
    rows = []
    for s, (measure, total) in enumerate([("SRS", 39.5), ("SRS", 39.0), ("GSRS", 32.0),
                                          ("GSRS", 33.0), ("GSRS", 34.0)], start=1):
        rows.append({"client_id": "C1", "episode_id": "E1", "session_number": s,
                     "measure": measure, "rater": "self", "total": total,
                     "session_date": pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=s)})
    table = client_table(pd.DataFrame(rows))
    row = table.iloc[0]
    assert len(table) == 1
    assert (row["alliance_measure"], row["n_srs"], row["srs_first"], row["srs_last"]) == (
        "GSRS", 3, 32.0, 34.0)
    assert row["alliance_pattern"] == "ascending"  # not a drop from the SRS's 39


def test_settings_reach_the_outcomes():
    data = simulate(80, seed=6)
    strict = client_table(data, settings=ClientSettings(outcome=OutcomeSettings(rci=10.0)))
    default = client_table(data)
    assert (strict["reliable_change"] == "improvement").sum() < (
        default["reliable_change"] == "improvement").sum()


def test_clients_command(tmp_path, capsys):
    src = tmp_path / "c.csv"
    simulate(60, seed=2).to_csv(src, index=False)
    out = tmp_path / "clients.csv"
    assert main(["clients", str(src), "--method", "jt", "--cutoff", "c", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Reliable change, ORS adult: " in printed and "Jacobson-Truax: SD " in printed
    table = pd.read_csv(out)
    for col in ("client_id", "episode_id", "clinician_id", "measure", "n_sessions",
                "ors_intake", "ors_last", "ors_change", "reliable_change", "outcome",
                "intake_clinical", "srs_first", "srs_last", "srs_mean", "srs_min",
                "lowest_item", "alliance_pattern", "etr_status"):
        assert col in table.columns
    assert main(["clients", str(src), "--reliability", "2", "-o", str(out)]) == 2
    assert "reliability" in capsys.readouterr().err
