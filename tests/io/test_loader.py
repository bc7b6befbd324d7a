"""Round trips (simulate -> write a format -> load -> compare) and the bundled sample files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from srs_analytics import LoadError, load, simulate
from srs_analytics.io import writers as exports

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
KEY = ["client_id", "measure", "session_number"]


@pytest.fixture(scope="module")
def caseload():
    return simulate(60, seed=7)


def _compare(loaded: pd.DataFrame, original: pd.DataFrame, cols, *, tol=0.006):
    """Every loaded administration matches the original on the given columns."""
    merged = loaded.merge(original, on=KEY, suffixes=("", "_orig"), how="left",
                          validate="one_to_one")
    for c in cols:
        a, b = merged[c], merged[f"{c}_orig"]
        if pd.api.types.is_float_dtype(a.dtype):
            assert ((a - b).abs() <= tol).all() | (a.isna() & b.isna()).all(), c
        else:
            assert (a.astype("str") == b.astype("str")).all() or a.equals(b), c
    return merged


def _self(df, measures):
    return df[df["measure"].isin(measures) & df["rater"].eq("self")]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".xlsx"])
def test_canonical_round_trip(tmp_path, caseload, suffix):
    path = exports.write_canonical(caseload, tmp_path / f"c{suffix}")
    res = load(path)
    assert res.report["loaded"] == len(caseload) and res.report["rejected"] == 0
    cols = ["client_id", "episode_id", "clinician_id", "session_date", "session_number",
            "measure", "rater", "item_1", "item_2", "item_3", "item_4", "total",
            "items_imputed", "age_group", "group_id", "format", "setting", "episode_status",
            "comment"]
    order = ["client_id", "episode_id", "measure", "rater", "session_number"]
    got = res.data[cols].sort_values(order, ignore_index=True)
    want = caseload[cols].sort_values(order, ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-9)


@pytest.mark.parametrize("options", [dict(skip_style="YN"), dict(skip_style="10"),
                                     dict(score_layout="total"),
                                     dict(score_layout="total", total_as_items=True)])
def test_openfit_round_trip(tmp_path, caseload, options):
    path = exports.write_openfit(caseload, tmp_path / "o.csv", **options)
    res = load(path)
    assert res.report["rejected"] == 0 and res.report["files"][0]["source"] == "openfit"
    want = _self(caseload, ["ORS", "CORS", "SRS", "CSRS"])
    assert res.report["loaded"] == len(want)
    _compare(res.data, want, ["total", "episode_id", "session_date", "clinician_id"])
    if options.get("total_as_items"):
        assert res.data["items_imputed"].all()


def test_wide_european_round_trip(tmp_path, caseload):
    path = exports.write_wide(caseload, tmp_path / "w.csv", european=True)
    res = load(path)
    f = res.report["files"][0]
    assert (f["source"], f["delimiter"], f["decimal"]) == ("wide", ";", ",")
    want = _self(caseload, ["ORS", "SRS"])
    assert res.report["loaded"] == len(want) and res.report["rejected"] == 0
    _compare(res.data, want, ["total", "item_1", "session_date"])


@pytest.mark.parametrize("suffix", [".zip", ".xlsx", ".ods", ".sqlite"])
def test_camcops_round_trip(tmp_path, caseload, suffix):
    path = exports.write_camcops(caseload, tmp_path / f"dump{suffix}")
    res = load(path)
    assert res.report["rejected"] == 0
    assert {f["source"] for f in res.report["files"]} == {"camcops"}
    ors = caseload[caseload["measure"].eq("ORS")]
    srs = _self(caseload, ["SRS"])
    assert res.report["by_measure"] == {"ORS": len(ors), "SRS": len(srs)}
    # the stable identifier, not the tablet-local patient_id
    ids = res.data["client_id"].str[-5:].map(lambda s: f"C{s}")
    assert set(ids) <= set(caseload["client_id"])
    assert "patient_id" in res.report["files"][0]["unused_columns"]


def test_mhsds_round_trip_both_editions(tmp_path, caseload):
    for edition in ("international", "uk"):
        res = load(exports.write_mhsds(caseload, tmp_path / f"m_{edition}.csv",
                                       edition=edition))
        want = caseload[caseload["rater"].eq("self")]
        assert res.report["loaded"] == len(want) and res.report["rejected"] == 0
        assert res.report["by_measure"] == want["measure"].value_counts().sort_index().to_dict()


def test_redcap_round_trip_with_mapping_file(tmp_path, caseload):
    path = exports.write_redcap(caseload, tmp_path / "r.csv")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(exports.redcap_mapping()))
    res = load(path, mapping=mapping)
    want = _self(caseload, ["ORS", "SRS"]).dropna(subset=["item_1"])
    assert res.report["loaded"] == len(want) and res.report["rejected"] == 0
    assert res.report["non_data_rows"] == caseload["client_id"].nunique()
    _compare(res.data, want, ["total", "episode_id"])


def test_overlapping_weekly_exports_keep_each_administration_once(tmp_path, caseload):
    dates = caseload["session_date"]
    cut1, cut2 = dates.quantile(0.6), dates.quantile(0.4)
    a = exports.write_canonical(caseload[dates <= cut1], tmp_path / "a.csv")
    b = exports.write_canonical(caseload[dates >= cut2], tmp_path / "b.csv")
    res = load(a, b)
    overlap = int(((dates >= cut2) & (dates <= cut1)).sum())
    assert res.report["duplicates"] == overlap
    assert res.report["loaded"] == len(caseload)


# --- the bundled sample files -------------------------------------------------------------

def test_messy_sample_file_gives_the_counts_its_readme_promises():
    res = load(SAMPLE / "messy_export.csv")
    r = res.report
    assert (r["rows_read"], r["loaded"], r["rejected"], r["skipped"], r["duplicates"],
            r["conflicts"]) == (60, 52, 6, 1, 1, 0)
    assert r["by_measure"] == {"ORS": 27, "SRS": 25}
    assert r["blank_rows"] == 3 and r["not_administered"] == 8
    assert dict(zip(res.rejected["reason"], res.rejected["source_row"])) == {
        "out_of_range": 11, "partial_items": 13, "total_mismatch": 17, "non_numeric_score": 20,
        "missing_client_id": 23, "invalid_date": 25}
    assert res.skipped["source_row"].tolist() == [9]
    assert res.duplicates["source_row"].tolist() == [37]
    f = r["files"][0]
    assert (f["encoding"], f["delimiter"], f["decimal"], f["header_line"], f["source"]) == (
        "cp1252", ";", ",", 3, "wide")
    assert "Zürich" in set(res.data["site"])


@pytest.mark.parametrize("name", ["caseload.csv", "caseload.parquet", "caseload.xlsx",
                                  "openfit.csv", "openfit_totals.csv", "camcops.zip",
                                  "camcops.xlsx", "camcops.ods", "camcops_ors.tsv",
                                  "camcops.sqlite", "mhsds.csv", "wide_european.csv"])
def test_every_sample_export_loads_cleanly(name):
    res = load(SAMPLE / name)
    assert res.report["loaded"] > 1000 and res.report["rejected"] == 0, res.to_text()


def test_sample_redcap_with_its_mapping():
    res = load(SAMPLE / "redcap.csv", mapping=SAMPLE / "redcap_mapping.json")
    assert res.report["loaded"] > 1000 and res.report["rejected"] == 0
    assert res.report["non_data_rows"] == 300


def test_the_same_caseload_from_several_systems_merges_without_conflicts():
    # the canonical table, OpenFIT (items and totals layouts), NHS MHSDS totals and the
    # REDCap export all hold the same synthetic administrations: one copy each is kept
    res = load(SAMPLE / "caseload.csv", SAMPLE / "openfit.csv", SAMPLE / "openfit_totals.csv",
               SAMPLE / "mhsds.csv", SAMPLE / "wide_european.csv")
    r = res.report
    assert r["conflicts"] == 0 and r["rejected"] == 0
    assert r["loaded"] == load(SAMPLE / "caseload.csv").report["loaded"]
    assert set(res.data["source_file"]) == {"caseload.csv"}
    assert r["duplicates"] == r["rows_read"] - r["loaded"] - r["skipped"]


# --- folders with stray files, workbooks with summary sheets ------------------------------

EXPORT = ("client_id,session_date,measure,item_1,item_2,item_3,item_4\n"
          "C1,2026-03-02,ORS,4.5,5,6,7\nC1,2026-03-02,SRS,9,9,9.5,10\n")


def _stray_folder(tmp_path, export=True):
    if export:
        (tmp_path / "export.csv").write_text(EXPORT)
    (tmp_path / "todo.txt").write_text("call the auditor\nbook the room\n")
    (tmp_path / "README.md").write_text("# Exports\n\nOne file a week, see below.\n")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not really a document")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "clients.csv").write_text("client_id,first_name\nC1,Ann\n")
    (tmp_path / "broken.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    return tmp_path


def test_a_folder_skips_and_reports_the_files_that_are_not_exports(tmp_path):
    res = load(_stray_folder(tmp_path))
    r = res.report
    assert r["loaded"] == 2 and [f["file"] for f in r["files"]] == ["export.csv"]
    skipped = {f["file"]: f["reason"] for f in r["files_skipped"]}
    assert sorted(skipped) == [".DS_Store", "README.md", "broken.csv", "clients.csv",
                               "notes.docx", "todo.txt"]
    assert "No recognisable ORS/SRS columns among its 2 columns (recognised: client_id)" \
        in skipped["clients.csv"]
    assert "PNG image" in skipped["broken.csv"] and ".docx file" in skipped["notes.docx"]
    assert all(set(f) == {"file", "reason"} for f in r["files_skipped"])
    text = res.to_text()
    assert "Not loaded, not ORS/SRS exports (6):" in text and "  todo.txt: " in text
    # a pattern is like a folder: the user did not name each file
    assert load(str(tmp_path / "*.csv")).report["loaded"] == 2


def test_a_folder_without_any_export_names_each_file_and_why(tmp_path):
    with pytest.raises(LoadError) as exc:
        load(_stray_folder(tmp_path, export=False))
    msg = str(exc.value)
    assert "holds no ORS/SRS export" in msg
    for name in ("todo.txt: No recognisable", "README.md: a .md file", ".DS_Store: a hidden",
                 "notes.docx", "clients.csv", "broken.csv: The file broken.csv is not a text"):
        assert name in msg
    (tmp_path / "sub").mkdir()
    with pytest.raises(LoadError, match="folder .*sub is empty"):
        load(tmp_path / "sub")


def test_a_file_named_explicitly_that_is_not_an_export_is_an_error_naming_it(tmp_path):
    _stray_folder(tmp_path)
    with pytest.raises(LoadError, match=r"^clients.csv: No recognisable ORS/SRS columns"):
        load(tmp_path / "clients.csv")
    with pytest.raises(LoadError, match="todo.txt"):
        load(tmp_path / "export.csv", tmp_path / "todo.txt")


def test_an_export_with_a_real_problem_in_a_folder_is_still_an_error(tmp_path):
    _stray_folder(tmp_path)
    march = tmp_path / "march.csv"
    march.write_text(EXPORT.replace("2026-03-02", "02/03/2026"))
    with pytest.raises(LoadError, match="dayfirst"):
        load(tmp_path)
    # score columns that cannot be laid out: a CamCOPS table without a stable client id
    march.write_text("qdate,qindividual,qinterpersonal,qsocial,qoverall\n2026-03-02,5,5,5,5\n")
    with pytest.raises(LoadError, match="march.csv: a CamCOPS table without a stable"):
        load(tmp_path)


def _workbook(path, sheets):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


SUMMARY = [["Caseload summary (synthetic)"], ["Clinician", "Clients", "Total"], ["T1", 2, 2]]
DATA = [["client_id", "session_date", "measure", "total"], ["C1", "2026-03-02", "ORS", 21],
        ["C1", "2026-03-09", "ORS", 24]]


def test_a_workbook_whose_first_sheet_is_a_summary_loads_its_data_sheet(tmp_path):
    book = _workbook(tmp_path / "book.xlsx", {"Summary": SUMMARY, "Data": DATA,
                                              "Notes": [["Read me first"]]})
    res = load(book)
    assert res.report["loaded"] == 2
    assert [f["file"] for f in res.report["files"]] == ["book.xlsx:Data"]
    skipped = [f["file"] for f in res.report["files_skipped"]]
    assert skipped == ["book.xlsx:Summary", "book.xlsx:Notes"]
    assert "book.xlsx:Summary: No recognisable" in res.to_text()
    only = load(book, sheet="data")  # matched ignoring case
    assert only.report["loaded"] == 2 and only.report["files_skipped"] == []
    with pytest.raises(LoadError, match="book.xlsx: No recognisable"):
        load(book, sheet="Summary")
    with pytest.raises(LoadError, match="no sheet named 'Monthly'; its sheets are 'Summary', "
                       "'Data', 'Notes'.*--sheet NAME"):
        load(book, sheet="Monthly")


def test_a_workbook_without_a_data_sheet_names_each_sheet(tmp_path):
    book = _workbook(tmp_path / "book.xlsx", {"Summary": SUMMARY, "Notes": [["Read me"]]})
    with pytest.raises(LoadError) as exc:
        load(book)
    msg = str(exc.value)
    assert "No table of book.xlsx holds ORS/SRS data" in msg
    assert "book.xlsx:Summary: No recognisable" in msg and "book.xlsx:Notes: No " in msg


def test_sheet_given_without_a_workbook_is_noted(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    res = load(path, sheet="Data")
    assert res.report["loaded"] == 2
    assert any("no input is a workbook" in n for n in res.report["notes"])
