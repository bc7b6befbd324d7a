"""The writers of srs_analytics.io.writers, read back with pandas, zipfile and sqlite3 directly
(never with the loader), against the column lists of docs/formats.md.
All data here is synthetic."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import numpy as np
import pandas as pd
import pytest

from srs_analytics.io import writers as ex
from srs_analytics.schema import CANONICAL_COLUMNS, ITEM_COLUMNS, coerce_canonical

OPENFIT = ["Service_Location", "Provider_ID", "Client_ID", "Client_Group", "Case_ID",
           "Session_ID", "Session_Date", "ORS_Skip", "ORSQ1", "ORSQ2", "ORSQ3", "ORSQ4",
           "Total_ORS", "SRS_Skip", "SRSQ1", "SRSQ2", "SRSQ3", "SRSQ4", "Total_SRS", "Notes"]
CAMCOPS_HEAD = ["_pk", "_device_id", "_era", "_current", "patient_id", "when_created",
                "when_last_modified", "is_complete", "q_session", "q_date"]
CAMCOPS_PATIENT = ["_patient_forename", "_patient_surname", "_patient_dob", "_patient_sex",
                   "_patient__pk", "_patient_idnum1", "_patient_iddesc1",
                   "_patient_idshortdesc1"]
CAMCOPS_ORS = [*CAMCOPS_HEAD, "q_who", "q_who_other", "q_individual", "q_interpersonal",
               "q_social", "q_overall", *CAMCOPS_PATIENT]
CAMCOPS_SRS = [*CAMCOPS_HEAD, "q_relationship", "q_goals", "q_approach", "q_overall",
               *CAMCOPS_PATIENT]


def _row(client, episode, session, date, measure, items=None, total=None, rater="self",
         age="adult", comment=None):
    items = items or [np.nan] * 4
    return {"client_id": client, "episode_id": episode, "clinician_id": "T1", "site": "North",
            "session_date": pd.Timestamp(date), "session_number": session, "measure": measure,
            "rater": rater, **dict(zip(ITEM_COLUMNS, items)),
            "total": total if total is not None else sum(items), "age_group": age,
            "comment": comment}


@pytest.fixture
def caseload():
    """A small synthetic canonical table with the cases the writers must handle.

    C0001: adult, three sessions; session 3 has no SRS; items in 0.1 steps.
    C0002: child, CORS/CSRS, a parent-rated CORS, session 2 a total-only CORS.
    C0003 and C0004: a couple sharing episode E0003; 0.01-step items and a 0.
    C0005: young child, YCORS only (a single rating).
    """
    rows = [
        _row("C0001", "E0001", 1, "2026-01-13", "ORS", [3.2, 4.5, 5.1, 3.8]),
        _row("C0001", "E0001", 1, "2026-01-13", "SRS", [8.7, 9.1, 8.8, 9.0], comment="ok"),
        _row("C0001", "E0001", 2, "2026-01-20", "ORS", [4.0, 4.8, 5.5, 4.1]),
        _row("C0001", "E0001", 2, "2026-01-20", "SRS", [9.2, 9.0, 9.4, 9.3]),
        _row("C0001", "E0001", 3, "2026-01-27", "ORS", [5.1, 5.0, 6.2, 5.3]),
        _row("C0002", "E0002", 1, "2026-01-14", "CORS", [6.0, 7.0, 8.0, 5.0], age="child"),
        _row("C0002", "E0002", 1, "2026-01-14", "CORS", [5.0, 5.0, 6.0, 4.0], rater="parent",
             age="child"),
        _row("C0002", "E0002", 1, "2026-01-14", "CSRS", [10.0, 9.0, 10.0, 9.0], age="child"),
        _row("C0002", "E0002", 2, "2026-01-21", "CORS", total=27.0, age="child"),
        _row("C0002", "E0002", 2, "2026-01-21", "CSRS", [10.0, 10.0, 10.0, 10.0], age="child"),
        _row("C0003", "E0003", 1, "2026-01-15", "ORS", [5.25, 6.75, 7.01, 3.99]),
        _row("C0003", "E0003", 1, "2026-01-15", "SRS", [9.99, 0.0, 9.5, 9.75]),
        _row("C0004", "E0003", 1, "2026-01-15", "ORS", [2.0, 3.0, 4.0, 5.0]),
        _row("C0004", "E0003", 1, "2026-01-15", "SRS", [8.0, 8.0, 8.0, 8.0]),
        _row("C0005", "E0005", 1, "2026-01-16", "YCORS", total=3.0, age="young_child"),
    ]
    return coerce_canonical(pd.DataFrame(rows))


def _read_csv(path, **kw):
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **kw)


# --------------------------------------------------------------------------- canonical
@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".xlsx"])
def test_canonical_round_trip(caseload, tmp_path, suffix):
    path = ex.write_canonical(caseload, tmp_path / f"c{suffix}", note="SYNTHETIC")
    if suffix == ".parquet":
        back = pd.read_parquet(path)
    elif suffix == ".xlsx":
        back = pd.read_excel(path)
    else:
        back = _read_csv(path, sep="\t" if suffix == ".tsv" else ",")
    assert list(back.columns) == list(CANONICAL_COLUMNS)
    assert len(back) == len(caseload)
    assert back["total"].sum() == pytest.approx(caseload["total"].sum())
    assert set(back["client_id"]) == set(caseload["client_id"])


def test_canonical_text_dates_are_iso(caseload, tmp_path):
    back = pd.read_csv(ex.write_canonical(caseload, tmp_path / "c.csv"), dtype=str)
    assert back["session_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_canonical_fills_defaults(tmp_path):
    minimal = pd.DataFrame({"client_id": ["A1"], "measure": ["SRS"], "session_number": [1],
                            **{c: [9.0] for c in ITEM_COLUMNS}})
    back = _read_csv(ex.write_canonical(minimal, tmp_path / "m.csv"))
    assert back.loc[0, "episode_id"] == "A1"
    assert back.loc[0, "rater"] == "self"
    assert back.loc[0, "total"] == 36.0


def test_canonical_rejects_bad_input(caseload, tmp_path):
    with pytest.raises(ValueError, match="path must end"):
        ex.write_canonical(caseload, tmp_path / "c.json")
    with pytest.raises(ValueError, match="client_id"):
        ex.write_canonical(caseload.drop(columns="client_id"), tmp_path / "c.csv")
    with pytest.raises(TypeError, match="DataFrame"):
        ex.write_canonical([1, 2], tmp_path / "c.csv")


def test_canonical_european(caseload, tmp_path):
    path = ex.write_canonical(caseload, tmp_path / "c.csv", european=True)
    text = path.read_bytes().decode("cp1252")
    assert "13/01/2026" in text and "3,2" in text
    back = _read_csv(path, sep=";", decimal=",", encoding="cp1252")
    assert back["item_1"].iloc[0] == 3.2


# --------------------------------------------------------------------------- OpenFIT
def test_openfit_items_layout(caseload, tmp_path):
    of = _read_csv(ex.write_openfit(caseload, tmp_path / "of.csv"), dtype={"ORS_Skip": str})
    assert list(of.columns) == OPENFIT
    # sessions with a self-rated ORS/CORS or SRS/CSRS: C0001 x3, C0002 x2, C0003, C0004
    assert len(of) == 7
    assert of["Total_ORS"].isna().sum() == 6  # only the total-only CORS keeps its total
    first = of.iloc[0]
    assert (first["Client_ID"], first["Case_ID"], first["Session_ID"]) == ("C0001", "E0001", 1)
    assert first["Session_Date"] == "2026-01-13"
    assert [first[f"ORSQ{i}"] for i in range(1, 5)] == [3.2, 4.5, 5.1, 3.8]
    assert first["Notes"] == "ok"
    assert set(of["ORS_Skip"]) == {"N"} and set(of["SRS_Skip"]) == {"N"}
    no_srs = of[(of["Client_ID"] == "C0001") & (of["Session_ID"] == 3)].iloc[0]
    assert no_srs[["SRSQ1", "SRSQ2", "SRSQ3", "SRSQ4", "Total_SRS"]].isna().all()
    total_only = of[(of["Client_ID"] == "C0002") & (of["Session_ID"] == 2)].iloc[0]
    assert total_only["Total_ORS"] == 27 and pd.isna(total_only["ORSQ1"])
    # the parent-rated CORS and the YCORS have no place in the flat file
    assert "C0005" not in set(of["Client_ID"])
    assert of.loc[of["Client_ID"] == "C0002", "ORSQ1"].dropna().tolist() == [6.0]
    assert of.set_index("Client_ID")["Client_Group"].to_dict() == {
        "C0001": "Adult", "C0002": "Child", "C0003": "Adult", "C0004": "Adult"}


def test_openfit_skip_missing(caseload, tmp_path):
    path = ex.write_openfit(caseload, tmp_path / "of.csv", skip_style="10", skip_missing=True)
    of = _read_csv(path, dtype={"ORS_Skip": str, "SRS_Skip": str})
    skipped = of[of["SRS_Skip"] == "1"]
    assert len(skipped) == 1
    assert (skipped["Client_ID"].item(), skipped["Session_ID"].item()) == ("C0001", 3)
    assert set(of["ORS_Skip"]) == {"0"}


def test_openfit_total_layout(caseload, tmp_path):
    of = _read_csv(ex.write_openfit(caseload, tmp_path / "t.csv", score_layout="total"))
    assert of[[f"ORSQ{i}" for i in range(1, 5)]].isna().all().all()
    assert of["Total_ORS"].iloc[0] == pytest.approx(16.6)


def test_openfit_total_as_items(caseload, tmp_path):
    path = ex.write_openfit(caseload, tmp_path / "t.csv", score_layout="total",
                            total_as_items=True)
    of = _read_csv(path)
    for side in ("ORS", "SRS"):
        items = of[[f"{side}Q{i}" for i in range(1, 5)]]
        has = of[f"Total_{side}"].notna()
        assert items[has].nunique(axis=1).eq(1).all()  # four equal items ...
        assert np.allclose(items[has].iloc[:, 0], of.loc[has, f"Total_{side}"] / 4)  # = total/4
        assert items[~has].isna().all().all()
    couple = of[of["Client_ID"] == "C0003"].iloc[0]
    assert couple["ORSQ1"] == pytest.approx((5.25 + 6.75 + 7.01 + 3.99) / 4)


def test_openfit_identifiers_only_when_asked(caseload, tmp_path):
    plain = _read_csv(ex.write_openfit(caseload, tmp_path / "a.csv"))
    assert not any("Name" in c or "Email" in c or "DOB" in c for c in plain.columns)
    full = _read_csv(ex.write_openfit(caseload, tmp_path / "b.csv", with_identifiers=True))
    for col in ("Provider_Email", "Provider_FirstName", "Provider_LastName",
                "Client_FirstName", "Client_LastName", "Client_Gender", "Case_Date",
                "Client_DOB", "Client_Email"):
        assert col in full.columns
    assert set(full["Client_FirstName"]) == {"Synthetic"}
    assert full["Client_LastName"].iloc[0] == "Client0001"
    assert full["Client_Email"].iloc[0] == "client0001@example.invalid"
    assert set(full["Client_DOB"]) == {"1990-01-01"}
    assert full["Provider_Email"].str.endswith("@example.invalid").all()


@pytest.mark.parametrize("option, value", [("skip_style", "yes/no"), ("score_layout", "both")])
def test_openfit_bad_option(caseload, tmp_path, option, value):
    with pytest.raises(ValueError, match=option):
        ex.write_openfit(caseload, tmp_path / "x.csv", **{option: value})


def test_openfit_total_as_items_needs_total_layout(caseload, tmp_path):
    with pytest.raises(ValueError, match="total_as_items"):
        ex.write_openfit(caseload, tmp_path / "x.csv", total_as_items=True)


# --------------------------------------------------------------------------- wide
def test_wide(caseload, tmp_path):
    wide = _read_csv(ex.write_wide(caseload, tmp_path / "w.csv"))
    assert list(wide.columns[:5]) == ["client id", "episode", "therapist", "session date",
                                      "session #"]
    assert [c for c in wide.columns if c.startswith(("ORS", "SRS"))] == [
        "ORS 1", "ORS 2", "ORS 3", "ORS 4", "ORS total",
        "SRS 1", "SRS 2", "SRS 3", "SRS 4", "SRS total"]
    assert len(wide) == 5  # ORS/SRS only: C0001 x3, C0003, C0004
    assert wide["ORS total"].iloc[0] == pytest.approx(16.6)


def test_wide_european_csv(caseload, tmp_path):
    path = ex.write_wide(caseload, tmp_path / "w.csv", european=True)
    lines = path.read_bytes().decode("cp1252").splitlines()
    assert lines[0].startswith("client id;episode;therapist;session date;session #;ORS 1")
    assert lines[1].startswith("C0001;E0001;T1;13/01/2026;1;3,2;4,5;5,1;3,8;16,6;")
    back = _read_csv(path, sep=";", decimal=",", encoding="cp1252")
    assert back["SRS total"].iloc[0] == pytest.approx(35.6)


def test_wide_xlsx(caseload, tmp_path):
    back = pd.read_excel(ex.write_wide(caseload, tmp_path / "w.xlsx"))
    assert len(back) == 5
    assert back["session date"].iloc[0] == pd.Timestamp("2026-01-13")


# --------------------------------------------------------------------------- CamCOPS
def test_camcops_zip(caseload, tmp_path):
    path = ex.write_camcops(caseload, tmp_path / "cc.zip", note="SYNTHETIC")
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["ors.tsv", "srs.tsv"]
        assert zf.comment == b"SYNTHETIC"
        ors = _read_csv(zf.open("ors.tsv"), sep="\t", encoding="utf-8")
        srs = _read_csv(zf.open("srs.tsv"), sep="\t", encoding="utf-8")
    assert list(ors.columns) == CAMCOPS_ORS and list(srs.columns) == CAMCOPS_SRS
    # ORS only (no CORS task), every rater; SRS self-rated with items
    assert len(ors) == 5 and len(srs) == 4
    assert not any("total" in c for c in [*ors.columns, *srs.columns])
    assert ors["q_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    c3 = ors[ors["_patient_surname"] == "Patient0003"].iloc[0]
    assert c3[["q_individual", "q_interpersonal", "q_social", "q_overall"]].tolist() == [
        5.25, 6.75, 7.01, 3.99]
    assert srs.loc[srs["_patient_surname"] == "Patient0003", "q_goals"].item() == 0.0
    assert set(ors["q_who"]) == {0} and ors["q_who_other"].isna().all()
    assert set(ors["_patient_forename"]) == set(srs["_patient_forename"]) == {"Synthetic"}


def test_camcops_patients(caseload, tmp_path):
    with zipfile.ZipFile(ex.write_camcops(caseload, tmp_path / "cc.zip")) as zf:
        ors = _read_csv(zf.open("ors.tsv"), sep="\t")
    # idnum1 is the stable identifier: one per client, 999-prefixed, digits of the id
    per = ors.groupby("_patient_surname")["_patient_idnum1"].unique()
    assert per.map(len).eq(1).all()
    assert ors["_patient_idnum1"].iloc[0] // 10**7 == 999
    assert set(ors["_patient_idnum1"] % 10**7) == {1, 3, 4}
    # patient_id is local to a tablet: reused on both, so not a client identifier
    pairs = ors[["_device_id", "patient_id", "_patient_idnum1"]].drop_duplicates()
    assert set(pairs["_device_id"]) == {1, 2}
    assert pairs.groupby("patient_id")["_patient_idnum1"].nunique().max() > 1
    assert pairs.groupby(["_device_id", "patient_id"])["_patient_idnum1"].nunique().eq(1).all()


def test_camcops_collateral_ors(tmp_path, caseload):
    extra = caseload.copy()
    parent = extra["rater"] == "parent"
    extra.loc[parent, "measure"] = "ORS"
    with zipfile.ZipFile(ex.write_camcops(extra, tmp_path / "cc.zip")) as zf:
        ors = _read_csv(zf.open("ors.tsv"), sep="\t")
    other = ors[ors["q_who"] == 1]
    assert len(other) == 1 and other["q_who_other"].item() == "parent"


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_camcops_workbook(caseload, tmp_path, suffix):
    sheets = pd.read_excel(ex.write_camcops(caseload, tmp_path / f"cc{suffix}"),
                           sheet_name=None)
    assert list(sheets) == ["ors", "srs"]
    assert list(sheets["ors"].columns) == CAMCOPS_ORS
    assert list(sheets["srs"].columns) == CAMCOPS_SRS
    assert len(sheets["ors"]) == 5 and len(sheets["srs"]) == 4


def test_camcops_tsv_task(caseload, tmp_path):
    ors = _read_csv(ex.write_camcops(caseload, tmp_path / "o.tsv"), sep="\t")
    srs = _read_csv(ex.write_camcops(caseload, tmp_path / "s.tsv", task="srs"), sep="\t")
    assert list(ors.columns) == CAMCOPS_ORS and list(srs.columns) == CAMCOPS_SRS
    with pytest.raises(ValueError, match="task"):
        ex.write_camcops(caseload, tmp_path / "x.tsv", task="cors")


def test_camcops_sqlite(caseload, tmp_path):
    path = ex.write_camcops(caseload, tmp_path / "cc.sqlite", note="SYNTHETIC")
    ex.write_camcops(caseload, path)  # an existing file is replaced, not appended to
    with sqlite3.connect(path) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master ORDER BY name")]
        ors = pd.read_sql_query("SELECT * FROM ors", con)
        srs = pd.read_sql_query("SELECT * FROM srs", con)
    assert tables == ["ors", "srs"]
    assert list(ors.columns) == CAMCOPS_ORS and len(ors) == 5 and len(srs) == 4
    assert ors["q_individual"].dtype == float


# --------------------------------------------------------------------------- MHSDS
@pytest.mark.parametrize("edition, ors_code, ycors_code",
                         [("international", "716613004", "718461006"),
                          ("uk", "960251000000100", "960391000000100")])
def test_mhsds(caseload, tmp_path, edition, ors_code, ycors_code):
    path = ex.write_mhsds(caseload, tmp_path / "m.csv", edition=edition)
    m = pd.read_csv(path, dtype=str)
    assert list(m.columns) == ["Person_ID", "UniqServReqID", "CareProfLocalId",
                               "CodedAssToolType", "PersScore", "AssToolCompDate",
                               "AssToolCompTimestamp"]
    assert len(m) == 14  # every self-rating with a total; the parent CORS is left out
    first = m.iloc[0]
    assert (first["CodedAssToolType"], first["PersScore"]) == (ors_code, "16.6")
    assert first["AssToolCompDate"] == "2026-01-13"
    assert first["AssToolCompTimestamp"].startswith("2026-01-13T")
    assert m.loc[m["Person_ID"] == "C0005", "CodedAssToolType"].item() == ycors_code
    assert m.loc[m["Person_ID"] == "C0005", "PersScore"].item() == "3"
    assert m.loc[m["Person_ID"] == "C0004", "UniqServReqID"].tolist() == ["E0003"] * 2


def test_mhsds_bad_edition(caseload, tmp_path):
    with pytest.raises(ValueError, match="edition"):
        ex.write_mhsds(caseload, tmp_path / "m.csv", edition="us")


# --------------------------------------------------------------------------- REDCap
def test_redcap(caseload, tmp_path):
    path = ex.write_redcap(caseload, tmp_path / "r.csv")
    rc = _read_csv(path)
    assert list(rc.columns) == [
        "record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
        "age_band", "demographics_complete", "visit_date", "episode", "therapist",
        "ors_1", "ors_2", "ors_3", "ors_4", "srs_1", "srs_2", "srs_3", "srs_4",
        "session_feedback_complete"]
    scores = [f"{m}_{i}" for m in ("ors", "srs") for i in range(1, 5)]
    base = rc[rc["redcap_event_name"] == "baseline_arm_1"]
    assert base["record_id"].tolist() == ["C0001", "C0002", "C0003", "C0004", "C0005"]
    assert base[scores].isna().all().all()
    assert base["redcap_repeat_instrument"].isna().all()
    assert base["age_band"].tolist() == ["adult", "child", "adult", "adult", "young_child"]
    sessions = rc[rc["redcap_event_name"] != "baseline_arm_1"]
    assert set(sessions["redcap_repeat_instrument"]) == {"session_feedback"}
    assert len(sessions) == 5  # ORS/SRS self-ratings with items: C0001 x3, C0003, C0004
    first = sessions.iloc[0]
    assert first["redcap_repeat_instance"] == 1 and first["visit_date"] == "2026-01-13"
    assert first[["ors_1", "ors_2", "ors_3", "ors_4"]].tolist() == [32, 45, 51, 38]  # mm
    assert sessions.loc[sessions["record_id"] == "C0001", "redcap_repeat_instance"].tolist() == [
        1, 2, 3]
    # each record's baseline row comes first
    assert rc.groupby("record_id")["redcap_event_name"].first().eq("baseline_arm_1").all()


def test_redcap_mapping_file(caseload, tmp_path):
    ex.write_redcap(caseload, tmp_path / "r.csv")
    mapping = json.loads((tmp_path / "redcap_mapping.json").read_text())
    assert mapping == ex.redcap_mapping()
    cols = mapping["columns"]
    assert cols["client_id"] == "record_id" and cols["session_date"] == "visit_date"
    assert cols["session_number"] == "redcap_repeat_instance"
    assert cols["ORS.item_1"] == "ors_1" and cols["SRS.item_4"] == "srs_4"
    assert mapping["item_scale"] == "mm" and mapping["dayfirst"] is False
    rc = _read_csv(tmp_path / "r.csv")
    assert set(cols.values()) <= set(rc.columns)


def test_redcap_points_scale(caseload, tmp_path):
    ex.write_redcap(caseload, tmp_path / "r.csv", slider_scale=10,
                    mapping_path=tmp_path / "m.json")
    rc = _read_csv(tmp_path / "r.csv")
    assert rc["ors_1"].dropna().iloc[0] == pytest.approx(3.2)
    assert json.loads((tmp_path / "m.json").read_text())["item_scale"] == "points"
    with pytest.raises(ValueError, match="slider_scale"):
        ex.write_redcap(caseload, tmp_path / "r.csv", slider_scale=50)


def test_redcap_instances_unique_across_episodes(caseload, tmp_path):
    second = caseload[caseload["client_id"] == "C0001"].assign(
        episode_id="E0001b", session_date=lambda d: d["session_date"] + pd.Timedelta(days=200))
    rc = _read_csv(ex.write_redcap(pd.concat([caseload, second]), tmp_path / "r.csv"))
    c1 = rc[(rc["record_id"] == "C0001") & rc["redcap_repeat_instance"].notna()]
    assert c1["redcap_repeat_instance"].tolist() == [1, 2, 3, 4, 5, 6]
    assert c1["episode"].tolist() == ["E0001"] * 3 + ["E0001b"] * 3
