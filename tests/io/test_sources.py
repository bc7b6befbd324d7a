"""Every source format, detected from its header, plus mappings, identifiers and overlaps.

The files here are small, hand-written and synthetic; their columns follow
``docs/formats.md``.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pandas as pd
import pytest

from srs_analytics import LoadError, load

OPENFIT_HEADER = ("Service_Location,Provider_Email,Provider_FirstName,Provider_ID,Client_ID,"
                  "Client_FirstName,Client_LastName,Client_Group,Case_ID,Session_ID,"
                  "Session_Date,ORS_Skip,ORSQ1,ORSQ2,ORSQ3,ORSQ4,Total_ORS,SRS_Skip,SRSQ1,"
                  "SRSQ2,SRSQ3,SRSQ4,Total_SRS,Notes")


def _openfit(rows):
    pre = "North,t1@example.invalid,Synthetic,T1,"
    return OPENFIT_HEADER + "\n" + "\n".join(pre + r for r in rows) + "\n"


def test_openfit_items_layout_yn_skips(write):
    text = _openfit([
        "C1,Synthetic,Client1,Adult,K1,1,2026-03-02,N,4,5,6,7,,N,9,9,9,9,,",
        "C1,Synthetic,Client1,Adult,K1,2,2026-03-09,N,5,5,6,7,,Y,,,,,,",
        "C2,Synthetic,Client2,Child,K2,1,2026-03-02,N,6,6,6,6.5,,N,9,9,9,10,,first session",
    ])
    res = load(write("openfit.csv", text))
    r = res.report
    assert res.report["files"][0]["source"] == "openfit"
    assert (r["rows_read"], r["loaded"], r["skipped"]) == (6, 5, 1)
    assert r["by_measure"] == {"CORS": 1, "CSRS": 1, "ORS": 2, "SRS": 1}
    d = res.data.set_index(["client_id", "session_number", "measure"])
    assert d.loc[("C1", 1, "ORS"), "total"] == 22
    assert d.loc[("C1", 1, "ORS"), "site"] == "North"
    assert d.loc[("C1", 1, "ORS"), "clinician_id"] == "T1"
    assert d.loc[("C1", 1, "ORS"), "episode_id"] == "K1"
    assert d.loc[("C2", 1, "CORS"), "age_group"] == "child"
    assert d.loc[("C2", 1, "CSRS"), "comment"] == "first session"
    assert {"Provider_Email", "Provider_FirstName", "Client_FirstName", "Client_LastName"} <= set(
        r["dropped_identifying"])
    assert "Client_FirstName" not in res.data.columns
    assert "per administration" in r["counted_per"]


def test_openfit_total_layout_10_skips_and_imputed_items(write):
    text = _openfit([
        "C1,S,C,Adult,K1,1,2026-03-02,0,,,,,18,0,,,,,37,",
        "C1,S,C,Adult,K1,2,2026-03-09,0,5,5,5,5,20,1,,,,,,",
        "C1,S,C,Adult,K1,3,2026-03-16,0,4,5,6,7,,0,,,,,,",
    ])
    res = load(write("openfit.csv", text))
    r = res.report
    assert (r["loaded"], r["skipped"], r["not_administered"]) == (4, 1, 1)
    d = res.data.set_index(["session_number", "measure"])
    assert d.loc[(1, "ORS"), "total"] == 18 and pd.isna(d.loc[(1, "ORS"), "item_1"])
    assert bool(d.loc[(2, "ORS"), "items_imputed"]) is True
    assert bool(d.loc[(3, "ORS"), "items_imputed"]) is False


def test_openfit_row_with_no_scores_is_one_rejection(write):
    res = load(write("o.csv", _openfit(["C1,S,C,Adult,K1,1,2026-03-02,N,,,,,,N,,,,,,"])))
    assert res.report["rows_read"] == 1 and res.report["by_reason"] == {"no_scores": 1}


def test_generic_wide_table(write):
    text = ("client id;therapist;session date;session #;ORS 1;ORS 2;ORS 3;ORS 4;ORS total;"
            "SRS 1;SRS 2;SRS 3;SRS 4;SRS total\n"
            "C1;T1;14/03/2026;1;4,5;5;6;7;22,5;9;9;9;9;36\n"
            "C1;T1;21/03/2026;2;5;5;6;7;;9,5;9;9;10;\n")
    res = load(write("wide.csv", text))
    assert res.report["files"][0]["source"] == "wide"
    assert res.report["loaded"] == 4
    d = res.data.set_index(["session_number", "measure"])
    assert d.loc[(1, "ORS"), "total"] == 22.5 and d.loc[(2, "SRS"), "total"] == 37.5
    assert d.loc[(2, "SRS"), "session_date"] == pd.Timestamp("2026-03-21")


CAMCOPS_ORS = pd.DataFrame({
    "_pk": [1, 2, 3], "_device_id": [1, 2, 1], "_era": ["NOW"] * 3, "_current": [1, 1, 0],
    "patient_id": [1, 1, 1], "q_session": [1, 2, 2], "q_date": ["2026-03-02", "2026-03-09",
                                                                "2026-03-09"],
    "q_who": [0, 1, 0], "q_who_other": [None, "Mother", None],
    "q_individual": [4.25, 5.0, 1.0], "q_interpersonal": [5.5, 6.0, 1.0],
    "q_social": [6.0, 6.0, 1.0], "q_overall": [7.01, 7.0, 1.0],
    "_patient_forename": ["SYNTHETIC"] * 3, "_patient_surname": ["PATIENT"] * 3,
    "_patient_dob": ["1990-01-01"] * 3, "_patient_idnum1": [9990001, 9990002, 9990001],
    "_patient_iddesc1": ["NHS number"] * 3,
})
CAMCOPS_SRS = pd.DataFrame({
    "_pk": [1], "_current": [1], "patient_id": [1], "q_session": [1], "q_date": ["2026-03-02"],
    "q_relationship": [9.0], "q_goals": [8.5], "q_approach": [9.0], "q_overall": [9.5],
    "_patient_idnum1": [9990001],
})


def _check_camcops(res):
    r = res.report
    assert {f["source"] for f in r["files"]} == {"camcops"}
    assert (r["loaded"], r["non_data_rows"]) == (3, 1)
    d = res.data.set_index(["client_id", "measure"])
    assert d.loc[("9990001", "ORS"), "total"] == pytest.approx(22.76)
    assert d.loc[("9990002", "ORS"), "rater"] == "parent"  # "Mother"
    assert d.loc[("9990001", "SRS"), "total"] == 36
    assert "_patient_forename" in r["dropped_identifying"]
    assert "_patient_iddesc1" in r["dropped_identifying"]
    return res


def test_camcops_zip_of_tsv(tmp_path):
    path = tmp_path / "dump.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ors.tsv", CAMCOPS_ORS.to_csv(sep="\t", index=False))
        zf.writestr("srs.tsv", CAMCOPS_SRS.to_csv(sep="\t", index=False))
    res = _check_camcops(load(path))
    assert set(res.data["source_file"]) == {"dump.zip:ors.tsv", "dump.zip:srs.tsv"}


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_camcops_workbooks(tmp_path, suffix):
    path = tmp_path / f"dump{suffix}"
    with pd.ExcelWriter(path, engine="odf" if suffix == ".ods" else None) as xw:
        CAMCOPS_ORS.to_excel(xw, sheet_name="ors", index=False)
        CAMCOPS_SRS.to_excel(xw, sheet_name="srs", index=False)
    res = _check_camcops(load(path))
    assert res.data.loc[res.data["measure"].eq("SRS"), "source_row"].tolist() == [2]


def test_camcops_sqlite_and_single_tsv(tmp_path):
    path = tmp_path / "dump.sqlite"
    with sqlite3.connect(path) as con:
        CAMCOPS_ORS.to_sql("ors", con, index=False)
        CAMCOPS_SRS.to_sql("srs", con, index=False)
    _check_camcops(load(path))
    tsv = tmp_path / "ors.tsv"
    CAMCOPS_ORS.to_csv(tsv, sep="\t", index=False)
    assert load(tsv).report["by_measure"] == {"ORS": 2}


def test_mhsds_totals_snomed_codes_and_text_scores(write):
    text = ("Person_ID,UniqServReqID,CareProfLocalId,CodedAssToolType,PersScore,AssToolCompDate\n"
            "P1,R1,CP1,716613004,18.5,2026-03-02\n"
            "P1,R1,CP1,720482000,37,2026-03-02\n"
            "P1,R1,CP1,960251000000100,21,2026-03-09\n"
            "P2,R2,CP1,718461006,3,2026-03-02\n"
            "P2,R2,CP1,720482000,N,2026-03-09\n"
            "P2,R2,CP1,123456789,20,2026-03-09\n")
    res = load(write("mhsds.csv", text))
    r = res.report
    assert r["files"][0]["source"] == "mhsds"
    assert r["by_measure"] == {"ORS": 2, "SRS": 1, "YCORS": 1}
    assert r["by_reason"] == {"non_numeric_score": 1, "unknown_measure": 1}
    assert "SNOMED 123456789" in res.rejected.set_index("reason").loc["unknown_measure",
                                                                       "message"]
    assert res.data["session_number"].tolist() == [1, 1, 2, 1]


REDCAP = ("record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,age_band,"
          "visit_date,clin,o1,o2,o3,o4,s1,s2,s3,s4,fit_complete\n"
          "1,baseline_arm_1,,,18-25,,,,,,,,,,,\n"
          "1,sessions_arm_1,fit,1,,2026-03-02,T1,45,50,60,70,90,90,85,95,2\n"
          "1,sessions_arm_1,fit,2,,2026-03-09,T1,50,55,60,70,,,,,1\n"
          "2,baseline_arm_1,,,26-40,,,,,,,,,,,\n")
MAPPING = {"columns": {"client_id": "record_id", "session_date": "visit_date",
                       "session_number": "redcap_repeat_instance", "clinician_id": "clin",
                       "ORS.item_1": "o1", "ORS.item_2": "o2", "ORS.item_3": "o3",
                       "ORS.item_4": "o4", "SRS.item_1": "s1", "SRS.item_2": "s2",
                       "SRS.item_3": "s3", "SRS.item_4": "s4"},
           "item_scale": "mm"}


@pytest.mark.parametrize("form", ["dict", "json", "yaml"])
def test_redcap_through_a_mapping(write, tmp_path, form):
    path = write("redcap.csv", REDCAP)
    if form == "dict":
        mapping = MAPPING
    elif form == "json":
        mapping = tmp_path / "m.json"
        mapping.write_text(json.dumps(MAPPING))
    else:
        import yaml

        mapping = tmp_path / "m.yaml"
        mapping.write_text(yaml.safe_dump(MAPPING))
    res = load(path, mapping=mapping)
    r = res.report
    assert r["files"][0]["source"] == "mapping"
    assert (r["rows_read"], r["loaded"], r["non_data_rows"], r["not_administered"]) == (3, 3, 2, 1)
    assert sorted(res.data["total"]) == [22.5, 23.5, 36.0]
    assert res.data["measure"].tolist() == ["ORS", "ORS", "SRS"]  # measure by measure
    assert "age_band" in r["files"][0]["unused_columns"]


def test_flat_mapping_for_a_long_home_made_sheet(write):
    text = "who,when,score\nA,2026-03-02,35\nB,2026-03-02,39\n"
    res = load(write("f.csv", text), mapping={"client_id": "who", "session_date": "when",
                                              "total": "score", "measure": "SRS"})
    assert res.report["by_measure"] == {"SRS": 2}


def test_mapping_errors_are_clear(write):
    path = write("f.csv", "who,score\nA,3\n")
    with pytest.raises(LoadError, match="does not have"):
        load(path, mapping={"client_id": "nobody", "total": "score", "measure": "SRS"})
    with pytest.raises(LoadError, match="not a canonical field"):
        load(path, mapping={"columns": {"patient": "who"}})


def test_ambiguous_source_asks_for_source(write):
    text = "client,date,measure,total,ORS 1,ORS 2,ORS 3,ORS 4\nA,2026-03-02,SRS,38,1,2,3,4\n"
    path = write("f.csv", text)
    with pytest.raises(LoadError, match="source="):
        load(path)
    assert load(path, source="canonical").report["by_measure"] == {"SRS": 1}


def test_redcap_without_mapping_asks_for_one(write):
    with pytest.raises(LoadError, match="mapping"):
        load(write("r.csv", "record_id,redcap_event_name,x1\n1,baseline,3\n"))


def test_identifying_columns_dropped_unless_kept(write):
    text = ("client,first name,date of birth,email,address,NHS number,date,measure,total,"
            "gender\nC1,Synthetic,1990-01-01,a@example.invalid,1 Nowhere St,9990001,2026-03-02,"
            "ORS,20,F\n")
    path = write("f.csv", text)
    res = load(path)
    assert res.report["dropped_identifying"] == sorted(
        ["first name", "date of birth", "email", "address", "NHS number"])
    assert res.report["files"][0]["unused_columns"] == ["gender"]
    assert "email" not in res.data.columns
    kept = load(path, keep_identifying=True)
    assert kept.data.loc[0, "email"] == "a@example.invalid"
    assert kept.report["dropped_identifying"] == []


def test_overlapping_exports_duplicates_and_conflicts(write):
    head = "client,date,measure,total\n"
    week1 = write("w1.csv", head + "C1,2026-03-02,ORS,20\nC1,2026-03-02,SRS,38\n")
    week2 = write("w2.csv", head + "C1,2026-03-02,ORS,20\nC1,2026-03-02,SRS,35\n"
                  "C1,2026-03-09,ORS,22\n")
    res = load(week1, week2)
    r = res.report
    assert (r["rows_read"], r["loaded"], r["duplicates"], r["conflicts"]) == (5, 2, 1, 2)
    assert res.duplicates[["source_file", "source_row"]].values.tolist() == [["w2.csv", 2]]
    assert res.conflicts["total"].tolist() == [38, 35]
    assert res.conflicts["conflict_id"].nunique() == 1 and not res.conflicts["kept"].any()
    assert "SRS" not in set(res.data["measure"])
    last = load([week1, week2], conflicts="last")
    assert (last.report["loaded"], last.report["conflicts"]) == (3, 1)
    srs = last.data[last.data["measure"].eq("SRS")]
    assert srs["total"].tolist() == [35] and srs["source_file"].tolist() == ["w2.csv"]
    per_file = last.summary
    assert per_file.loc["w2.csv", "duplicates"] == 1 and per_file.loc["w1.csv", "conflicts"] == 1


def test_dataframes_are_inputs_too(small_caseload):
    res = load(small_caseload, small_caseload.iloc[:3])
    assert res.report["loaded"] == len(small_caseload)
    assert res.report["duplicates"] == 3
    assert res.data["source_file"].iloc[0] == "<DataFrame 1>"


def test_malformed_mapping_files_give_clear_errors(write, tmp_path):
    path = write("f.csv", "who,score\nA,3\n")
    bad_json = tmp_path / "m.json"
    bad_json.write_text("{not json")
    with pytest.raises(LoadError, match="could not be read"):
        load(path, mapping=bad_json)
    bad_json.write_text('{"columns": ["who"]}')
    with pytest.raises(LoadError, match="columns"):
        load(path, mapping=bad_json)
    bad_json.write_text('["who"]')
    with pytest.raises(LoadError, match="must be a dict"):
        load(path, mapping=bad_json)
    with pytest.raises(LoadError, match="does not exist"):
        load(path, mapping=tmp_path / "missing.yaml")


def test_a_totals_only_copy_of_an_administration_is_a_duplicate_not_a_conflict(write):
    full = write("full.csv", "client,date,measure,item_1,item_2,item_3,item_4\n"
                             "C1,2026-03-02,SRS,9,9,9,9.5\nC1,2026-03-09,SRS,8,8,8,8\n")
    totals = write("totals.csv", "client,date,measure,total\n"
                                 "C1,2026-03-02,SRS,36.5\nC1,2026-03-09,SRS,30\n")
    res = load(totals, full)
    r = res.report
    assert (r["loaded"], r["duplicates"], r["conflicts"]) == (1, 1, 2)
    assert res.data["item_4"].tolist() == [9.5] and res.data["source_file"].tolist() == [
        "full.csv"]
    assert res.duplicates["source_file"].tolist() == ["totals.csv"]
    assert sorted(res.conflicts["total"]) == [30, 32]  # a different total is a conflict


def test_openfit_back_filled_items_yield_to_the_rated_items(write):
    rated = write("rated.csv", "client,date,measure,item_1,item_2,item_3,item_4\n"
                               "C1,2026-03-02,ORS,4,5,6,7\n")
    openfit = write("openfit.csv", _openfit(["C1,S,C,Adult,C1,1,2026-03-02,0,5.5,5.5,5.5,5.5,"
                                             "22,1,,,,,,"]))
    res = load(openfit, rated, source=None)
    assert (res.report["loaded"], res.report["duplicates"], res.report["conflicts"]) == (1, 1, 0)
    assert res.data["item_1"].tolist() == [4] and not res.data["items_imputed"].any()
