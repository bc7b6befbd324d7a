"""The couple or family chart and the group chart: their numbers are the couples and groups
analyses', and what is drawn is those numbers (artists, not pixels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.plotting.couples import (
    COUPLE_COLUMNS,
    GROUP_COLUMNS,
    couple_chart,
    couple_chart_data,
    draw_couple_chart,
    draw_group_chart,
    group_chart_data,
)
from srs_analytics.schema import coerce_canonical


def _by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def _couple(a_srs, b_srs, a_ors, b_ors):
    """Two partners of one episode, an SRS and an ORS each per session (items quarters)."""
    rows = []
    for who, srs_, ors in (("A", a_srs, a_ors), ("B", b_srs, b_ors)):
        for s, (x, o) in enumerate(zip(srs_, ors), start=1):
            for m, t in (("SRS", x), ("ORS", o)):
                rows.append({"client_id": who, "episode_id": "E1", "clinician_id": "T1",
                             "session_number": s, "measure": m, "rater": "self",
                             "session_date": pd.Timestamp("2026-01-05")
                             + pd.Timedelta(weeks=s - 1), "age_group": "adult",
                             "total": float(t), **{f"item_{j}": t / 4 for j in range(1, 5)}})
    return coerce_canonical(pd.DataFrame(rows))


@pytest.fixture
def split_couple():
    """B rates the alliance below 36 in sessions 2 and 3 while A does not: split; the SRS
    gap goes 1, 6, 9, 2 (widening by 8 from session 1 to 3)."""
    return _couple([38, 39, 40, 38], [37, 33, 31, 36], [15, 18, 20, 24], [20, 20, 19, 21])


def test_the_chart_holds_the_couple_sessions_numbers(split_couple):
    f = couple_chart_data(split_couple, "E1")
    assert list(f.columns) == list(COUPLE_COLUMNS)
    assert f[f["layer"] == "split"]["session_number"].tolist() == [2.0, 3.0]
    joint = srs.couple_sessions(split_couple)
    gaps = f[f["layer"] == "gap"]
    assert gaps[gaps["family"] == "SRS"]["y"].tolist() == [1.0, 6.0, 9.0, 2.0]
    np.testing.assert_allclose(gaps["y"], joint["gap"])
    flags = gaps[gaps["family"] == "SRS"]["flag"].tolist()
    assert flags == ["", "large", "widening", ""]  # 9 - 1 >= 5: widened
    cut = f[f["layer"] == "cutoff"].set_index("label")["y"]
    assert cut.to_dict() == {"SRS cutoff 36": 36.0, "ORS cutoff 25 (A, B)": 25.0}
    assert f[f["layer"] == "threshold"]["y"].tolist() == [5.0]
    assert f.attrs["clients"] == ["A", "B"]
    assert f.attrs["episodes"]["SRS"]["n_split"] == 2


def test_what_is_drawn(split_couple):
    top, gap = draw_couple_chart(couple_chart_data(split_couple, "E1"))
    spans = _by_gid(top.patches, "split")
    assert [(p.get_x() + p.get_width() / 2) for p in spans] == pytest.approx([2, 3])
    b_srs = _by_gid(top.lines, "score:B SRS")[0]
    assert list(b_srs.get_ydata()) == [37, 33, 31, 36]
    assert b_srs.get_linestyle() == "--" and b_srs.get_marker() == "s"
    assert _by_gid(top.lines, "score:A ORS")[0].get_linestyle() == "-"
    assert list(_by_gid(gap.lines, "gap:SRS")[0].get_ydata()) == [1, 6, 9, 2]
    widened = _by_gid(gap.collections, "widening")[0].get_offsets()
    assert [tuple(p) for p in widened] == [(3.0, 9.0)]
    assert _by_gid(gap.lines, "threshold")[0].get_ydata()[0] == 5
    assert "A, B" in top.get_title(loc="left")


def test_a_family_of_three_with_a_child_on_the_sample():
    data = srs.load_sample()
    f = couple_chart_data(data, "E00278")
    assert f.attrs["clients"] == ["C00284", "C00285", "C00286"]
    cuts = f[(f["layer"] == "cutoff") & (f["family"] == "ORS")]
    assert sorted(cuts["y"]) == [25.0, 28.0, 32.0]  # adult, adolescent, child CORS
    assert set(f[f["layer"] == "score"]["measure"]) == {"ORS", "SRS", "CORS", "CSRS"}
    top, _ = couple_chart(data, "E00278")
    assert len([ln for ln in top.lines if ln.get_gid().startswith("score:")]) == 6


def test_mistakes_are_named():
    data = srs.load_sample()
    with pytest.raises(ValueError, match="episode_id 'nope' is not in"):
        couple_chart_data(data, "nope")
    with pytest.raises(ValueError, match="needs two or more"):
        couple_chart_data(data, "E00001")
    with pytest.raises(ValueError, match="two Axes"):
        import matplotlib.pyplot as plt

        draw_couple_chart(couple_chart_data(data, "E00273"), plt.subplots()[1])
    with pytest.raises(ValueError, match="its groups: G01"):
        group_chart_data(data, "G99")


def test_the_group_chart_holds_the_group_analyses():
    data = srs.load_sample()
    f = group_chart_data(data, "G01")
    assert list(f.columns) == list(GROUP_COLUMNS)
    ses = srs.group_sessions(data)
    grp = f[f["layer"] == "group"]
    np.testing.assert_allclose(grp["y"], ses["mean_total"])
    np.testing.assert_allclose(grp["high"] - grp["y"], ses["sd_total"])
    mem = srs.group_members(data)
    members = f[f["layer"] == "member"]
    assert len(members) == len(mem)
    assert members["below_cutoff"].sum() == (mem["total"] < 36).sum() == ses[
        "n_below_cutoff"].sum()
    ax = draw_group_chart(f)
    mean = _by_gid(ax.lines, "group_mean")[0]
    np.testing.assert_allclose(mean.get_ydata(), ses["mean_total"])
    c300 = _by_gid(ax.lines, "member:C00300")[0]
    assert list(c300.get_ydata()) == mem[mem["client_id"] == "C00300"]["total"].tolist()
    low = _by_gid(ax.collections, "below_cutoff")[0].get_offsets()
    assert len(low) == members["below_cutoff"].sum()
    assert _by_gid(ax.lines, "cutoff")[0].get_ydata()[0] == 36
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1\n9 Dec", "2\n16 Dec",
                                                           "3\n30 Dec"]


def test_a_member_who_stays_below_the_group_is_marked():
    rows = []
    for who, totals in (("A", [38, 39, 38]), ("B", [39, 38, 39]), ("C", [37, 38, 39]),
                        ("D", [28, 27, 26])):
        for s, t in enumerate(totals, start=1):
            rows.append({"client_id": who, "episode_id": "E" + who, "clinician_id": "T1",
                         "session_number": s, "measure": "GSRS", "rater": "self",
                         "group_id": "G1", "total": float(t),
                         "session_date": pd.Timestamp("2026-01-05")
                         + pd.Timedelta(weeks=s - 1)})
    data = coerce_canonical(pd.DataFrame(rows))
    f = group_chart_data(data, "G1")
    d = f[(f["layer"] == "member") & (f["client_id"] == "D")]
    assert d["stays_below"].tolist() == [False, True, True]  # 2 of the last 3 below
    ax = draw_group_chart(f)
    stays = _by_gid(ax.collections, "stays_below")[0].get_offsets()
    assert [tuple(p) for p in stays] == [(2.0, 27.0), (3.0, 26.0)]
    assert ax.get_ylim()[0] == 25  # from the multiple of 5 below the lowest rating (26)
