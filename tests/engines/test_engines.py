"""Every command gives the same table on Dask and on Spark as with pandas.

Each engine reads a Parquet data set file by file, shuffles the rows so that each unit
(a client, with the partners and group members seen with them) meets in one partition,
runs the loader and the command there, and the driver puts the tables together. The
comparison is of every column; floats within 1e-12 (the intake norms are combined from
the partitions' sums), the rest exactly, in the order pandas gives. All data is synthetic.
"""

from __future__ import annotations

import pandas as pd
import pytest
from _cases import CASES, same

from srs_analytics.alerting import AlertSettings
from srs_analytics.clients import ClientSettings
from srs_analytics.engines import run
from srs_analytics.outcomes import OutcomeSettings


def engine_options(engine, request):
    if engine == "dask":
        return {"scheduler": request.getfixturevalue("dask_scheduler")}
    request.getfixturevalue("spark_session")
    return {"master": "local[2]"}


@pytest.mark.parametrize("engine", ["dask", "spark"])
@pytest.mark.parametrize("case", list(CASES))
def test_sample_dataset_same_as_pandas(case, engine, sample_dataset, request):
    command, options = CASES[case]
    expected = run(command, sample_dataset, engine="pandas", **options)
    got = run(command, sample_dataset, engine=engine, **engine_options(engine, request),
              **options)
    assert len(expected.table) > 0
    same(expected.table, got.table)
    assert got.report["loaded"] == expected.report["loaded"] == 3537


@pytest.mark.parametrize("engine", ["dask", "spark"])
@pytest.mark.parametrize("case", ["clients", "alerts", "couples-episodes", "groups",
                                  "caseload"])
def test_simulated_caseload_with_couples_and_groups(case, engine, simulated_dataset,
                                                    request):
    command, options = CASES[case]
    expected = run(command, simulated_dataset, engine="pandas", **options)
    got = run(command, simulated_dataset, engine=engine, **engine_options(engine, request),
              **options)
    assert len(expected.table) > 0
    same(expected.table, got.table)


@pytest.mark.parametrize("engine", ["dask", "spark"])
def test_row_accounting_as_the_loader(engine, messy_dataset, request):
    """Rejected, skipped, duplicate and conflicting rows counted as pandas counts them,
    the duplicate and the conflict found across files."""
    expected = run("clients", messy_dataset, engine="pandas")
    got = run("clients", messy_dataset, engine=engine, **engine_options(engine, request))
    r = expected.report
    assert (r["rejected"], r["skipped"], r["duplicates"], r["conflicts"]) == (3, 1, 2, 2)
    assert got.report["rows_read"] == r["rows_read"]
    for k in ("loaded", "rejected", "skipped", "duplicates", "conflicts"):
        assert got.report[k] == r[k], k
    same(expected.table, got.table)
    kept = run("clients", messy_dataset, engine=engine, **engine_options(engine, request),
               load_options={"conflicts": "last"})
    assert kept.report["conflicts"] == 1 and kept.report["loaded"] == r["loaded"] + 1


@pytest.mark.parametrize("engine", ["dask", "spark"])
def test_loaded_files_and_frames(engine, request):
    """Export files (loaded by the pandas loader on the driver) and a canonical table."""
    from pathlib import Path

    import srs_analytics as srs

    csv = Path(srs.__file__).parents[1] / "data" / "sample" / "caseload.csv"
    expected = run("alerts", csv, engine="pandas", settings=AlertSettings())
    got = run("alerts", csv, engine=engine, **engine_options(engine, request))
    same(expected.table, got.table)
    assert got.report == expected.report
    frame = run("groups", srs.load_sample(), engine=engine,
                **engine_options(engine, request))
    same(srs.group_sessions(srs.load_sample()), frame.table)


def test_parameters_are_those_of_the_whole_data(sample_dataset, dask_scheduler):
    import srs_analytics as srs

    got = run("clients", sample_dataset, engine="dask", scheduler=dask_scheduler,
              settings=ClientSettings(outcome=OutcomeSettings(method="jt")))
    whole = srs.fit_expected(srs.load(sample_dataset).data)
    pd.testing.assert_frame_equal(got.params.model.table, whole.table)
    assert got.params.model.n_episodes == whole.n_episodes
    assert got.params.norms is not None
