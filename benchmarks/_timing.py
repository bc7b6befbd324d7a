"""Timing a command as a user runs it: wall clock and the peak memory of its own process.

``resource.getrusage(RUSAGE_CHILDREN)`` of the benchmark's process is the largest peak of
*all* the children it has waited for so far, so a benchmark that first ran a big step in
a child and then a small command would report the big step's peak for the command.
:func:`run` waits for its one child with :func:`os.wait4`, which returns the resource usage
of that child alone (with any process the child itself waited for).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def run(argv: list[str], *, stdout: Path | None = None, env: dict | None = None) -> dict:
    """Run ``argv`` in a fresh process: its wall-clock and CPU seconds (user + system, all
    its threads: less sensitive than the wall clock to other work on the machine), of
    which system (the kernel's: mostly page faults as fresh memory is first touched), its
    peak resident memory (MB) and its exit status.

    Standard output goes to ``stdout`` (a file) or is discarded; standard error is kept
    and returned as ``stderr`` when the command fails.
    """
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    err_path = Path(stdout).with_suffix(".stderr") if stdout else None
    err = open(err_path, "wb") if err_path else subprocess.PIPE
    try:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        if err is subprocess.PIPE:
            stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout:
            out.close()
            err.close()
    if err_path:
        stderr = err_path.read_bytes()
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "system_seconds": usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024,
            "returncode": proc.returncode,
            "stderr": stderr.decode("utf-8", "replace")[-2000:] if proc.returncode else ""}
