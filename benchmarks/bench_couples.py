"""Benchmark: the couples table of 1,000,000 administrations, end to end from the file.

Usage::

    python benchmarks/bench_couples.py [--n 1000000] [--repeat 3]

Uses the synthetic canonical CSV of ``bench_load.py`` (made once, cached in
``benchmarks/_data/``; couples are 4% of its clients, families 3%, groups 2.5%) and
times, each in a fresh process:

- ``read_csv``: a bare ``pandas.read_csv`` of the file (the baseline);
- ``command``: ``srs-analytics couples FILE -o OUT.csv`` as a user runs it (interpreter
  start, imports, loading, the table, writing), timed from outside, and the same for
  ``srs-analytics groups FILE -o OUT.csv``;
- ``tables``: inside one process, :func:`srs_analytics.load` and then
  :func:`srs_analytics.couple_sessions`, :func:`srs_analytics.couple_episodes`,
  :func:`srs_analytics.group_sessions`, :func:`srs_analytics.group_members` and
  :func:`srs_analytics.collateral_agreement`, each timed on its own.

Reports the best of ``--repeat`` wall-clock times and the peak resident memory. Issue 10
asks for the couples table of a million administrations, vectorised (no loop per
episode): the tables themselves should take a small part of the command, which loading
the file dominates.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import run  # noqa: E402
from bench_load import _make_data, _measure  # noqa: E402

BIN = Path(sys.executable).parent
TABLES = ("couple_sessions", "couple_episodes", "group_sessions", "group_members",
          "collateral_agreement")


def _one(step: str, path: str) -> dict:
    import pandas as pd

    import srs_analytics as srs

    t0 = time.perf_counter()
    extra = {}
    if step == "read_csv":
        rows = len(pd.read_csv(path))
    else:
        data = srs.load(path).data
        rows = len(data)
        extra["load"] = time.perf_counter() - t0
        for name in TABLES:
            t = time.perf_counter()
            table = getattr(srs, name)(data)
            extra[name] = time.perf_counter() - t
            extra[f"{name}_rows"] = len(table)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step": step, "seconds": seconds, "rows": rows, "peak_mb": peak, **extra}


def _command(command: str, path: Path, repeat: int) -> dict:
    """Best wall-clock time of the command as a user runs it, and its own peak memory."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            out = Path(tmp) / "stdout.txt"
            r = run([str(BIN / "srs-analytics"), command, str(path), "-o",
                     str(Path(tmp) / f"{command}.csv")], stdout=out)
            if r["returncode"]:
                raise SystemExit(f"{command} failed: {r['stderr']}")
            r["said"] = out.read_text().strip()
            runs.append(r)
    best = min(runs, key=lambda r: r["seconds"])
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--one", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(_one(*args.one)))
        return
    canonical, _ = _make_data(args.n)
    bare = _measure("read_csv", canonical, args.repeat, __file__)
    print(f"{canonical.name}: {bare['rows']:,} administrations; bare read_csv "
          f"{bare['seconds']:.2f} s, peak {bare['peak_mb']:.0f} MB")
    inside = _measure("tables", canonical, args.repeat, __file__)
    print(f"in one process: load {inside['load']:.2f} s; " + "; ".join(
        f"{name} {inside[name]:.2f} s ({inside[name + '_rows']:,} rows)" for name in TABLES)
        + f"; peak {inside['peak_mb']:.0f} MB")
    for command in ("couples", "groups"):
        cmd = _command(command, canonical, args.repeat)
        print(f"srs-analytics {command} FILE -o OUT.csv: {cmd['seconds']:.2f} s end to end "
              f"({cmd['seconds'] / bare['seconds']:.1f}x the bare read_csv), peak "
              f"{cmd['peak_mb']:.0f} MB. It said: {cmd['said']}")


if __name__ == "__main__":
    main()
