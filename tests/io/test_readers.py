"""Reading messy real-world files: encodings, separators, decimal commas, title rows, dates."""

from __future__ import annotations

import codecs

import openpyxl
import pandas as pd
import pytest

from srs_analytics import load
from srs_analytics.io.readers import LoadError

HEADER = "client_id,session_date,measure,item_1,item_2,item_3,item_4"
ROWS = ["C1,2026-03-02,ORS,4.5,5,6,7", "C1,2026-03-02,SRS,9,9,9.5,10",
        "C1,2026-03-09,ORS,5,5.5,6,7"]


def _csv(sep=",", rows=ROWS, header=HEADER):
    return "\n".join([header.replace(",", sep)] + [r.replace(",", sep) for r in rows]) + "\n"


def _check(res, n=3):
    assert res.report["loaded"] == n, res.to_text()
    assert res.report["rejected"] == 0, res.rejected
    return res.data


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8),
                                          ("utf-16", b""), ("utf-16-le", codecs.BOM_UTF16_LE),
                                          ("cp1252", b"")])
def test_encodings(write, encoding, bom):
    text = _csv().replace("client_id,", "client_id,site,").replace("C1,", "C1,Zürich,")
    path = write("f.csv", bom + text.encode(encoding))
    data = _check(load(path))
    assert set(data["site"]) == {"Zürich"}
    assert data.loc[0, "item_1"] == 4.5


def test_detected_encoding_is_reported(write):
    path = write("f.csv", _csv().replace("C1", "Ç1").encode("cp1252"))
    res = load(path)
    assert res.report["files"][0]["encoding"] == "cp1252"
    assert set(res.data["client_id"]) == {"Ç1"}


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separators(write, sep):
    res = load(write("f.csv", _csv(sep)))
    _check(res)
    assert res.report["files"][0]["delimiter"] == sep


def test_semicolons_with_decimal_commas(write):
    text = _csv(";").replace("4.5", "4,5").replace("9.5", "9,5").replace("5.5", "5,5")
    res = load(write("eu.csv", text))
    data = _check(res)
    assert data["item_1"].tolist() == [4.5, 9.0, 5.0]
    assert res.report["files"][0]["decimal"] == ","


def test_quoted_decimal_commas_in_a_comma_file(write):
    text = _csv().replace("4.5", '"4,5"')
    data = _check(load(write("f.csv", text)))
    assert data.loc[0, "item_1"] == 4.5


def test_title_and_note_rows_above_header_and_source_rows(write):
    text = "Caseload export (synthetic)\nExported 2026-03-10 by the front desk\n" + _csv()
    res = load(write("f.csv", text))
    data = _check(res)
    assert res.report["files"][0]["header_line"] == 3
    assert data["source_row"].tolist() == [4, 5, 6]


def test_trailing_empty_rows_and_columns(write):
    rows = [r + ",," for r in ROWS] + [",,,,,,,,", "", ",,,,,,,,"]
    res = load(write("f.csv", _csv(rows=rows, header=HEADER + ",,")))
    _check(res)
    assert res.report["blank_rows"] == 3
    assert res.report["files"][0]["unused_columns"] == []


def test_day_first_dates_detected_from_data(write):
    rows = ["C1,02/03/2026,ORS,4,5,6,7", "C1,16/03/2026,ORS,5,5,6,7"]
    res = load(write("f.csv", _csv(rows=rows)))
    data = _check(res, 2)
    assert data["session_date"].tolist() == [pd.Timestamp("2026-03-02"),
                                             pd.Timestamp("2026-03-16")]
    assert "day-first" in res.report["files"][0]["date_order"]


def test_month_first_dates_detected_from_data(write):
    rows = ["C1,03/02/2026,ORS,4,5,6,7", "C1,03/16/2026,ORS,5,5,6,7"]
    data = _check(load(write("f.csv", _csv(rows=rows))), 2)
    assert data["session_date"].iloc[0] == pd.Timestamp("2026-03-02")


def test_ambiguous_dates_ask_for_dayfirst(write):
    rows = ["C1,02/03/2026,ORS,4,5,6,7", "C1,09/03/2026,ORS,5,5,6,7"]
    path = write("f.csv", _csv(rows=rows))
    with pytest.raises(LoadError, match="dayfirst"):
        load(path)
    data = _check(load(path, dayfirst=True), 2)
    assert data["session_date"].iloc[1] == pd.Timestamp("2026-03-09")
    data = _check(load(path, dayfirst=False), 2)
    assert data["session_date"].iloc[1] == pd.Timestamp("2026-09-03")


def test_two_digit_years_and_dotted_dates(write):
    rows = ["C1,24.03.26,ORS,4,5,6,7"]
    data = _check(load(write("f.csv", _csv(rows=rows))), 1)
    assert data["session_date"].iloc[0] == pd.Timestamp("2026-03-24")


def test_excel_serial_numbers_in_text(write):
    rows = ["C1,46083,ORS,4,5,6,7"]  # 2026-03-02
    res = load(write("f.csv", _csv(rows=rows)))
    assert _check(res, 1)["session_date"].iloc[0] == pd.Timestamp("2026-03-02")
    assert "Excel serial" in res.report["files"][0]["date_order"]


def test_excel_date_cells_serials_and_excel_row_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Synthetic caseload kept by hand"])
    ws.append([])
    ws.append(["Client", "Date", "Measure", "Total"])
    ws.append(["C1", pd.Timestamp("2026-03-02").to_pydatetime(), "ORS", 18.5])
    ws.append(["C1", 46090, "SRS", 37])  # an Excel serial number: 2026-03-09
    ws.append([])
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    res = load(path)
    data = _check(res, 2)
    assert data["session_date"].tolist() == [pd.Timestamp("2026-03-02"),
                                             pd.Timestamp("2026-03-09")]
    assert data["source_row"].tolist() == [4, 5]
    assert data["source_file"].iloc[0] == "hand.xlsx"


def test_items_in_millimetres_detected_and_set(write):
    rows = ["C1,2026-03-02,ORS,45,50,60,70", "C1,2026-03-09,ORS,52,58,61,73"]
    res = load(write("f.csv", _csv(rows=rows)))
    data = _check(res, 2)
    assert data["item_1"].tolist() == [4.5, 5.2]
    assert data["total"].iloc[0] == 22.5
    assert res.report["files"][0]["item_scale"] == "mm"
    # one low rating in millimetres is still millimetres when said so
    path = write("g.csv", _csv(rows=["C1,2026-03-02,ORS,5,8,6,7"]))
    assert load(path, item_scale="mm").data["total"].iloc[0] == pytest.approx(2.6)
    assert load(path).data["total"].iloc[0] == 26


def test_empty_and_headerless_files_give_clear_errors(write):
    with pytest.raises(LoadError, match="empty"):
        load(write("empty.csv", ""))
    with pytest.raises(LoadError, match="empty"):
        load(write("blank.csv", "\n\n ,,\n"))
    with pytest.raises(LoadError, match="No recognisable"):
        load(write("other.csv", "a,b,c\n1,2,3\n"))
    with pytest.raises(LoadError, match="does not exist"):
        load("/nonexistent/file.csv")
    with pytest.raises(LoadError, match="matches no file"):
        load("/nonexistent/*.csv")


def test_folders_and_globs_in_order(tmp_path, write):
    write("b.csv", _csv(rows=ROWS[:1]))
    write("a.csv", _csv(rows=ROWS[1:]))
    res = load(tmp_path)
    assert [f["file"] for f in res.report["files"]] == ["a.csv", "b.csv"]
    res = load(str(tmp_path / "*.csv"))
    assert res.report["loaded"] == 3


def test_header_only_file_loads_nothing(write):
    res = load(write("f.csv", HEADER + "\n"))
    assert res.report["rows_read"] == 0 and res.data.empty


def test_a_text_file_that_is_not_a_table_says_so(write):
    path = write("README.md", "# Notes\n\nSome text, with a comma, or two.\n")
    with pytest.raises(LoadError) as exc:
        load(path)
    msg = str(exc.value)
    assert "README.md" in msg and "No recognisable ORS/SRS columns" in msg
    assert "Error tokenizing" not in msg and "C error" not in msg


@pytest.mark.parametrize("content,kind", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG image"),
    (b"\x00\x01binary\xff\xfe junk", "binary file"),
    (bytes(range(256)) * 20, "binary file"),
    ("docx", "Word document"),
    ("xlsx", "Excel workbook (rename it to end in .xlsx"),
])
def test_binary_files_under_a_text_name_are_named_as_such(write, tmp_path, content, kind):
    if content in ("docx", "xlsx"):
        import zipfile

        inner = tmp_path / "inner.zip"
        with zipfile.ZipFile(inner, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("word/document.xml" if content == "docx" else "xl/workbook.xml", "<x/>")
        content = inner.read_bytes()
    path = write("export.csv", content)
    with pytest.raises(LoadError) as exc:
        load(path)
    msg = str(exc.value)
    assert f"export.csv is not a text table: it looks like a {kind}" in msg \
        or f"it looks like an {kind}" in msg
    assert "encoding" not in msg


def test_utf16_is_not_mistaken_for_binary(write):
    path = write("f.csv", _csv().encode("utf-16-le"))
    _check(load(path))
    _check(load(path, encoding="utf-16-le"))


def test_encoding_messages_name_the_command_line_option(write):
    path = write("f.csv", _csv().replace("C1", "Ç1").encode("cp1252"))
    with pytest.raises(LoadError, match=r"encoding=\.\.\. \(--encoding on the command line\)"):
        load(path, encoding="utf-8")
    with pytest.raises(LoadError, match="'nonsense'.*--encoding on the command line"):
        load(path, encoding="nonsense")
