"""Serve the dashboard (the widget views, :func:`srs_analytics.app.views.dashboard`) with Voila
on 127.0.0.1.

``make dashboard`` runs ``python -m srs_analytics.app.server [PATH...] [--port N]``: Voila
serves the packaged notebook ``dashboard.ipynb`` (it only calls the package), which reads
the exports named in the environment variable ``SRS_ANALYTICS_DATA`` (paths joined by the
system's path separator) or, without it, the bundled synthetic sample. The browser tests
start and stop the same server with :class:`Dashboard`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

__all__ = ["DASHBOARD_NOTEBOOK", "DATA_VARIABLE", "Dashboard", "dashboard_data", "free_port",
           "main", "voila_command"]

#: The notebook Voila serves (its path).
DASHBOARD_NOTEBOOK = str(Path(__file__).with_name("dashboard.ipynb"))
#: The environment variable naming the data the dashboard shows.
DATA_VARIABLE = "SRS_ANALYTICS_DATA"


def dashboard_data() -> tuple[pd.DataFrame, str]:
    """The data the dashboard shows, and a few words naming it.

    The files in ``SRS_ANALYTICS_DATA`` (loaded and validated by
    :func:`srs_analytics.load`), else the bundled synthetic sample.
    """
    from ..datasets import load_sample
    from ..io import load

    paths = [p for p in os.environ.get(DATA_VARIABLE, "").split(os.pathsep) if p]
    if not paths:
        return load_sample(), "the synthetic sample"
    return load(paths).data, ", ".join(Path(p).name for p in paths)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def voila_command(port: int, notebook: str = DASHBOARD_NOTEBOOK) -> list[str]:
    """The command that serves ``notebook`` with Voila on 127.0.0.1:``port``."""
    return [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
            "--Voila.ip=127.0.0.1", "--theme=light", "--show_tracebacks=False"]


class Dashboard:
    """A Voila server of the dashboard, in its own process group; a context manager.

    Parameters
    ----------
    paths : sequence of str, optional
        The exports to show (default: the bundled synthetic sample).
    port : int, optional
        Default: a free port.
    log : path or "-", optional
        Where the server's output goes: a file, ``"-"`` for this process's own output
        (default: discarded).

    Examples
    --------
    >>> with Dashboard() as board:  # doctest: +SKIP
    ...     board.wait()
    ...     print(board.url)
    """

    def __init__(self, paths=(), *, port: int | None = None, log=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = dict(os.environ)
        env.pop(DATA_VARIABLE, None)
        if paths:
            env[DATA_VARIABLE] = os.pathsep.join(str(Path(p).resolve()) for p in paths)
        self._log = (None if log == "-" else open(log, "wb") if log  # noqa: SIM115
                     else subprocess.DEVNULL)
        self.process = subprocess.Popen(voila_command(self.port), env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)

    def wait(self, timeout: float = 60.0) -> None:
        """Wait until the server answers; raise ``RuntimeError`` if it ended or timed out."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"the dashboard server ended with {self.process.returncode}")
            try:  # any HTTP answer will do: asking for the page would run the notebook
                with urllib.request.urlopen(self.url + "voila/static/", timeout=2):
                    return
            except urllib.error.HTTPError:
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"the dashboard server did not answer on {self.url} in "
                           f"{timeout:g} s")

    def stop(self) -> None:
        """Stop the server and everything it started (its kernels): the process group."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            except ProcessLookupError:
                pass
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()

    def __enter__(self) -> Dashboard:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m srs_analytics.app.server [PATH...] [--port N]``: serve until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="python -m srs_analytics.app.server",
                                     description="Serve the srs-analytics dashboard on "
                                     "127.0.0.1 with Voila.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="exports to show (default: the bundled synthetic sample)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8866),
                        help="the port (default: $PORT, else 8866)")
    args = parser.parse_args(argv)
    if args.paths:  # bad input is said here, plainly, not as an error page in the browser
        from ..io import LoadError, load

        try:
            load(args.paths)
        except LoadError as exc:
            print(f"srs-analytics: {exc}", file=sys.stderr)
            return 2
    # a kill (SIGTERM) ends the server as Ctrl+C does: its kernels are stopped too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    board = Dashboard(args.paths, port=args.port, log="-")
    try:
        board.wait(120)
        print(f"The dashboard is at {board.url}  (Ctrl+C stops it)", flush=True)
        return board.process.wait()
    except RuntimeError as exc:
        print(f"srs-analytics: {exc}. Is port {args.port} in use? Try PORT=8899 make dashboard",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        board.stop()


if __name__ == "__main__":
    sys.exit(main())
