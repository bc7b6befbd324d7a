"""The widget view without a browser: the choosers and what each callback shows."""

from __future__ import annotations

import pytest

import srs_analytics as srs
from srs_analytics.app.page import client_page
from srs_analytics.app.views import ClientView, client_view, dashboard


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


def test_the_dashboard_has_the_client_view_in_a_tab(sample):
    data, model = sample
    board = dashboard(data, model=model, source="the synthetic sample")
    tabs = board.children[1]
    assert tabs.get_title(0) == "Client" and isinstance(tabs.children[0], ClientView)
    assert "synthetic sample" in board.children[0].value
