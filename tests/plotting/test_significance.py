"""The Jacobson-Truax scatter: Jacobson and Truax's own figure 2 (the DAS of 30 couples) is
drawn with their published counts, and every point sits where its category says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.outcomes import OUTCOME_CATEGORIES, OutcomeSettings, client_outcomes
from srs_analytics.plotting.significance import (
    JT_COLUMNS,
    draw_jacobson_truax,
    jacobson_truax_chart,
    jacobson_truax_data,
)
from srs_analytics.schema import coerce_canonical

DATA = Path(__file__).parents[1] / "data"


def _by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def _pairs(pre, post, *, age="adult", status="closed_planned", clinician="T1",
           start="2026-01-05"):
    rows = []
    for i, (a, b) in enumerate(zip(pre, post, strict=True)):
        for s, t in ((1, a), (2, b)):
            rows.append({"client_id": f"C{i:04d}", "episode_id": f"E{i:04d}",
                         "clinician_id": clinician, "session_number": s,
                         "session_date": pd.Timestamp(start) + pd.Timedelta(weeks=s - 1),
                         "measure": "ORS", "rater": "self", "total": float(t),
                         "age_group": age, "episode_status": status})
    return coerce_canonical(pd.DataFrame(rows))


def test_jacobson_and_truax_figure_2():
    """Jacobson and Truax (1991), Table 2 and figure 2: the DAS of 30 couples, reliability
    .84, cutoff a = 105.23: 10 recovered, 8 improved, 11 unchanged, 1 deteriorated."""
    das = pd.read_csv(DATA / "jacobson_truax_1991_das.csv")
    data = _pairs(das["pre"], das["post"])
    settings = OutcomeSettings(method="jt", reliability=0.84, cutoff="a")
    frame = jacobson_truax_data(data, settings=settings)
    assert list(frame.columns) == list(JT_COLUMNS)
    assert frame.attrs["cutoff"] == pytest.approx(105.23, abs=5e-3)
    # S_diff = sqrt(2) * 11.826 * sqrt(1 - .84); reliable beyond 1.96 of them
    assert frame.attrs["rci"] == pytest.approx(1.959964 * np.sqrt(2) * 11.826 * 0.4, abs=1e-3)
    ax = draw_jacobson_truax(frame)
    drawn = {c: len(_by_gid(ax.collections, f"case:{c}")[0].get_offsets())
             for c in OUTCOME_CATEGORIES}
    assert drawn == {"recovered": 10, "improved": 8, "unchanged": 11, "deteriorated": 1,
                     "harmed": 0}
    assert _by_gid(ax.lines, "cutoff:intake")[0].get_xdata()[0] == pytest.approx(105.23,
                                                                                abs=5e-3)
    assert _by_gid(ax.lines, "cutoff:last")[0].get_ydata()[0] == pytest.approx(105.23,
                                                                              abs=5e-3)
    band = _by_gid(ax.collections, "reliable_change")[0].get_paths()[0].vertices
    gap = band[:, 1].max() - band[:, 0].max()  # the upper edge at the right, minus x
    assert gap == pytest.approx(frame.attrs["rci"])
    assert ax.get_xlim()[1] > das[["pre", "post"]].to_numpy().max()  # its own scale


def test_every_point_sits_where_its_category_says():
    pre = [15, 15, 20, 20, 27, 30, 22, 18]
    post = [30, 22, 22, 12, 20, 39, 27, 24]
    frame = jacobson_truax_data(_pairs(pre, post))
    got = frame.set_index("client_id")["outcome"].to_dict()
    assert got == {"C0000": "recovered", "C0001": "improved", "C0002": "unchanged",
                   "C0003": "deteriorated", "C0004": "harmed", "C0005": "improved",
                   "C0006": "recovered", "C0007": "improved"}
    ax = draw_jacobson_truax(frame)
    cut, rci = frame.attrs["cutoff"], frame.attrs["rci"]
    assert (cut, rci) == (25.0, 5.0)  # OpenFIT KA-01028: adult ORS 25, 5 points
    for cat in OUTCOME_CATEGORIES:
        xy = _by_gid(ax.collections, f"case:{cat}")[0].get_offsets()
        x, y = np.asarray(xy[:, 0]), np.asarray(xy[:, 1])
        if cat == "recovered":
            assert ((x < cut) & (y > cut) & (y - x >= rci)).all() and len(x) == 2
        elif cat == "improved":
            assert (y - x >= rci).all() and len(x) == 3
        elif cat == "unchanged":
            assert (abs(y - x) < rci).all()
        elif cat == "harmed":
            assert ((x >= cut) & (y <= cut) & (x - y >= rci)).all() and len(x) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "recovered (2)" in legend and "harmed (1)" in legend
    assert ax.get_xlim() == (0, 40.9)


def test_one_cutoff_per_chart_and_the_rest_counted():
    adults = _pairs([15, 16], [24, 30])
    teens = _pairs([18], [30], age="adolescent").assign(
        client_id=lambda d: d["client_id"] + "T", episode_id=lambda d: d["episode_id"] + "T")
    data = pd.concat([adults, teens], ignore_index=True)
    f = jacobson_truax_data(data)
    assert (f.attrs["cutoff"], len(f), f.attrs["other"]) == (25.0, 2, 1)
    g = jacobson_truax_data(data, ages="adolescent")
    assert (g.attrs["cutoff"], len(g), g.attrs["other"]) == (28.0, 1, 0)
    ax = draw_jacobson_truax(f)
    assert "1 episode(s) on another measure" in _by_gid(ax.texts, "other")[0].get_text()


def test_the_period_reads_the_episodes_as_the_caseload_does():
    early = _pairs([15, 16], [24, 30], start="2025-01-06")
    late = _pairs([12], [20], start="2025-06-02", status="open").assign(
        client_id="L", episode_id="EL")
    data = pd.concat([early, late], ignore_index=True)
    assert len(jacobson_truax_data(data, start="2025-05-01")) == 1
    assert len(jacobson_truax_data(data, end="2025-02-01")) == 2
    closed = jacobson_truax_data(data, episodes="closed", start="2025-01-01",
                                 end="2025-12-31")
    assert sorted(closed["client_id"]) == ["C0000", "C0001"]


def test_the_sample_by_clinician(tmp_path):
    data = srs.load_sample()
    f = jacobson_truax_data(data, clinicians=["T07"])
    out = client_outcomes(data)
    mine = out[(out["clinician_id"] == "T07") & (out["measure"] == "ORS")
               & (out["cutoff"] == 25) & out["outcome"].isin(OUTCOME_CATEGORIES)]
    assert sorted(f["client_id"]) == sorted(mine["client_id"])
    ax = jacobson_truax_chart(data, clinicians=["T07"])
    assert ax.get_title(loc="left").startswith(f"ORS, adult: {len(f)} episodes")
    with pytest.raises(TypeError, match="settings.outcome"):
        jacobson_truax_data(data, settings=srs.CaseloadSettings())
