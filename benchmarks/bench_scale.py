"""Benchmark: the commands at 1, 3 and 10 million administrations, end to end.

Usage::

    python benchmarks/bench_scale.py [--sizes 1000000 3000000 10000000]
                                     [--commands convert clients alerts caseload]
                                     [--repeat 1] [--keep DIR] [--save FILE]

Makes once, for each size ``n``, a synthetic caseload (``simulate(n_administrations=n,
seed=1)``) as a canonical CSV, ``benchmarks/_data/canonical_<n>.csv``, and as a Parquet
data set partitioned by month, ``benchmarks/_data/canonical_<n>/`` (the layout ``convert
--partition-by month`` writes); both are reused by later runs and by the engines'
benchmarks. Then it runs each command as a user runs it, in a fresh process of its own,
and reports its wall-clock time, its CPU seconds (user and system; the system part
shown too), and the peak resident memory of that process (reading, computing and writing
the output file; interpreter start and imports included):

- ``convert``: ``srs-analytics convert canonical_<n>.csv -o OUT/ --partition-by month``
  (the CSV export to a Parquet data set);
- ``clients``: ``srs-analytics clients canonical_<n>/ -o clients.csv``;
- ``alerts``: ``srs-analytics alerts canonical_<n>/ -o alerts.csv``;
- ``caseload``: ``srs-analytics caseload canonical_<n>/ --by clinician,month -o
  caseload.csv``.

The peak is the command's own (``os.wait4`` on its process, see ``_timing.py``), not the
largest of every process the benchmark started. With ``--keep DIR`` the outputs are kept
and their SHA-256 printed, to check that a change leaves the results as they were. Targets
(issue 14): ten times the data within twelve times the time, and under 10 GB at 10M.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import run  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
BIN = Path(sys.executable).parent
COMMANDS = ("convert", "clients", "alerts", "caseload")


def make_data(n: int) -> tuple[Path, Path]:
    """The canonical CSV and the Parquet data set of about ``n`` administrations."""
    csv, folder = DATA / f"canonical_{n}.csv", DATA / f"canonical_{n}"
    if csv.exists() and folder.is_dir():
        return csv, folder
    from srs_analytics.io.writers import write_canonical
    from srs_analytics.synthetic import simulate

    DATA.mkdir(exist_ok=True)
    t = time.perf_counter()
    data = simulate(n_administrations=n, seed=1)
    if not csv.exists():
        write_canonical(data, csv)
    if not folder.is_dir():
        tmp = folder.with_name(folder.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        write_canonical(data, tmp, partition_by="month")
        tmp.rename(folder)
    print(f"made {len(data):,} administrations in {time.perf_counter() - t:.0f} s: "
          f"{csv.name}, {folder.name}/", flush=True)
    return csv, folder


def _argv(command: str, csv: Path, folder: Path, out: Path) -> list[str]:
    exe = str(BIN / "srs-analytics")
    if command == "convert":
        return [exe, "convert", str(csv), "-o", str(out / "converted") + "/",
                "--partition-by", "month"]
    extra = ["--by", "clinician,month"] if command == "caseload" else []
    return [exe, command, str(folder), *extra, "-o", str(out / f"{command}.csv")]


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()[:16]


def measure(command: str, n: int, repeat: int, keep: Path | None) -> dict:
    """Best time of ``repeat`` runs, the largest peak, and what the command said."""
    csv, folder = make_data(n)
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(dir=DATA) as tmp:
            out = Path(tmp)
            r = run(_argv(command, csv, folder, out), stdout=out / "stdout.txt")
            if r["returncode"]:
                raise SystemExit(f"{command} at {n:,} failed ({r['returncode']}): "
                                 f"{r['stderr']}")
            r["said"] = (out / "stdout.txt").read_text().splitlines()[0][:100]
            if command != "convert":
                r["sha256"] = _digest(out / f"{command}.csv")
                if keep:
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copy(out / f"{command}.csv", keep / f"{command}_{n}.csv")
            runs.append(r)
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "command": command, "n": n,
            "peak_mb": max(r["peak_mb"] for r in runs)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    p.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    p.add_argument("--save", type=Path, help="append the results to this JSON-lines file")
    args = p.parse_args()
    for n in args.sizes:
        make_data(n)
    print(f"{'command':<10}{'size':>12}{'seconds':>9}{'x 1M':>7}{'CPU s':>8}{'x 1M':>7}"
          f"{'sys s':>7}{'peak MB':>9}{'x 1M':>7}  sha256 / said", flush=True)
    first: dict = {}
    for command in args.commands:
        for n in args.sizes:
            r = measure(command, n, args.repeat, args.keep)
            base = first.setdefault(command, r)
            print(f"{command:<10}{n:>12,}{r['seconds']:>9.1f}"
                  f"{r['seconds'] / base['seconds']:>7.2f}{r['cpu_seconds']:>8.1f}"
                  f"{r['cpu_seconds'] / base['cpu_seconds']:>7.2f}"
                  f"{r['system_seconds']:>7.1f}{r['peak_mb']:>9.0f}"
                  f"{r['peak_mb'] / base['peak_mb']:>7.2f}  {r.get('sha256', '')} "
                  f"{r['said'][:60]}", flush=True)
            if args.save:
                with open(args.save, "a") as fh:
                    fh.write(json.dumps({k: v for k, v in r.items() if k != "stderr"}) + "\n")
    print("targets: 10x the data within 12x the time; peak under 10,240 MB at 10M")


if __name__ == "__main__":
    main()
