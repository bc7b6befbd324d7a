"""The dashboard in a real browser: Voila serves it, Chromium opens it, a person picks another
client and sees another chart and other alerts. Screenshots are saved in the test's folder."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TIMEOUT = 120_000  # ms: the kernel starts and fits the expected response first


_IMAGES_LOADED = ("() => [...document.querySelectorAll('img.srs-chart, img.srs-items')]"
                  ".every(i => i.complete && i.naturalWidth > 0)")


def _shown(page):
    page.wait_for_function(_IMAGES_LOADED, timeout=TIMEOUT)
    return {"header": page.locator(".srs-header").inner_text(),
            "alerts": page.locator(".srs-alerts").inner_text(),
            "note": page.locator(".srs-note textarea").input_value(),
            "chart": page.locator("img.srs-chart").screenshot(),
            "items": page.locator("img.srs-items").screenshot()}


def test_picking_another_client_changes_the_chart_and_the_alerts(dashboard, page, tmp_path):
    page.goto(dashboard.url, timeout=TIMEOUT)
    page.wait_for_selector("img.srs-chart[src]", timeout=TIMEOUT)
    page.wait_for_function("document.querySelector('.srs-header').innerText.includes('Client')",
                           timeout=TIMEOUT)
    page.screenshot(path=tmp_path / "dashboard_first_client.png", full_page=True)
    clients = [t.replace("\xa0", " ") for t in
               page.locator(".srs-client select option").all_inner_texts()]
    before = _shown(page)
    # the attention list comes first: the first client has a warning or a critical alert
    assert " - critical: " in clients[0] or " - warning: " in clients[0]
    assert f"Client {clients[0].split(' ')[0]}" in before["header"]
    assert before["alerts"].strip() and before["note"].startswith(("SRS", "CSRS", "GSRS"))

    target = page.locator(".srs-client select option").nth(2)
    label = target.inner_text()
    page.locator(".srs-client select").select_option(label=label)
    client_id = label.replace("\xa0", " ").split(" ")[0]
    # the header is updated last, once the charts, the alerts and the note are
    page.wait_for_function(
        f"document.querySelector('.srs-header').innerText.includes('Client {client_id}')",
        timeout=TIMEOUT)
    page.wait_for_function("(old) => document.querySelector('.srs-alerts').innerText !== old",
                           arg=before["alerts"], timeout=TIMEOUT)
    after = _shown(page)
    page.screenshot(path=tmp_path / "dashboard_another_client.png", full_page=True)
    assert f"Client {client_id}" in after["header"]
    assert after["chart"] != before["chart"]
    assert after["alerts"] != before["alerts"]
    assert after["note"] != before["note"]
    assert (tmp_path / "dashboard_another_client.png").stat().st_size > 10_000


def test_choosing_another_clinician_lists_their_clients(dashboard, page, tmp_path):
    page.goto(dashboard.url, timeout=TIMEOUT)
    page.wait_for_selector("img.srs-chart[src]", timeout=TIMEOUT)
    page.wait_for_function("document.querySelector('.srs-header').innerText.includes('Client')",
                           timeout=TIMEOUT)
    before = page.locator(".srs-client select option").all_inner_texts()
    page.locator(".srs-clinician select").select_option(label="T03")
    page.wait_for_function(
        "document.querySelector('.srs-header').innerText.includes('clinician T03')",
        timeout=TIMEOUT)
    after = page.locator(".srs-client select option").all_inner_texts()
    assert after != before
    page.screenshot(path=tmp_path / "dashboard_clinician_T03.png", full_page=True)


def _open_tab(page, dashboard, name):
    page.goto(dashboard.url, timeout=TIMEOUT)
    page.wait_for_selector("img.srs-chart[src]", timeout=TIMEOUT)  # the client view first
    page.get_by_role("tab", name=name).click()


def test_the_caseload_tab_follows_the_chosen_clinician(dashboard, page, tmp_path):
    _open_tab(page, dashboard, "Caseload")
    page.wait_for_function(
        "document.querySelector('.srs-caseload-header') && "
        "document.querySelector('.srs-caseload-header').innerText.includes('The caseload')",
        timeout=TIMEOUT)
    images = ("img.srs-rates", "img.srs-outcomes", "img.srs-effects", "img.srs-jacobson-truax")
    page.wait_for_function("(sel) => sel.every(s => { const i = document.querySelector(s); "
                           "return i && i.complete && i.naturalWidth > 0; })",
                           arg=list(images), timeout=TIMEOUT)
    header = page.locator(".srs-caseload-header").inner_text()
    assert "300 clients" in header and "need attention" in header
    attention = page.locator(".srs-attention").inner_text()
    before = {s: page.locator(s).screenshot() for s in images}
    page.screenshot(path=tmp_path / "dashboard_caseload.png", full_page=True)
    page.locator(".srs-clinicians select").select_option("T03")
    page.wait_for_function(
        "document.querySelector('.srs-caseload-header').innerText.includes('T03')",
        timeout=TIMEOUT)
    page.wait_for_function("(sel) => sel.every(s => { const i = document.querySelector(s); "
                           "return i && i.complete && i.naturalWidth > 0; })",
                           arg=list(images), timeout=TIMEOUT)
    assert "300 clients" not in page.locator(".srs-caseload-header").inner_text()
    assert page.locator(".srs-attention").inner_text() != attention
    after = {s: page.locator(s).screenshot() for s in images}
    assert all(after[s] != before[s] for s in images)
    rows = page.locator(".srs-attention tbody tr").all_inner_texts()
    assert rows and all("\tT03\t" in r for r in rows)  # only T03's clients
    page.screenshot(path=tmp_path / "dashboard_caseload_T03.png", full_page=True)


def test_the_couples_tab_shows_a_group_when_chosen(dashboard, page, tmp_path):
    _open_tab(page, dashboard, "Couples and groups")
    page.wait_for_function(
        "document.querySelector('.srs-couple-header') && "
        "document.querySelector('.srs-couple-header').innerText.includes('Couple')",
        timeout=TIMEOUT)
    page.wait_for_selector("img.srs-couple-chart[src]", timeout=TIMEOUT)
    before = (page.locator("img.srs-couple-chart").screenshot(),
              page.locator(".srs-couple-sessions").inner_text())
    page.screenshot(path=tmp_path / "dashboard_couple.png", full_page=True)
    page.locator(".srs-together select").select_option(label="Group G01: 7 members")
    page.wait_for_function(
        "document.querySelector('.srs-couple-header').innerText.includes('Group G01')",
        timeout=TIMEOUT)
    after = (page.locator("img.srs-couple-chart").screenshot(),
             page.locator(".srs-couple-sessions").inner_text())
    assert after[0] != before[0] and after[1] != before[1]
    assert "Members who stay below the group" in page.locator(".srs-couple-summary").inner_text()
    page.screenshot(path=tmp_path / "dashboard_group.png", full_page=True)
