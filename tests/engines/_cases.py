"""The cases the engine tests share: commands with their options, and how two tables are
compared. All data is synthetic."""

from __future__ import annotations

import pandas as pd

from srs_analytics.caseload import CaseloadSettings
from srs_analytics.clients import ClientSettings
from srs_analytics.outcomes import OutcomeSettings

KEY = b"synthetic test key, 32 bytes or more"

CASES = {
    "clients": ("clients", {}),
    "clients-jt": ("clients", {"settings": ClientSettings(outcome=OutcomeSettings(
        method="jt", cutoff="c"))}),
    "alerts": ("alerts", {}),
    "alerts-latest": ("alerts", {"min_severity": "warning", "latest_only": True}),
    "couples": ("couples", {}),
    "couples-episodes": ("couples", {"table": "episodes"}),
    "groups": ("groups", {}),
    "groups-members": ("groups", {"table": "members"}),
    "caseload": ("caseload", {"by": ("clinician", "month")}),
    "caseload-jt": ("caseload", {"by": (), "settings": CaseloadSettings(
        episodes="all", outcome=OutcomeSettings(method="jt"))}),
    "research-export": ("research-export", {"key": KEY}),
}


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The same table: columns, rows in order, values (categoricals read as their text)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for col in a.columns:
        x, y = a[col], b[col]
        if isinstance(x.dtype, pd.CategoricalDtype) or isinstance(y.dtype,
                                                                 pd.CategoricalDtype):
            x, y = x.astype("str"), y.astype("str")
        pd.testing.assert_series_equal(x, y, check_dtype=False, check_exact=False,
                                       rtol=1e-12, atol=1e-12, obj=f"column {col}")
