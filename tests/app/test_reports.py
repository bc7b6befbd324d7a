"""Client reports: self-contained, escaped, one page per client, a progress bar."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.app.reports import client_report, write_client_reports
from srs_analytics.cli import main


@pytest.fixture(scope="module")
def sample():
    data = srs.load_sample()
    return data, srs.fit_expected(data)


def test_a_page_is_self_contained(sample):
    data, model = sample
    html = client_report(data, "C00092", model=model)
    assert "<script" not in html.lower()
    # nothing is fetched: every src is a data: URL, no stylesheet or font is linked
    assert re.findall(r'src="([^"]+)"', html) and all(
        s.startswith("data:image/png;base64,") for s in re.findall(r'src="([^"]+)"', html))
    assert not re.search(r"<link|@import|url\(|https?://", html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    pngs = [base64.b64decode(s.split(",", 1)[1]) for s in re.findall(r'src="([^"]+)"', html)]
    assert len(pngs) == 2 and all(p.startswith(b"\x89PNG") for p in pngs)
    # what the clinician reads: the alerts with their suggestions, and the note line
    page_alerts = srs.alerts(data[data["client_id"] == "C00092"], model=model,
                             latest_only=True)
    for suggestion in page_alerts["suggestion"]:
        assert suggestion in html
    assert srs.progress_note(data, "C00092") in html


def test_free_text_from_the_data_is_escaped(sample):
    data, model = sample
    data = data.copy()
    last = data[(data["client_id"] == "C00092") & (data["measure"] == "SRS")].index[-1]
    data.loc[last, "comment"] = "<script>alert('x')</script> & <b>bold</b>"
    data["clinician_id"] = data["clinician_id"].astype("str")  # a categorical: new values
    data.loc[data["client_id"] == "C00092", "clinician_id"] = "<img src=x onerror=alert(1)>"
    html = client_report(data, "C00092", model=model)
    assert "<script" not in html and "<b>bold</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_pages_per_client_and_an_index_with_a_progress_bar(sample, tmp_path, capsys):
    data, model = sample
    paths = write_client_reports(data, tmp_path, clients=["C00092", "C00280"], model=model,
                                 progress=True)
    assert [p.name for p in paths] == ["index.html", "client_C00092.html", "client_C00280.html"]
    index = paths[0].read_text()
    # the critical client first, each linked
    assert index.index("client_C00280.html") < index.index("client_C00092.html")
    assert "sharp drop" in index
    err = capsys.readouterr().err
    assert "client pages" in err and "2/2" in err


def test_a_clinicians_clients_are_those_whose_latest_session_was_with_them(sample, tmp_path):
    data, model = sample
    data = data[data["client_id"] <= "C00040"]  # a few pages are enough
    paths = write_client_reports(data, tmp_path, clinician="T01", model=model, progress=False)
    latest = data.sort_values(["session_date", "session_number"]).drop_duplicates(
        "client_id", keep="last")
    expected = sorted(latest.loc[latest["clinician_id"] == "T01", "client_id"])
    assert sorted(p.stem.removeprefix("client_") for p in paths[1:]) == expected
    with pytest.raises(ValueError, match="clinician 'T99' is not in the data"):
        write_client_reports(data, tmp_path, clinician="T99", model=model)
    with pytest.raises(ValueError, match="client\\(s\\) nobody not in the data"):
        write_client_reports(data, tmp_path, clients=["nobody"], model=model)


def test_the_report_command(tmp_path, capsys):
    sample = srs.datasets.sample_path("caseload.csv")
    assert main(["report", str(sample), "--client", "C00092", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Wrote 1 client page(s)" in out and "index.html" in out
    html = (tmp_path / "client_C00092.html").read_text()
    assert "Client C00092" in html and "caseload.csv" in html
    assert main(["report", str(sample), "--client", "nobody", "--out", str(tmp_path)]) == 2
    assert "nobody not in the data" in capsys.readouterr().err
    assert main(["report", str(sample), "--clinician", "t01", "--out", str(tmp_path)]) == 2
    assert "did you mean T01?" in capsys.readouterr().err
    # without --client or --clinician it is the caseload report (tests/app/test_caseload_report.py)


def test_a_bad_out_folder_is_a_message_not_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    sample = srs.datasets.sample_path("caseload.csv")
    code = main(["report", str(sample), "--client", "C00092", "--out", str(blocker / "x")])
    assert code == 2 and "Traceback" not in capsys.readouterr().err


def test_a_client_without_a_clinician(sample):
    data, model = sample
    data = data.copy()
    data.loc[data["client_id"] == "C00092", "clinician_id"] = pd.NA
    assert "clinician" not in client_report(data, "C00092", model=model).split("<h2>")[0]
