"""The analyses on Dask or Spark, for data bigger than one machine.

:func:`run` is the one entry point: it takes what :func:`srs_analytics.load` takes (a
Parquet data set folder, export files, a loaded canonical DataFrame) and runs a command
(``clients``, ``alerts``, ``couples``, ``groups``, ``caseload``, ``research-export``) on
the engine named. The package's analysis functions themselves take pandas DataFrames; the
engines call them on partitions of whole units (:mod:`srs_analytics.units`).

How it runs, on either engine:

1. the distinct clients, episodes and groups are read and the units made on the driver
   (a small table, sent to the workers once);
2. the rows are shuffled so that each unit's rows meet in one partition (by a bucket,
   the unit modulo the number of buckets); for a Parquet data set the loader then runs on
   each partition, and its counts are summed (the same as the pandas loader's);
3. each partition sends the additive summaries of the parameters that need all the data
   (the expected-response counts, the intake norms); the driver combines them;
4. the command's function runs on each partition with those parameters, and the driver
   puts the tables together (sorted as pandas sorts them, or for the caseload, the
   partitions' counts added up and the shares, means and effect sizes computed).

The loaded partitions sit in a working folder of Parquet files between the steps
(``workdir``; by default a temporary folder, removed at the end): on a cluster it must be
a folder every worker and the driver can read.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..io import LoadError
from . import _read
from ._tasks import COMMANDS, Params, combine, parameters, task

__all__ = ["COMMANDS", "ENGINES", "EngineResult", "run"]

#: The engines :func:`run` knows.
ENGINES = ("pandas", "dask", "spark")
#: Rows per bucket aimed at: a bucket is the unit of work of a worker.
ROWS_PER_BUCKET = 200_000


@dataclass
class EngineResult:
    """What :func:`run` returns: the ``table``, the loader's counts (``report``) and the
    parameters sent to the workers (``params``: ``model``, ``norms``)."""

    table: pd.DataFrame
    report: dict
    params: Params = field(default_factory=Params)
    engine: str = "pandas"


def run(command: str, data, *, engine: str = "dask", scheduler: str | None = None,
        workers: int | None = None, memory_limit: str | None = None,
        master: str | None = None, timeout: float = 30, progress: bool = False,
        workdir=None, load_options: dict | None = None, model=None,
        **options) -> EngineResult:
    """Run ``command`` on ``data`` with the pandas, Dask or Spark engine.

    Parameters
    ----------
    command : {"clients", "alerts", "couples", "groups", "caseload", "research-export"}
        What to compute: the table of :func:`srs_analytics.client_table`,
        :func:`srs_analytics.alerts`, :func:`srs_analytics.couple_sessions` (or
        ``couple_episodes`` with ``table="episodes"``), :func:`srs_analytics.group_sessions`
        (``group_members`` with ``table="members"``), :func:`srs_analytics.caseload_summary`
        or :func:`srs_analytics.deidentify`.
    data : path, list of paths, or DataFrame
        A Parquet data set folder (read by the engine's workers, file by file), export
        files (loaded on the driver by :func:`srs_analytics.load`), or a canonical table.
    engine : {"pandas", "dask", "spark"}
        ``pandas`` runs the functions on the whole table in this process.
    scheduler : str, optional
        Dask: the address of an existing scheduler (``tcp://host:8786``). Without it, a
        local cluster of ``workers`` processes is started and stopped.
    workers : int, optional
        Dask's local cluster: its worker processes (default: the machine's cores).
    memory_limit : str, optional
        Dask's local cluster: each worker's memory ("4GB").
    master : str, optional
        Spark: the master URL (default ``local[*]``) or a Spark Connect address
        (``sc://host:15002``).
    timeout : float
        Seconds to wait for a scheduler or master to answer.
    progress : bool
        Show a progress bar (tqdm) of the partitions.
    workdir : path, optional
        Where the loaded partitions are kept between the steps (default: a temporary
        folder; on a cluster, a folder the workers and the driver share).
    load_options : dict, optional
        Keyword arguments of :func:`srs_analytics.load` (``as_of``, ``conflicts``...).
    model : ExpectedResponse, optional
        The expected-response model to use (fitted on other data, say); by default it is
        fitted on ``data`` from the partitions' counts.
    **options
        The command's options: ``settings`` (its settings dataclass); alerts: ``since``,
        ``clinicians``, ``min_severity``, ``latest_only``; couples and groups: ``table``;
        caseload: ``by``, ``start``, ``end``; research-export: ``key``, ``dates``.

    Returns
    -------
    EngineResult
        ``table``, ``report`` (``rows_read``, ``loaded``, ``rejected``, ``skipped``,
        ``duplicates``, ``conflicts``), ``params``.

    Raises
    ------
    LoadError
        For an engine that is not installed, a scheduler or master that does not answer,
        a data set whose files differ in their columns, and whatever the loader refuses.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> res = run("couples", load_sample(), engine="pandas")
    >>> res.table[["episode_id", "n_clients"]].head(2)
      episode_id  n_clients
    0     E00272          2
    1     E00272          2
    """
    if engine not in ENGINES:
        raise LoadError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}.")
    t = task(command, **options)
    load_options = dict(load_options or {})
    if engine == "pandas":
        return _pandas(t, data, load_options, model)
    src = _read.source(data, load_options)  # its files checked before a cluster starts
    if engine == "dask":
        from ._dask import DaskEngine

        backend = DaskEngine(scheduler=scheduler, workers=workers, memory_limit=memory_limit,
                             timeout=timeout, progress=progress)
    else:
        from ._spark import SparkEngine

        backend = SparkEngine(master=master, timeout=timeout, progress=progress)
    own = workdir is None
    root = Path(tempfile.mkdtemp(prefix="srs-engine-") if own else workdir)
    try:
        return _distributed(t, src, backend, root, load_options, model)
    finally:
        backend.close()
        if own:
            shutil.rmtree(root, ignore_errors=True)


def _pandas(t, data, load_options, model) -> EngineResult:
    from ..io import load

    src = _read.source(data, load_options)
    if src.kind == "dataset":
        res = load(src.folder, **load_options)
        frame, report = res.data, res.report
    else:
        frame, report = src.frame, src.report
    params = _params(t, frame, model)
    table = t.finish(t.run(frame, params))
    return EngineResult(table, _counts(report, frame), params, "pandas")


def _params(t, frame, model) -> Params:
    """The parameters computed on one table (the pandas engine, or a small input)."""
    summaries = parameters(frame, t, _expected_settings(t))
    p = combine(summaries, t, _expected_settings(t))
    return Params(model=model if model is not None else p.model, norms=p.norms)


def _expected_settings(t):
    s = t.options.get("settings")
    return getattr(s, "expected", None)


def _counts(report, frame) -> dict:
    if report is None:
        return {"rows_read": len(frame), "loaded": len(frame), "rejected": 0, "skipped": 0,
                "duplicates": 0, "conflicts": 0}
    return {k: report[k] for k in ("rows_read", "loaded", "rejected", "skipped",
                                   "duplicates", "conflicts")}


def _distributed(t, src, backend, root: Path, load_options, model) -> EngineResult:
    from ..units import unit_of_client, units

    loaded = root / "loaded"
    loaded.mkdir(parents=True, exist_ok=True)
    if src.kind == "dataset":
        table = units(backend.links(src))
        rows = sum(_rows(p) for p in src.paths)
        buckets = _buckets(rows, backend.workers)
        paths, counts = backend.load(src, table, buckets, load_options, loaded, rows)
        report = _read.report(counts, src)
    else:
        frame = src.frame
        table = units(_read.links(frame))
        buckets = _buckets(len(frame), backend.workers)
        frame = frame.assign(_bucket=unit_of_client(frame, table, buckets=buckets))
        paths = backend.put(frame, min(buckets, backend.parts(len(frame))), loaded)
        report = _counts(src.report, frame)
    settings = _expected_settings(t)
    if t.model or t.norms:
        meta = parameters(_read.empty_canonical(), t, settings)
        summaries = backend.map(lambda d: parameters(d, t, settings), paths, meta)
        p = combine(summaries, t, settings)
        params = Params(model=model if model is not None else p.model, norms=p.norms)
    else:
        params = Params(model=model)
    meta = t.run(_read.empty_canonical(), params).iloc[:0]  # the same columns, no rows
    out = backend.map(lambda d: t.run(d, params), paths, meta)
    return EngineResult(t.finish(out), report, params, backend.name)


def _rows(path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def _buckets(rows: int, workers: int) -> int:
    """Buckets of units: about ROWS_PER_BUCKET rows each, and at least 4 per worker."""
    return max(workers * 4, -(-rows // ROWS_PER_BUCKET))
