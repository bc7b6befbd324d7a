"""The client chart: what it computes and what it draws (artists, not pixels)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection

import srs_analytics as srs
from srs_analytics.plotting import (
    CHART_COLUMNS,
    LOOKS,
    chart_style,
    client_chart,
    client_chart_data,
    draw_client_chart,
)
from srs_analytics.schema import coerce_canonical


def _episode(ors, srs_totals, *, age="adult", parent=None, client="C1", dates=True):
    """One client's canonical rows: ORS and SRS totals per session (items equal quarters)."""
    rows = []
    for s, (o, a) in enumerate(zip(ors, srs_totals), start=1):
        for m, t, who in (("ORS", o, "self"), ("SRS", a, "self"),
                          ("ORS", None if parent is None else parent[s - 1], "parent")):
            if t is None:
                continue
            rows.append({"client_id": client, "episode_id": "E" + client,
                         "clinician_id": "T1", "session_number": s,
                         "session_date": pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=s - 1)
                         if dates else pd.NaT,
                         "measure": m, "rater": who, "age_group": age, "total": float(t),
                         **{f"item_{j}": t / 4 for j in range(1, 5)}})
    return coerce_canonical(pd.DataFrame(rows))


@pytest.fixture
def falling():
    """ORS falls 8 points from intake by session 3 (reliable deterioration, critical); the
    SRS falls 38 -> 35 at session 2 (a drop below the cutoff: warning; items below 9: info)
    and 35 -> 30 at session 3 (a sharp drop, critical)."""
    return _episode([18, 16, 10], [38, 35, 30])


def _by_gid(artists, prefix):
    return [a for a in artists if (a.get_gid() or "").startswith(prefix)]


def test_the_data_has_the_cutoffs_band_and_alerts_of_the_rules(falling):
    f = client_chart_data(falling, "C1")
    assert list(f.columns) == list(CHART_COLUMNS)
    cut = f[f["layer"] == "cutoff"].set_index("measure")["y"]
    assert cut.to_dict() == {"ORS": 25.0, "SRS": 36.0}  # OpenFIT KA-01028 / KA-01031
    band = f[f["layer"] == "reliable_change"].iloc[0]
    assert (band["y"], band["low"], band["high"]) == (18.0, 13.0, 23.0)  # intake +/- 5
    alerts = f[f["layer"] == "alert"].set_index(["measure", "x"])
    # warning or worse only: the info alerts (low items) are not marked on their own
    assert sorted(alerts.index) == [("ORS", 3.0), ("SRS", 2.0), ("SRS", 3.0)]
    assert alerts.loc[("SRS", 2.0), "severity"] == "warning"
    found = srs.alerts(falling, min_severity="warning")
    for (m, x), row in alerts.iterrows():  # every rule of the rating, the worst severity
        here = found[(found["measure"] == m) & (found["session_number"] == x)]
        assert row["rule"] == ", ".join(here["rule"])
        assert row["severity"] == str(here["severity"].max())
    assert alerts.loc[("SRS", 3.0), "severity"] == "critical"
    assert "sharp_drop" in alerts.loc[("SRS", 3.0), "rule"]
    assert alerts.loc[("ORS", 3.0), "severity"] == "critical"
    assert alerts.loc[("ORS", 3.0), "y"] == 10.0  # on the rating itself
    assert not (f["layer"] == "expected").any()  # no model, no expected band


def test_the_cutoff_is_the_age_groups():
    child = _episode([20, 22], [35, 37], age="child").assign(
        measure=lambda d: d["measure"].map({"ORS": "CORS", "SRS": "CSRS"}))
    teen = _episode([20, 22], [35, 37], age="adolescent")
    assert client_chart_data(child, "C1").query("layer == 'cutoff'")["y"].tolist() == [32, 36]
    f = client_chart_data(teen, "C1").query("layer == 'cutoff' and measure == 'ORS'")
    assert f["y"].tolist() == [28.0] and f["label"].iloc[0] == "ORS cutoff 28 (adolescent)"


def test_settings_change_the_lines(falling):
    s = srs.AlertSettings(outcome=srs.OutcomeSettings(rci=6.6, cutoff=30.0),
                          alliance=srs.AllianceSettings(cutoff=35.0))
    f = client_chart_data(falling, "C1", settings=s)
    assert f.query("layer == 'cutoff'")["y"].tolist() == [30.0, 35.0]
    band = f.query("layer == 'reliable_change'").iloc[0]
    assert band["low"] == pytest.approx(18 - 6.6) and band["high"] == pytest.approx(18 + 6.6)


def test_the_chart_draws_each_layer_in_its_own_style(falling):
    with chart_style():
        ax = client_chart(falling, "C1")
    ors, = _by_gid(ax.lines, "score:ORS")
    srs_line, = _by_gid(ax.lines, "score:SRS")
    assert ors.get_ydata().tolist() == [18, 16, 10] and ors.get_xdata().tolist() == [1, 2, 3]
    assert srs_line.get_ydata().tolist() == [38, 35, 30]
    # black-and-white readable: line styles and markers differ, not only colours
    assert (ors.get_linestyle(), ors.get_marker()) == ("-", "o")
    assert (srs_line.get_linestyle(), srs_line.get_marker()) == ("--", "s")
    cut = {line.get_gid(): line.get_ydata()[0] for line in _by_gid(ax.lines, "cutoff:")}
    assert cut == {"cutoff:ORS": 25.0, "cutoff:SRS": 36.0}
    band, = _by_gid(ax.patches, "reliable_change:ORS")
    ys = band.get_path().vertices[:, 1] if not hasattr(band, "get_y") else \
        [band.get_y(), band.get_y() + band.get_height()]
    assert (min(ys), max(ys)) == pytest.approx((13.0, 23.0))
    crit, = _by_gid(ax.collections, "alert:critical")
    warn, = _by_gid(ax.collections, "alert:warning")
    assert isinstance(crit, PathCollection)
    assert sorted(map(tuple, crit.get_offsets().tolist())) == [(3.0, 10.0), (3.0, 30.0)]
    assert warn.get_offsets().tolist() == [[2.0, 35.0]]
    labels = ax.get_legend_handles_labels()[1]
    assert {"ORS", "SRS", "ORS cutoff 25", "SRS cutoff 36", "critical alert",
            "warning alert"} <= set(labels)
    assert ax.get_ylim() == (0, 40.9) and ax.get_xlabel() == "Session"
    assert ax.get_title(loc="left") == "Client C1, episode EC1, clinician T1"


def test_collateral_ratings_are_drawn_beside_never_mixed_in():
    data = _episode([18, 20, 24], [38, 38, 39], parent=[12, 15, 19])
    f = client_chart_data(data, "C1")
    assert f.query("layer == 'score' and measure == 'ORS'")["y"].tolist() == [18, 20, 24]
    assert f.query("layer == 'collateral'")["label"].unique().tolist() == ["ORS (parent)"]
    ax = client_chart(data, "C1")
    parent, = _by_gid(ax.lines, "collateral:ORS (parent)")
    assert parent.get_ydata().tolist() == [12, 15, 19]
    assert parent.get_linestyle() == ":" and parent.get_marker() == "^"
    assert parent.get_markerfacecolor() == "white"  # open markers
    band = f.query("layer == 'reliable_change'")
    assert band["y"].tolist() == [18.0]  # the client's own intake, not the parent's


def test_the_expected_band_comes_from_the_model():
    data = srs.load_sample()
    model = srs.fit_expected(data)
    f = client_chart_data(data, "C00003", model=model)
    exp = f[f["layer"] == "expected"]
    status = srs.expected_status(data[data["client_id"] == "C00003"], model=model)
    status = status[status["p50"].notna()]
    assert exp["low"].tolist() == pytest.approx(status["p25"].tolist())
    assert exp["y"].tolist() == pytest.approx(status["p50"].tolist())
    assert exp["high"].tolist() == pytest.approx(status["p75"].tolist())
    ax = draw_client_chart(f)
    poly, = _by_gid(ax.collections, "expected:ORS")
    assert isinstance(poly, PolyCollection)
    ys = poly.get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(exp["low"].min()) and ys.max() == pytest.approx(
        exp["high"].max())
    median, = _by_gid(ax.lines, "expected_median:ORS")
    assert median.get_ydata().tolist() == pytest.approx(exp["y"].tolist())


def test_dates_on_the_axis(falling):
    ax = client_chart(falling, "C1", x="date")
    ors, = _by_gid(ax.lines, "score:ORS")
    assert pd.to_datetime(ors.get_xdata()[0]) == pd.Timestamp("2026-01-05")
    assert ax.get_xlabel() == "Session date"
    with pytest.raises(ValueError, match="x='date' needs the column 'session_date'"):
        client_chart_data(_episode([18, 16], [38, 37], dates=False), "C1", x="date")


def test_the_episode_and_the_client_are_checked(falling):
    with pytest.raises(ValueError, match="client_id 'nobody' is not in"):
        client_chart_data(falling, "nobody")
    with pytest.raises(ValueError, match="has no episode 'X'; episodes: EC1"):
        client_chart_data(falling, "C1", episode_id="X")
    with pytest.raises(ValueError, match="x must be one of"):
        client_chart_data(falling, "C1", x="week")


def test_the_latest_episode_is_the_default():
    two = pd.concat([_episode([18, 20], [38, 38]),
                     _episode([10, 11], [30, 31]).assign(
                         episode_id="E2", session_date=lambda d: d["session_date"]
                         + pd.Timedelta(days=200))], ignore_index=True)
    f = client_chart_data(two, "C1")
    assert f.attrs["episode_id"] == "E2"
    assert f.query("layer == 'score' and measure == 'ORS'")["y"].tolist() == [10, 11]


def test_an_axes_is_drawn_on_and_returned(falling):
    fig, (left, right) = plt.subplots(1, 2)
    assert client_chart(falling, "C1", ax=right, legend=False) is right
    assert not left.lines and right.get_legend() is None


def test_style_is_opt_in(falling):
    import matplotlib as mpl

    before = dict(mpl.rcParams)
    client_chart(falling, "C1")
    assert dict(mpl.rcParams) == before
    with chart_style():
        assert mpl.rcParams["axes.grid"] is True
    assert dict(mpl.rcParams) == before


def test_the_looks_differ_without_colour():
    kinds = ("outcome", "alliance", "collateral")
    assert len({(LOOKS[k].linestyle, LOOKS[k].marker) for k in kinds}) == 3
    assert len({LOOKS[k].color for k in kinds}) == 3


def test_a_client_with_no_0_40_rating_gets_a_message():
    ycors = coerce_canonical(pd.DataFrame({
        "client_id": ["Y1"], "episode_id": ["E"], "session_number": [1],
        "session_date": [pd.Timestamp("2026-01-01")], "measure": ["YCORS"], "rater": ["self"],
        "total": [3.0], "age_group": ["young_child"]}))
    ax = client_chart(ycors, "Y1")
    assert [t.get_text() for t in ax.texts if t.get_gid() == "empty"] == [
        "No ORS, CORS or SRS rating to draw"]
    assert client_chart_data(ycors, "Y1").empty


def test_an_expected_response_at_one_session_is_a_bar():
    data = srs.load_sample()
    model = srs.fit_expected(data)
    f = client_chart_data(data, "C00089", model=model)  # two ORS: one expected percentile
    exp = f[f["layer"] == "expected"].iloc[0]
    ax = draw_client_chart(f)
    bar, = _by_gid(ax.collections, "expected:ORS")
    (x0, y0), (x1, y1) = bar.get_segments()[0]
    assert x0 == x1 == exp["x"] == 2
    assert (min(y0, y1), max(y0, y1)) == pytest.approx((exp["low"], exp["high"]))
