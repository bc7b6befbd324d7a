"""The Dask engine: a local cluster it starts and stops, or an existing one.

The rows are read with Dask (:func:`dask.dataframe.from_map`, one partition per file),
given their unit's bucket, shuffled so that each bucket (whole units) meets in one
partition, loaded there, and written to a working folder of Parquet files, one per
partition. The parameters and the command then run with
:meth:`~dask.dataframe.DataFrame.map_partitions` over those files.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd

from ..io import LoadError
from . import _read

#: Rows of a partition aimed at: what one worker loads and analyses at a time.
ROWS_PER_PART = 500_000


class DaskEngine:
    """A Dask client; ``close`` stops the cluster when it started it."""

    name = "dask"

    def __init__(self, *, scheduler=None, workers=None, memory_limit=None, timeout=30,
                 progress=False):
        try:
            import dask
            import dask.dataframe  # noqa: F401
            from distributed import Client, LocalCluster
        except ImportError:
            raise LoadError("The Dask engine is not installed: pip install "
                            "'srs-analytics[dask]'.") from None
        dask.config.set({"dataframe.convert-string": False})
        self.progress = progress
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=f"{timeout}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise LoadError(f"The Dask scheduler {scheduler} did not answer within "
                                f"{timeout:g} s ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''}). Check "
                                "the address (tcp://host:8786) and that the scheduler "
                                "runs.") from None
        else:
            n = workers or os.cpu_count() or 1
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        memory_limit=memory_limit or "auto",
                                        host="127.0.0.1", dashboard_address=None,
                                        silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or
                           (workers or 1))

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    # -- the steps -----------------------------------------------------------------------
    def _compute(self, collections):
        """Compute a list of delayed objects on the cluster, with a progress bar."""
        futures = self.client.compute(collections)
        if self.progress:
            from distributed import as_completed
            from tqdm.auto import tqdm

            for _ in tqdm(as_completed(futures), total=len(futures), unit="part",
                          leave=False):
                pass
        return self.client.gather(futures)

    def links(self, src: _read.Source) -> pd.DataFrame:
        import dask.dataframe as dd

        cols = [c for c in ("client_id", "episode_id", "group_id") if c in src.columns]
        meta = _read.links(pd.DataFrame({c: pd.Series(dtype="str") for c in cols}))
        ddf = dd.from_map(_links_of_file, range(len(src.paths)), src=src, cols=cols,
                          meta=meta, enforce_metadata=False)
        parts = self._compute(ddf.to_delayed())
        return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)

    def parts(self, rows: int) -> int:
        """Partitions of the loaded rows: at least 4 per worker, at most ROWS_PER_PART."""
        return max(self.workers * 4, -(-rows // ROWS_PER_PART))

    def load(self, src, table, buckets, load_options, workdir: Path, rows: int):
        """Read, shuffle by bucket, load each partition, write it; the counts."""
        import dask.dataframe as dd
        from dask import delayed

        meta = _read.read_file(src, 0).iloc[:0].assign(_bucket=pd.Series(dtype="int64"))
        ddf = dd.from_map(_bucketed_file, range(len(src.paths)), src=src, table=table,
                          buckets=buckets, meta=meta, enforce_metadata=False)
        shuffled = ddf.shuffle("_bucket", npartitions=min(buckets, self.parts(rows)))
        out = [delayed(_load_and_write)(part, src, load_options, str(workdir / f"part-{i}"
                                                                     ".parquet"))
               for i, part in enumerate(shuffled.to_delayed())]
        counts = self._compute(out)
        total = dict.fromkeys(_read.FATES, 0)
        for c in counts:
            for k in total:
                total[k] += c[k]
        return sorted(str(p) for p in workdir.glob("part-*.parquet")), total

    def put(self, frame: pd.DataFrame, parts: int, workdir: Path):
        """A loaded table, split by bucket into files (the driver loaded it)."""
        return _read.write_parts(frame, parts, workdir)

    def map(self, func, paths, meta: pd.DataFrame) -> pd.DataFrame:
        """``func`` on each file's rows (whole units), the tables concatenated."""
        import dask.dataframe as dd

        canon = _read.empty_canonical()
        ddf = dd.from_map(_read_loaded, paths, meta=canon, enforce_metadata=False)
        out = ddf.map_partitions(func, meta=meta, enforce_metadata=False)
        parts = self._compute(out.to_delayed())
        return concat(parts, meta)


def _links_of_file(i, src, cols):
    return _read.links(_read.read_file(src, i, cols))


def _bucketed_file(i, src, table, buckets):
    return _read.with_bucket(_read.read_file(src, i), table, buckets)


def _load_and_write(part, src, load_options, path):
    data, counts = _read.load_partition(part, src, load_options)
    if len(data):
        _read.write_part(data, path)
    return counts


def _read_loaded(path):
    from ..schema import coerce_canonical

    return coerce_canonical(pd.read_parquet(path).drop(columns="_bucket", errors="ignore"))


def concat(parts, meta: pd.DataFrame) -> pd.DataFrame:
    """The partitions' tables as one; a categorical stays one (its categories united)."""
    parts = [p for p in parts if len(p)] or [meta]
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    out = pd.concat(parts, ignore_index=True)
    for col in parts[0].columns:
        if all(isinstance(p[col].dtype, pd.CategoricalDtype) for p in parts) and \
                not isinstance(out[col].dtype, pd.CategoricalDtype):
            cats = sorted({c for p in parts for c in p[col].cat.categories})
            ordered = parts[0][col].cat.ordered
            if ordered:
                cats = list(parts[0][col].cat.categories)
            out[col] = pd.Categorical(out[col], categories=cats, ordered=ordered)
    return out
