"""A short, seeded mutation fuzz of the readers on every sample format (issue 7).

Every mutant must end loaded (with its counts adding up and nothing identifying in the
raw values) or refused with a LoadError; any other exception is a bug. ``make fuzz`` runs
the same loop for longer (``FUZZ_SECONDS``, default 600).
"""

from __future__ import annotations

import os

from _fuzz import FORMATS, run


def test_mutants_of_every_format_load_or_are_refused(tmp_path):
    seconds = float(os.environ.get("FUZZ_TEST_SECONDS", 24))  # 1.6 s per format
    summary = run(seconds, seed=20261202, folder=tmp_path)
    assert not summary.failures, summary.text()
    assert set(summary.outcomes) == set(FORMATS)
    for fmt, outcomes in summary.outcomes.items():
        assert sum(outcomes.values()) >= 2, (fmt, summary.text())
