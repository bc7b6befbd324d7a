"""Progress-note lines (srs_analytics.notes). All data here is synthetic.

The lines follow the seed's progress note ("SRS total: 31/40. Lowest item: approach (5/10).
..."): the score, the client's feedback verbatim, and the clinician's response (or a marked
place for it); "No adjustments indicated." when nothing calls for one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from srs_analytics.alliance import AllianceSettings, session_alliance
from srs_analytics.notes import NoteSettings, progress_note, progress_notes
from srs_analytics.outcomes import OutcomeSettings
from srs_analytics.schema import coerce_canonical
from srs_analytics.synthetic import simulate


def row(session, measure, values, client="C1", episode=None, comment=None, age="adult",
        date=True):
    items = list(values) if np.ndim(values) else [np.nan] * 4
    return {"client_id": client, "episode_id": episode or "E" + client,
            "session_number": session, "measure": measure, "rater": "self",
            "session_date": pd.Timestamp("2026-03-02") + pd.Timedelta(weeks=session)
            if date else pd.NaT, "age_group": age,
            **{f"item_{j + 1}": v for j, v in enumerate(items)},
            "total": float(np.sum(items)) if np.ndim(values) else float(values),
            "comment": comment}


def table(*rows):
    return coerce_canonical(pd.DataFrame(rows))


ROUTINE = [9.5, 9.2, 9.6, 9.7]  # 38
LOW = [9.5, 9.0, 5.0, 7.5]  # 31, lowest approach or method (deep)
TBC = "Clinician response: [to be completed by the clinician]."


def test_routine_variant_ends_like_the_seed():
    data = table(row(1, "SRS", ROUTINE))
    assert progress_note(data, "C1") == ("SRS total: 38/40 (at or above the 36 cutoff). "
                                         "Lowest item: goals and topics (9.2/10). No "
                                         "adjustments indicated.")
    assert progress_notes(data)["variant"].tolist() == ["routine"]


def test_low_variant_leaves_a_marked_place_for_the_response_not_an_instruction():
    data = table(row(1, "SRS", LOW))
    note = progress_note(data, "C1")
    assert note == ("SRS total: 31/40 (below the 36 cutoff). Lowest item: approach or "
                    f"method (5/10), at or below 7. {TBC}")
    assert "agree on two small changes" not in note and "ask for" not in note
    assert progress_notes(data)["variant"].tolist() == ["low"]


def test_boundary_36_is_routine_and_35_9_is_low():
    data = table(row(1, "SRS", [9, 9, 9, 9]), row(2, "SRS", [9, 9, 9, 8.9]))
    assert progress_notes(data)["variant"].tolist() == ["routine", "low"]
    cutoff = AllianceSettings(cutoff=38)
    assert progress_notes(data, settings=cutoff)["note"].str.contains("below the 38 cutoff").all()


def test_a_session_at_36_with_a_deep_or_repeatedly_low_item_names_it():
    data = table(row(1, "SRS", [10, 10, 9, 7]), row(2, "SRS", [10, 10, 9.5, 7.5]),
                 row(3, "SRS", [10, 10, 9.5, 9.5]))
    notes = progress_notes(data)
    assert notes["variant"].tolist() == ["item", "item", "routine"]
    assert notes["note"].tolist() == [
        "SRS total: 36/40 (at or above the 36 cutoff). Lowest item: overall (7/10), at or "
        f"below 7. {TBC}",
        "SRS total: 37/40 (at or above the 36 cutoff). Lowest item: overall (7.5/10). Overall "
        f"below 8 in 2 of the last 2 sessions. {TBC}",
        "SRS total: 39/40 (at or above the 36 cutoff). Lowest items: approach or method, "
        "overall (9.5/10). No adjustments indicated."]
    fell = progress_notes(table(row(1, "SRS", [9, 9, 9, 10]), row(2, "SRS", [10, 10, 10, 7])))
    assert fell["note"].iloc[1] == (
        "SRS total: 37/40 (at or above the 36 cutoff). Lowest item: overall (7/10), at or "
        f"below 7, down 3 points since the last session. {TBC}")


def test_the_clients_feedback_is_quoted_verbatim_never_reinterpreted():
    """Issue 8: "Client disagreed with the homework focus" is not "Agreed: ..."."""
    data = table(row(2, "ORS", 22.5),
                 row(2, "SRS", LOW, comment="Client disagreed with the homework focus."))
    note = progress_note(data, "C1", 2)
    assert note.endswith('ORS: 22.5/40. Client feedback: "Client disagreed with the homework '
                         f'focus." {TBC}')
    assert "Agreed" not in note
    data = table(row(2, "ORS", 22.5), row(2, "SRS", LOW, comment="We agree: shorter homework"))
    assert progress_note(data, "C1", 2).endswith(
        f'Client feedback: "We agree: shorter homework" {TBC}')


def test_a_recorded_response_is_written_in():
    data = table(row(1, "SRS", LOW), row(2, "SRS", ROUTINE))
    data["clinician_response"] = ["Agreed on shorter homework", None]
    notes = progress_notes(data)["note"].tolist()
    assert notes[0].endswith("(5/10), at or below 7. Clinician response: Agreed on shorter "
                             "homework.")
    assert notes[1].endswith("No adjustments indicated.")
    other = progress_notes(data.rename(columns={"clinician_response": "plan"}),
                           response="plan")
    assert other["note"].tolist() == progress_notes(data)["note"].tolist()


def test_a_reliable_deterioration_of_the_ors_is_said():
    """Issue 8: a client who fell from 18.1 to 9.8 does not get a routine note."""
    data = table(row(1, "ORS", 18.1), row(1, "SRS", ROUTINE), row(3, "ORS", 9.8),
                 row(3, "SRS", ROUTINE), row(4, "ORS", 13.2), row(4, "SRS", ROUTINE))
    notes = progress_notes(data)
    assert notes["variant"].tolist() == ["routine", "deterioration", "routine"]
    assert notes["note"].iloc[1] == (
        "SRS total: 38/40 (at or above the 36 cutoff). Lowest item: goals and topics "
        "(9.2/10). ORS: 9.8/40, 8.3 points below the intake of 18.1: a reliable "
        f"deterioration. {TBC}")
    assert notes["note"].iloc[2].endswith("ORS: 13.2/40. No adjustments indicated.")  # -4.9
    strict = NoteSettings(outcome=OutcomeSettings(rci=10))
    assert progress_notes(data, settings=strict)["variant"].tolist() == ["routine"] * 3


def test_feedback_from_the_srs_row_else_the_ors_row():
    data = table(row(1, "ORS", 20, comment="ORS note."), row(1, "SRS", ROUTINE,
                                                             comment="SRS note!"),
                 row(2, "ORS", 21, comment="  more time on work stress  "),
                 row(2, "SRS", ROUTINE),
                 row(3, "SRS", ROUTINE, comment="Agreed to try two small changes."))
    notes = progress_notes(data)["note"].tolist()
    assert notes[0].endswith('ORS: 20/40. Client feedback: "SRS note!" No adjustments '
                             'indicated.')
    assert notes[1].endswith('ORS: 21/40. Client feedback: "more time on work stress" No '
                             'adjustments indicated.')
    assert notes[2].endswith('(9.2/10). Client feedback: "Agreed to try two small changes." '
                             'No adjustments indicated.')


def test_child_measures_and_ties():
    data = table(row(1, "CORS", 30, age="child"), row(1, "CSRS", [8, 8, 10, 10], age="child"),
                 row(2, "CSRS", [10, 10, 10, 10], age="child"))
    notes = progress_notes(data)["note"].tolist()
    assert notes[0] == ("CSRS total: 36/40 (at or above the 36 cutoff). Lowest items: "
                        "relationship, goals and topics (8/10). CORS: 30/40. No adjustments "
                        "indicated.")
    assert notes[1] == ("CSRS total: 40/40 (at or above the 36 cutoff). All four items: "
                        "10/10. No adjustments indicated.")


def test_totals_only_and_imputed_items_name_no_item():
    imputed = row(2, "SRS", [8, 8, 8, 8])
    imputed["items_imputed"] = True
    data = table(row(1, "SRS", 33.5), imputed)
    assert progress_notes(data)["note"].tolist() == [
        f"SRS total: 33.5/40 (below the 36 cutoff). {TBC}",
        f"SRS total: 32/40 (below the 36 cutoff). {TBC}"]


def test_settings_are_checked():
    with pytest.raises(TypeError, match="settings must be NoteSettings"):
        progress_notes(table(row(1, "SRS", LOW)), settings=OutcomeSettings())
    with pytest.raises(TypeError, match="outcome must be OutcomeSettings"):
        NoteSettings(outcome=AllianceSettings())


def test_columns_one_row_per_srs_and_no_date_needed():
    data = table(row(1, "ORS", 20), row(1, "SRS", ROUTINE, date=False),
                 row(2, "ORS", 21, date=False))
    out = progress_notes(data)
    assert list(out.columns) == ["client_id", "episode_id", "session_number", "session_date",
                                 "variant", "note"]
    assert len(out) == 1 and str(out["note"].dtype) == "str"


def test_latest_session_and_episode_by_default():
    data = table(row(1, "SRS", LOW, episode="E1"), row(2, "SRS", ROUTINE, episode="E1"),
                 row(5, "SRS", LOW, episode="E2"))
    assert progress_note(data, "C1").startswith("SRS total: 31/40")  # E2 session 5 is later
    assert progress_note(data, "C1", 2).startswith("SRS total: 38/40")
    assert progress_note(data, "C1", 1, episode_id="E1").startswith("SRS total: 31/40")
    jt = NoteSettings(outcome=OutcomeSettings(method="jt"))  # reads the whole table
    assert progress_note(data, "C1", 1, episode_id="E1", settings=jt).startswith(
        "SRS total: 31/40")


def test_missing_client_episode_or_session_raises():
    data = table(row(1, "SRS", LOW), row(2, "ORS", 20), row(1, "SRS", LOW, client="C2"))
    with pytest.raises(ValueError, match=r"client_id 'C9' is not in client='client_id' "
                                         r"\(2 clients, e.g. C1, C2\)"):
        progress_note(data, "C9")
    with pytest.raises(ValueError, match="no episode 'X'; episodes: EC1"):
        progress_note(data, "C1", episode_id="X")
    with pytest.raises(ValueError, match=r"no alliance rating at session 2; sessions with "
                                         r"one \(episode, session\): EC1 1"):
        progress_note(data, "C1", 2)
    only_ors = table(row(1, "ORS", 20))
    with pytest.raises(ValueError, match="no alliance rating"):
        progress_note(only_ors, "C1")
    two = table(row(1, "SRS", LOW, episode="E1"), row(1, "SRS", LOW, episode="E2"))
    with pytest.raises(ValueError, match="in episodes E1, E2; pass episode_id"):
        progress_note(two, "C1", 1)


def test_vectorised_on_a_simulated_caseload():
    df = simulate(2000, seed=2)
    out = progress_notes(df)
    ses = session_alliance(df)
    assert len(out) == len(ses)
    assert (out["variant"] == "low").sum() == ses["below_cutoff"].sum()
    assert out["note"].str.match(r"^(?:SRS|CSRS|GSRS) total: [\d.]+/40 \(").all()
    assert not out["note"].str.contains(r"\.0/|nan|None").any()
    has_ors = out["note"].str.contains(r" (?:ORS|CORS): [\d.]+/40\.")
    assert has_ors.mean() > 0.9  # nearly every SRS session has an ORS
    assert out["note"].str.contains('Client feedback: "').sum() > 0
    assert not out["note"].str.contains("Agreed: |Comment: ").any()
    routine = out["variant"] == "routine"
    assert out.loc[routine, "note"].str.endswith("No adjustments indicated.").all()
    assert out.loc[~routine, "note"].str.endswith("[to be completed by the clinician].").all()
