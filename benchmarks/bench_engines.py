"""Benchmark: a command on the pandas, Dask and Spark engines, end to end.

Usage::

    python benchmarks/bench_engines.py [--size 10000000] [--commands alerts clients]
                                       [--engines pandas dask spark] [--workers 2]
                                       [--memory-limit 4GB] [--save FILE]

Each run is the command as a user runs it, in a fresh process (reading the Parquet data
set ``benchmarks/_data/canonical_<n>/`` made by ``bench_scale.py``, computing, writing
the CSV):

- pandas: ``srs-analytics COMMAND DIR/ -o OUT.csv``;
- Dask: ``... --engine dask --workers 2 --memory-limit 4GB`` (a local cluster of 2 worker
  processes, each stopped by Dask's nanny if it passes its limit);
- Spark: ``... --engine spark --master local[2]`` (one JVM with 2 cores, its Python
  workers beside it).

While it runs, every process the command started is sampled (psutil, every 0.5 s): the
peak resident memory of the driver (the command's own process, ``os.wait4``), of each
Dask worker or Spark process, and of all of them together at one moment. A Dask worker
that was killed and restarted shows as a worker process more than ``--workers``. The
output's SHA-256 is compared with the pandas engine's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import run  # noqa: E402
from bench_scale import _digest, make_data  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
BIN = Path(sys.executable).parent


class Sampler(threading.Thread):
    """The resident memory of this process's descendants, every ``every`` seconds."""

    def __init__(self, every: float = 0.5):
        super().__init__(daemon=True)
        self.every, self.done = every, threading.Event()
        self.peaks: dict[int, tuple[str, float]] = {}
        self.total = 0.0

    def run(self):
        me = psutil.Process()
        while not self.done.is_set():
            total = 0.0
            for p in me.children(recursive=True):
                try:
                    rss = p.memory_info().rss / 2**20
                    role = _role(p.cmdline())
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                total += rss
                old = self.peaks.get(p.pid, (role, 0.0))
                self.peaks[p.pid] = (role, max(old[1], rss))
            self.total = max(self.total, total)
            self.done.wait(self.every)


def _role(cmd: list[str]) -> str:
    text = " ".join(cmd)
    if "resource_tracker" in text:
        return "other"
    if "java" in cmd[0] if cmd else False:
        return "spark-jvm"
    if "pyspark" in text or "daemon" in text:
        return "spark-python"
    if "multiprocessing" in text or "spawn_main" in text:
        return "dask-worker"
    if "srs-analytics" in text:
        return "driver"
    return "other"


def measure(command: str, engine: str, folder: Path, args) -> dict:
    extra = {"pandas": [],
             "dask": ["--engine", "dask", "--workers", str(args.workers),
                      "--memory-limit", args.memory_limit],
             "spark": ["--engine", "spark", "--master", f"local[{args.workers}]"]}[engine]
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        out = Path(tmp) / f"{command}.csv"
        argv = [str(BIN / "srs-analytics"), command, str(folder) + "/", "-o", str(out),
                *extra, "--work-dir", str(Path(tmp) / "work")] if engine != "pandas" else \
            [str(BIN / "srs-analytics"), command, str(folder) + "/", "-o", str(out)]
        sampler = Sampler()
        sampler.start()
        r = run(argv, stdout=Path(tmp) / "stdout.txt")
        sampler.done.set()
        sampler.join()
        if r["returncode"]:
            raise SystemExit(f"{command} on {engine} failed: {r['stderr']}")
        r["sha256"] = _digest(out)
        r["said"] = (Path(tmp) / "stdout.txt").read_text().splitlines()[0][:100]
    roles: dict[str, list[float]] = {}
    for role, peak in sampler.peaks.values():
        roles.setdefault(role, []).append(round(peak))
    r.update(command=command, engine=engine, roles=roles,
             tree_peak_mb=round(sampler.total),
             workers_started=len(roles.get("dask-worker", [])))
    return r


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=10_000_000)
    p.add_argument("--commands", nargs="+", default=["alerts", "clients"])
    p.add_argument("--engines", nargs="+", default=["pandas", "dask", "spark"])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory-limit", default="4GB")
    p.add_argument("--save", type=Path, help="append the results to this JSON-lines file")
    args = p.parse_args()
    _, folder = make_data(args.size)
    print(f"{'command':<9}{'engine':<8}{'seconds':>9}{'x pandas':>9}{'driver MB':>10}"
          f"{'all MB':>8}  per process (MB), sha256", flush=True)
    base: dict = {}
    for command in args.commands:
        for engine in args.engines:
            r = measure(command, engine, folder, args)
            first = base.setdefault(command, r)
            same = "same" if r["sha256"] == first["sha256"] else "DIFFERS"
            print(f"{command:<9}{engine:<8}{r['seconds']:>9.1f}"
                  f"{r['seconds'] / first['seconds']:>9.2f}{r['peak_mb']:>10.0f}"
                  f"{max(r['tree_peak_mb'], r['peak_mb']):>8.0f}  {r['roles']} "
                  f"{r['sha256']} ({same})", flush=True)
            if args.save:
                with open(args.save, "a") as fh:
                    fh.write(json.dumps({k: v for k, v in r.items() if k != "stderr"}) + "\n")


if __name__ == "__main__":
    main()
