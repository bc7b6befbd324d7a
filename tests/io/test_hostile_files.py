"""Nothing lost, nothing leaked, whatever the file (issue 7).

Each class of broken or hostile file the issue lists gets a small file written here, and
the test checks where every row went, what the messages say, and that nothing identifying
leaves through a side door. All data is synthetic.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from srs_analytics import LoadError, LoadSettings, load
from srs_analytics.cli import main
from srs_analytics.io import LimitError, ReadLimits

HEADER = "client_id,episode_id,session_date,measure,item_1,item_2,item_3,item_4,total,comment"
ROWS = ["C1,E1,2026-03-02,ORS,4,5,6,7,22,",
        "C1,E1,2026-03-02,SRS,9,9,9,9,36,",
        "C2,E2,2026-03-03,ORS,3,3,3,3,12,"]


def _text(rows=ROWS, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def _accounted(res):
    r = res.report
    assert r["rows_read"] == (r["loaded"] + r["rejected"] + r["skipped"] + r["duplicates"]
                              + r["conflicts"])
    return r


# --------------------------------------------------------------------------- rows that vanish
@pytest.mark.parametrize("tail", [",", ",,,,", ",,,,,,,,,,,,"])
def test_empty_fields_after_the_last_column_are_accepted(write, tail):
    res = load(write("f.csv", _text([r + tail for r in ROWS])))
    r = _accounted(res)
    assert (r["rows_read"], r["loaded"], r["blank_rows"]) == (3, 3, 0)
    assert res.data["client_id"].tolist() == ["C1", "C1", "C2"]
    assert res.data["total"].tolist() == [22.0, 36.0, 12.0]


def test_a_row_with_values_beyond_the_header_is_rejected_not_shifted(write):
    rows = [ROWS[0], "C1,E1,2026-03-02,SRS,9,9,9,9,1,5,36,", ROWS[2]]  # unquoted 1,5
    res = load(write("f.csv", _text(rows)))
    r = _accounted(res)
    assert (r["loaded"], r["by_reason"]) == (2, {"extra_fields": 1})
    rej = res.rejected.iloc[0]
    assert rej["source_row"] == 3 and rej["client_id"] == "C1"
    assert "11 fields where the header has 10" in rej["message"]
    assert res.data["client_id"].tolist() == ["C1", "C2"]  # never the episode id


def test_the_first_row_longer_than_the_header_is_not_an_index(write):
    rows = ["C1,E1,2026-03-02,ORS,4,5,6,7,22,,x", *ROWS[1:]]
    res = load(write("f.csv", _text(rows)))
    assert res.report["by_reason"] == {"extra_fields": 1}
    assert res.data["client_id"].tolist() == ["C1", "C2"]


def test_an_unclosed_quote_is_found_and_what_it_swallowed_counted(write):
    rows = ['C1,E1,2026-03-02,ORS,4,5,6,7,22,"Felt better',
            *[f"C{i},E{i},2026-03-02,ORS,4,5,6,7,22," for i in range(2, 7)],
            'C7,E7,2026-03-02,ORS,4,5,6,7,22,"ok"',
            "C8,E8,2026-03-02,ORS,4,5,6,7,22,",
            "C9,E9,2026-03-02,ORS,4,5,6,7,22,"]
    res = load(write("f.csv", _text(rows)))
    r = _accounted(res)
    assert r["by_reason"] == {"unclosed_quote": 1}
    assert r["swallowed_lines"] == 6 and r["files"][0]["swallowed_lines"] == 6
    rej = res.rejected.iloc[0]
    assert rej["source_row"] == 2
    assert "column comment on line 2 closes only on line 8" in rej["message"]
    assert "Felt better" not in rej["message"]
    assert res.data["client_id"].tolist() == ["C8", "C9"]
    assert res.data["source_row"].tolist() == [9, 10]
    assert not res.data["comment"].fillna("").str.contains("C2").any()
    assert "swallowed" in res.to_text()


def test_a_quote_never_closed_names_its_line(write):
    rows = [ROWS[0], 'C1,E1,2026-03-02,SRS,9,9,9,9,36,"Felt better', ROWS[2]]
    with pytest.raises(LoadError, match=r"opened on line 3 is never closed"):
        load(write("f.csv", _text(rows)))


def test_source_row_is_the_editor_line_after_a_multiline_cell(write):
    rows = ['C1,E1,2026-03-02,ORS,4,5,6,7,22,"first line\nsecond line"',
            'C1,E1,2026-03-02,SRS,9,9,9,9,36,"a\r\nb\r\nc"', ROWS[2]]
    res = load(write("f.csv", _text(rows)))
    assert res.report["rejected"] == 0
    assert res.data["source_row"].tolist() == [2, 4, 7]
    assert res.data["comment"].iloc[0] == "first line\nsecond line"


@pytest.mark.parametrize("marker", ["NA", "null", "None", "N/A", "#N/A", "nan", "NULL"])
def test_text_ids_that_look_like_missing_values_are_ids(write, marker):
    header = "client_id,episode_id,clinician_id,site,session_date,measure,total"
    row = f"{marker},{marker},{marker},{marker},2026-03-02,SRS,36"
    res = load(write("f.csv", _text([row], header)))
    assert res.report["loaded"] == 1, res.rejected
    got = res.data.iloc[0]
    assert [got["client_id"], got["episode_id"], got["clinician_id"], got["site"]] == \
        [marker] * 4


def test_n_a_in_an_item_is_not_a_number_but_NA_is_missing(write):
    rows = ["C1,E1,2026-03-02,ORS,4,n/a,6,7,,", "C2,E2,2026-03-02,ORS,4,NA,6,7,,",
            "C3,E3,2026-03-02,SRS,NA,NA,NA,NA,37,"]
    res = load(write("f.csv", _text(rows)))
    assert res.rejected.set_index("client_id")["reason"].to_dict() == {
        "C1": "non_numeric_score", "C2": "partial_items"}
    assert res.data["client_id"].tolist() == ["C3"] and res.data["total"].iloc[0] == 37


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def test_two_members_of_the_same_name_are_both_read(tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate name
        path = _zip(tmp_path / "a.zip", [("x.csv", _text(ROWS[:1])), ("x.csv", _text(ROWS[2:]))])
    res = load(path)
    r = _accounted(res)
    assert (r["loaded"], r["duplicates"]) == (2, 0)
    assert sorted(res.data["source_file"]) == ["a.zip:x.csv", "a.zip:x.csv (2)"]


def _xlsx_bytes(rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_every_table_member_is_read_and_every_other_named(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("deep.csv", _text(["C5,E5,2026-03-05,ORS,1,1,1,1,4,"]))
    xlsx = _xlsx_bytes([HEADER.split(","), ["C6", "E6", "2026-03-06", "SRS", 9, 9, 9, 9, 36]])
    path = _zip(tmp_path / "a.zip", [
        ("plain.csv", _text(ROWS[:1])),
        ("nested.zip", inner.getvalue()),
        ("book.xlsx", xlsx),
        ("packed.csv.gz", gzip.compress(_text(ROWS[2:]).encode())),
        ("__MACOSX/._plain.csv", b"\x00\x05\x16\x07 apple double"),
        ("notes.docx", b"PK not a table"),
    ])
    res = load(path)
    r = _accounted(res)
    assert r["loaded"] == 4
    assert sorted(res.data["source_file"]) == [
        "a.zip:book.xlsx", "a.zip:nested.zip:deep.csv", "a.zip:packed.csv.gz",
        "a.zip:plain.csv"]
    skipped = {f["file"]: f["reason"] for f in r["files_skipped"]}
    assert set(skipped) == {"a.zip:__MACOSX/._plain.csv", "a.zip:notes.docx"}
    assert "macOS" in skipped["a.zip:__MACOSX/._plain.csv"]


def _patch(data: bytes, member: str, offset: int, value: bytes, *, central=True) -> bytes:
    """Overwrite bytes of a member's local (and central) header."""
    buf = bytearray(data)
    name = member.encode()
    for sig, name_at in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46) if central else (None, 0)):
        if sig is None:
            continue
        pos = -1
        while (pos := buf.find(sig, pos + 1)) >= 0:
            if buf[pos + name_at:pos + name_at + len(name)] == name:
                at = pos + offset + (2 if sig == b"PK\x01\x02" else 0)
                buf[at:at + len(value)] = value
    return bytes(buf)


@pytest.mark.parametrize("damage,words", [
    ("encrypted", "encrypted"), ("method", "corrupt member"), ("magic", "corrupt member"),
    ("crc", "corrupt member"), ("zlib", "corrupt member")])
def test_a_broken_member_is_named_and_the_others_still_load(tmp_path, damage, words):
    data = _zip(tmp_path / "ok.zip", [("good.csv", _text(ROWS[:2])),
                                      ("bad.csv", _text(ROWS[2:] * 50))]).read_bytes()
    if damage == "encrypted":
        data = _patch(data, "bad.csv", 6, b"\x01\x00")
    elif damage == "method":
        data = _patch(data, "bad.csv", 8, b"\x63\x00")  # AES (99): not supported
    elif damage == "magic":
        pos = data.find(b"PK\x03\x04", data.find(b"bad.csv") - 40)
        data = data[:pos] + b"XX\x03\x04" + data[pos + 4:]
    elif damage == "crc":
        data = _patch(data, "bad.csv", 14, b"\x00\x00\x00\x00")
    else:  # flip bytes inside the deflated data
        pos = data.find(b"bad.csv") + len("bad.csv") + 10
        data = data[:pos] + bytes(b ^ 0xFF for b in data[pos:pos + 20]) + data[pos + 20:]
    path = tmp_path / "broken.zip"
    path.write_bytes(data)
    res = load(path)
    assert res.report["loaded"] == 2
    skipped = {f["file"]: f["reason"] for f in res.report["files_skipped"]}
    assert list(skipped) == ["broken.zip:bad.csv"] and words in skipped["broken.zip:bad.csv"]


def test_a_file_that_is_not_a_zip_at_all_is_a_clear_error(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 10)
    with pytest.raises(LoadError, match="not a readable ZIP archive"):
        load(path)


def test_a_mapping_option_of_the_wrong_type_is_refused(write):
    path = write("f.csv", _text())
    with pytest.raises(LoadError, match="dayfirst must be true or false .*the text 'false'"):
        load(path, mapping={"client_id": "client_id", "measure": "measure", "total": "total",
                            "session_date": "session_date", "dayfirst": "false"})
    with pytest.raises(LoadError, match="'client_id' must be a column name .*a list"):
        load(path, mapping={"columns": {"client_id": ["a", "b"]}})
    with pytest.raises(LoadError, match="does not know"):
        load(path, mapping={"columns": {"client_id": "client_id"}, "dayfrist": True})


def test_a_mapping_and_an_argument_that_disagree_are_refused(write):
    path = write("f.csv", _text())
    mapping = {"columns": {"client_id": "client_id", "measure": "measure",
                           "session_date": "session_date", "total": "total"}, "dayfirst": True}
    with pytest.raises(LoadError, match="disagree"):
        load(path, mapping=mapping, dayfirst=False)
    assert load(path, mapping=mapping, dayfirst=True).report["loaded"] == 3


def test_a_mapping_file_that_is_not_utf8_is_refused(write):
    path = write("m.json", '{"client_id": "Zürich"}', encoding="cp1252")
    with pytest.raises(LoadError, match="not UTF-8"):
        load(write("f.csv", _text()), mapping=path)


@pytest.mark.parametrize("command", [["convert", "{inp}", "-o", "{inp}"],
                                     ["validate", "{inp}", "--rejected-out", "{inp}"],
                                     ["convert", "{dir}", "-o", "{inp}"]])
def test_an_output_onto_an_input_is_refused(tmp_path, capsys, command):
    inp = tmp_path / "in.csv"
    inp.write_text(_text())
    before = inp.read_bytes()
    code = main([c.format(inp=inp, dir=tmp_path) for c in command])
    assert code == 2 and inp.read_bytes() == before
    assert "is one of the inputs" in capsys.readouterr().err


# --------------------------------------------------------------------------- leaks
IDENTIFYING = ("Client_FirstName,Client_LastName,DOB,Email,NHS_Number,SSN,Prénom,Vorname,"
               "Geburtsdatum,Telefon,Handy,CHI Number,MRN,Medical Record Number,"
               "Hospital Number,NI Number,NINO,AHV,PLZ,Parent name,Next of kin,Passport,"
               "Nom,Nachname,Date de naissance")


def test_rejected_and_skipped_rows_carry_no_identifying_cells(write, tmp_path, capsys):
    names = IDENTIFYING.split(",")
    header = "client_id,session_date,measure,total,skip," + IDENTIFYING
    values = ",".join(f"secret{i}" for i in range(len(names)))
    rows = [f"C1,2026-03-02,SRS,99,N,{values}", f"C2,2026-03-02,SRS,,Y,{values}",
            f"C3,2026-03-02,SRS,36,N,{values}"]
    path = write("f.csv", _text(rows, header))
    res = load(path)
    assert (res.report["rejected"], res.report["skipped"], res.report["loaded"]) == (1, 1, 1)
    assert sorted(res.report["dropped_identifying"]) == sorted(names)
    for table in (res.rejected, res.skipped):
        raw = json.loads(table["raw_values"].iloc[0])
        assert not set(raw) & set(names) and "secret" not in table["raw_values"].iloc[0]
    assert set(json.loads(load(path, keep_identifying=True).rejected["raw_values"].iloc[0])) \
        >= set(names)
    out = tmp_path / "rejected.csv"
    assert main(["validate", str(path), "--rejected-out", str(out)]) == 0
    assert "secret" not in out.read_text()


@pytest.mark.parametrize("name", IDENTIFYING.split(","))
def test_identifying_names_of_many_countries_are_detected(name):
    from srs_analytics.io._names import is_identifying

    assert is_identifying(name)


def test_a_camcops_nhs_number_is_used_and_said_to_be_a_national_identifier(tmp_path):
    tsv = ("q_session\tq_date\tq_individual\tq_interpersonal\tq_social\tq_overall\t"
           "_patient_idnum1\t_patient_iddesc1\t_patient_idshortdesc1\n"
           "1\t2026-03-02\t4\t5\t6\t7\t9990000001\tNHS number\tNHS\n")
    path = tmp_path / "ors.tsv"
    path.write_text(tsv)
    res = load(path)
    assert res.data["client_id"].tolist() == ["9990000001"]
    assert res.report["national_identifiers"] == [
        {"file": "ors.tsv", "column": "_patient_idnum1", "kind": "NHS number"}]
    assert "national identifier" in res.to_text()


def test_a_headerless_file_does_not_print_its_first_row(write):
    path = write("f.csv", "Jane Doe,1980-02-03,943 476 5919,jane@example.invalid\n"
                          "John Roe,1981-03-04,943 476 5920,john@example.invalid\n")
    with pytest.raises(LoadError) as exc:
        load(path)
    msg = str(exc.value)
    assert "Jane" not in msg and "943" not in msg and "1980" not in msg
    assert "add a header row" in msg


def test_sqlite_errors_do_not_quote_cells(tmp_path):
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE ors (q_session, q_date, q_individual, q_interpersonal, "
                    "q_social, q_overall, _patient_idnum1, comment)")
        con.execute("INSERT INTO ors VALUES (1, '2026-03-02', 4, 5, 6, 7, 1, "
                    "CAST(X'4A616E65FF446F65' AS TEXT))")  # 'Jane\xffDoe'
    con.close()
    with pytest.raises(LoadError) as exc:
        load(path)
    assert "comment" in str(exc.value) and "UTF-8" in str(exc.value)
    assert "Jane" not in str(exc.value)


def test_a_sqlite_table_name_with_a_quote_is_read(tmp_path):
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as con:
        con.execute('CREATE TABLE "my ""ors"" table" (client_id, session_date, measure, total)')
        con.execute("INSERT INTO \"my \"\"ors\"\" table\" VALUES ('C1', '2026-03-02', 'SRS', 36)")
    con.close()
    res = load(path)
    assert res.report["loaded"] == 1 and res.data["source_file"].iloc[0] == \
        'db.sqlite:my "ors" table'


def test_a_malformed_sqlite_file_is_a_clear_error(tmp_path):
    path = tmp_path / "db.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(LoadError, match="db.sqlite"):
        load(path)


FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid","x")', "+1+2", "-2+3",
            "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_formulas_are_neutralised_in_every_text_cell_and_numbers_stay(tmp_path, suffix):
    from srs_analytics.io.writers import write_canonical, write_table

    n = len(FORMULAS)
    data = pd.DataFrame({"client_id": FORMULAS, "site": ["-5"] * n, "comment": FORMULAS,
                         "session_date": pd.Timestamp("2026-03-02"), "measure": "SRS",
                         "total": -1.5})
    path = write_table(data, tmp_path / f"t{suffix}")
    if suffix == ".xlsx":
        ws = openpyxl.load_workbook(path).active
        cells = list(ws.iter_rows(min_row=2, values_only=False))
        assert all(c.data_type != "f" for row in cells for c in row)
        got = pd.read_excel(path, dtype=object).replace("'\nCR", "'\rCR")  # xlsx keeps \n
    else:
        got = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", dtype=object,
                          keep_default_na=False)
    assert got["client_id"].tolist() == ["'" + f for f in FORMULAS]
    assert got["comment"].tolist() == ["'" + f for f in FORMULAS]
    assert got["site"].astype(str).tolist() == ["-5"] * n  # a plain number stays as it is
    assert float(got["total"].iloc[0]) == -1.5
    canonical = write_canonical(data.assign(episode_id="E", rater="self"),
                                tmp_path / f"c{suffix}")
    text = canonical.read_bytes()
    assert b"=cmd" not in text.replace(b"'=cmd", b"") if suffix != ".xlsx" else True


def test_clients_and_convert_write_no_live_formula_to_xlsx(tmp_path):
    rows = [f'"=HYPERLINK(""http://x.invalid"",""a"")",E1,2026-03-0{i},{m},4,5,6,7,,'
            for i in range(2, 6) for m in ("ORS", "SRS")]
    inp = tmp_path / "f.csv"
    inp.write_text(_text([r.replace(",4,5,6,7", ",9,9,9,9" if "SRS" in r else ",4,5,6,7")
                          for r in rows]))
    for command in (["convert", str(inp), "-o", str(tmp_path / "c.xlsx")],
                    ["clients", str(inp), "-o", str(tmp_path / "k.xlsx")]):
        assert main(command) == 0
        ws = openpyxl.load_workbook(command[-1]).active
        values = [c for row in ws.iter_rows() for c in row]
        assert not [c for c in values if c.data_type == "f"]
        assert any(str(c.value).startswith("'=HYPERLINK") for c in values)


# --------------------------------------------------------------------------- exit 2, not 1
def test_a_field_longer_than_pythons_csv_limit_loads(write):
    long = "x" * 200_000
    res = load(write("f.csv", _text([ROWS[0] + long, *ROWS[1:]])))
    assert res.report["loaded"] == 3 and len(res.data["comment"].iloc[0]) == 200_000


@pytest.mark.parametrize("cell", ["9999-12-31", "31/12/9999", "2958465", "12/31/9999 10:00"])
def test_far_future_sentinels_are_rejected_as_future_dates(write, cell):
    rows = [ROWS[0].replace("2026-03-02", cell), ROWS[2]]
    res = load(write("f.csv", _text(rows)), dayfirst=cell.startswith("31"))
    assert res.report["by_reason"] == {"future_date": 1} and res.report["loaded"] == 1


def test_far_dates_in_excel_and_parquet_are_rejected(tmp_path):
    import datetime as dt

    book = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["client_id", "session_date", "measure", "total"])
    wb.active.append(["C1", dt.datetime(9999, 12, 31), "SRS", 36])
    wb.active.append(["C2", 2958465, "SRS", 36])
    wb.active.append(["C3", dt.datetime(2026, 3, 2), "SRS", 36])
    wb.save(book)
    res = load(book)
    assert res.report["by_reason"] == {"future_date": 2} and res.report["loaded"] == 1
    table = pa.table({"client_id": ["C1", "C2"], "measure": ["SRS", "SRS"],
                      "total": [36.0, 36.0],
                      "session_date": pa.array([dt.date(9999, 12, 31), dt.date(2026, 3, 2)],
                                               pa.date32())})
    pq.write_table(table, tmp_path / "p.parquet")
    res = load(tmp_path / "p.parquet")
    assert res.report["by_reason"] == {"future_date": 1} and res.report["loaded"] == 1


def test_session_numbers_like_1e300_are_rejected(write):
    header = "client_id,session_number,measure,total"
    res = load(write("f.csv", _text(["C1,1e300,SRS,36", "C1,99999,SRS,36", "C1,2,SRS,36"],
                                    header)))
    assert res.report["by_reason"] == {"invalid_session_number": 2}
    assert "from 1 to 10,000" in res.rejected["message"].iloc[0]


def test_a_parquet_list_column_is_read_as_text(tmp_path):
    table = pa.table({"client_id": ["C1", "C2"], "session_date": ["2026-03-02"] * 2,
                      "measure": ["SRS", "SRS"], "total": [36.0, 37.0],
                      "comment": pa.array([["a", "b"], None]),
                      "item_1": pa.array([[1.0], [2.0]])})
    pq.write_table(table, tmp_path / "p.parquet")
    res = load(tmp_path / "p.parquet")
    assert res.report["by_reason"] == {"non_numeric_score": 2}
    assert "[1.0]" in res.rejected["message"].iloc[0]


# --------------------------------------------------------------------------- impossible values
def test_future_dates_after_today_or_as_of_are_rejected(write):
    today = pd.Timestamp.now().normalize()
    tomorrow = (today + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    rows = [f"C1,E1,{today:%Y-%m-%d},SRS,9,9,9,9,36,", f"C2,E2,{tomorrow},SRS,9,9,9,9,36,",
            "C3,E3,2026-01-15,SRS,9,9,9,9,36,"]
    path = write("f.csv", _text(rows))
    res = load(path)
    assert res.report["by_reason"] == {"future_date": 1}
    assert "after today" in res.rejected["message"].iloc[0]
    res = load(path, as_of="2026-01-31")
    assert res.report["by_reason"] == {"future_date": 2}
    assert "after the as-of date given (2026-01-31)" in res.rejected["message"].iloc[0]
    res = load(path, settings=LoadSettings(as_of="2026-01-31"))
    assert res.report["by_reason"] == {"future_date": 2}


@pytest.mark.parametrize("cell", ["31/12/0001", "1999-12-31", "01/01/1900", "0001-01-01"])
def test_dates_before_the_measures_existed_are_rejected(write, cell):
    rows = [ROWS[0].replace("2026-03-02", cell), "C2,E2,13/03/2026,ORS,3,3,3,3,12,"]
    res = load(write("f.csv", _text(rows)), dayfirst=True)
    assert res.report["by_reason"] == {"date_too_early": 1}
    assert "before 2000-01-01" in res.rejected["message"].iloc[0]
    assert "2001" not in res.rejected["message"].iloc[0]


def test_yyyy_slash_mm_slash_dd_is_read(write):
    res = load(write("f.csv", _text([r.replace("2026-03-02", "2026/03/02") for r in ROWS])))
    assert res.report["loaded"] == 3
    assert res.data["session_date"].iloc[0] == pd.Timestamp("2026-03-02")


def test_true_is_not_an_item_score(write, tmp_path):
    header = "client_id,session_date,measure,item_1,item_2,item_3,item_4"
    res = load(write("f.csv", _text(["C1,2026-03-02,SRS,True,9,9,9",
                                     "C2,2026-03-02,SRS,9,9,9,9"], header)))
    assert res.report["by_reason"] == {"non_numeric_score": 1}
    res = load(write("g.csv", _text(["C1,2026-03-02,SRS,True,True,True,True"], header)))
    assert res.report["by_reason"] == {"non_numeric_score": 1}
    book = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(header.split(","))
    wb.active.append(["C1", "2026-03-02", "SRS", True, 9, 9, 9])
    wb.save(book)
    assert load(book).report["by_reason"] == {"non_numeric_score": 1}


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "-inf"])
def test_clients_refuses_a_cutoff_that_makes_no_sense(tmp_path, capsys, value):
    inp = tmp_path / "f.csv"
    inp.write_text(_text())
    assert main(["clients", str(inp), f"--cutoff={value}", "-o", str(tmp_path / "c.csv")]) == 2
    assert "--cutoff" in capsys.readouterr().err


# --------------------------------------------------------------------------- resources
def test_one_line_of_many_separators_stops_at_the_line_cap(write):
    path = write("f.csv", HEADER + "\n" + "," * 2_000_000 + "\n")
    with pytest.raises(LimitError, match=r"Line 2 of f.csv is at least 2,000,000 bytes.*"
                       r"max_line_bytes=1,048,576.*--limit max_line_bytes=N"):
        load(path)


def test_many_columns_stop_at_the_column_cap(write):
    limits = ReadLimits(max_columns=12)
    with pytest.raises(LimitError, match="20 columns in line 1.*max_columns=12"):
        load(write("f.csv", ",".join(f"c{i}" for i in range(20)) + "\n"),
             settings=LoadSettings(limits=limits))
    with pytest.raises(LimitError, match="max_columns=12"):  # a data row far wider
        load(write("g.csv", _text([ROWS[0] + "," * 10 + "x"])),
             settings=LoadSettings(limits=limits))


def test_a_zip_member_of_newlines_stops_at_the_ratio_cap(tmp_path):
    path = _zip(tmp_path / "bomb.zip", [("a.csv", HEADER + "\n" + "\n" * 3_000_000)])
    assert path.stat().st_size < 20_000
    with pytest.raises(LimitError, match="max_compression_ratio=200"):
        load(path)
    limits = ReadLimits(max_member_bytes=1000)
    with pytest.raises(LimitError, match="max_member_bytes=1,000"):
        load(_zip(tmp_path / "big.zip", [("a.csv", _text(ROWS * 20))]),
             settings=LoadSettings(limits=limits))


def test_archives_nested_too_deep_stop(tmp_path):
    data = _text(ROWS).encode()
    for level in range(4):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(f"level{level}.zip" if level else "a.csv", data)
        data = buf.getvalue()
    path = tmp_path / "deep.zip"
    path.write_bytes(data)
    with pytest.raises(LimitError, match="max_archive_depth=2"):
        load(path)


def test_an_xlsx_with_a_cell_at_xfd1048576_stops_at_the_sheet_cap(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["client_id", "session_date", "measure", "total"])
    ws.append(["C1", "2026-03-02", "SRS", 36])
    ws["XFD1048576"] = "x"
    wb.save(tmp_path / "huge.xlsx")
    with pytest.raises(LimitError, match="row 1,048,576 and column 16,384.*max_sheet_cells"):
        load(tmp_path / "huge.xlsx")


def test_a_cap_can_be_raised_on_the_command_line(tmp_path, capsys):
    inp = tmp_path / "f.csv"
    inp.write_text(_text())
    assert main(["validate", str(inp), "--limit", "max_columns=5"]) == 2
    assert "--limit max_columns=N" in capsys.readouterr().err
    assert main(["validate", str(inp), "--limit", "max_columns=50"]) == 0
    assert main(["validate", str(inp), "--limit", "max_colums=50"]) == 2
    assert "no limit is called 'max_colums'" in capsys.readouterr().err


def test_an_ordinary_wide_table_is_under_every_cap(write):
    n = 3000
    header = HEADER + "," + ",".join(f"extra{i}" for i in range(n))
    rows = [r + "," + ",".join(["1"] * n) for r in ROWS]
    assert load(write("f.csv", _text(rows, header))).report["loaded"] == 3


def test_read_limits_are_checked():
    with pytest.raises(ValueError, match="max_columns must be an integer of at least 1"):
        ReadLimits(max_columns=0)
    assert np.isclose(ReadLimits(max_compression_ratio=50.5).max_compression_ratio, 50.5)
