"""The measures of docs/measures-and-rules.md and the canonical schema."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from srs_analytics import CANONICAL_SCHEMA, COLUMN_DOCS, INSTRUMENTS, LoadSettings, load
from srs_analytics.instruments import measure_from_snomed
from srs_analytics.schema import CANONICAL_COLUMNS, empty_canonical

# docs/measures-and-rules.md: SNOMED CT total-score codes, current and older UK edition
SNOMED = {"ORS": ("716613004", "960251000000100"), "SRS": ("720482000", "960451000000101"),
          "CORS": ("718458005", "960321000000103"), "CSRS": ("718762000", "1036271000000108"),
          "GSRS": ("718441000", "960711000000108"), "CGSRS": ("718431003", "960771000000103"),
          "YCORS": ("718461006", "960391000000100")}


def test_every_measure_with_both_snomed_editions():
    assert set(INSTRUMENTS) == set(SNOMED)
    for code, (intl, uk) in SNOMED.items():
        inst = INSTRUMENTS[code]
        assert (inst.snomed, inst.snomed_uk) == (intl, uk)
        assert measure_from_snomed(intl) == measure_from_snomed(uk) == code


def test_families_items_and_cutoffs_from_domain_md():
    ors, srs = INSTRUMENTS["ORS"], INSTRUMENTS["SRS"]
    assert ors.family == "outcome" and srs.family == "alliance"
    assert ors.items == ("individual", "interpersonal", "social", "overall")
    assert srs.items == ("relationship", "goals_topics", "approach_method", "overall")
    assert (ors.cutoff("adult"), ors.cutoff("adolescent")) == (25, 28)
    assert INSTRUMENTS["CORS"].cutoff("child") == 32
    assert srs.cutoff("adult") == 36 and INSTRUMENTS["CSRS"].cutoff("child") == 36
    assert INSTRUMENTS["YCORS"].cutoff() is None and INSTRUMENTS["YCORS"].n_items == 0
    assert "no primary source" in ors.cutoff_sources["adolescent"]
    for inst in INSTRUMENTS.values():
        assert inst.total_range[1] <= 40
        for group in inst.cutoffs:
            assert group in inst.cutoff_sources or inst.code == "SRS"


def test_instruments_are_read_only_data_that_can_be_overridden(write):
    with pytest.raises(TypeError):
        INSTRUMENTS["ORS"] = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        INSTRUMENTS["ORS"].item_range = (0, 100)
    # a service that codes the young child's pictorial rating 0-4 instead of NHS's 1-4
    zero_based = dataclasses.replace(INSTRUMENTS["YCORS"], item_range=(0, 4),
                                     total_range=(0, 4))
    custom = {**INSTRUMENTS, "YCORS": zero_based}
    path = write("f.csv", "client,date,measure,total\nA,2026-03-02,YCORS,0\n")
    assert load(path).report["by_reason"] == {"out_of_range": 1}
    res = load(path, settings=LoadSettings(instruments=custom))
    assert res.report["loaded"] == 1 and res.data.loc[0, "total"] == 0


def test_every_canonical_column_is_documented_in_the_schema():
    assert CANONICAL_COLUMNS == tuple(COLUMN_DOCS)
    for name in CANONICAL_COLUMNS:
        assert CANONICAL_SCHEMA.columns[name].description == COLUMN_DOCS[name]
    assert CANONICAL_SCHEMA.columns["comment"].metadata == {"sensitive": True}
    CANONICAL_SCHEMA.validate(empty_canonical())


def test_schema_rejects_what_the_loader_never_produces(small_caseload):
    CANONICAL_SCHEMA.validate(small_caseload)
    bad = small_caseload.copy()
    bad.loc[0, "total"] = 41.0
    with pytest.raises(Exception, match="total"):
        CANONICAL_SCHEMA.validate(bad)
    bad = small_caseload.assign(session_date=pd.NaT,
                                session_number=pd.array([pd.NA] * len(small_caseload),
                                                        dtype="Int64"))
    with pytest.raises(Exception, match="session"):
        CANONICAL_SCHEMA.validate(bad)
