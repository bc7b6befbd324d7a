"""What a client's page shows: the same numbers as the analyses, the latest session's alerts,
the note line; and the chooser's order (attention list first)."""

from __future__ import annotations

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.app.page import (
    caseload_page,
    client_choices,
    client_page,
    month_choices,
    together_choices,
    together_page,
)


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
    assert page.severity == str(now["severity"].max())
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


def test_the_chooser_follows_the_attention_list(sample):
    data, model = sample
    att = srs.attention(data, model=model)
    mine = att[att["clinician_id"] == "T03"]
    options = client_choices(data, "T03", attention=att)
    assert [c for _, c in options[:len(mine)]] == mine["client_id"].tolist()
    first = mine.iloc[0]
    assert options[0][0] == (f"{first['client_id']} - {first['severity']}: "
                             f"{first['rule'].replace('_', ' ')}")
    rest = [c for _, c in options[len(mine):]]
    assert rest == sorted(rest) and not set(rest) & set(mine["client_id"])


def test_choices_put_the_attention_list_first():
    data = pd.DataFrame({"client_id": ["A", "B", "C", "D"], "clinician_id": ["T1"] * 3 + ["T2"]})
    att = pd.DataFrame({"client_id": ["D", "C"], "severity": ["critical", "warning"],
                        "rule": ["sharp_drop", "low_total"]})
    assert client_choices(data, "T1", attention=att) == [
        ("C - warning: low total", "C"), ("A", "A"), ("B", "B")]
    assert [c for _, c in client_choices(data, None, attention=att)] == ["D", "C", "A", "B"]
    assert client_choices(data, "T9") == []


def test_the_caseload_page_holds_the_analyses_of_its_period(sample):
    data, model = sample
    page = caseload_page(data, start="2025-04-01", end="2025-06-30", model=model,
                         clinicians=["T01", "T04"], suppress_below=5)
    assert page.period == "1 Apr 2025 to 30 Jun 2025"
    assert page.as_of == pd.Timestamp("2025-06-30")
    att = srs.attention(data, as_of="2025-06-30", model=model, clinicians=["T01", "T04"])
    pd.testing.assert_frame_equal(page.attention, att.reset_index(drop=True))
    table = srs.caseload_summary(data, start="2025-04-01", end="2025-06-30", model=model)
    mine = table[table["clinician_id"].isin(["T01", "T04"])]
    assert page.counts["n_clients"] == mine["n_clients"].sum()
    assert page.counts["n_sessions"] == mine["n_sessions"].sum()
    assert page.summary["group"].tolist() == ["T01", "T04", "Whole service"]
    small = srs.suppress_small_cells(mine, 5).reset_index(drop=True)
    assert page.summary["n_change"].iloc[:2].tolist() == small["n_change"].tolist()
    assert set(page.comparison["clinician_id"]) == {"T01", "T04"}
    assert set(page.effects["clinician"]) <= {"T01", "T04"}
    assert set(page.jacobson_truax["clinician_id"]) <= {"T01", "T04"}
    assert page.rates["month"].between("2025-04-01", "2025-06-01").all()


def test_months_for_a_chooser(sample):
    data, _ = sample
    months = month_choices(data)
    assert months[0] == pd.Timestamp("2025-01-01") and months[-1] == pd.Timestamp("2026-01-01")
    assert len(months) == 13 and month_choices(data.drop(columns="session_date")) == []


def test_the_page_of_a_couple_and_of_a_group(sample):
    data, model = sample
    options = together_choices(data)
    couples = srs.couple_episodes(data)["episode_id"].unique()
    assert [v for _, v in options if v[0] == "couple"] == [("couple", e) for e in couples]
    assert options[-1] == ("Group G01: 7 members", ("group", "G01"))
    family = together_page(data, "couple", "E00278", model=model)
    assert family.title == "Family E00278: C00284, C00285, C00286"
    eps = srs.couple_episodes(data).query("episode_id == 'E00278'").set_index("measure")
    assert dict(family.summary)["Alliance split"] == (
        f"{eps.loc['SRS', 'n_split']} of {eps.loc['SRS', 'n_joint_sessions']} joint sessions")
    assert (family.sessions["gap"] == srs.couple_sessions(
        data[data["episode_id"] == "E00278"])["gap"].round(2)).all()
    group = together_page(data, "group", "G01", model=model)
    assert set(group.alerts["measure"]) <= {"GSRS", "CGSRS"}
    assert len(group.sessions) == 3 and group.chart.attrs["group_id"] == "G01"
    with pytest.raises(ValueError, match="kind must be one of"):
        together_page(data, "pair", "E00278")
