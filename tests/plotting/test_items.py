"""The items chart: the heat map's cells, the lowest item's frame and the threshold."""

from __future__ import annotations

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.plotting import ITEMS_COLUMNS, draw_items_chart, items_chart, items_chart_data
from srs_analytics.schema import coerce_canonical


@pytest.fixture
def srs_items():
    """Three SRS: approach lowest and low (8) at 1; goals and approach tied at 8.5 at 2;
    all four at 10 at 3 (no lowest item); plus an ORS that the chart ignores."""
    items = [(9.5, 9.0, 8.0, 9.5), (9.5, 8.5, 8.5, 9.0), (10, 10, 10, 10)]
    rows = [{"client_id": "C1", "episode_id": "E1", "session_number": s,
             "session_date": pd.Timestamp("2026-02-02") + pd.Timedelta(weeks=s - 1),
             "measure": "SRS", "rater": "self", "total": float(sum(v)),
             **{f"item_{j + 1}": x for j, x in enumerate(v)}}
            for s, v in enumerate(items, start=1)]
    rows.append({"client_id": "C1", "episode_id": "E1", "session_number": 1,
                 "measure": "ORS", "rater": "self", "total": 20.0,
                 "session_date": pd.Timestamp("2026-02-02"),
                 **{f"item_{j}": 5.0 for j in range(1, 5)}})
    return coerce_canonical(pd.DataFrame(rows))


def test_the_data_marks_low_and_lowest_items(srs_items):
    f = items_chart_data(srs_items, "C1")
    assert list(f.columns) == list(ITEMS_COLUMNS) and len(f) == 12
    lowest = f[f["lowest"]]
    assert list(zip(lowest["session_number"], lowest["item"])) == [
        (1, "approach_method"), (2, "goals_topics"), (2, "approach_method")]
    low = f[f["low"]]  # below 9 (a practitioners' heuristic, strict)
    assert list(zip(low["session_number"], low["item"], low["value"])) == [
        (1, "approach_method", 8.0), (2, "goals_topics", 8.5), (2, "approach_method", 8.5)]
    assert (f["threshold"] == 9).all()
    assert f["column"].unique().tolist() == ["S1", "S2", "S3"]


def test_the_threshold_is_a_setting(srs_items):
    f = items_chart_data(srs_items, "C1", settings=srs.AllianceSettings(low_item=8.5))
    assert f.loc[f["low"], "value"].tolist() == [8.0]


def test_the_heat_map_shows_every_score_and_marks(srs_items):
    ax = items_chart(srs_items, "C1")
    texts = [t.get_text() for t in ax.texts if t.get_gid() != "empty"]
    # row by row: relationship at S1, S2, S3, then goals and topics ...
    assert texts[:4] == ["9.5", "9.5", "10", "9"]
    assert ax.get_xlabel() == "Session"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["S1", "S2", "S3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "relationship", "goals and topics", "approach or method", "overall"]
    framed = sorted((round(p.get_x()), round(p.get_y())) for p in ax.patches
                    if p.get_gid() == "lowest")
    # (column, row) of the frames: S1 approach; S2 goals and approach tied; none at S3
    assert framed == [(0, 2), (1, 1), (1, 2)]
    hatched = sorted((p.get_x(), p.get_y()) for p in ax.patches if p.get_gid() == "low")
    assert hatched == [(0, 2), (1, 1), (1, 2)]
    cbar = ax.collections[0].colorbar
    line, = [ln for ln in cbar.ax.lines if ln.get_gid() == "threshold"]
    assert line.get_ydata()[0] == 9
    assert ax.get_title(loc="left") == "SRS items: below 9 hatched, lowest item framed"


def test_imputed_items_are_not_drawn(srs_items):
    srs_items.loc[srs_items["session_number"] == 2, "items_imputed"] = True
    f = items_chart_data(srs_items, "C1")
    assert sorted(f["session_number"].unique()) == [1, 3]


def test_several_alliance_measures_get_their_own_columns(srs_items):
    # a categorical column of the canonical table takes a new value once turned into text
    srs_items["measure"] = srs_items["measure"].astype("str")
    srs_items.loc[srs_items["session_number"] == 3, "measure"] = "CSRS"
    f = items_chart_data(srs_items, "C1")
    assert f["column"].unique().tolist() == ["S1 SRS", "S2 SRS", "S3 CSRS"]


def test_nothing_to_draw_says_so(srs_items):
    ax = draw_items_chart(items_chart_data(srs_items[srs_items["measure"] == "ORS"], "C1"))
    assert [t.get_text() for t in ax.texts] == ["No SRS with rated items to draw"]
