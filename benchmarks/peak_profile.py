"""Where a command's memory peaks: sample the resident memory and the Python stack.

Usage::

    python benchmarks/peak_profile.py [--every 0.05] [--top 12] -- COMMAND ARGS...

Runs ``srs-analytics COMMAND ARGS...`` in this process while a thread samples, every
``--every`` seconds, the process's resident memory (``/proc/self/statm``) and the stack of
the main thread. Prints the timeline of the largest rises (which line of the package was
running when the memory grew) and the stack at the peak. It sees every allocation, Arrow's
and numpy's included, which ``tracemalloc`` does not; it is a sampler, so a short spike
between two samples can be missed (lower ``--every``).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import traceback

PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20


def _where(frame) -> list[str]:
    """The package's own frames of a stack, innermost last."""
    out = []
    for f in traceback.extract_stack(frame):
        if "srs_analytics" in f.filename:
            short = f.filename.split("srs_analytics/")[-1]
            out.append(f"{short}:{f.lineno} {f.name}: {(f.line or '').strip()[:70]}")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--every", type=float, default=0.05)
    p.add_argument("--top", type=int, default=12)
    p.add_argument("--timeline", type=float, default=0,
                   help="also print the memory every this many seconds")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    argv = [a for a in args.command if a != "--"]
    main_id = threading.get_ident()
    samples: list[tuple[float, float, list[str]]] = []
    done = threading.Event()
    t0 = time.perf_counter()

    def sample():
        while not done.is_set():
            frame = sys._current_frames().get(main_id)
            samples.append((time.perf_counter() - t0, _rss_mb(),
                            _where(frame) if frame else [], pa.total_allocated_bytes() / 2**20))
            time.sleep(args.every)

    import pyarrow as pa

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    from srs_analytics.cli import main as cli

    code = cli(argv)
    done.set()
    thread.join()
    peak = max(samples, key=lambda s: s[1])
    print(f"\nexit {code}; {time.perf_counter() - t0:.1f} s; peak {peak[1]:.0f} MB at "
          f"{peak[0]:.1f} s", file=sys.stderr)
    if args.timeline:
        print("timeline (s, RSS MB, of which Arrow's pool, where):", file=sys.stderr)
        shown = -1e9
        for t, rss, where, arrow in samples:
            if t - shown >= args.timeline or (t, rss) == peak[:2]:
                shown = t
                print(f"  {t:6.1f} {rss:7.0f} {arrow:7.0f}  {where[-1] if where else '?'}",
                      file=sys.stderr)
    rises = [(b[1] - a[1], b) for a, b in zip(samples, samples[1:])]
    print("largest rises (MB, at s, RSS after, where):", file=sys.stderr)
    for rise, (t, rss, where, _) in sorted(rises, key=lambda r: -r[0])[:args.top]:
        print(f"  +{rise:6.0f} {t:6.1f} s {rss:7.0f}  {where[-1] if where else '?'}",
              file=sys.stderr)
    print("stack at the peak:", file=sys.stderr)
    for line in peak[2]:
        print(f"  {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
