"""Private statistics the caseload and the research analyses share: intervals of a share
and of a mean, the reference regression of change on intake, and effect sizes per group.

Everything works on whole columns (grouped sums), never on one group at a time. scipy and
statsmodels are imported inside the functions, so that ``import srs_analytics`` stays
light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def wilson(k, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the share ``k / n``; NaN where ``n`` is 0.

    Wilson (1927), the interval :func:`statsmodels.stats.proportion.proportion_confint`
    gives with ``method="wilson"`` (``tests/test_caseload.py`` checks both against
    Newcombe 1998). Written out here because importing statsmodels and scipy.stats takes
    seconds, longer than a caseload table of a million rows.

    >>> low, high = wilson([8], [10])
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.4902, 0.9433)
    """
    from scipy.special import ndtri

    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    z = ndtri(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    ok = n > 0
    return np.where(ok, centre - half, np.nan), np.where(ok, centre + half, np.nan)


def t_interval(mean, sd, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The t interval of a mean: ``mean +- t(n - 1) * sd / sqrt(n)``; NaN below n = 2.

    >>> low, high = t_interval([5.0], [2.0], [16])
    >>> round(float(low[0]), 3), round(float(high[0]), 3)
    (3.934, 6.066)
    """
    from scipy.special import stdtrit  # the t quantile, without importing scipy.stats

    mean, sd, n = (np.asarray(v, dtype=float) for v in (mean, sd, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stdtrit(np.where(n >= 2, n - 1, 1), 0.5 + confidence / 2) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def reference_fit(severity, change) -> tuple[float, float]:
    """Intercept and slope of the least-squares line of change on severity (NaN, NaN with
    fewer than three points or no spread of severity)."""
    x, y = np.asarray(severity, dtype=float), np.asarray(change, dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if len(x) < 3 or np.ptp(x) == 0:
        return np.nan, np.nan
    xc = x - x.mean()
    slope = (xc * (y - y.mean())).sum() / (xc * xc).sum()
    return float(y.mean() - slope * x.mean()), float(slope)


def adjusted_change(severity, change, reference) -> np.ndarray:
    """Severity-adjusted change: observed change minus the change predicted from the
    intake, plus the mean change, all from the ``reference`` rows (a boolean mask).

    This is the numerator of the severity-adjusted effect size (Seidel, Miller and Chow
    2014): the residualised gain of each case added to the reference sample's mean change.
    Rows outside the reference get an adjusted change too (from the same line).
    """
    x, y = np.asarray(severity, dtype=float), np.asarray(change, dtype=float)
    ref = np.asarray(reference, dtype=bool) & ~(np.isnan(x) | np.isnan(y))
    a, b = reference_fit(x[ref], y[ref])
    return y - (a + b * x) + (y[ref].mean() if ref.any() else np.nan)


def effect_sizes(frame: pd.DataFrame, keys: list, *, change: str, adjusted: str,
                 sd_ref: float, confidence: float = 0.95) -> pd.DataFrame:
    """Pre-post and severity-adjusted effect sizes per group, with t intervals.

    ``frame`` holds one row per case (a client's episode) of the effect-size set;
    ``keys`` are its group columns (empty: one row for all). Returns ``keys`` then
    ``n_es``, ``mean_change``, ``effect_size`` (mean change / ``sd_ref``) and its
    ``_low`` / ``_high``, ``severity_adjusted_es`` (mean adjusted change / ``sd_ref``)
    and its ``_low`` / ``_high``. The reference SD is a constant of the whole service, so
    the interval of an effect size is the t interval of its mean divided by it.
    """
    grouped = frame.groupby(keys, dropna=False, observed=True, sort=True) if keys else None
    stats = {}
    for name, col in (("c", change), ("a", adjusted)):
        if grouped is None:
            v = frame[col]
            stats[name] = pd.DataFrame({"n": [v.count()], "mean": [v.mean()],
                                        "sd": [v.std(ddof=1)]})
        else:
            stats[name] = grouped[col].agg(n="count", mean="mean", sd="std")
    c, a = stats["c"], stats["a"]
    out = pd.DataFrame(index=c.index)
    out["n_es"] = c["n"].to_numpy().astype(np.int64)
    out["mean_change"] = c["mean"].to_numpy()
    for name, s in (("effect_size", c), ("severity_adjusted_es", a)):
        low, high = t_interval(s["mean"], s["sd"], s["n"], confidence)
        out[name] = s["mean"].to_numpy() / sd_ref
        out[f"{name}_low"], out[f"{name}_high"] = low / sd_ref, high / sd_ref
    return out.reset_index() if keys else out.reset_index(drop=True)
