"""A client's page opened in Chromium: it asks the network for nothing, runs no script (a
`<script>` in a comment shows as text), and shows its two charts."""

from __future__ import annotations

import pytest

import srs_analytics as srs
from srs_analytics.app.reports import write_client_reports

pytestmark = pytest.mark.browser


def test_the_page_opens_offline_and_runs_nothing(page, tmp_path):
    data = srs.load_sample()
    data = data[data["client_id"] <= "C00100"].copy()
    last = data[(data["client_id"] == "C00092") & (data["measure"] == "SRS")].index[-1]
    data.loc[last, "comment"] = "<script>alert('x')</script><img src=x onerror=alert(2)>"
    index, path = write_client_reports(data, tmp_path, clients=["C00092"], progress=False)
    requests, dialogs = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert dialogs == []
    images = page.locator("figure img")
    assert images.count() == 2
    assert all(w > 300 for w in page.eval_on_selector_all(
        "figure img", "els => els.map(e => e.naturalWidth)"))
    assert "<script>alert('x')</script>" in page.locator("pre.note").inner_text()
    page.screenshot(path=tmp_path / "report_C00092.png", full_page=True)
    page.goto(index.as_uri())
    page.click("text=C00092")
    assert page.url == path.as_uri()
