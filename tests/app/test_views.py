"""The widget view without a browser: the choosers and what each callback shows."""

from __future__ import annotations

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.app.page import client_page
from srs_analytics.app.views import (
    CaseloadView,
    ClientView,
    CouplesView,
    caseload_view,
    client_view,
    couples_view,
    dashboard,
)


@pytest.fixture(scope="module")
def sample():
    data = srs.load_sample()
    return data, srs.fit_expected(data)


def test_the_view_opens_on_the_first_clinicians_most_urgent_client(sample):
    data, model = sample
    view = client_view(data, model=model)
    assert isinstance(view, ClientView)
    assert view.clinician.value == "T01"
    att = srs.attention(data, model=model)
    first = att.loc[att["clinician_id"] == "T01", "client_id"].iloc[0]
    assert view.client.value == first
    assert view.client.options[0][0].startswith(f"{first} - ")
    assert bytes(view.chart.value).startswith(b"\x89PNG")
    assert bytes(view.items.value).startswith(b"\x89PNG")
    assert f"Client {first}" in view.header.value
    page = client_page(data, first, model=model)
    assert view.note.value == page.note
    for message in page.alerts["message"]:
        assert message.split(": ", 1)[1] in view.alerts.value


def test_choosing_a_client_and_a_clinician_updates_everything(sample):
    data, model = sample
    view = client_view(data, model=model, clinician_id="T07", client_id="C00092")
    before = (bytes(view.chart.value), bytes(view.items.value), view.alerts.value,
              view.note.value)
    assert view.page.client_id == "C00092"
    view.client.value = "C00225"
    after = (bytes(view.chart.value), bytes(view.items.value), view.alerts.value,
             view.note.value)
    assert view.page.client_id == "C00225"
    assert all(a != b for a, b in zip(after, before))
    view.clinician.value = "T03"
    assert {c for _, c in view.client.options} == set(
        data.loc[data["clinician_id"] == "T03", "client_id"])
    assert view.page.clinician_id is not None


def test_the_dashboard_has_the_views_in_tabs_built_when_opened(sample):
    data, model = sample
    board = dashboard(data, model=model, source="the synthetic sample")
    tabs = board.children[1]
    assert [tabs.get_title(i) for i in range(len(tabs.children))] == [
        "Client", "Caseload", "Couples and groups"]
    assert isinstance(tabs.children[0].children[0], ClientView)
    assert not isinstance(tabs.children[1].children[0], CaseloadView)  # not built yet
    tabs.selected_index = 1
    view = tabs.children[1].children[0]
    assert isinstance(view, CaseloadView) and view.model is model
    tabs.selected_index = 0
    tabs.selected_index = 1
    assert tabs.children[1].children[0] is view  # built once
    tabs.selected_index = 2
    assert isinstance(tabs.children[2].children[0], CouplesView)
    assert "synthetic sample" in board.children[0].value


def test_the_caseload_view_follows_its_controls(sample):
    data, model = sample
    view = caseload_view(data, model=model)
    assert view.start.value == pd.Timestamp("2025-01-01")
    assert view.end.value == pd.Timestamp("2026-01-01")
    assert view.page.clinicians is None and view.page.counts["n_clients"] == 300
    att = srs.attention(data, model=model)
    for client_id in att["client_id"]:
        assert f"<td>{client_id}</td>" in view.attention.value
    before = {name: bytes(getattr(view, name).value) for name in
              ("rates", "outcomes", "effects", "jacobson_truax")}
    assert all(png.startswith(b"\x89PNG") for png in before.values())
    view.clinicians.value = ("T03",)
    assert view.page.clinicians == ("T03",)
    mine = att[att["clinician_id"] == "T03"]["client_id"]
    assert view.attention.value.count("<tr>") == len(mine) + 1  # the heading's row
    assert "clinician(s) T03" in view.header.value
    after = {name: bytes(getattr(view, name).value) for name in before}
    assert all(after[k] != before[k] for k in before)
    view.start.value = pd.Timestamp("2025-10-01")
    assert view.page.start == pd.Timestamp("2025-10-01")
    assert view.page.end == pd.Timestamp("2026-01-31")
    view.by.value = "setting"
    assert set(view.page.rates["group"]) == {"in person", "telehealth", "Whole service"}
    assert "T03, in person" in view.summary.value
    view.end.value = pd.Timestamp("2025-03-01")  # before the start: said, not computed
    assert "ends before it starts" in view.header.value
    assert view.page.end == pd.Timestamp("2026-01-31")


def test_the_couples_view_shows_a_couple_then_a_group(sample):
    data, model = sample
    view = couples_view(data, model=model, choice=("couple", "E00273"))
    assert "Couple E00273: C00274 and C00275" in view.header.value
    assert "3 of 6 joint sessions" in view.summary.value
    joint = srs.couple_sessions(data[data["episode_id"] == "E00273"])
    assert view.sessions.value.count("<tr>") == len(joint) + 1
    assert "C00274 26.31, C00275 38.25" in view.sessions.value
    rows = data[data["episode_id"] == "E00273"]
    for message in srs.alerts(rows, model=model, latest_only=True)["message"]:
        assert message.split(": ", 1)[1].replace("'", "&#39;") in view.alerts.value
    couple_png = bytes(view.chart.value)
    view.together.value = ("group", "G01")
    assert "Group G01: 7 members" in view.header.value
    assert bytes(view.chart.value) != couple_png
    assert view.sessions.value.count("<tr>") == 3 + 1
    assert "C00294, session 3" in view.alerts.value  # each alert names its member
    assert [v for _, v in view.together.options][:2] == [("couple", "E00272"),
                                                         ("couple", "E00273")]
