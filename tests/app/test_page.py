"""What a client's page shows: the same numbers as the analyses, the latest session's alerts,
the note line; and the chooser's order (attention list first)."""

from __future__ import annotations

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.app.page import attention_list, client_choices, client_page


@pytest.fixture(scope="module")
def sample():
    data = srs.load_sample()
    return data, srs.fit_expected(data)


def test_the_page_holds_the_analyses_of_the_clients_latest_episode(sample):
    data, model = sample
    page = client_page(data, "C00092", model=model)
    assert (page.client_id, page.episode_id, page.clinician_id) == ("C00092", "E00092", "T07")
    rows = data[data["client_id"] == "C00092"]
    now = srs.alerts(rows, model=model, latest_only=True)
    pd.testing.assert_frame_equal(page.alerts, now.reset_index(drop=True))
    assert page.severity == "warning"
    assert page.note == srs.progress_note(data, "C00092")
    assert page.note_session == 8
    table = srs.client_table(data, model=model).set_index("client_id").loc["C00092"]
    assert page.summary["ors_intake"] == table["ors_intake"] == 15.9
    assert page.summary["outcome"] == table["outcome"] == "recovered"
    assert page.chart.attrs["client_id"] == "C00092" and len(page.items) == 7 * 4


def test_a_client_without_an_srs_has_no_note(sample):
    data, model = sample
    ycors = data[data["measure"] == "YCORS"]["client_id"].iloc[0]
    page = client_page(data, ycors, model=model)
    assert page.note == "" and page.items.empty


def test_the_attention_list_is_the_latest_sessions_warnings_most_urgent_first(sample):
    data, model = sample
    att = attention_list(data, model=model)
    found = srs.alerts(data, model=model, latest_only=True, min_severity="warning")
    assert att["client_id"].tolist() == list(dict.fromkeys(found["client_id"]))
    assert att["client_id"].is_unique
    assert att["severity"].iloc[0] == "critical" and att["severity"].iloc[-1] == "warning"
    assert att["n_alerts"].sum() == len(found)


def test_choices_put_the_attention_list_first():
    data = pd.DataFrame({"client_id": ["A", "B", "C", "D"], "clinician_id": ["T1"] * 3 + ["T2"]})
    att = pd.DataFrame({"client_id": ["D", "C"], "severity": ["critical", "warning"],
                        "rule": ["sharp_drop", "low_total"]})
    assert client_choices(data, "T1", attention=att) == [
        ("C - warning: low total", "C"), ("A", "A"), ("B", "B")]
    assert [c for _, c in client_choices(data, None, attention=att)] == ["D", "C", "A", "B"]
    assert client_choices(data, "T9") == []
