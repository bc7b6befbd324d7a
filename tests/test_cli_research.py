"""The caseload, research and research-export commands: they write their tables, and bad
input gives a message and exit code 2, never a traceback. All data here is synthetic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from srs_analytics.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "caseload.csv"
KEY = "5d41402abc4b2a76b9719d911017c592e0b7b1c2d3e4f5a6b7c8d9e0f1a2b3c4"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "research.key"
    path.write_text(KEY + "\n")
    return path


def test_caseload_by_clinician_and_month_with_suppression(capsys, tmp_path):
    out = tmp_path / "caseload.csv"
    code, text, err = run(capsys, "caseload", SAMPLE, "--by", "clinician,month", "--from",
                          "2025-03-01", "--to", "2025-05-31", "--suppress-below", "5",
                          "-o", out)
    assert code == 0, err
    assert "from 2025-03-01 to 2025-05-31" in text and "<5" in text
    t = pd.read_csv(out, dtype=str)
    assert list(t.columns[:3]) == ["clinician_id", "month", "n_clients"]
    assert set(t["month"]) == {"2025-03-01", "2025-04-01", "2025-05-01"}
    assert (t["n_clients_unknown_age"] == "<5").all()


@pytest.mark.parametrize("table, column", [("completion", "share_srs_completion"),
                                           ("trend", "completion_slope"),
                                           ("comparison", "shrunk_es"),
                                           ("attention", "share_attention")])
def test_caseload_tables(capsys, tmp_path, table, column):
    out = tmp_path / f"{table}.parquet"
    by = "none" if table != "completion" else "clinician"
    code, _, err = run(capsys, "caseload", SAMPLE, "--table", table, "--by", by,
                       "--episodes", "all", "-o", out)
    assert code == 0, err
    assert column in pd.read_parquet(out).columns


@pytest.mark.parametrize("args, message", [
    (["--by", "clinic"], "Invalid --by: by must be one of"),
    (["--from", "2025-13-01"], "--from must be a date like"),
    (["--from", "2025-06-01", "--to", "2025-01-01"], "--from (2025-06-01) is after --to"),
    (["--suppress-below", "0"], "--suppress-below must be 1 or more"),
    (["--min-cases", "0"], "Invalid --min-cases: min_cases must be an integer"),
])
def test_caseload_bad_options(capsys, tmp_path, args, message):
    code, _, err = run(capsys, "caseload", SAMPLE, *args, "-o", tmp_path / "x.csv")
    assert code == 2 and message in err and "Traceback" not in err


def test_research_writes_the_tidy_table(capsys, tmp_path):
    out = tmp_path / "research.csv"
    code, text, err = run(capsys, "research", SAMPLE, "--bootstrap", "100", "-o", out)
    assert code == 0, err
    assert "next ORS on SRS within clients" in text
    t = pd.read_csv(out)
    assert list(t.columns) == ["analysis", "term", "estimate", "ci_low", "ci_high", "p", "n"]
    code, _, err = run(capsys, "research", SAMPLE, "--bootstrap", "1", "-o", out)
    assert code == 2 and "Invalid --bootstrap" in err


def test_research_export_writes_pseudonyms_and_a_dictionary(capsys, tmp_path, key_file):
    out = tmp_path / "share.csv"
    code, text, err = run(capsys, "research-export", SAMPLE, "--key-file", key_file,
                          "-o", out)
    assert code == 0, err
    assert (tmp_path / "share_dictionary.csv").exists() and "data dictionary" in text
    t = pd.read_csv(out)
    assert t["client_id"].str.match(r"C-[0-9a-f]{16}$").all()
    assert "comment" not in t.columns and "session_date" not in t.columns
    assert KEY not in out.read_text() and KEY not in text
    first = t.copy()
    code, _, _ = run(capsys, "research-export", SAMPLE, "--key-file", key_file, "-o", out)
    pd.testing.assert_frame_equal(first, pd.read_csv(out))


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"), ("", "is empty"), ("tooshort", "a key needs at least 32"),
])
def test_research_export_refuses_a_bad_key(capsys, tmp_path, content, message):
    key = tmp_path / "k.key"
    if content is not None:
        key.write_text(content)
    code, _, err = run(capsys, "research-export", SAMPLE, "--key-file", key, "-o",
                       tmp_path / "share.csv")
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "share.csv").exists()


def test_research_export_does_not_overwrite_the_key(capsys, tmp_path):
    key = tmp_path / "share.csv"
    key.write_text(KEY)
    code, _, err = run(capsys, "research-export", SAMPLE, "--key-file", key, "-o", key)
    assert code == 2 and "overwrite the key file" in err
    assert key.read_text() == KEY
