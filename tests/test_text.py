"""Text built for whole tables (srs_analytics._text). All data here is synthetic."""

from __future__ import annotations

import numpy as np

from srs_analytics import _text as tx


def test_numbers_match_the_one_number_formatter(rng):
    """The table-wide formatter writes every number as :func:`number` does."""
    x = np.concatenate([
        rng.uniform(-50, 50, 20_000), np.round(rng.uniform(-50, 50, 20_000), 1),
        np.round(rng.uniform(0, 40, 20_000), 2), rng.integers(-100, 100, 500).astype(float),
        [0.0, -0.0, -0.001, 0.005, 0.015, 2.675, 1.005, 1e6, 999_999.995, 1234567.125,
         1e14, 9.999e14, 1e15, -1e15, 1e300, np.inf, -np.inf, np.nan]])
    for decimals in (2, 6, 0):
        got = tx.numbers(x, decimals).to_pylist()
        with np.errstate(invalid="ignore"):  # rounded first, as the table's values are
            rounded = np.where(np.abs(x) < 1e15, np.round(x, decimals), x)
        assert got == [tx.number(v, decimals) for v in rounded]
    assert tx.numbers([np.nan], missing=None).to_pylist() == [None]
