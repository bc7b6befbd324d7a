"""The command line: validate, convert, simulate, demo; bad input never shows a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from srs_analytics.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def run(capsys, *args):
    """Exit code, stdout, and stderr with its wrapping undone (one space between words)."""
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


def test_validate_json_has_the_promised_keys(capsys):
    code, out, _ = run(capsys, "validate", SAMPLE / "messy_export.csv", "--json")
    assert code == 0
    report = json.loads(out)
    for key in ("rows_read", "loaded", "rejected", "skipped", "duplicates", "conflicts",
                "by_measure", "by_reason", "files"):
        assert key in report
    assert report["rows_read"] == 60 and report["by_reason"]["partial_items"] == 1


def test_validate_text_and_rejected_out(capsys, tmp_path):
    out_csv = tmp_path / "rejected.csv"
    code, out, _ = run(capsys, "validate", SAMPLE / "messy_export.csv", "--rejected-out",
                       out_csv)
    assert code == 0
    assert "rejected   6" in out and "day-first" in out
    rejected = pd.read_csv(out_csv)
    assert list(rejected.columns) == ["source_file", "source_row", "reason", "message",
                                      "client_id", "measure", "raw_values"]
    assert sorted(rejected["source_row"]) == [11, 13, 17, 20, 23, 25]


def test_validate_with_mapping_and_options(capsys):
    code, out, _ = run(capsys, "validate", SAMPLE / "redcap.csv", "--mapping",
                       SAMPLE / "redcap_mapping.json", "--json")
    assert code == 0 and json.loads(out)["rejected"] == 0


def test_dayfirst_option(capsys, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("client,date,measure,total\nA,02/03/2026,ORS,20\n")
    code, _, err = run(capsys, "validate", path)
    assert code == 2 and "dayfirst" in err and "Traceback" not in err
    code, out, _ = run(capsys, "validate", path, "--dayfirst", "--json")
    assert code == 0 and json.loads(out)["loaded"] == 1


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_convert_writes_the_canonical_table(capsys, tmp_path, suffix):
    out = tmp_path / f"c{suffix}"
    code, text, _ = run(capsys, "convert", SAMPLE / "openfit.csv", "-o", out)
    assert code == 0 and out.exists() and "Wrote" in text
    reader = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".xlsx": pd.read_excel}[suffix]
    back = reader(out)
    assert list(back.columns[:3]) == ["client_id", "episode_id", "clinician_id"]
    assert len(back) > 1000


def test_simulate_command(capsys, tmp_path):
    out = tmp_path / "sim.csv"
    code, text, _ = run(capsys, "simulate", "--clients", 25, "--seed", 3, "-o", out)
    assert code == 0 and "synthetic" in text
    code, text, _ = run(capsys, "validate", out, "--json")
    assert json.loads(text)["rejected"] == 0


@pytest.mark.parametrize("args,needle", [
    (["validate", "/no/such/file.csv"], "does not exist"),
    (["convert", "{sample}/caseload.csv", "-o", "/tmp/out.json"], "must end in"),
    (["convert", "{sample}/caseload.csv", "-o", "/no/such/dir/out.csv"], "does not exist"),
    (["validate", "{sample}/caseload.csv", "--source", "camcops"], "patient"),
    (["simulate", "--clients", "0", "-o", "/tmp/x.csv"], "--clients"),
    (["validate", "{empty}"], "empty"),
    (["validate", "{garbage}"], "looks like a binary file"),
])
def test_bad_input_gives_a_message_not_a_traceback(capsys, tmp_path, args, needle):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01binary\xff\xfe junk")
    args = [a.format(sample=SAMPLE, empty=empty, garbage=garbage) for a in args]
    code, _, err = run(capsys, *args)
    assert code != 0
    assert needle in err and "Traceback" not in err


def test_wrong_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate", "x.csv", "--no-such-option"])
    assert exc.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_console_script_runs_demo(tmp_path):
    exe = Path(sys.executable).with_name("srs-analytics")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "srs_analytics.cli"]
    out = subprocess.run([*cmd, "demo", "-o", str(tmp_path / "out")], capture_output=True,
                         text=True, env={**os.environ}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "SYNTHETIC" in out.stdout and "loaded" in out.stdout
    assert (tmp_path / "out" / "canonical.csv").exists()
    assert (tmp_path / "out" / "validation.json").exists()


def test_alerts_command_writes_the_interface_columns(capsys, tmp_path):
    out = tmp_path / "alerts.csv"
    code, text, _ = run(capsys, "alerts", SAMPLE / "caseload.csv", "--min-severity", "warning",
                        "--since", "2025-06-01", "-o", out)
    assert code == 0 and "Wrote" in text
    table = pd.read_csv(out)
    for col in ("client_id", "episode_id", "session_number", "session_date", "rule",
                "severity", "item", "value", "threshold", "message", "suggestion"):
        assert col in table.columns
    assert set(table["severity"]) <= {"warning", "critical"}
    assert (pd.to_datetime(table["session_date"]) >= "2025-06-01").all()


def test_alerts_command_rules_and_clinician_filters(capsys):
    code, text, _ = run(capsys, "alerts", SAMPLE / "caseload.csv", "--rules", "sharp_drop",
                        "--clinician", "T01")
    assert code == 0
    lines = text.splitlines()
    rules = [line for line in lines if line.startswith("  ") and not line.startswith("   ")]
    heads = [line for line in lines[:-2] if line and not line.startswith(" ")]
    assert rules and all(line.endswith("  sharp_drop") for line in rules)
    assert heads and all(line.endswith("clinician T01") for line in heads)
    code, _, err = run(capsys, "alerts", SAMPLE / "caseload.csv", "--rules", "nonsense")
    assert code == 2 and "Invalid --rules: unknown rule(s) 'nonsense'; valid rules: " in err
    code, _, err = run(capsys, "alerts", SAMPLE / "caseload.csv", "--since", "last week")
    assert code == 2 and "--since" in err


def test_note_command(capsys):
    code, text, _ = run(capsys, "note", SAMPLE / "caseload.csv", "--client", "C00002")
    assert code == 0 and text.startswith("SRS total:") and "/40" in text
    code, text, _ = run(capsys, "note", SAMPLE / "caseload.csv", "--client", "C00002",
                        "--session", "1")
    assert code == 0 and "/40" in text
    code, _, err = run(capsys, "note", SAMPLE / "caseload.csv", "--client", "NOBODY")
    assert code == 2 and "NOBODY" in err and "Traceback" not in err


def test_expected_response_fitted_on_a_history(capsys, tmp_path):
    from srs_analytics import simulate

    history, month = tmp_path / "history.csv", tmp_path / "month.csv"
    simulate(400, seed=11).to_csv(history, index=False)
    simulate(40, seed=12).to_csv(month, index=False)
    out = tmp_path / "clients.csv"
    code, text, _ = run(capsys, "clients", month, "--history", history, "-o", out)
    assert code == 0 and "fitted on" in text
    fitted_on = int(text.split("fitted on ")[1].split(" ")[0].replace(",", ""))
    assert fitted_on > 300  # the history's episodes, not the month's 40 clients
    code, own, _ = run(capsys, "clients", month, "-o", out)
    assert code == 0 and own.splitlines()[-1] != text.splitlines()[-1]
    code, text, _ = run(capsys, "alerts", month, "--history", history, "-o",
                        tmp_path / "a.csv")
    assert code == 0 and "Expected treatment response" in text


def test_a_folder_with_stray_files_and_a_summary_sheet(capsys, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Clinician", "Clients"])
    data = wb.create_sheet("Data")
    for row in [["client_id", "session_date", "measure", "total"], ["C1", "2026-03-02", "ORS", 21]]:
        data.append(row)
    wb.save(tmp_path / "book.xlsx")
    (tmp_path / "todo.txt").write_text("call the auditor\n")
    code, out, _ = run(capsys, "validate", tmp_path, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["loaded"] == 1
    assert [f["file"] for f in report["files_skipped"]] == ["book.xlsx:Summary", "todo.txt"]
    code, out, err = run(capsys, "convert", tmp_path, "-o", tmp_path / "out.csv")
    assert code == 0 and "Wrote 1 administrations" in out
    assert "2 file(s) or sheet(s) skipped" in err and "todo.txt" in err
    code, out, err = run(capsys, "validate", tmp_path / "book.xlsx", "--sheet", "Data")
    assert code == 0 and "Not loaded" not in out and err == ""
    code, _, err = run(capsys, "validate", tmp_path / "book.xlsx", "--sheet", "Summary")
    assert code == 2 and "book.xlsx: No recognisable" in err
    code, _, err = run(capsys, "validate", tmp_path / "todo.txt")
    assert code == 2 and err.startswith("srs-analytics: todo.txt: No recognisable")


def test_version(capsys):
    import srs_analytics

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"srs-analytics {srs_analytics.__version__}"


class _ClosedPipe:
    """A stdout whose reader has gone away (`| head`)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = main(["note", str(SAMPLE / "caseload.csv"), "--client", "C00002"])
    assert code == 141
    assert capsys.readouterr().err == ""


def test_a_closed_pipe_ends_quietly_in_a_real_process(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("client_id,session_date,measure,total\nC1,2026-03-02,ORS,20\n")
    exe = Path(sys.executable).with_name("srs-analytics")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "srs_analytics.cli"]
    proc = subprocess.Popen([*cmd, "validate", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141 and err == b"", err


TINY = "client_id,session_date,measure,total\nC1,2026-03-02,ORS,20\nC1,2026-03-09,ORS,26\n"


@pytest.mark.parametrize("option,value", [
    ("--cutoff", "100"), ("--cutoff", "nan"), ("--cutoff", "d"), ("--rci", "0"),
    ("--rci", "50"), ("--reliability", "1.5"), ("--reliability", "-0.1"),
    ("--functional-mean", "50"), ("--functional-mean", "-1"), ("--functional-sd", "0"),
    ("--functional-sd", "41"),
])
def test_out_of_range_settings_are_refused_naming_the_option(capsys, tmp_path, option, value):
    path = tmp_path / "f.csv"
    path.write_text(TINY)
    out = tmp_path / "clients.csv"
    code, _, err = run(capsys, "clients", path, option, value, "-o", out)
    assert code == 2, err
    assert err.startswith(f"srs-analytics: Invalid {option}: ") and "bug" not in err
    assert not out.exists()


@pytest.mark.parametrize("args,needle", [
    (["note", "{tiny}", "--client", "C1", "--session", "0"], "--session must be 1 or more"),
    (["simulate", "--seed", "-1", "-o", "{out}"], "--seed must be 0 or more"),
    (["simulate", "--clients", "0", "-o", "{out}"], "--clients must be 1 or more"),
    (["alerts", "{tiny}", "--since", "soon"], "--since must be a date"),
    (["alerts", "{tiny}", "--rules", " , "], "--rules names no rule"),
])
def test_other_impossible_values_are_refused(capsys, tmp_path, args, needle):
    (tmp_path / "f.csv").write_text(TINY)
    args = [a.format(tiny=tmp_path / "f.csv", out=tmp_path / "o.csv") for a in args]
    code, _, err = run(capsys, *args)
    assert code == 2 and needle in err


def test_settings_defaults_come_from_the_dataclasses(capsys, monkeypatch):
    from srs_analytics.cli import _parser
    from srs_analytics.outcomes import OutcomeSettings

    d = OutcomeSettings()
    args = _parser().parse_args(["clients", "x.csv", "-o", "o.csv"])
    assert (args.method, args.rci, args.reliability, args.cutoff, args.functional_mean,
            args.functional_sd) == (d.method, d.rci, d.reliability, d.cutoff,
                                    d.functional_mean, d.functional_sd)
    with pytest.raises(SystemExit):
        main(["clients", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"(default {d.reliability:g}, Miller" in help_text
    assert f"(default {d.functional_sd:g})" in help_text


def test_a_cutoff_kind_is_read_in_any_case(capsys, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(TINY)
    code, out, _ = run(capsys, "clients", path, "--cutoff", " A ", "-o", tmp_path / "c.csv")
    assert code == 0 and "Wrote 1 client episodes" in out


def _alert_data(tmp_path):
    """Two clinicians; client C1's alliance falls sharply at its last session (9 March)."""
    rows = ["client_id,episode_id,clinician_id,session_date,measure,item_1,item_2,item_3,"
            "item_4"]
    for day, srs in (("2026-03-02", 9.5), ("2026-03-09", 6.0)):
        rows += [f"C1,E1,T03,{day},ORS,5,5,5,5", f"C1,E1,T03,{day},SRS,{srs},{srs},{srs},{srs}"]
    rows += ["C2,E2,T04,2026-03-02,ORS,6,6,6,6", "C2,E2,T04,2026-03-02,SRS,9.2,9.2,9.2,9.2"]
    path = tmp_path / "caseload.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_clinician_not_in_the_data_is_an_error_with_a_hint(capsys, tmp_path):
    path = _alert_data(tmp_path)
    code, out, err = run(capsys, "alerts", path, "--clinician", "t03")
    assert code == 2 and out == ""
    assert "No clinician t03 (did you mean T03? ids match exactly" in err
    assert "Its clinicians are T03, T04." in err
    code, _, err = run(capsys, "alerts", path, "--clinician", "T03", "--clinician", "T9")
    assert code == 2 and "No clinician T9 in the data" in err and "did you mean" not in err
    code, out, _ = run(capsys, "alerts", path, "--clinician", "T04", "--since", "2026-03-01")
    assert code == 0 and out.strip() == "No alerts for T04 since 2026-03-01."


def test_since_after_the_data_says_so(capsys, tmp_path):
    path = _alert_data(tmp_path)
    code, out, _ = run(capsys, "alerts", path, "--since", "2026-04-01")
    assert code == 0
    assert out.strip() == ("No alerts: --since 2026-04-01 is after the data's last session "
                           "(2026-03-09).")
    code, out, _ = run(capsys, "alerts", path, "--since", "2026-04-01", "-o",
                       tmp_path / "a.csv")
    assert code == 0 and "Note: --since 2026-04-01 is after the data's last session" in out
    code, out, _ = run(capsys, "alerts", path, "--since", "2026-03-09", "--min-severity",
                       "critical", "--rules", "sharp_drop,drop", "--clinician", "T04")
    assert out.strip() == ("No critical alerts of the rule(s) sharp_drop, drop for T04 "
                           "since 2026-03-09.")


def test_alerts_on_a_terminal_are_grouped_by_client_and_wrapped(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=None: os.terminal_size(
        (60, 24)))
    path = _alert_data(tmp_path)
    code, out, _ = run(capsys, "alerts", path)
    assert code == 0
    lines = out.splitlines()
    assert max(map(len, lines)) <= 60
    assert lines[0] == "C1   episode E1   clinician T03"
    assert lines[1].startswith("  critical  session 2, 9 Mar 2026  sharp_drop")
    assert lines[2].startswith("    SRS fell 14 points")  # "Session 2, ...:" is in the heading
    assert any(line.startswith("    Suggestion: ") for line in lines)
    assert any(line.startswith("      ") for line in lines)  # the suggestion wraps, indented
    count = " ".join(lines[len(lines) - lines[::-1].index(""):])  # after the last blank line
    assert "for 1 client episode: 1 critical, " in count and "-o FILE" in count
    full = tmp_path / "a.csv"
    run(capsys, "alerts", path, "-o", full)
    n = len(pd.read_csv(full))
    assert count.startswith(f"{n} alert{'' if n == 1 else 's'} for 1 client episode")


def test_format_alerts_caps_the_width_and_keeps_the_table_order():
    from srs_analytics import alerts, load
    from srs_analytics.cli import format_alerts

    table = alerts(load(SAMPLE / "caseload.csv").data, latest_only=True)
    text = format_alerts(table, width=300)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100
    headings = [line.split()[0] for line in lines if line and not line.startswith(" ")][:-2]
    assert headings == list(dict.fromkeys(table["client_id"]))[:len(headings)]
    assert lines[1].split()[0] == "critical"
    counts = table["severity"].value_counts()
    assert lines[-2] == (f"{len(table)} alerts for "
                         f"{len(table[['client_id', 'episode_id']].drop_duplicates())} client "
                         f"episodes: {counts['critical']} critical, {counts['warning']} "
                         f"warning, {counts['info']} info.")


def test_a_file_that_cannot_be_written_is_a_message(capsys, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(TINY)
    (tmp_path / "taken.csv").mkdir()
    code, _, err = run(capsys, "convert", path, "-o", tmp_path / "taken.csv")
    assert code == 2 and err.startswith("srs-analytics: Could not read or write a file: ")
    assert "taken.csv" in err and "()" not in err and "bug" not in err
