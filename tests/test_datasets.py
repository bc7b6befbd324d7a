"""The bundled sample travels with the package. All data here is synthetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from srs_analytics import load, load_sample
from srs_analytics.datasets import SAMPLE_FILES, sample_path

REPO_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_the_sample_is_the_canonical_caseload():
    data = load_sample()
    assert (len(data), data["client_id"].nunique(), data["clinician_id"].nunique()) == (
        3537, 300, 8)
    assert set(data["measure"]) == {"ORS", "CORS", "YCORS", "SRS", "CSRS", "GSRS"}


def test_each_call_gives_a_fresh_copy():
    first = load_sample()
    first.loc[0, "total"] = -1.0
    assert load_sample().loc[0, "total"] != -1.0


@pytest.mark.parametrize("name", [n for n, _ in SAMPLE_FILES])
def test_the_repository_sample_folder_holds_the_same_files(name):
    assert sample_path(name).read_bytes() == (REPO_SAMPLE / name).read_bytes()


def test_the_packaged_messy_export_gives_its_documented_counts():
    r = load(sample_path("messy_export.csv")).report
    assert (r["rows_read"], r["rejected"]) == (60, 6)


def test_an_unknown_name_is_refused():
    with pytest.raises(ValueError, match="caseload.csv"):
        sample_path("nope.csv")
