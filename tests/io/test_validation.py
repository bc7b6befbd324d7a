"""The boundary rules of docs/measures-and-rules.md: every rejection reason, and what is not one."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from srs_analytics import REASONS, load

HEADER = ("client_id,episode_id,session_date,session_number,measure,rater,item_1,item_2,"
          "item_3,item_4,total,skip")

# (row, expected reason) - each row breaks exactly one rule
BAD_ROWS = {
    "missing_client_id": ",E1,2026-03-02,1,ORS,self,4,5,6,7,,",
    "unknown_measure": "C1,E1,2026-03-02,1,PHQ9,self,4,5,6,7,,",
    "no_scores": "C1,E1,2026-03-02,1,ORS,self,,,,,,",
    "non_numeric_score": "C1,E1,2026-03-02,1,ORS,self,4,five,6,7,,",
    "out_of_range": "C1,E1,2026-03-02,1,ORS,self,4,5,6,10.5,,",
    "partial_items": "C1,E1,2026-03-02,1,ORS,self,4,5,6,,,",
    "total_mismatch": "C1,E1,2026-03-02,1,ORS,self,4,5,6,7,25,",
    "invalid_date": "C1,E1,2026-02-30,1,ORS,self,4,5,6,7,,",
    "invalid_session_number": "C1,E1,2026-03-02,0,ORS,self,4,5,6,7,,",
    "missing_session": "C1,E1,,,ORS,self,4,5,6,7,,",
    "invalid_skip_flag": "C1,E1,2026-03-02,1,ORS,self,4,5,6,7,,maybe",
    "future_date": "C1,E1,2099-03-02,1,ORS,self,4,5,6,7,,",
    "date_too_early": "C1,E1,1999-12-31,1,ORS,self,4,5,6,7,,",
    "extra_fields": "C1,E1,2026-03-02,1,ORS,self,4,5,6,7,,,5",
    # a quote opened in the skip cell swallows the next line, which looks like a row
    "unclosed_quote": 'C1,E1,2026-03-02,1,ORS,self,4,5,6,7,,"N\nC2,E2,2026-03-02,1,ORS,self,'
                      '4,5,6,7,,N"',
}


def test_every_reason_is_tested():
    assert set(BAD_ROWS) == set(REASONS)


@pytest.mark.parametrize("reason", sorted(BAD_ROWS))
def test_each_reason_rejects_with_a_message_and_raw_values(write, reason):
    good = "C9,E9,2026-03-02,1,SRS,self,9,9,9,9,36,"
    res = load(write("f.csv", "\n".join([HEADER, good, BAD_ROWS[reason]]) + "\n"))
    assert res.report["loaded"] == 1
    assert res.report["by_reason"] == {reason: 1}
    rej = res.rejected.iloc[0]
    assert rej["reason"] == reason
    assert rej["source_file"] == "f.csv" and rej["source_row"] == 3
    assert len(rej["message"]) > 10
    raw = json.loads(rej["raw_values"])
    assert list(raw)[:12] == HEADER.split(",")
    assert list(raw)[12:] == (["(extra field 1)"] if reason == "extra_fields" else [])


def test_messages_name_the_column_and_value(write):
    res = load(write("f.csv", "\n".join([HEADER, BAD_ROWS["out_of_range"],
                                         BAD_ROWS["non_numeric_score"],
                                         BAD_ROWS["total_mismatch"]]) + "\n"))
    msgs = res.rejected.set_index("reason")["message"]
    assert "item_4 = 10.5 (range 0-10)" in msgs["out_of_range"]
    assert "item_2 = 'five'" in msgs["non_numeric_score"]
    assert "total 25" in msgs["total_mismatch"] and "22" in msgs["total_mismatch"]


def test_zero_is_a_real_score_and_bounds_are_inclusive(write):
    rows = ["C1,E1,2026-03-02,1,ORS,self,0,0,0,0,,",
            "C1,E1,2026-03-02,1,SRS,self,10,10,10,10,40,"]
    res = load(write("f.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert res.report["loaded"] == 2
    assert res.data["total"].tolist() == [0.0, 40.0]


def test_total_within_rounding_is_accepted(write):
    rows = ["C1,E1,2026-03-02,1,ORS,self,4.2,5.2,6.2,7.2,23,",     # 22.8 -> 23: rounding
            "C2,E2,2026-03-02,1,ORS,self,4.2,5.2,6.2,7.2,23.4,"]  # 0.6 off: an error
    res = load(write("f.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert res.report["loaded"] == 1 and res.report["by_reason"] == {"total_mismatch": 1}
    assert res.data["total"].iloc[0] == 23.0


def test_total_only_rows_load(write):
    rows = ["C1,E1,2026-03-02,1,ORS,self,,,,,18.5,", "C1,E1,2026-03-02,1,SRS,self,,,,,37,"]
    res = load(write("f.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert res.report["loaded"] == 2
    assert res.data["item_1"].isna().all()
    assert res.data["total"].tolist() == [18.5, 37.0]


@pytest.mark.parametrize("flag", ["Y", "1", "yes", "TRUE"])
def test_skip_flags_skip_the_row(write, flag):
    rows = [f"C1,E1,2026-03-02,1,ORS,self,,,,,,{flag}", "C1,E1,2026-03-02,1,SRS,self,9,9,9,9,,N"]
    res = load(write("f.csv", "\n".join([HEADER, *rows]) + "\n"))
    r = res.report
    assert (r["loaded"], r["skipped"], r["rejected"]) == (1, 1, 0)
    assert res.skipped["source_row"].tolist() == [2]


def test_total_is_computed_from_items(write):
    res = load(write("f.csv", HEADER + "\nC1,E1,2026-03-02,1,ORS,self,4.5,5,6,7.25,,\n"))
    assert res.data["total"].iloc[0] == 22.75


def test_episode_defaults_to_client_and_rater_to_self(write):
    text = "client,date,measure,total\nC1,2026-03-02,SRS,38\n"
    data = load(write("f.csv", text)).data
    assert data.loc[0, "episode_id"] == "C1" and data.loc[0, "rater"] == "self"


def test_ycors_is_a_single_rating_from_1_to_4(write):
    rows = ["C1,E1,2026-03-02,1,YCORS,self,,,,,3,", "C2,E2,2026-03-02,1,YCORS,self,,,,,7,"]
    res = load(write("f.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert res.report["loaded"] == 1 and res.report["by_reason"] == {"out_of_range": 1}
    assert res.data.loc[0, "age_group"] == "young_child"


def test_measure_names_and_categories_are_normalised(write):
    text = ("client,date,measure,rater,format,setting,status,age group,total\n"
            "C1,2026-03-02,Session Rating Scale,Mother,Tablet,Video,Dropout,Adult,38\n"
            "C1,2026-03-02,c-ors,Teacher,paper,in person,planned,,30\n")
    data = load(write("f.csv", text)).data
    assert data["measure"].tolist() == ["SRS", "CORS"]
    assert data["rater"].tolist() == ["parent", "teacher"]
    assert data["format"].tolist() == ["digital", "paper"]
    assert data["setting"].tolist() == ["telehealth", "in_person"]
    assert data["episode_status"].tolist() == ["closed_unplanned", "closed_planned"]
    assert data["age_group"].tolist() == ["adult", "child"]


def test_session_numbers_derived_from_date_order_within_episode(write):
    text = ("client,episode,date,measure,total\n"
            "A,COUPLE,2026-03-16,SRS,38\nA,COUPLE,2026-03-02,ORS,20\nA,COUPLE,2026-03-02,SRS,37\n"
            "B,COUPLE,2026-03-02,SRS,30\nB,COUPLE,2026-03-09,SRS,31\nC,C,2026-03-09,ORS,15\n")
    data = load(write("f.csv", text)).data
    got = dict(zip(zip(data["client_id"], data["session_date"].dt.day, data["measure"]),
                   data["session_number"]))
    assert got[("A", 2, "ORS")] == got[("A", 2, "SRS")] == got[("B", 2, "SRS")] == 1
    assert got[("B", 9, "SRS")] == 2 and got[("A", 16, "SRS")] == 3
    assert got[("C", 9, "ORS")] == 1


def test_session_numbers_count_sessions_whose_scores_were_rejected(write):
    text = ("client,date,measure,total\nC1,2026-03-02,ORS,99\nC1,2026-03-09,ORS,20\n")
    res = load(write("f.csv", text))
    assert res.data["session_number"].tolist() == [2]


def test_given_session_numbers_are_kept(write):
    text = "client,date,session,measure,total\nC1,2026-03-09,4,ORS,20\nC1,2026-03-16,,SRS,38\n" \
           "C1,2026-03-09,,SRS,39\n"
    data = load(write("f.csv", text)).data
    assert data["session_number"].tolist()[0] == 4
    assert data.loc[data["session_date"].eq(pd.Timestamp("2026-03-09")),
                    "session_number"].tolist() == [4, 4]


# Hand-made bad rows, one file each, with the fate and reason each must get: one row per
# reason, then rows where several rules break at once (the first check of CHECKS wins).
FIRST_REASON_WINS = {
    "missing id": (",E1,2026-03-02,1,ORS,self,4,5,6,7,,", "missing_client_id"),
    "skip maybe": ("C1,E1,2026-03-02,1,ORS,self,4,5,6,7,,maybe", "invalid_skip_flag"),
    "unknown measure": ("C1,E1,2026-03-02,1,PHQ9,self,4,5,6,7,,", "unknown_measure"),
    "empty measure": ("C1,E1,2026-03-02,1,,self,4,5,6,7,,", "unknown_measure"),
    "no scores": ("C1,E1,2026-03-02,1,ORS,self,,,,,,", "no_scores"),
    "x in an item": ("C1,E1,2026-03-02,1,ORS,self,4,x,6,7,,", "non_numeric_score"),
    "item of 11": ("C1,E1,2026-03-02,1,ORS,self,4,5,6,11,,", "out_of_range"),
    "3 of 4 items": ("C1,E1,2026-03-02,1,ORS,self,4,5,6,,,", "partial_items"),
    "total disagrees": ("C1,E1,2026-03-02,1,ORS,self,4,5,6,7,25,", "total_mismatch"),
    "31 February": ("C1,E1,31/02/2026,1,ORS,self,4,5,6,7,,", "invalid_date"),
    "session 0": ("C1,E1,2026-03-02,0,ORS,self,4,5,6,7,,", "invalid_session_number"),
    "session 1.5": ("C1,E1,2026-03-02,1.5,ORS,self,4,5,6,7,,", "invalid_session_number"),
    "no date, no number": ("C1,E1,,,ORS,self,4,5,6,7,,", "missing_session"),
    # several at once
    "missing id + skip maybe": (",E1,2026-03-02,1,ORS,self,4,5,6,7,,maybe", "missing_client_id"),
    "missing id + skipped": (",E1,2026-03-02,1,ORS,self,,,,,,Y", "missing_client_id"),
    "missing id + measure + date": (",E1,31/02/2026,1,PHQ9,self,4,5,6,7,,",
                                    "missing_client_id"),
    "skip maybe + item of 11": ("C1,E1,2026-03-02,1,ORS,self,4,5,6,11,,maybe",
                                "invalid_skip_flag"),
    "skip maybe + measure": ("C1,E1,2026-03-02,1,PHQ9,self,4,5,6,7,,maybe",
                             "invalid_skip_flag"),
    "skipped + bad date": ("C1,E1,31/02/2026,1,ORS,self,,,,,,Y", "skipped"),
    "skipped + unknown measure": ("C1,E1,2026-03-02,1,PHQ9,self,4,5,6,7,,Y", "skipped"),
    "skipped + item of 11": ("C1,E1,2026-03-02,1,ORS,self,4,5,6,11,,yes", "skipped"),
    "measure + x": ("C1,E1,2026-03-02,1,PHQ9,self,4,x,6,7,,", "unknown_measure"),
    "no scores + bad date": ("C1,E1,31/02/2026,1,ORS,self,,,,,,", "no_scores"),
    "x + item of 11": ("C1,E1,2026-03-02,1,ORS,self,4,x,6,11,,", "non_numeric_score"),
    "item of 11 + 3 of 4": ("C1,E1,2026-03-02,1,ORS,self,4,5,11,,,", "out_of_range"),
    "3 of 4 + total": ("C1,E1,2026-03-02,1,ORS,self,4,5,6,,40,", "partial_items"),
    "total disagrees + bad date": ("C1,E1,31/02/2026,1,ORS,self,4,5,6,7,25,", "total_mismatch"),
    "total disagrees + session 0": ("C1,E1,2026-03-02,0,ORS,self,4,5,6,7,25,",
                                    "total_mismatch"),
    "bad date + session 0": ("C1,E1,31/02/2026,0,ORS,self,4,5,6,7,,", "invalid_date"),
    "bad date + no number": ("C1,E1,31/02/2026,,ORS,self,4,5,6,7,,", "invalid_date"),
    "session text + no date": ("C1,E1,,abc,ORS,self,4,5,6,7,,", "invalid_session_number"),
}


@pytest.mark.parametrize("case", list(FIRST_REASON_WINS))
def test_a_row_gets_the_first_reason_that_applies(write, case):
    row, expected = FIRST_REASON_WINS[case]
    good = "C9,E9,2026-03-02,1,SRS,self,9,9,9,9,36,"
    res = load(write("f.csv", "\n".join([HEADER, good, row]) + "\n"))
    assert res.report["loaded"] == 1
    if expected == "skipped":
        assert (res.report["rejected"], res.report["skipped"]) == (0, 1)
        assert res.skipped["reason"].isna().all()
    else:
        assert res.report["by_reason"] == {expected: 1}
        assert res.rejected["source_row"].tolist() == [3]


def test_reasons_are_documented_in_the_order_applied():
    from srs_analytics.io.validation import CHECKS

    assert list(REASONS) == [c.code for c in CHECKS if c.fate == "rejected"]
    assert list(REASONS)[:4] == ["unclosed_quote", "extra_fields", "missing_client_id",
                                 "invalid_skip_flag"]
    assert list(REASONS)[-5:] == ["invalid_date", "future_date", "date_too_early",
                                  "invalid_session_number", "missing_session"]
    steps = [c.code for c in CHECKS]
    assert steps.index("skipped") == steps.index("invalid_skip_flag") + 1
    assert "skipped" not in REASONS
    with pytest.raises(TypeError):
        REASONS["new"] = "read-only"  # type: ignore[index]


def test_row_level_reasons_apply_to_every_administration_of_a_wide_row(write):
    header = ("Client_ID,Case_ID,Session_ID,Session_Date,ORS_Skip,ORSQ1,ORSQ2,ORSQ3,ORSQ4,"
              "Total_ORS,SRS_Skip,SRSQ1,SRSQ2,SRSQ3,SRSQ4,Total_SRS")
    rows = ["C1,E1,1,2025-12-19,N,3,4,3,4,,N,9,8,10,10,",
            ",E1,2,2025-12-26,N,3,4,3,4,,N,9,8,10,10,",  # no client: both rejected
            "C1,E1,3,2025-13-40,N,3,4,3,4,,Y,,,,,",      # bad date: ORS rejected, SRS skipped
            "C1,E1,4,2026-01-02,N,3,4,3,4,,N,9,8,10,11,"]  # SRS out of range only
    res = load(write("f.csv", "\n".join([header, *rows]) + "\n"), source="openfit")
    got = sorted(zip(res.rejected["source_row"], res.rejected["measure"].fillna(""),
                     res.rejected["reason"]))
    assert got == [(3, "ORS", "missing_client_id"), (3, "SRS", "missing_client_id"),
                   (4, "ORS", "invalid_date"), (5, "SRS", "out_of_range")]
    assert res.skipped["source_row"].tolist() == [4]
    assert res.report["loaded"] == 3
