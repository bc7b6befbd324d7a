"""Benchmark: the caseload summary of 1,000,000 administrations, end to end from the file.

Usage::

    python benchmarks/bench_caseload.py [--n 1000000] [--repeat 3]

Uses the synthetic canonical CSV of ``bench_load.py`` (made once, cached in
``benchmarks/_data/``) and times, each in a fresh process:

- ``read_csv``: a bare ``pandas.read_csv`` of the file (the baseline);
- ``command``: ``srs-analytics caseload FILE --by clinician,month -o OUT.csv`` as a user
  runs it (interpreter start, imports, loading, the summary with the share of sessions
  with an alert, writing), timed from outside;
- ``summary``: inside one process, :func:`srs_analytics.load` and then
  :func:`srs_analytics.caseload_summary` by clinician and month, with and without the
  alert share (``alert_severity=None``: the alerts are the costliest part), and
  :func:`srs_analytics.srs_completion`.

Reports the best of ``--repeat`` wall-clock times and the peak resident memory. Target
(issue 11): the caseload summary of a million administrations in a few seconds.
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
        t1 = time.perf_counter()
        quiet = srs.CaseloadSettings(alert_severity=None)
        table = srs.caseload_summary(data, by="clinician,month", settings=quiet)
        t2 = time.perf_counter()
        full = srs.caseload_summary(data, by="clinician,month")
        t3 = time.perf_counter()
        srs.srs_completion(data, by="clinician,month")
        t4 = time.perf_counter()
        extra = {"load": t1 - t0, "summary_no_alerts": t2 - t1, "summary": t3 - t2,
                 "completion": t4 - t3, "groups": len(table),
                 "episodes": int(full["n_outcome_episodes"].sum())}
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step": step, "seconds": seconds, "rows": rows, "peak_mb": peak, **extra}


def _command(path: Path, repeat: int) -> dict:
    """Best wall-clock time of the command as a user runs it, and its own peak memory (the
    command's process alone: ``_timing.run``, not the largest of every child so far)."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            r = run([str(BIN / "srs-analytics"), "caseload", str(path), "--by",
                     "clinician,month", "-o", str(Path(tmp) / "caseload.csv")])
            if r["returncode"]:
                raise SystemExit(f"caseload failed: {r['stderr']}")
            runs.append(r)
    return {"seconds": min(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs)}


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
    inside = _measure("summary", canonical, args.repeat, __file__)
    print(f"in one process: load {inside['load']:.2f} s; caseload_summary by clinician "
          f"and month ({inside['groups']} groups, {inside['episodes']:,} closed episodes): "
          f"{inside['summary']:.2f} s, {inside['summary_no_alerts']:.2f} s without the "
          f"alert share; srs_completion {inside['completion']:.2f} s; peak "
          f"{inside['peak_mb']:.0f} MB")
    cmd = _command(canonical, args.repeat)
    print(f"srs-analytics caseload FILE --by clinician,month -o OUT.csv: "
          f"{cmd['seconds']:.2f} s end to end ({cmd['seconds'] / bare['seconds']:.1f}x the "
          f"bare read_csv), peak {cmd['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
