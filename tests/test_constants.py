"""Public constants are read-only all the way down: a caller cannot change a cutoff, a
reason or a column list for everyone by accident."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from types import MappingProxyType

import pyarrow as pa
import pytest

import srs_analytics
from srs_analytics import INSTRUMENTS, OutcomeSettings, client_outcomes, load_sample

_FROZEN = (str, bytes, int, float, complex, bool, type(None), frozenset, pa.DataType)


def _mutable_parts(value, where, seen):
    """Where below ``value`` a mutable container sits ([] when none does)."""
    if id(value) in seen or isinstance(value, _FROZEN) or callable(value):
        return []
    seen.add(id(value))
    if isinstance(value, MappingProxyType):
        return [p for k, v in value.items() for p in _mutable_parts(v, f"{where}[{k!r}]", seen)]
    if isinstance(value, tuple):
        return [p for i, v in enumerate(value) for p in _mutable_parts(v, f"{where}[{i}]", seen)]
    if dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen:
        return [p for f in dataclasses.fields(value)
                for p in _mutable_parts(getattr(value, f.name), f"{where}.{f.name}", seen)]
    return [f"{where} ({type(value).__name__})"]


def _public_constants():
    for info in pkgutil.walk_packages(srs_analytics.__path__, "srs_analytics."):
        module = importlib.import_module(info.name)
        for name in dir(module):
            if name.isupper() and not name.startswith("_"):
                yield f"{info.name}.{name}", getattr(module, name)


CONSTANTS = dict(_public_constants())


@pytest.mark.parametrize("name", sorted(CONSTANTS))
def test_constant_is_read_only_all_the_way_down(name):
    value = CONSTANTS[name]
    if name.endswith("CANONICAL_SCHEMA"):
        pytest.skip("a pandera schema object; its checks are not data a caller edits")
    assert _mutable_parts(value, name, set()) == []


def test_changing_a_cutoff_raises_and_changes_nothing():
    before = client_outcomes(load_sample())["cutoff"].value_counts().to_dict()
    with pytest.raises(TypeError):
        INSTRUMENTS["ORS"].cutoffs["adult"] = 20  # type: ignore[index]
    with pytest.raises(TypeError):
        srs_analytics.REASONS["new"] = "x"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        OutcomeSettings().rci = 1  # type: ignore[misc]
    assert client_outcomes(load_sample())["cutoff"].value_counts().to_dict() == before
