"""The attention list (srs_analytics.triage). All data here is synthetic."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pandas as pd
import pytest

from srs_analytics import load_sample
from srs_analytics.alerting import AlertSettings, alerts
from srs_analytics.cli import main
from srs_analytics.schema import coerce_canonical
from srs_analytics.triage import (
    ATTENTION_COLUMNS,
    AttentionSettings,
    attention,
    open_episodes,
)

MONDAY = pd.Timestamp("2026-03-02")


def client(cid, srs, *, weeks_ago=0, status=None, clinician="T1", ors=None, as_of=MONDAY):
    """One client's SRS (and ORS) rows, weekly, the last session ``weeks_ago`` weeks before
    ``as_of``; an SRS value is a total spread over the items, or four items."""
    n = len(srs)
    out = []
    for i in range(n):
        day = as_of - pd.Timedelta(weeks=weeks_ago + n - 1 - i)
        ratings = [("SRS", srs[i])] + ([("ORS", ors[i])] if ors is not None else [])
        for measure, v in ratings:
            items = list(v) if np.ndim(v) else [v / 4] * 4
            out.append({"client_id": cid, "episode_id": "E" + cid, "clinician_id": clinician,
                        "session_number": i + 1, "session_date": day, "measure": measure,
                        "rater": "self", "age_group": "adult", "episode_status": status,
                        **{f"item_{j + 1}": x for j, x in enumerate(items)},
                        "total": float(np.sum(items))})
    return out


def table(*clients):
    return coerce_canonical(pd.DataFrame([r for c in clients for r in c]))


LOW = [39.0, 39.0, 31.0]  # a sharp drop to a low total at the latest session: critical
WARN = [38.0, 38.0, 34.8]  # a 3.2-point fall to below the cutoff: warning, not critical


def test_open_means_not_ended_and_seen_within_four_weeks():
    data = table(client("A", LOW, weeks_ago=4), client("B", LOW, weeks_ago=5),
                 client("C", LOW, status="closed_planned"),
                 client("D", LOW, status="closed_unplanned", weeks_ago=1),
                 client("E", LOW, status="open", weeks_ago=1),
                 client("F", [39.0, 38.0, 37.0], clinician="T2"))
    eps = open_episodes(data)
    assert dict(zip(eps["client_id"], eps["open"])) == {
        "A": True, "B": False, "C": False, "D": False, "E": True, "F": True}
    assert dict(zip(eps["client_id"], eps["days_since"])) == {
        "A": 28, "B": 35, "C": 0, "D": 7, "E": 7, "F": 0}
    listed = attention(data)
    assert listed["client_id"].tolist() == ["E", "A"]  # F has no warning: not listed
    # the window is a setting
    longer = attention(data, settings=AttentionSettings(open_weeks=5))
    assert sorted(longer["client_id"]) == ["A", "B", "E"]


def test_only_the_latest_session_counts():
    """A drop at session 3 that the client has since recovered from is not listed."""
    data = table(client("A", [39.0, 39.0, 31.0, 38.5]), client("B", LOW))
    out = attention(data)
    assert out["client_id"].tolist() == ["B"]
    assert len(alerts(data).query("client_id == 'A' and session_number == 3")) > 0


def test_one_row_per_client_with_the_leading_alert_and_the_others_named():
    # session 3: a sharp drop to 31 (it says the total is low and names approach or
    # method, 6) and approach or method below 8 for the second time running
    data = table(client("A", [39.0, [10, 10, 7.5, 10], [9.0, 8.0, 6.0, 8.0]]))
    out = attention(data)
    assert list(out.columns) == list(ATTENTION_COLUMNS)
    row = out.iloc[0]
    assert len(out) == 1
    session = alerts(data).query("session_number == 3")
    assert row["n_alerts"] == len(session)
    assert (row["severity"], row["rule"]) == ("critical", "sharp_drop")
    assert row["session_number"] == 3 and row["days_since"] == 0
    assert row["message"] == session.query("rule == 'sharp_drop'")["message"].iloc[0]
    assert row["suggestion"] == session.query("rule == 'sharp_drop'")["suggestion"].iloc[0]
    assert row["n_alerts"] == 2
    assert row["other_rules"] == "repeated_low_item (approach_method)"
    single = attention(table(client("B", LOW)))
    assert (single["n_alerts"].iloc[0], single["other_rules"].iloc[0]) == (1, "")


def test_most_urgent_first():
    data = table(client("A", WARN, weeks_ago=0), client("B", LOW, weeks_ago=2),
                 client("C", LOW, weeks_ago=1))
    out = attention(data)
    assert out["client_id"].tolist() == ["C", "B", "A"]  # critical, then most recent
    assert out["severity"].tolist() == ["critical", "critical", "warning"]
    assert out["days_since"].tolist() == [7, 14, 0]


def test_as_of_leaves_out_later_sessions():
    data = table(client("A", LOW + [39.0, 39.5]))  # recovered after the drop
    assert attention(data).empty
    then = MONDAY - pd.Timedelta(weeks=2)
    out = attention(data, as_of=then)
    assert out["client_id"].tolist() == ["A"] and out["session_number"].tolist() == [3]
    assert out["days_since"].tolist() == [0]
    assert attention(data, as_of=str(then.date())).equals(out)


def test_clinicians_filter():
    data = table(client("A", LOW, clinician="T1"), client("B", LOW, clinician="T2"))
    assert attention(data, clinicians="T2")["client_id"].tolist() == ["B"]
    assert attention(data, clinicians=["T1", "T2"])["client_id"].tolist() == ["A", "B"]


def test_settings_pass_through_to_the_alerts():
    data = table(client("A", LOW))
    off = AttentionSettings(alerts=AlertSettings().without("sharp_drop", "drop", "low_total",
                                                           "low_item"))
    assert attention(data, settings=off).empty
    critical = AttentionSettings(min_severity="critical")
    assert attention(table(client("A", WARN)), settings=critical).empty


def test_bad_arguments_raise_clear_errors():
    data = table(client("A", LOW))
    with pytest.raises(ValueError, match="as_of must be a date"):
        attention(data, as_of="last week")
    with pytest.raises(ValueError, match="holds no date"):
        attention(data.assign(session_date=pd.NaT))
    with pytest.raises(ValueError, match="open_weeks must be a number above 0"):
        AttentionSettings(open_weeks=0)
    with pytest.raises(ValueError, match="min_severity must be one of"):
        AttentionSettings(min_severity="urgent")
    with pytest.raises(TypeError, match="settings must be AttentionSettings"):
        attention(data, settings=AlertSettings())
    with pytest.raises(dataclasses.FrozenInstanceError):
        AttentionSettings().open_weeks = 8


def test_empty_list_keeps_the_columns():
    out = attention(table(client("A", [38.0, 38.5, 39.0])))
    assert out.empty and list(out.columns) == list(ATTENTION_COLUMNS)


def test_on_the_sample_every_listed_client_has_an_open_episode():
    data = load_sample()
    out = attention(data)
    eps = open_episodes(data).set_index(["client_id", "episode_id"])
    keys = list(zip(out["client_id"], out["episode_id"]))
    assert eps.loc[keys, "open"].all()
    assert not out.duplicated(["client_id", "episode_id"]).any()
    assert set(out["severity"]) <= {"warning", "critical"}
    assert (out["days_since"] <= 28).all()
    # the list is a short one: well under half of the open episodes
    assert 0 < len(out) < 0.5 * eps["open"].sum()


# --------------------------------------------------------------------------- command line
def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


@pytest.fixture
def caseload(tmp_path):
    data = table(client("A", LOW, clinician="T1", ors=[20, 20, 14]),
                 client("B", WARN, clinician="T2"),
                 client("C", LOW, clinician="T2", weeks_ago=6))
    path = tmp_path / "caseload.csv"
    data.to_csv(path, index=False)
    return path


def test_attention_command_prints_a_grouped_wrapped_list(capsys, monkeypatch, caseload):
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=None: os.terminal_size(
        (60, 24)))
    code, out, _ = run(capsys, "attention", caseload)
    assert code == 0
    lines = out.splitlines()
    assert max(map(len, lines)) <= 60
    heading = " ".join(lines[:lines.index("")])
    assert heading.startswith("Who needs attention as of 2 Mar 2026: 2 clients of 2 with an "
                              "open episode (not ended, seen within 4 weeks)")
    assert "T1: 1 client" in lines and "T2: 1 client" in lines
    assert lines.index("T1: 1 client") < lines.index("T2: 1 client")  # critical first
    assert "  A  episode EA  session 3, 2 Mar 2026 (today)" in lines
    assert "    critical  sharp_drop" in lines
    assert any(line.startswith("    Suggestion: ") for line in lines)
    assert "    Also: ors_deterioration" in lines


def test_attention_command_filters_and_writes_a_table(capsys, tmp_path, caseload):
    out = tmp_path / "now.csv"
    code, text, _ = run(capsys, "attention", caseload, "--clinician", "T2", "--as-of",
                        "2026-03-02", "-o", out)
    assert code == 0 and "Wrote 1 client needing attention" in text
    written = pd.read_csv(out)
    assert list(written.columns) == list(ATTENTION_COLUMNS)
    assert written["client_id"].tolist() == ["B"]
    code, text, _ = run(capsys, "attention", caseload, "--as-of", "2026-01-20")
    assert code == 0 and "1 client of 1 with an open episode" in " ".join(text.split())


@pytest.mark.parametrize("args, needle", [
    (["--as-of", "soon"], "--as-of must be a date"),
    (["--clinician", "t1"], "did you mean T1?"),
    (["-o", "list.txt"], "must end in one of"),
])
def test_attention_command_bad_options(capsys, caseload, args, needle):
    code, out, err = run(capsys, "attention", caseload, *args)
    assert code == 2 and needle in err and "Traceback" not in err
