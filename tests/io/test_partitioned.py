"""A folder of Parquet files (a partitioned data set) as a source, and convert writing one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from srs_analytics import LoadError, load, simulate
from srs_analytics.cli import main
from srs_analytics.io.partitioned import is_dataset, partition_columns, write_dataset
from srs_analytics.io.writers import write_canonical

KEY = ["client_id", "episode_id", "measure", "rater", "session_number"]
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def caseload():
    return simulate(80, seed=3)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(KEY, kind="stable").reset_index(drop=True)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The same administrations, every canonical column but where each row came from."""
    cols = [c for c in a.columns if c not in ("source_file", "source_row")]
    pd.testing.assert_frame_equal(_sorted(a)[cols], _sorted(b)[cols])


def test_a_partitioned_folder_loads_as_the_file_it_came_from(tmp_path, caseload):
    csv = write_canonical(caseload, tmp_path / "caseload.csv")
    folder = write_canonical(caseload, tmp_path / "set", partition_by="clinician,month")
    assert is_dataset(folder) and not is_dataset(tmp_path)
    subfolders = sorted(p.name for p in folder.iterdir())
    assert subfolders[0] == "clinician_id=T01"
    assert all(p.name.startswith("session_month=20") for p in (folder / "clinician_id=T01")
               .iterdir())
    from_csv, from_set = load(csv), load(folder)
    assert from_set.report["rows_read"] == from_csv.report["rows_read"] == len(caseload)
    assert from_set.report["loaded"] == len(caseload)
    _same(from_set.data, from_csv.data)
    # one table in the report, named after the folder, with its partition keys
    (entry,) = from_set.report["files"]
    assert entry["file"] == "set/" and entry["format"] == "parquet data set"
    assert entry["partitions"] == ["clinician_id", "session_month"]
    assert "session_month" in entry["unused_columns"]


def test_each_row_names_its_file_and_its_row_in_that_file(tmp_path, caseload):
    folder = write_canonical(caseload, tmp_path / "set", partition_by="site")
    data = load(folder).data
    first = data["source_file"].astype("str").str.split("/").str[:2].str.join("/")
    assert set(first) == {"set/site=East", "set/site=North", "set/site=South"}
    assert isinstance(data["source_file"].dtype, pd.CategoricalDtype)
    for name, rows in data.groupby("source_file", observed=True)["source_row"]:
        part = pq.read_table(tmp_path / name).to_pandas()
        assert rows.tolist() == list(range(1, len(part) + 1))
        back = part.iloc[rows.to_numpy() - 1]
        mine = data[data["source_file"] == name]
        assert np.allclose(back["total"].to_numpy(), mine["total"].to_numpy())


def test_a_rejected_row_of_a_data_set_says_where_it_is(tmp_path, caseload):
    folder = write_canonical(caseload, tmp_path / "set", partition_by="site")
    part = next(folder.glob("site=North/*.parquet"))
    table = pq.read_table(part).to_pandas()
    table.loc[4, "total"] = 55.0  # out of range
    table.loc[4, ["item_1", "item_2", "item_3", "item_4"]] = np.nan
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), part)
    res = load(folder)
    (row,) = res.rejected.itertuples()
    assert row.reason == "out_of_range" and row.source_row == 5
    assert row.source_file == "set/site=North/" + part.name
    assert res.report["loaded"] + res.report["rejected"] == len(caseload)


def test_a_file_whose_columns_differ_is_named(tmp_path, caseload):
    folder = write_canonical(caseload, tmp_path / "set", partition_by="site")
    odd = next(folder.glob("site=South/*.parquet"))
    pq.write_table(pq.read_table(odd).drop_columns(["item_4"]), odd)
    with pytest.raises(LoadError, match=r"set/site=South/part-0\.parquet .*lacks item_4"):
        load(folder)


def test_a_file_whose_column_types_differ_is_named(tmp_path, caseload):
    folder = write_canonical(caseload, tmp_path / "set", partition_by="site")
    odd = next(folder.glob("site=East/*.parquet"))
    table = pq.read_table(odd)
    i = table.schema.get_field_index("session_date")
    pq.write_table(table.set_column(i, "session_date",
                                    pa.array(np.arange(table.num_rows), pa.int64())), odd)
    with pytest.raises(LoadError, match=r"set/site=East/part-0\.parquet of the data set set "
                                        r"holds column session_date as int64"):
        load(folder)


def test_a_broken_file_in_a_data_set_is_named(tmp_path, caseload):
    folder = write_canonical(caseload, tmp_path / "set", partition_by="site")
    odd = next(folder.glob("site=East/*.parquet"))
    odd.write_bytes(b"PAR1 not a parquet file")
    with pytest.raises(LoadError, match=r"site=East/part-0\.parquet"):
        load(folder)


def test_files_of_other_tools_and_hidden_files_are_left_alone(tmp_path, caseload):
    folder = tmp_path / "spark_out"
    write_dataset(caseload, folder, partition_by="measure")
    (folder / "_SUCCESS").write_text("")
    (folder / ".part-0.parquet.crc").write_bytes(b"\x00\x01")
    res = load(folder)
    assert res.report["loaded"] == len(caseload)
    # a folder holding another kind of file is read file by file, as before
    (folder / "notes.txt").write_text("not data")
    assert not is_dataset(folder)


def test_only_the_columns_kept_are_read(tmp_path, caseload, monkeypatch):
    frame = caseload.assign(client_name="Synthetic Person")
    write_dataset(frame, tmp_path / "set")
    import srs_analytics.io.readers as readers

    seen = {}
    real = readers.read_dataset

    def spy(folder, *, select=None, **kwargs):
        def selected(names):
            seen["columns"] = select(names)
            return seen["columns"]
        return real(folder, select=selected, **kwargs)

    monkeypatch.setattr(readers, "read_dataset", spy)
    res = load(tmp_path / "set")
    assert "client_name" not in seen["columns"] and "client_id" in seen["columns"]
    assert res.report["dropped_identifying"] == ["client_name"]
    kept = load(tmp_path / "set", keep_identifying=True)
    assert "client_name" in seen["columns"] and "client_name" in kept.data.columns


def test_partition_keys(tmp_path):
    assert partition_columns("clinician, month") == ["clinician_id", "session_month"]
    assert partition_columns(["site", "year", "site"]) == ["site", "session_year"]
    with pytest.raises(ValueError, match="partition_by must name one of"):
        partition_columns("total")


def test_rows_without_a_date_go_to_the_missing_partition(tmp_path, caseload):
    undated = caseload.assign(session_date=caseload["session_date"].where(
        caseload["client_id"] != caseload["client_id"].iloc[0]))
    folder = write_dataset(undated, tmp_path / "set", partition_by="month")
    assert (folder / "session_month=__HIVE_DEFAULT_PARTITION__").is_dir()
    res = load(folder)
    assert res.report["loaded"] == len(caseload)


def _cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


def test_convert_writes_a_data_set_that_every_command_reads(tmp_path, capsys):
    code, out, _ = _cli(capsys, "convert", SAMPLE / "caseload.csv", "-o", f"{tmp_path}/set/",
                        "--partition-by", "clinician,month")
    assert code == 0 and "Wrote 3537 administrations" in out
    assert (tmp_path / "set" / "clinician_id=T01").is_dir()
    code, out, _ = _cli(capsys, "clients", tmp_path / "set", "-o", tmp_path / "a.csv")
    assert code == 0
    code, out, _ = _cli(capsys, "clients", SAMPLE / "caseload.csv", "-o", tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    # -o DIR/ without keys: one folder of files, no subfolders
    code, _, _ = _cli(capsys, "convert", SAMPLE / "caseload.csv", "-o", f"{tmp_path}/flat/")
    assert code == 0 and [p.name for p in (tmp_path / "flat").iterdir()] == ["part-0.parquet"]


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/x.csv", "--partition-by", "month"], "writes a folder of Parquet files"),
    (["-o", "{tmp}/y/", "--partition-by", "colour"], "Invalid --partition-by"),
    (["-o", "{tmp}/full/"], "is not empty"),
    (["-o", "{tmp}/no/such/"], "does not exist"),
])
def test_convert_to_a_folder_refuses_clearly(tmp_path, capsys, args, message):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.parquet").write_bytes(b"")
    args = [a.format(tmp=tmp_path) for a in args]
    code, _, err = _cli(capsys, "convert", SAMPLE / "caseload.csv", *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_bad_data_set_on_the_command_line_is_a_message(tmp_path, capsys, caseload):
    folder = write_canonical(caseload, tmp_path / "set", partition_by="site")
    odd = next(folder.glob("site=South/*.parquet"))
    pq.write_table(pq.read_table(odd).drop_columns(["total"]), odd)
    code, _, err = _cli(capsys, "alerts", folder)
    assert code == 2 and "site=South/part-0.parquet" in err and "lacks total" in err
