"""Benchmark: the commands and analyses on 1,000,000 administrations, beside a bare read.

Usage::

    python benchmarks/bench_analytics.py [--n 1000000] [--repeat 3] [--steps ...]

Uses the synthetic canonical CSV of ``bench_load.py`` (made once, cached in
``benchmarks/_data/``). Each step runs in a fresh process, so that its peak memory is its
own; the best of ``--repeat`` times is reported, with the largest peak:

- ``read_csv``: a bare ``pandas.read_csv`` of the file (the baseline);
- ``alerts``: :func:`srs_analytics.load`, :func:`~srs_analytics.expected.fit_expected`,
  :func:`srs_analytics.alerts` and :func:`srs_analytics.io.writers.write_table` to CSV and
  to Parquet, each timed on its own (compute and write separately);
- ``attention``: load, fit and :func:`srs_analytics.attention`;
- ``clients``: load and :func:`srs_analytics.client_table`;
- ``cli_alerts`` and ``cli_convert``: the commands ``srs-analytics alerts PATH -o OUT.csv``
  and ``srs-analytics convert PATH -o OUT.csv`` end to end (wall clock and peak memory of
  the command's process).

Targets (issue 8): the ``alerts`` command within 8x the bare read and under 2 GB; ``convert``
within 3x.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import run  # noqa: E402
from bench_load import _make_data  # noqa: E402

STEPS = ("read_csv", "alerts", "attention", "clients", "cli_alerts", "cli_convert")


def _peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _one(step: str, path: str) -> dict:
    """Run one step in this process: its timings (seconds) and peak memory."""
    import pandas as pd

    out = {"step": step}
    t = time.perf_counter()
    if step == "read_csv":
        out["rows"] = len(pd.read_csv(path))
        out["seconds"] = time.perf_counter() - t
        out["peak_mb"] = _peak_mb()
        return out
    if step.startswith("cli_"):
        command = step[4:]
        exe = Path(sys.executable).with_name("srs-analytics")
        with tempfile.TemporaryDirectory() as tmp:
            target, said = Path(tmp) / "out.csv", Path(tmp) / "stdout.txt"
            r = run([str(exe), command, path, "-o", str(target)], stdout=said)
            if r["returncode"]:
                raise SystemExit(f"{command} failed: {r['stderr']}")
            out["seconds"] = r["seconds"]
            out["output_mb"] = target.stat().st_size / 2**20
            out["said"] = said.read_text().splitlines()[0]
        out["peak_mb"] = r["peak_mb"]  # the command's own process (os.wait4)
        return out

    import srs_analytics as srs
    from srs_analytics.expected import fit_expected
    from srs_analytics.io.writers import write_table

    def timed(name, func, *args, **kwargs):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        out[name] = time.perf_counter() - start
        return result

    data = timed("load", lambda: srs.load(path).data)
    out["rows"] = len(data)
    if step == "clients":
        table = timed("compute", srs.client_table, data)
    else:
        model = timed("fit", fit_expected, data)
        func = srs.alerts if step == "alerts" else srs.attention
        table = timed("compute", func, data, model=model)
    out["result_rows"] = len(table)
    out["compute_peak_mb"] = _peak_mb()
    if step == "alerts":
        out["by_severity"] = table["severity"].value_counts().to_dict()
        with tempfile.TemporaryDirectory() as tmp:
            timed("write_csv", write_table, table, Path(tmp) / "alerts.csv")
            timed("write_parquet", write_table, table, Path(tmp) / "alerts.parquet")
    out["seconds"] = time.perf_counter() - t
    out["peak_mb"] = _peak_mb()
    return out


def _measure(step: str, path: Path, repeat: int) -> dict:
    """Best of ``repeat`` runs, each in a fresh process; the largest peak memory."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, __file__, "--one", step, str(path)],
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
    best = min(runs, key=lambda r: r["seconds"])
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--steps", nargs="+", choices=STEPS[1:], default=list(STEPS[1:]))
    p.add_argument("--one", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(_one(*args.one), default=str))
        return
    canonical, _ = _make_data(args.n)
    bare = _measure("read_csv", canonical, args.repeat)["seconds"]
    print(f"{canonical.name}: bare pandas.read_csv {bare:.2f} s")
    print(f"{'step':<12}{'seconds':>9}{'x read':>8}{'peak MB':>9}  parts (seconds)")
    for step in args.steps:
        r = _measure(step, canonical, args.repeat)
        parts = ", ".join(f"{k} {r[k]:.2f}" for k in ("load", "fit", "compute", "write_csv",
                                                       "write_parquet") if k in r)
        print(f"{step:<12}{r['seconds']:>9.2f}{r['seconds'] / bare:>8.2f}{r['peak_mb']:>9.0f}"
              f"  {parts}")
        if "result_rows" in r:
            print(f"{'':<12}{r['result_rows']:,} rows"
                  + (f"; by severity {r['by_severity']}" if "by_severity" in r else ""))
        if "said" in r:
            print(f"{'':<12}{r['said'][:88]}")
    print("targets: the alerts command within 8x the bare read_csv and under 2048 MB; "
          "convert within 3x")


if __name__ == "__main__":
    main()
