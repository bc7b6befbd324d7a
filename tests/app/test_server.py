"""The dashboard server: which data it shows, its command line; the browser test starts it."""

from __future__ import annotations

import os
import sys

import srs_analytics as srs
from srs_analytics.app.server import DATA_VARIABLE, dashboard_data, main, voila_command


def test_the_data_is_the_sample_unless_named(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_VARIABLE, raising=False)
    data, source = dashboard_data()
    assert source == "the synthetic sample" and len(data) == len(srs.load_sample())
    first = tmp_path / "a.csv"
    srs.load_sample().query("clinician_id == 'T01'").to_csv(first, index=False)
    monkeypatch.setenv(DATA_VARIABLE, os.pathsep.join([str(first)]))
    data, source = dashboard_data()
    assert source == "a.csv" and set(data["clinician_id"]) == {"T01"}


def test_voila_listens_on_loopback_only():
    cmd = voila_command(8899)
    assert cmd[:3] == [sys.executable, "-m", "voila"]
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=8899" in cmd and "--no-browser" in cmd


def test_bad_data_is_a_message_before_any_server_starts(capsys, tmp_path):
    assert main(["nowhere.csv", "--port", "1"]) == 2
    assert "nowhere.csv" in capsys.readouterr().err
    bad = tmp_path / "notes.csv"
    bad.write_text("name,remark\nx,y\n")
    assert main([str(bad), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("srs-analytics: ") and "Traceback" not in err
