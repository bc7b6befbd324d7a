"""The alert engine (srs_analytics.alerting). All data here is synthetic.

Every rule is tested where it fires and at its boundary (docs/measures-and-rules.md): SRS 36 is not
low and 35.9 is; an item of 9 is not low and 8.9 is, 7 is deep and 7.1 is not; a fall of 0.9
is no drop and 1 is; 4.9 is not sharp and 5 is; 38.9 is below the ceiling and 39 is at it; a
change of exactly 5 is reliable under the points method (inclusive); a child's CORS is
judged against 32, not 25. The cases of issue 8 each have a test: the all-10s client with a
rising ORS and with none, the constant 30, SRS then GSRS, the recovered item at 40/40, the
deep single item at total 36, the 40 to 39 dip, the deterioration with off_track.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from srs_analytics.alerting import ALERT_COLUMNS, RULES, SEVERITIES, AlertSettings, alerts
from srs_analytics.alliance import AllianceSettings, session_alliance
from srs_analytics.expected import fit_expected
from srs_analytics.schema import coerce_canonical
from srs_analytics.synthetic import simulate

START = pd.Timestamp("2026-01-05")


def rows(client="C1", srs=(), ors=(), *, episode=None, age_group="adult", clinician="T1",
         srs_measure=None, ors_measure=None, comment=None):
    """One client's canonical rows: ``srs`` and ``ors`` hold one value per session (None:
    not rated); an SRS value is a total (spread over the items) or a list of four items."""
    child = age_group == "child"
    srs_measure = srs_measure or ("CSRS" if child else "SRS")
    ors_measure = ors_measure or ("CORS" if child else "ORS")
    out = []
    for measure, values in ((ors_measure, ors), (srs_measure, srs)):
        for i, v in enumerate(values):
            if v is None:
                continue
            items = list(v) if np.ndim(v) else [v / 4] * 4
            out.append({"client_id": client, "episode_id": episode or "E" + client,
                        "clinician_id": clinician, "session_number": i + 1,
                        "session_date": START + pd.Timedelta(weeks=i), "measure": measure,
                        "rater": "self", "age_group": age_group,
                        **{f"item_{j + 1}": x for j, x in enumerate(items)},
                        "total": float(np.sum(items)) if np.ndim(v) else float(v),
                        "comment": comment})
    return out


def table(*clients):
    return coerce_canonical(pd.DataFrame([r for c in clients for r in c]))


def fired(data, rule, **kwargs):
    """(session, value) of every alert of one rule, in client and session order."""
    out = alerts(data, **kwargs)
    out = out[out["rule"] == rule].sort_values(["client_id", "session_number"])
    return list(zip(out["session_number"].tolist(), out["value"].round(9).tolist()))


def sessions(data, rule, **kwargs):
    return [s for s, _ in fired(data, rule, **kwargs)]


def by_client(data, rule, **kwargs):
    """{client: [sessions]} of one rule's alerts, every client of ``data`` included."""
    out = alerts(data, **kwargs).query("rule == @rule")
    return {c: sorted(out.loc[out["client_id"] == c, "session_number"].tolist())
            for c in data["client_id"].unique()}


# --------------------------------------------------------------------------- alliance rules
def test_low_total_boundary():
    assert sessions(table(rows(srs=[36.0, 35.9, 35.99, 40.0])), "low_total") == [2, 3]


def test_low_total_names_the_lowest_item_and_the_numbers():
    data = table(rows(srs=[[9.5, 9, 5, 7.5]]))
    out = alerts(data).set_index("rule").loc["low_total"]
    assert (out["item"], out["value"], out["threshold"]) == ("approach_method", 31.0, 36.0)
    assert out["message"] == ("Session 1, 5 Jan 2026: SRS total 31 is below the cutoff of "
                              "36. Lowest item: approach or method (5/10).")
    assert "thank" in out["suggestion"] and "one concrete example about approach or method" \
        in out["suggestion"] and "two small changes" in out["suggestion"]


def test_low_item_in_the_8s_is_info_for_the_lowest_item():
    data = table(rows(srs=[[9.0, 8.9, 10, 9.5]]))
    low = alerts(data).query("rule == 'low_item'")
    assert low["item"].tolist() == ["goals_topics"] and low["severity"].tolist() == ["info"]
    assert (low["value"].iloc[0], low["threshold"].iloc[0]) == (8.9, 9.0)
    assert "goals and topics scored 8.9, below 9." in low["message"].iloc[0]
    assert "what would have made it a 10" in low["suggestion"].iloc[0]
    # two items in the 8s: one follow-up, on the lowest
    two = alerts(table(rows(srs=[[8.5, 10, 10, 8.7]]))).query("rule == 'low_item'")
    assert two["item"].tolist() == ["relationship"]
    assert alerts(table(rows(srs=[[9.0, 9.0, 10, 10]]))).empty


def test_a_deep_single_item_is_a_warning_at_total_36():
    """Issue 8: one low item tells more than the total: 7 at a total of 36 is a warning."""
    data = table(rows("A", srs=[[10, 10, 9, 7]]), rows("B", srs=[[10, 10, 8.9, 7.1]]))
    out = alerts(data).query("rule == 'low_item'").sort_values("client_id")
    assert out["severity"].tolist() == ["warning", "info"]  # 7.1 is not deep
    assert out["item"].tolist() == ["overall", "overall"]
    first = out.iloc[0]
    assert (first["value"], first["threshold"]) == (7.0, 7.0)
    assert first["message"] == ("Session 1, 5 Jan 2026: SRS item overall scored 7, at or "
                                "below 7.")
    assert "one concrete example about overall" in first["suggestion"]
    assert set(alerts(data)["rule"]) == {"low_item"}  # total 36: no low_total


def test_an_item_that_fell_3_points_is_a_warning():
    # the other items rise: the total does not fall, the item does
    data = table(rows("A", srs=[[9, 9.5, 9.5, 10], [10, 10, 10, 7.5]]),
                 rows("B", srs=[[9, 9, 9, 10], [10, 10, 10, 7.0]]))
    out = alerts(data).query("rule == 'low_item'").sort_values("client_id")
    assert out["severity"].tolist() == ["info", "warning"]  # a fall of 2.5 to 7.5 is info
    assert out["message"].iloc[1].endswith("item overall scored 7, at or below 7, down 3 "
                                           "points since the previous rating.")
    # at the defaults a fall of 3 from at most 10 ends at 7, deep anyway; with a lower
    # deep item the fall speaks on its own
    s = AlertSettings(alliance=AllianceSettings(deep_item=6))
    fell = alerts(table(rows(srs=[[9, 9, 9, 10], [10, 10, 10, 7.0]])), settings=s)
    fell = fell.query("rule == 'low_item'")
    assert fell["severity"].tolist() == ["warning"]
    assert (fell["value"].iloc[0], fell["threshold"].iloc[0]) == (-3.0, -3.0)
    assert fell["message"].iloc[0].endswith("item overall fell 3 points since the previous "
                                            "rating (10 to 7).")


def test_drop_boundary():
    assert fired(table(rows(srs=[38.3, 37.3, 36.4, 36.4])), "drop") == [(2, -1.0)]


def test_sharp_drop_boundary_and_it_supersedes_drop():
    data = table(rows(srs=[38.0, 33.1, 38.0, 33.0]))  # falls of 4.9 and 5.0
    assert fired(data, "sharp_drop") == [(4, -5.0)]
    assert sessions(data, "drop") == [2]  # 4.9 is a plain drop; 5 is not reported twice
    off = AlertSettings().without("sharp_drop")
    assert sessions(data, "drop", settings=off) == [2, 4]


def test_sharp_drop_message_seed_example():
    out = alerts(table(rows(srs=[38.0, 29.0])))
    msg = out.loc[out["rule"] == "sharp_drop", "message"].iloc[0]
    assert ("SRS fell 9 points since the previous rating (38 to 29), a sharp drop (5 or more), "
            "below the cutoff of 36.") in msg
    assert out.loc[out["rule"] == "sharp_drop", "severity"].iloc[0] == "critical"
    # one piece of evidence, one alert: the sharp drop says the total is now low
    assert "low_total" not in set(out["rule"])


def test_a_small_dip_after_hard_work_is_info_not_an_alarm():
    """Issue 8: 40 to 39 is info, with a suggestion that does not ask for changes."""
    out = alerts(table(rows(srs=[40.0, 39.0])))
    drop = out.query("rule == 'drop'").iloc[0]
    assert drop["severity"] == "info" and drop["value"] == -1.0
    assert drop["message"] == ("Session 2, 12 Jan 2026: SRS fell 1 point since the previous "
                               "rating (40 to 39), still at or above the cutoff of 36. All "
                               "four items: 9.75/10.")
    assert "two small changes" not in drop["suggestion"]
    assert "often normal and temporary" in drop["suggestion"]
    assert not (out["severity"] >= "warning").any()


def test_a_fall_below_the_cutoff_is_a_warning_and_says_so():
    out = alerts(table(rows(srs=[38.0, 36.0, 34.8])))
    drops = out.query("rule == 'drop'").sort_values("session_number")
    assert drops["severity"].tolist() == ["info", "warning"]  # 38 to 36 stays at 36
    assert drops["message"].iloc[1].startswith(
        "Session 3, 19 Jan 2026: SRS fell 1.2 points since the previous rating (36 to 34.8), "
        "below the cutoff of 36.")
    assert "two small changes" in drops["suggestion"].iloc[1]
    # the drop supersedes low_total on the same rating; without it, low_total fires
    assert sessions(table(rows(srs=[38.0, 36.0, 34.8])), "low_total") == []
    assert sessions(table(rows(srs=[38.0, 36.0, 34.8])), "low_total",
                    settings=AlertSettings().without("drop")) == [3]


def test_repeated_low_item_below_8_now_and_before_and_it_supersedes_low_item():
    low, ok = [7.5, 10, 10, 10], [10, 10, 10, 10]
    data = table(rows(srs=[low, ok, low]))
    rep = alerts(data).query("rule == 'repeated_low_item'")
    assert rep["session_number"].tolist() == [3] and rep["item"].tolist() == ["relationship"]
    assert rep["severity"].tolist() == ["warning"]
    assert (rep["value"].iloc[0], rep["threshold"].iloc[0]) == (2.0, 2.0)
    assert rep["message"].iloc[0].endswith("SRS item relationship has been below 8 in 2 of "
                                           "the last 3 ratings (7.5 this session).")
    assert "rupture" in rep["suggestion"].iloc[0] and "referral" in rep["suggestion"].iloc[0]
    assert sessions(data, "low_item") == [1]  # session 3 is reported as repeated
    # session 3 falls 2.5 points from 40: a drop (info) that names the item, which
    # supersedes the item's info alert
    assert sessions(data, "low_item", settings=AlertSettings().without(
        "repeated_low_item", "drop")) == [1, 3]
    assert sessions(table(rows(srs=[ok, ok, low])), "repeated_low_item") == []  # 1 of 3


def test_a_recovered_item_gives_no_repeated_alert():
    """Issue 8: a 40/40 session after two low ones holds no repeated_low_item."""
    low, top = [7.0, 9.5, 10, 9.5], [10, 10, 10, 10]
    data = table(rows(srs=[low, low, top]))
    out = alerts(data)
    assert sessions(data, "repeated_low_item") == [2]
    assert out.query("session_number == 3")["rule"].tolist() == ["ceiling"]
    assert not ((out["session_number"] == 3) & (out["severity"] >= "warning")).any()


def test_an_item_that_keeps_sitting_in_the_8s_is_info_naming_the_lowest_item():
    eights = [8.6, 10, 10, 9.8]
    data = table(rows(srs=[eights, eights, eights]))
    rep = alerts(data).query("rule == 'repeated_low_item'").sort_values("session_number")
    assert rep["session_number"].tolist() == [2, 3] and set(rep["severity"]) == {"info"}
    assert rep["message"].iloc[1].endswith(
        "SRS item relationship has been below 9 in 3 of the last 3 ratings (8.6 this "
        "session): the client's consistently lowest item.")
    assert "rupture" not in rep["suggestion"].iloc[0]
    assert "relationship" in rep["suggestion"].iloc[0]
    # not the lowest item now: no "consistently lowest" alert for it
    other = table(rows(srs=[eights, [8.7, 10, 10, 8.0]]))
    assert alerts(other).query("rule == 'repeated_low_item'").empty


@pytest.mark.parametrize("item, words", [
    (0, "rupture"), (1, "treatment goals and who sets the agenda"),
    (2, "modality fit"), (3, "bigger-picture conversation")])
def test_repeated_low_item_suggestion_is_item_specific(item, words):
    low = [10.0] * 4
    low[item] = 7.0
    out = alerts(table(rows(srs=[low, low]))).query("rule == 'repeated_low_item'")
    assert words in out["suggestion"].iloc[0]


def test_ceiling_boundary():
    assert sessions(table(rows(srs=[38.9, 39.0, 40.0], ors=[20, None, None])), "ceiling") \
        == [2, 3]


# --------------------------------------------------------------------------- false reassurance
def test_false_reassurance_every_srs_so_far_at_the_ceiling_and_a_flat_ors():
    data = table(rows(srs=[39, 40, 39.5, 40], ors=[20, 21, 20, 21]))
    assert fired(data, "false_reassurance") == [(3, 3.0), (4, 4.0)]
    out = alerts(data).query("rule == 'false_reassurance'").sort_values("session_number")
    assert out["measure"].tolist() == ["SRS", "SRS"] and set(out["threshold"]) == {3.0}
    assert set(out["severity"]) == {"warning"}
    assert out["message"].iloc[0] == (
        "Session 3, 19 Jan 2026: SRS at the ceiling (39 or more) in all 3 ratings so far, "
        "while the ORS (20 at session 3) has not improved reliably (change 0 since the intake "
        "of 20; a reliable change needs 5).")
    assert 'Name the pattern directly ("all 10s every time")' in out["suggestion"].iloc[0]
    assert "invite smaller criticisms" in out["suggestion"].iloc[0]
    # it supersedes the plain ceiling alert on the same session
    assert sessions(data, "ceiling") == [1, 2]


def test_all_tens_without_an_ors_is_a_warning_on_its_own():
    """Issue 8: all 10s every time, and no ORS: named directly, not four ceiling infos."""
    data = table(rows(srs=[40, 40, 40, 40]))
    out = alerts(data).sort_values(["session_number", "rule"])
    assert out["rule"].tolist() == ["ceiling", "ceiling", "false_reassurance",
                                    "false_reassurance"]
    fr = out.query("rule == 'false_reassurance'")
    assert set(fr["severity"]) == {"warning"}
    assert fr["message"].iloc[0].endswith("SRS at the ceiling (39 or more) in all 3 ratings "
                                          "so far, with no outcome rating yet to set them "
                                          "against.")


def test_all_tens_with_a_rising_ors_is_info():
    """Issue 8: the ORS has reliably improved: the pattern is named, as info."""
    data = table(rows(srs=[40, 40, 40, 40], ors=[15, 18, 21, 24]))
    fr = alerts(data).query("rule == 'false_reassurance'").sort_values("session_number")
    assert fr["session_number"].tolist() == [3, 4]
    assert fr["severity"].tolist() == ["info", "info"]  # +6 and +9: reliable improvements
    assert fr["message"].iloc[0].endswith("while the ORS (21 at session 3) has improved "
                                          "reliably (+6 since the intake of 15): the high "
                                          "ratings may well be genuine.")
    assert "two small changes" not in fr["suggestion"].iloc[0]
    # not yet reliable at session 3 (+4.9): a warning there
    slow = table(rows(srs=[40, 40, 40], ors=[15, 17, 19.9]))
    assert alerts(slow).query("rule == 'false_reassurance'")["severity"].tolist() == [
        "warning"]


def test_false_reassurance_needs_every_rating_so_far_at_the_ceiling():
    data = table(rows("two", srs=[36, 39, 40], ors=[20, 20, 20]),  # two at the ceiling
                 rows("late", srs=[37, 39, 40, 39.5], ors=[20, 20, 20, 20]),  # not so far
                 rows("almost", srs=[39, 40, 39.5], ors=[20, 22, 24.9]),
                 rows("no_ors", srs=[39, 40, 39.5]))
    assert by_client(data, "false_reassurance") == {
        "two": [], "late": [], "almost": [3], "no_ors": [3]}


def test_false_reassurance_the_same_high_total_over_four():
    data = table(rows("A", srs=[37, 37, 37, 37], ors=[20, 20, 21, 20]),
                 rows("B", srs=[37, 37, 37], ors=[20, 20, 20]))
    out = alerts(data).query("rule == 'false_reassurance'")
    assert out["client_id"].tolist() == ["A"] and out["session_number"].tolist() == [4]
    assert (out["value"].iloc[0], out["threshold"].iloc[0]) == (4.0, 4.0)
    assert "SRS total the same (37) for the last 4 ratings" in out["message"].iloc[0]
    assert "(the same score every session)" in out["suggestion"].iloc[0]


def test_a_constant_low_total_is_a_stable_low_alliance_not_false_reassurance():
    """Issue 8: 30 four times is a low alliance; nothing speaks of high ratings."""
    out = alerts(table(rows(srs=[30, 30, 30, 30], ors=[20, 20, 21, 20])))
    assert "false_reassurance" not in set(out["rule"])
    assert sessions(table(rows(srs=[30, 30, 30, 30])), "low_total") == [1, 2, 3, 4]
    assert not out["suggestion"].str.contains("high").any()
    # the boundary: the same 36 four times is high enough
    assert sessions(table(rows(srs=[36, 36, 36, 36])), "false_reassurance") == [4]
    assert sessions(table(rows(srs=[35.9] * 4)), "false_reassurance") == []


def test_false_reassurance_reads_the_latest_ors_up_to_the_session():
    # the ORS of session 3 is missing: session 3's SRS reads the ORS of session 2 (flat,
    # a warning); session 4's reads session 4 (a reliable improvement, info)
    data = table(rows(srs=[39, 39, 39, 39], ors=[20, 21, None, 26]))
    out = alerts(data).query("rule == 'false_reassurance'").sort_values("session_number")
    assert out["session_number"].tolist() == [3, 4]
    assert out["severity"].tolist() == ["warning", "info"]
    assert "ORS (21 at session 2)" in out["message"].iloc[0]
    assert "ORS (26 at session 4)" in out["message"].iloc[1]


def test_false_reassurance_for_a_child_reads_the_cors():
    data = table(rows(srs=[39, 40, 40], ors=[24, 25, 24], age_group="child"))
    out = alerts(data).query("rule == 'false_reassurance'")
    assert out["measure"].tolist() == ["CSRS"] and "while the CORS (24 at session 3)" in \
        out["message"].iloc[0]


def test_one_measure_one_series_srs_then_gsrs():
    """Issue 8: an individual SRS followed by a group GSRS is no drop of 7.5 points."""
    data = table(rows(srs=[39.5, 39.5, None, None]),
                 rows(srs=[None, None, 32.0, 32.0], srs_measure="GSRS"))
    out = alerts(data)
    assert not out["rule"].isin(["drop", "sharp_drop"]).any()
    assert sessions(data, "low_total") == [3, 4]
    # the GSRS's own series: a second 32 is no drop, a 30 is
    more = table(rows(srs=[39.5, 39.5]), rows(srs=[None, None, 32.0, 30.0], srs_measure="GSRS"))
    assert fired(more, "drop") == [(4, -2.0)]
    # latest_only keeps each measure's latest rating
    assert set(alerts(data, latest_only=True)["session_number"]) == {2, 4}


# --------------------------------------------------------------------------- outcome rules
def test_ors_deterioration_boundary():
    assert fired(table(rows(ors=[20, 15.1, 15, 14.9])), "ors_deterioration") == [
        (3, -5.0), (4, -5.1)]
    out = alerts(table(rows(ors=[20, 15]))).query("rule == 'ors_deterioration'")
    assert (out["measure"].iloc[0], out["threshold"].iloc[0]) == ("ORS", -5.0)
    assert "ORS is 5 points below the intake (20 to 15): a reliable deterioration (5 or more)" \
        in out["message"].iloc[0]
    assert out["severity"].iloc[0] == "critical"


def uniform_history(intake=20.0, n=101, step=0.1, offset=0.0, measure="ORS", age="adult"):
    """n episodes: an intake, then intake + offset + i * step at session 2 (as in
    tests/test_expected.py: the session-2 change percentiles are offset + 2.5, 5, 7.5)."""
    return table(*[rows(f"H{measure}{i}", ors=[intake, intake + offset + i * step],
                        age_group=age, ors_measure=measure) for i in range(n)])


def test_off_track_with_a_hand_fitted_model():
    model = fit_expected(uniform_history())  # p25 of session 2 for intake 20: 22.5
    below = table(rows("A", ors=[20, 22.4]))
    at = table(rows("B", ors=[20, 22.5]))
    out = alerts(below, model=model).query("rule == 'off_track'")
    assert (out["value"].iloc[0], out["threshold"].iloc[0]) == (22.4, 22.5)
    assert "ORS 22.4 is below 22.5, the 25th percentile expected at this session for an " \
        "intake of 20: off track." in out["message"].iloc[0]
    assert sessions(at, "off_track", model=model) == []


def test_off_track_fallback_without_enough_data():
    # too little data to fit: no reliable improvement (5 points) by session 4
    data = table(rows("A", ors=[20, 20, 21, 24.9]), rows("B", ors=[20, 20, 21, 25]))
    out = alerts(data).query("rule == 'off_track'")
    assert out["client_id"].tolist() == ["A"] and out["session_number"].tolist() == [4]
    assert (out["value"].iloc[0], out["threshold"].iloc[0]) == (24.9, 25.0)
    assert "fallback" in out["message"].iloc[0]


def test_off_track_reads_the_childs_own_measure():
    ors_model = fit_expected(uniform_history())
    child = table(rows("K", ors=[20, 21], age_group="child"))
    # an ORS history says nothing about the CORS: the fallback waits for session 4
    assert sessions(child, "off_track", model=ors_model) == []
    both = fit_expected(pd.concat([uniform_history(), uniform_history(
        measure="CORS", age="child")]))
    assert sessions(child, "off_track", model=both) == [2]


def test_no_early_change_boundary():
    # before session 3 it waits (B); 0 is no change, +0.1 is change
    data = table(rows("A", ors=[20, 20, 20, 20.1, 19]), rows("B", ors=[20, 20]))
    assert fired(data, "no_early_change") == [(3, 0.0)]  # at 5, off track says it
    assert fired(data, "no_early_change", settings=AlertSettings().without("off_track")) == [
        (3, 0.0), (5, -1.0)]
    s = AlertSettings(early_session=4).without("off_track")
    assert sessions(table(rows(ors=[20, 20, 20, 20])), "no_early_change", settings=s) == [4]


def test_no_early_change_child_cors_is_judged_against_32_not_25():
    data = table(rows("A", ors=[29, 29.5, 28]), rows("K", ors=[29, 29.5, 28],
                                                     age_group="child"))
    out = alerts(data).query("rule == 'no_early_change'")
    # 29 is above the adult cutoff 25 but below the child's 32
    assert out["client_id"].tolist() == ["K"] and out["measure"].tolist() == ["CORS"]
    assert out["session_number"].tolist() == [3]
    assert "the intake was below the cutoff of 32" in out["message"].iloc[0]
    every = AlertSettings(early_clinical_only=False)
    assert by_client(data, "no_early_change", settings=every) == {"A": [3], "K": [3]}


def test_ors_deterioration_supersedes_no_early_change():
    data = table(rows(ors=[20, 20, 15]))
    assert sessions(data, "no_early_change") == []
    off = AlertSettings().without("ors_deterioration")
    assert sessions(data, "no_early_change", settings=off) == [3]


def test_a_deterioration_is_one_alert_not_an_off_track_beside_it():
    """Issue 8: ors_deterioration supersedes off_track, which supersedes no_early_change."""
    data = table(rows(ors=[20, 20, 19, 14, 19.5]))
    out = alerts(data)
    by_session = out.groupby("session_number")["rule"].agg(sorted).to_dict()
    assert by_session == {3: ["no_early_change"], 4: ["ors_deterioration"],
                          5: ["off_track"]}
    assert out.query("rule == 'ors_deterioration'")["severity"].tolist() == ["critical"]
    # switched off, the milder ones come back on the same rating
    off = AlertSettings().without("ors_deterioration")
    assert sessions(data, "off_track", settings=off) == [4, 5]
    assert sessions(data, "no_early_change", settings=off.without("off_track")) == [3, 4, 5]


# --------------------------------------------------------------------------- engine
def test_rules_are_the_interface():
    assert list(RULES) == ["low_total", "low_item", "drop", "sharp_drop", "repeated_low_item",
                           "ceiling", "false_reassurance", "ors_deterioration", "off_track",
                           "no_early_change", "split_alliance", "persistent_split",
                           "widening_gap", "outcome_divergence", "collateral_deterioration",
                           "group_outlier"]
    for rule in RULES.values():
        assert rule.severity in SEVERITIES and rule.source and rule.description
        assert rule.attached_to in ("alliance", "outcome", "collateral")
    assert AlertSettings().rules == frozenset(RULES)
    assert dict(AlertSettings().severity) == {k: r.severity for k, r in RULES.items()}


def test_switching_rules_off_removes_them():
    data = table(rows(srs=[[10, 10, 10, 8.5], 29, 40], ors=[20, 14, 14]))
    every = set(alerts(data)["rule"])
    assert {"sharp_drop", "low_item", "ceiling", "ors_deterioration"} <= every
    fewer = AlertSettings().without("low_item", "ceiling")
    assert set(alerts(data, settings=fewer)["rule"]) == every - {"low_item", "ceiling"}
    only = dataclasses.replace(AlertSettings(), rules={"low_total"})
    assert set(alerts(data, settings=only)["rule"]) == {"low_total"}
    assert alerts(data, settings=AlertSettings(rules=())).empty


def test_unknown_rule_names_raise():
    with pytest.raises(ValueError, match="'celing'.*valid rules: low_total, low_item"):
        AlertSettings().without("celing")
    with pytest.raises(ValueError, match="'bogus'"):
        AlertSettings(rules={"low_total", "bogus"})
    with pytest.raises(ValueError, match="'bogus'"):
        AlertSettings(severity={"bogus": "info"})
    with pytest.raises(ValueError, match="severity must be one of"):
        AlertSettings(severity={"ceiling": "loud"})
    with pytest.raises(ValueError, match="early_session"):
        AlertSettings(early_session=1)


def test_severity_can_be_overridden_and_settings_are_hashable():
    s = AlertSettings(severity={"ceiling": "warning"})
    assert s.severity["ceiling"] == "warning" and s.severity["low_item"] == "warning"
    assert s.mild_severity["low_item"] == "info" and set(s.mild_severity) == {
        "low_item", "drop", "repeated_low_item", "false_reassurance"}
    out = alerts(table(rows(srs=[40])), settings=s)
    assert out["severity"].tolist() == ["warning"]
    assert hash(s) == hash(AlertSettings(severity={"ceiling": "warning"}))
    dip = AlertSettings(mild_severity={"drop": "warning"})
    out = alerts(table(rows(srs=[40, 39])), settings=dip).query("rule == 'drop'")
    assert out["severity"].tolist() == ["warning"]
    with pytest.raises(ValueError, match="'ceiling'"):
        AlertSettings(mild_severity={"ceiling": "info"})  # not a graded rule
    with pytest.raises(ValueError, match="mild_severity must be one of"):
        AlertSettings(mild_severity={"drop": "soft"})


def test_filters_since_clinicians_min_severity():
    data = table(rows("A", srs=[38, 29, 31], clinician="T1"),
                 rows("B", srs=[38, 29, 31], clinician="T2"))
    since = alerts(data, since="2026-01-19")
    assert set(since["session_number"]) == {3}
    assert set(alerts(data, clinicians="T2")["client_id"]) == {"B"}
    assert set(alerts(data, clinicians=["T1", "T2"])["client_id"]) == {"A", "B"}
    assert set(alerts(data, min_severity="critical")["rule"]) == {"sharp_drop"}
    assert set(alerts(data, min_severity="warning")["severity"]) == {"warning", "critical"}
    with pytest.raises(ValueError, match="min_severity"):
        alerts(data, min_severity="urgent")
    # filters never change what is computed: session 3's window still sees sessions 1-2
    assert len(since.query("rule == 'low_total'")) == 2


def test_a_pattern_is_reported_where_it_holds_and_latest_only_keeps_the_latest():
    data = table(rows("A", srs=[34, 34.5, 35, 35.5]), rows("B", srs=[38, 36.5, 38]))
    low = alerts(data).query("rule == 'low_total'")
    assert low["session_number"].tolist() == [4, 3, 2, 1]  # at every session, latest first
    latest = alerts(data, latest_only=True)
    assert set(latest["session_number"]) == {4} and set(latest["client_id"]) == {"A"}
    # B's drop at session 2 was repaired by session 3: nothing holds now
    assert fired(table(rows("B", srs=[38, 36.5, 38])), "drop") == [(2, -1.5)]


def test_columns_dtypes_and_sort_order():
    data = table(rows("A", srs=[38, 29]), rows("B", srs=[40, 40], ors=[20, 14]))
    out = alerts(data)
    assert tuple(out.columns) == ALERT_COLUMNS
    assert out["severity"].dtype == pd.CategoricalDtype(SEVERITIES, ordered=True)
    assert str(out["session_number"].dtype) == "Int64"
    assert out["session_date"].dtype == "datetime64[ns]"
    assert out["value"].dtype == float and out["threshold"].dtype == float
    codes = out["severity"].cat.codes.to_numpy()
    assert (np.diff(codes) <= 0).all()  # critical first
    assert out["item"].isna().sum() > 0 and out["message"].notna().all()
    empty = alerts(table(rows(srs=[37.5, 37.5], ors=[20, 26])))
    assert empty.empty and tuple(empty.columns) == ALERT_COLUMNS


def test_custom_column_names_and_absent_optional_columns():
    data = table(rows(srs=[38, 29])).rename(columns={"client_id": "person", "total": "score"})
    data = data.drop(columns=["clinician_id", "session_date", "age_group"])
    out = alerts(data, client="person", total="score")
    assert "person" in out.columns and "sharp_drop" in set(out["rule"])
    assert out["message"].str.startswith("Session 2: ").all()


def test_expected_is_fitted_on_the_data_when_not_given():
    history = uniform_history()
    now = table(rows("A", ors=[20, 22.4]))
    both = pd.concat([history, now], ignore_index=True)
    own = alerts(both).query("rule == 'off_track' and client_id == 'A'")
    given = alerts(now, model=fit_expected(history)).query("rule == 'off_track'")
    assert len(own) == len(given) == 1


def test_vectorised_on_a_simulated_caseload():
    df = simulate(2000, seed=3)
    out = alerts(df)
    ses = session_alliance(df)
    counts = out["rule"].value_counts()
    assert set(counts.index) == set(RULES)  # every rule fires somewhere
    # every rating below 36 gives one alert saying so: low_total, or the drop that took it;
    # only a drop, a couple's or a group's alert on the same rating can say it too
    low = out[out["rule"].isin(["low_total", "drop", "sharp_drop"])
              & out["message"].str.contains("below the cutoff of 36")]
    together = out[out["rule"].isin(["split_alliance", "persistent_split", "widening_gap",
                                     "group_outlier"])]
    assert together["message"].str.contains("below the cutoff of 36").all()
    said = pd.concat([low, together])
    key = ["client_id", "episode_id", "session_number", "measure"]
    below = ses[ses["below_cutoff"]][key].astype(str).apply(tuple, axis=1)
    assert set(said[key].astype(str).apply(tuple, axis=1)) == set(below)
    assert len(low) + len(together) - len(said.drop_duplicates(key)) == len(
        together.merge(low[low["rule"] != "low_total"], on=key))
    n_srs = len(ses)
    assert 0.1 < len(low) / n_srs < 0.4  # about 23% of SRS are below 36
    assert counts["sharp_drop"] < counts["drop"] + counts["sharp_drop"] < 0.4 * n_srs
    # repeated low items (warnings) match the alliance table's labels, one alert per label
    labels = ses["repeated_low_item"].dropna()
    warned = out.query("rule == 'repeated_low_item' and severity == 'warning'")
    assert len(warned) == sum(len(x.split(";")) for x in labels if x)
    assert counts["false_reassurance"] < counts["ceiling"]
    assert out["message"].str.match(r"^Session \d+, \d+ \w{3} \d{4}: ").all()
    # one alert per rating, rule and item; a parent and a teacher each have their own
    key = ["client_id", "episode_id", "session_number", "measure", "rule", "item"]
    collateral = out["rule"].eq("collateral_deterioration")
    assert not out[~collateral].duplicated(key).any()
    assert not out[collateral].duplicated([*key, "message"]).any()


def test_a_given_model_keeps_its_own_fallback_settings():
    from srs_analytics.expected import ExpectedSettings
    late = fit_expected(table(rows("H", ors=[20, 21])), settings=ExpectedSettings(
        fallback_session=5))  # too little data: the fallback from session 5
    data = table(rows("A", ors=[20, 20, 21, 22, 22]))
    assert sessions(data, "off_track", model=late) == [5]
    assert sessions(data, "off_track") == [4, 5]


def test_a_rule_filtered_out_by_severity_supersedes_nothing():
    data = table(rows(srs=[38.0, 32.0]))  # a sharp drop
    s = AlertSettings(severity={"sharp_drop": "info", "drop": "warning"})
    assert fired(data, "drop", settings=s, min_severity="warning") == [(2, -6.0)]
    assert fired(data, "drop", settings=s) == []
