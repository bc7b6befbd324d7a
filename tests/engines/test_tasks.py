"""What the engines rely on, checked on pandas alone: every command's table has the same
columns and types whatever its partition holds (all the data, a few clients, none), and
the tables of partitions of whole units put together are the table of the whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _cases import CASES, same

import srs_analytics as srs
from srs_analytics.engines import _tasks
from srs_analytics.engines._dask import concat
from srs_analytics.units import unit_of_client, units


@pytest.fixture(scope="module")
def data():
    return srs.load_sample()


@pytest.fixture(scope="module")
def split(data):
    """The sample in three partitions of whole units, and an empty one."""
    table = units(data[["client_id", "episode_id", "group_id"]])
    bucket = unit_of_client(data, table, buckets=3)
    return [data[bucket == b].reset_index(drop=True) for b in range(3)] + [data.iloc[:0]]


def _params(t, parts):
    summaries = pd.concat([_tasks.parameters(p, t) for p in parts], ignore_index=True)
    return _tasks.combine(summaries, t)


@pytest.mark.parametrize("case", list(CASES))
def test_same_columns_and_types_whatever_the_partition(case, data):
    command, options = CASES[case]
    t = _tasks.task(command, **options)
    p = _tasks.combine(_tasks.parameters(data, t), t)
    whole = t.run(data, p)
    few = t.run(data[data["client_id"].isin(data["client_id"].unique()[:20])], p)
    none = t.run(srs.load_sample().iloc[:0], p)
    for other in (few, none):
        assert list(other.columns) == list(whole.columns)
        assert [str(d) for d in other.dtypes] == [str(d) for d in whole.dtypes] or all(
            isinstance(a, pd.CategoricalDtype) and isinstance(b, pd.CategoricalDtype)
            or a == b for a, b in zip(other.dtypes, whole.dtypes))


@pytest.mark.parametrize("case", list(CASES))
def test_partitions_put_together_are_the_whole(case, data, split):
    command, options = CASES[case]
    t = _tasks.task(command, **options)
    whole = t.finish(t.run(data, _tasks.combine(_tasks.parameters(data, t), t)))
    p = _params(t, split)
    parts = [t.run(part, p) for part in reversed(split)]  # any order
    same(whole, t.finish(concat(parts, parts[0].iloc[:0])))


def test_norms_reach_every_outcome_setting():
    s = srs.AlertSettings(outcome=srs.OutcomeSettings(method="jt"))
    assert _tasks.needs_norms(s)
    norms = srs.intake_norms(srs.intake_counts(srs.load_sample()))
    given = _tasks.with_norms(s, norms)
    assert given.outcome.norms is norms and not _tasks.needs_norms(given)
    assert not _tasks.needs_norms(srs.AlertSettings())
    assert np.isfinite(norms.table["sd"]).all()
