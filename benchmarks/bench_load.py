"""Benchmark: load and validation of 1,000,000 administrations, beside a bare pandas.read_csv.

Usage::

    python benchmarks/bench_load.py [--n 1000000] [--repeat 3]

Makes (once, cached in ``benchmarks/_data/``) a synthetic canonical CSV of about ``n``
administrations and the same data as an OpenFIT flat file, then times, each in a fresh
process so that peak memory is that step's own:

- ``read_csv``: a bare ``pandas.read_csv`` of the file (the baseline);
- ``load``: ``srs_analytics.load`` of the same file (reading, detection, the boundary rules,
  duplicates, session numbers and the schema check);
- ``convert``: ``srs-analytics convert FILE -o OUT.csv`` end to end (read, validate, write
  the canonical table), as the command runs it (canonical file only).

Reports the best of ``--repeat`` wall-clock times, the ratio to the bare read, and the
process's peak resident memory (``ru_maxrss``, imports included). Targets (issues 2 and 7):
load and convert within 3x the bare read, peak memory under 2 GB.
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

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"


def _one(step: str, path: str) -> dict:
    """Run one measured step in this process and return its timing and peak memory."""
    import pandas as pd

    import srs_analytics

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    if step == "read_csv":
        n = len(pd.read_csv(path))
    elif step == "convert":
        from srs_analytics.cli import main

        with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "stdout", "w") as out:
            stdout, sys.stdout = sys.stdout, out
            try:
                code = main(["convert", path, "-o", str(Path(tmp) / "canonical.csv")])
            finally:
                sys.stdout = stdout
            assert code == 0, code
            with open(Path(tmp) / "canonical.csv", "rb") as written:
                n = sum(1 for _ in written) - 1
    else:
        res = srs_analytics.load(path)
        n = res.report["rows_read"]
        assert res.report["rejected"] == 0, res.report["by_reason"]
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"step": step, "seconds": seconds, "rows": n, "peak_mb": peak / 1024,
            "import_mb": base / 1024}


def _measure(step: str, path: Path, repeat: int, script: str = __file__) -> dict:
    """Best of ``repeat`` runs of ``script --one STEP PATH``, each in a fresh process."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, script, "--one", step, str(path)],
                             capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: r["seconds"])
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    return best


def _make_data(n: int) -> tuple[Path, Path]:
    from srs_analytics.io.writers import write_canonical, write_openfit
    from srs_analytics.synthetic import simulate

    DATA.mkdir(exist_ok=True)
    canonical, openfit = DATA / f"canonical_{n}.csv", DATA / f"openfit_{n}.csv"
    if not canonical.exists() or not openfit.exists():
        t = time.perf_counter()
        data = simulate(n_administrations=n, seed=1)
        write_canonical(data, canonical)
        write_openfit(data, openfit)
        print(f"made {len(data):,} administrations in {time.perf_counter() - t:.1f} s")
    return canonical, openfit


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--one", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(_one(*args.one)))
        return
    canonical, openfit = _make_data(args.n)
    print(f"{'file':<28}{'step':<10}{'rows':>11}{'seconds':>9}{'ratio':>7}{'peak MB':>9}")
    for path in (canonical, openfit):
        bare = _measure("read_csv", path, args.repeat)
        steps = [bare, _measure("load", path, args.repeat)]
        if path == canonical:
            steps.append(_measure("convert", path, args.repeat))
        for r in steps:
            ratio = r["seconds"] / bare["seconds"]
            print(f"{path.name:<28}{r['step']:<10}{r['rows']:>11,}{r['seconds']:>9.2f}"
                  f"{ratio:>7.2f}{r['peak_mb']:>9.0f}")
    print("targets: load and convert within 3x the bare read_csv; peak memory under 2048 MB")


if __name__ == "__main__":
    main()
