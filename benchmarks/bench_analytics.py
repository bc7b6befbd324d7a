"""Benchmark: the client table and the alerts for 1,000,000 administrations.

Usage::

    python benchmarks/bench_analytics.py [--n 1000000] [--repeat 3]

Uses the synthetic canonical CSV of ``bench_load.py`` (made once, cached in
``benchmarks/_data/``). Each step runs in a fresh process, so that peak memory is its own:

- ``read_csv``: a bare ``pandas.read_csv`` of the file (the baseline);
- ``clients``: :func:`srs_analytics.load` then :func:`srs_analytics.clients.client_table`;
- ``alerts``: :func:`srs_analytics.load` then :func:`srs_analytics.alerting.alerts`.

For ``clients`` and ``alerts`` it reports the analysis alone (after loading) and from the
file. Targets (issue 3): each within 8x the bare read, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import _make_data, _measure  # noqa: E402


def _one(step: str, path: str) -> dict:
    import pandas as pd

    import srs_analytics

    t0 = time.perf_counter()
    if step == "read_csv":
        n = len(pd.read_csv(path))
        analysis = 0.0
        extra = {}
    else:
        data = srs_analytics.load(path).data
        t1 = time.perf_counter()
        if step == "clients":
            from srs_analytics.clients import client_table

            result = client_table(data)
        else:
            from srs_analytics.alerting import alerts

            result = alerts(data)
        analysis = time.perf_counter() - t1
        n = len(data)
        extra = {"result_rows": len(result), "episodes": int(data["episode_id"].nunique())}
        if step == "alerts":
            extra["by_rule"] = result["rule"].value_counts().to_dict()
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step": step, "seconds": seconds, "analysis": analysis, "rows": n,
            "peak_mb": peak, **extra}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--one", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(_one(*args.one), default=str))
        return
    canonical, _ = _make_data(args.n)
    bare = _measure("read_csv", canonical, args.repeat, __file__)
    print(f"{canonical.name}: {bare['rows']:,} administrations; bare read_csv "
          f"{bare['seconds']:.2f} s, peak {bare['peak_mb']:.0f} MB")
    print(f"{'step':<9}{'result rows':>12}{'analysis s':>12}{'x read':>8}{'from file s':>13}"
          f"{'x read':>8}{'peak MB':>9}")
    for step in ("clients", "alerts"):
        r = _measure(step, canonical, args.repeat, __file__)
        print(f"{step:<9}{r['result_rows']:>12,}{r['analysis']:>12.2f}"
              f"{r['analysis'] / bare['seconds']:>8.2f}{r['seconds']:>13.2f}"
              f"{r['seconds'] / bare['seconds']:>8.2f}{r['peak_mb']:>9.0f}")
        if step == "clients":
            print(f"         episodes: {r['episodes']:,}")
        else:
            print("         by rule: " + ", ".join(f"{k} {v:,}" for k, v in r["by_rule"].items()))
    print("targets: each within 8x the bare read_csv; peak memory under 2048 MB")


if __name__ == "__main__":
    main()
