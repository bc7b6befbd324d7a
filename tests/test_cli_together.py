"""The ``couples`` and ``groups`` commands on the synthetic sample and on small tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from srs_analytics.cli import format_couples, main
from srs_analytics.couples import COUPLE_EPISODE_COLUMNS, COUPLE_SESSION_COLUMNS
from srs_analytics.groups import GROUP_MEMBER_COLUMNS, GROUP_SESSION_COLUMNS

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "caseload.csv"


def run(capsys, *args):
    """Exit code, stdout, and stderr with its wrapping undone (one space between words)."""
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


def test_couples_writes_the_interface_columns(capsys, tmp_path):
    target = tmp_path / "couples.csv"
    code, out, _ = run(capsys, "couples", SAMPLE, "-o", target)
    assert code == 0
    assert out.startswith("Wrote 83 joint sessions of 10 episodes with clients seen together")
    table = pd.read_csv(target)
    assert list(table.columns) == list(COUPLE_SESSION_COLUMNS)
    for col in ("episode_id", "session_number", "measure", "n_clients", "min_total",
                "max_total", "gap", "split", "lowest_client", "most_divergent_item"):
        assert col in table.columns
    row = table[(table["episode_id"] == "E00276") & (table["measure"] == "SRS")].iloc[-1]
    assert (row["session_number"], row["totals"], row["gap"], row["split"]) == (
        3, "33;40", 7.0, True)
    assert row["lowest_client"] == "C00280" and bool(row["widening_gap"])


def test_couples_episodes_and_one_family(capsys, tmp_path):
    target = tmp_path / "eps.parquet"
    code, out, _ = run(capsys, "couples", SAMPLE, "--table", "episodes", "--measure", "SRS",
                       "-o", target)
    assert code == 0 and out.startswith("Wrote 10 episode summaries of 10 episodes")
    table = pd.read_parquet(target)
    assert list(table.columns) == list(COUPLE_EPISODE_COLUMNS)
    assert set(table["measure"]) == {"SRS"} and len(table) == 10
    e = table.set_index("episode_id").loc["E00276"]
    assert (e["gap_trend"], e["lowest_client"], bool(e["consistently_lowest"])) == (
        "widening", "C00280", True)


def test_couples_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run(capsys, "couples", SAMPLE)
    assert code == 0
    assert "E00276  alliance (SRS, CSRS)  clinician T08" in out
    assert "session 3, 18 Nov 2025: C00280 33, C00281 40; gap 7 (split, widening gap); " \
           "lowest C00280" in out
    assert "(outcomes part, C00275 behind)" in out
    assert out.rstrip().endswith("each episode summarised: --table episodes.")
    assert max(len(line) for line in out.splitlines()) <= 100
    code, out, _ = run(capsys, "couples", SAMPLE, "--table", "episodes")
    assert "E00281  ORS  C00291, C00292, C00293: 9 joint sessions" in out
    assert "improved reliably: C00291, C00293" in out


def test_groups_sessions_and_members(capsys, tmp_path):
    target = tmp_path / "groups.xlsx"
    code, out, _ = run(capsys, "groups", SAMPLE, "-o", target)
    assert code == 0 and out.startswith("Wrote 3 group sessions of 1 group")
    table = pd.read_excel(target)
    assert list(table.columns) == list(GROUP_SESSION_COLUMNS)
    assert table["n_members"].tolist() == [7, 7, 7]
    target = tmp_path / "members.csv"
    code, out, _ = run(capsys, "groups", SAMPLE, "--table", "members", "-o", target)
    assert code == 0 and out.startswith("Wrote 21 member ratings of 1 group")
    assert list(pd.read_csv(target).columns) == list(GROUP_MEMBER_COLUMNS)


def test_groups_on_a_terminal(capsys):
    code, out, _ = run(capsys, "groups", SAMPLE)
    assert code == 0 and "group G01  GSRS" in out
    assert "7 members, mean 35.23, SD 3.66, 29.8 to 40; below 36:" in " ".join(out.split())
    code, out, _ = run(capsys, "groups", SAMPLE, "--table", "members")
    assert "C00300  1: 33.1 (-4.70), 2: 29.8 (-6.33)!, 3: 36.9 (+0.68)" in out


def test_no_couples_or_groups_is_said_plainly(capsys, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("client_id,session_number,measure,total\nA,1,SRS,38\nA,2,SRS,39\n")
    code, out, _ = run(capsys, "couples", path)
    assert code == 0 and out.startswith("No clients seen together")
    code, out, _ = run(capsys, "groups", path)
    assert code == 0 and out.startswith("No group ratings")


@pytest.mark.parametrize("args, needle", [
    (["couples", "missing.csv"], "missing.csv"),
    (["couples", SAMPLE, "-o", "out.txt"], "must end in one of"),
    (["groups", SAMPLE, "-o", "/no/such/folder/g.csv"], "does not exist"),
])
def test_bad_input_is_a_message_and_exit_code_2(capsys, args, needle):
    code, out, err = run(capsys, *args)
    assert code == 2 and needle in err and "Traceback" not in err


def test_format_couples_wraps_to_the_width():
    table = pd.DataFrame({
        "episode_id": ["E1"], "measure": ["SRS"], "clinician_id": ["T1"],
        "session_number": [1], "session_date": [pd.Timestamp("2026-01-05")],
        "clients": ["A;B"], "totals": ["40;35"], "gap": [5.0], "split": [True],
        "persistent_split": [False], "widening_gap": [False],
        "outcome_divergence": pd.array([pd.NA], dtype="boolean"), "lagging_client": [None],
        "lowest_client": ["B"], "most_divergent_item": ["goals_topics;overall"]})
    text = format_couples(table, width=40)
    assert max(len(line) for line in text.splitlines()) <= 40
    assert "differ most on goals and topics, overall" in " ".join(text.split())
