"""Shared fixtures. All data here is synthetic."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

from srs_analytics.schema import coerce_canonical

# Property tests: deterministic in CI, a longer random search with HYPOTHESIS_PROFILE=deep.
settings.register_profile("default", max_examples=60)
settings.register_profile("ci", max_examples=60, derandomize=True)
settings.register_profile("deep", max_examples=1500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI")
                                     else "default"))


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file in a temporary folder and return its path."""

    def _write(name: str, content, encoding: str = "utf-8"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return _write


@pytest.fixture
def small_caseload():
    """Two clients, three sessions each, ORS and SRS: a tiny synthetic canonical table."""
    rows = []
    for c, base in (("C1", 15.0), ("C2", 22.0)):
        for s in range(1, 4):
            date = pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=s - 1)
            ors = [base / 4 + s * 0.5] * 3 + [base / 4 + s * 0.25]
            srs = [9.0, 9.5, 8.5, 9.0 + s * 0.2]
            for m, items in (("ORS", ors), ("SRS", srs)):
                rows.append({"client_id": c, "episode_id": "E" + c, "clinician_id": "T1",
                             "session_date": date, "session_number": s, "measure": m,
                             "rater": "self", **{f"item_{i+1}": round(v, 1)
                                                 for i, v in enumerate(items)}})
    df = pd.DataFrame(rows)
    df["total"] = df[["item_1", "item_2", "item_3", "item_4"]].sum(axis=1).round(1)
    return coerce_canonical(df)


# Charts draw off screen, and every figure a test makes is closed after it.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


# --- the browser: the dashboard served by Voila, opened in Debian's Chromium ----------------
#: Where Debian's chromium package puts the browser (CHROMIUM overrides it).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Flags for a headless Chromium in a container: no sandbox (root), no GPU, no network
#: traffic of its own.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")


@pytest.fixture(scope="session")
def chromium():
    """The path of Chromium. Skipped where it is missing, except in CI (CI=true): there the
    browser tests must run, so a missing Chromium fails."""
    if not os.path.exists(CHROMIUM):
        how = ("Chromium is missing: install it with `apt-get install -y chromium` (as root; "
               ".ci/run does this) or set CHROMIUM to its path")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(how)
        pytest.skip(how)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    """A headless Chromium driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True,
                              args=list(CHROMIUM_ARGS))
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory):
    """The dashboard served by Voila on 127.0.0.1 and a free port, on the synthetic sample;
    stopped (its process group killed) after the tests. Its log: ``voila.log`` beside."""
    from srs_analytics.app.server import Dashboard

    log = tmp_path_factory.mktemp("dashboard") / "voila.log"
    board = Dashboard(port=None, log=log)
    try:
        board.wait(120)
        yield board
    finally:
        board.stop()


@pytest.fixture
def page(browser):
    """A fresh browser page, closed after the test."""
    p = browser.new_page(viewport={"width": 1300, "height": 1600})
    try:
        yield p
    finally:
        p.close()
