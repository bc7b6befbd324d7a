"""The caseload report: self-contained and escaped like the client pages, its numbers are
the caseload analyses', small cells are suppressed on request, and it links a page per
client. The command line writes it without --client."""

from __future__ import annotations

import base64
import re
from html import unescape

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.app.reports import write_caseload_report
from srs_analytics.cli import main


@pytest.fixture(scope="module")
def small():
    """The sample's first 60 clients: enough for every chart, quick to report on."""
    data = srs.load_sample()
    data = data[data["client_id"] <= "C00060"].reset_index(drop=True)
    return data, srs.fit_expected(data)


@pytest.fixture(scope="module")
def report(small, tmp_path_factory):
    data, model = small
    out = tmp_path_factory.mktemp("caseload")
    paths = write_caseload_report(data, out, client_pages="attention", model=model,
                                  progress=False, synthetic=True)
    return data, model, paths


def _cells(html: str) -> list[list[list[str]]]:
    """The words of each cell of each table row (markup dropped, entities read)."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    return [[unescape(re.sub(r"<[^>]+>", " ", c)).split()
             for c in re.findall(r"<td>(.*?)</td>", r, flags=re.S)] for r in rows]


def test_the_report_is_self_contained(report):
    _, _, paths = report
    html = paths[0].read_text()
    assert paths[0].name == "index.html" and paths[1].name == "clients.html"
    assert "<script" not in html.lower()
    srcs = re.findall(r'src="([^"]+)"', html)
    assert len(srcs) == 4 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert all(base64.b64decode(s.split(",", 1)[1]).startswith(b"\x89PNG") for s in srcs)
    assert not re.search(r"<link|@import|url\(|https?://", html)
    assert "default-src 'none'" in html and "Synthetic sample data" in html


def test_the_attention_list_links_each_clients_page(report):
    data, model, paths = report
    html = paths[0].read_text()
    listed = srs.attention(data, model=model)
    assert len(listed) and len(paths) == 2 + len(listed)
    for client_id in listed["client_id"]:
        assert f'<a href="client_{client_id}.html">{client_id}</a>' in html
        assert (paths[0].parent / f"client_{client_id}.html").is_file()
    for suggestion in listed["suggestion"]:
        assert suggestion.replace("'", "&#39;") in html
    clients = paths[1].read_text()
    assert '<a href="index.html">The caseload report</a>' in clients
    page = paths[2].read_text()
    assert '<a href="clients.html">' in page  # back to the list


def test_the_tables_hold_the_analyses_numbers(report):
    data, model, paths = report
    html = paths[0].read_text()
    summary = srs.caseload_summary(data, model=model).set_index("clinician_id")
    table = html.split("The caseload in numbers")[1]
    rows = {" ".join(r[0]): r for r in _cells(table) if r}
    for clinician, row in summary.iterrows():
        got = rows[clinician]
        assert got[1] == [str(int(row["n_clients"]))]
        assert got[2] == [str(int(row["n_sessions"]))]
        share = row["share_srs_below_cutoff"]
        assert got[4] == [f"{share:.0%}", f"{row['share_srs_below_cutoff_low'] * 100:.0f}",
                          "to", f"{row['share_srs_below_cutoff_high'] * 100:.0f}"]
    service = srs.caseload_summary(data, by=(), model=model).iloc[0]
    assert rows["Whole service"][1] == [str(int(service["n_clients"]))]
    comparison = srs.clinician_comparison(data)
    block = html.split("Compared with the service")[1].split("</table>")[0]
    assert block.count("<tr>") == len(comparison)
    assert "too few cases" in block  # 60 clients: no clinician has 15 closed cases


def test_small_cells_are_suppressed_on_request(small, tmp_path):
    data, model = small
    paths = write_caseload_report(data, tmp_path, client_pages="none", model=model,
                                  suppress_below=5, progress=False)
    assert [p.name for p in paths] == ["index.html"]
    html = paths[0].read_text()
    assert "&lt;5" in html and "Counts under 5 are shown as &lt;5" in html
    summary = srs.suppress_small_cells(srs.caseload_summary(data, model=model), 5)
    table = html.split("The caseload in numbers")[1]
    rows = {" ".join(r[0]): r for r in _cells(table) if r}
    for clinician, row in summary.set_index("clinician_id").iterrows():
        assert rows[clinician][8] == [row["n_change"]]  # "<5" or the count
        if pd.isna(row["share_recovered"]):
            assert rows[clinician][10] == ["\u2013"]  # withheld


def test_free_text_is_escaped(small, tmp_path):
    data, model = small
    data = data.copy()
    data["clinician_id"] = data["clinician_id"].astype("str")  # a categorical takes no new value
    data.loc[data["clinician_id"] == "T01", "clinician_id"] = "<img src=x onerror=alert(1)>"
    paths = write_caseload_report(data, tmp_path, client_pages="none", model=model,
                                  progress=False)
    html = paths[0].read_text()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_period_and_chosen_clinicians(small, tmp_path, capsys):
    data, model = small
    paths = write_caseload_report(data, tmp_path, start="2025-07-01", end="2025-09-30",
                                  clinicians=["T02"], client_pages="all", model=model,
                                  progress=True)
    seen = data[(data["session_date"] >= "2025-07-01") & (data["session_date"] <= "2025-09-30")
                & (data["clinician_id"] == "T02")]
    assert sorted(p.name for p in paths[2:]) == sorted(
        f"client_{c}.html" for c in seen["client_id"].unique())
    html = paths[0].read_text()
    assert "1 Jul 2025 to 30 Sep 2025; clinician(s) T02" in html
    assert f"{seen['client_id'].nunique()} clients" in html
    assert "client pages" in capsys.readouterr().err  # the progress bar
    with pytest.raises(ValueError, match="client_pages must be one of"):
        write_caseload_report(data, tmp_path, client_pages="some")
    with pytest.raises(ValueError, match="client_pages must be 0 or more"):
        write_caseload_report(data, tmp_path, client_pages=-1)


def test_the_most_urgent_clients_pages(small, tmp_path):
    data, model = small
    paths = write_caseload_report(data, tmp_path, client_pages=2, model=model, progress=False)
    urgent = srs.attention(data, model=model)["client_id"].head(2)
    assert [p.name for p in paths[2:]] == [f"client_{c}.html" for c in urgent]
    html = paths[0].read_text()
    assert "The 2 client page(s) of this report" in html
    assert html.count('<a href="client_') == 2  # the other clients on the list: no link


def test_the_report_command_without_client(small, tmp_path, capsys):
    data, _ = small
    few = tmp_path / "few.csv"
    data[data["client_id"] <= "C00003"].to_csv(few, index=False)
    out = tmp_path / "report"
    assert main(["report", str(few), "--out", str(out), "--suppress-below", "3"]) == 0
    said = capsys.readouterr().out
    n = data[data["client_id"] <= "C00003"]["client_id"].nunique()
    assert f"Wrote the caseload report and {n} client page(s)" in said
    assert "counts under 3 shown as <3" in said and str(out / "index.html") in said
    assert len(list(out.glob("client_*.html"))) == n
    assert "few.csv" in (out / "index.html").read_text()
    for args, message in (
            (["--by", "mood"], "--by must be one of"),
            (["--from", "2025-09-01", "--to", "2025-01-01"], "is after --to"),
            (["--suppress-below", "0"], "--suppress-below must be 1 or more"),
            (["--client", "C00001", "--suppress-below", "5"], "belong(s) to the caseload"),
            (["--to", "yesterday"], "--to must be a date"),
            (["--client-pages", "some"], "--client-pages must be all, attention, none or")):
        assert main(["report", str(few), "--out", str(out), *args]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
