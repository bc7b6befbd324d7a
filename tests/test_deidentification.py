"""The de-identified export: keyed pseudonyms (stable with a key, different with another,
not reversible by a lookup of plain ids), no dates, no free text, formula cells
neutralised, a data dictionary beside it, and the key never written. All data here is
synthetic."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.deidentification import (
    MIN_KEY_BYTES,
    KeyFileError,
    data_dictionary,
    deidentify,
    pseudonyms,
    read_key,
    write_research_export,
)
from srs_analytics.io import neutralise
from srs_analytics.schema import coerce_canonical

KEY = b"3f9c1e7a5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d"
OTHER = b"a different key of more than thirty-two bytes, 0123456789"


@pytest.fixture(scope="module")
def sample():
    return srs.load_sample()


@pytest.fixture(scope="module")
def export(sample):
    return deidentify(sample, KEY)


# --------------------------------------------------------------------------- the key
@pytest.mark.parametrize("content, message", [
    (None, "does not exist"), (b"", "is empty"), (b"  \n", "is empty"),
    (b"short key", "holds 9 bytes; a key needs at least 32"),
    (b"a" * 40, "fewer than 8 distinct characters"),
])
def test_a_bad_key_file_is_refused_with_how_to_make_one(tmp_path, content, message):
    path = tmp_path / "research.key"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(KeyFileError, match=message) as info:
        read_key(path)
    assert "secrets.token_hex(32)" in str(info.value)


def test_a_key_file_is_read_without_its_trailing_newline(tmp_path):
    path = tmp_path / "research.key"
    path.write_bytes(KEY + b"\n")
    assert read_key(path) == KEY and len(KEY) >= MIN_KEY_BYTES
    assert deidentify(srs.load_sample().head(20), path).equals(
        deidentify(srs.load_sample().head(20), KEY))


def test_a_key_given_as_text_is_taken_for_a_path_not_used_as_a_key(sample):
    with pytest.raises(KeyFileError, match="does not exist"):
        deidentify(sample.head(5), KEY.decode())
    with pytest.raises(TypeError, match="key must be"):
        deidentify(sample.head(5), 12345)


# --------------------------------------------------------------------------- pseudonyms
def test_pseudonyms_are_stable_with_a_key_and_different_with_another(sample, export):
    again = deidentify(sample, KEY)
    pd.testing.assert_frame_equal(export, again)
    other = deidentify(sample, OTHER)
    assert set(export["client_id"]).isdisjoint(other["client_id"])
    assert export["client_id"].nunique() == sample["client_id"].nunique()
    assert export["episode_id"].nunique() == sample["episode_id"].nunique()
    assert export["clinician_id"].nunique() == sample["clinician_id"].nunique()
    # a later export with the same key links the same client
    later = deidentify(sample[sample["client_id"] == "C00007"], KEY)
    assert later["client_id"].iloc[0] in set(export["client_id"])


def test_pseudonyms_are_not_a_lookup_of_plain_ids(sample, export):
    """Hashing every plain id without the key (or with an empty key, or the id itself)
    finds none of the pseudonyms."""
    ids = sample["client_id"].unique()
    pseudo = set(export["client_id"].str[2:])
    tries = set()
    for i in ids:
        for message in (i, f"C\x1f{i}"):
            tries.add(hashlib.sha256(message.encode()).hexdigest()[:16])
            tries.add(hmac.new(b"", message.encode(), hashlib.sha256).hexdigest()[:16])
        tries.add(i.lower())
    assert not pseudo & tries
    assert not any(i in p for i in ids for p in list(pseudo)[:50])


def test_the_same_id_as_client_and_clinician_gets_unrelated_pseudonyms():
    a, b = pseudonyms(["X1"], KEY, "C")[0], pseudonyms(["X1"], KEY, "T")[0]
    assert a[2:] != b[2:]


# --------------------------------------------------------------------------- content
def test_nothing_identifying_is_left(sample, export):
    extra = sample.assign(client_name="Jane Doe", date_of_birth="1990-01-01",
                          comment="Mentioned her sister Jane", age=34)
    out = deidentify(extra, KEY)
    assert list(out.columns) == list(export.columns)
    for gone in ("comment", "source_file", "source_row", "session_date", "client_name",
                 "date_of_birth", "age"):
        assert gone not in out.columns
    text = out.to_csv(index=False)
    for word in ("Jane", "1990", "caseload.csv", "C00001", "T01", "North", "2025-"):
        assert word not in text


def test_days_since_the_episode_start(sample, export):
    assert export["days_since_start"].min() == 0
    first = sample.groupby("episode_id")["session_date"].transform("min")
    days = sorted((sample["session_date"] - first).dt.days)
    assert sorted(export["days_since_start"]) == days
    by_episode = export.groupby("episode_id")["days_since_start"].min()
    assert (by_episode == 0).all()


def test_shifted_dates_keep_the_intervals_of_each_client(sample):
    out = deidentify(sample, KEY, dates="shift", max_shift_days=30)
    assert "days_since_start" not in out.columns
    one = sample[sample["client_id"] == "C00003"].sort_values(["session_number", "measure"])
    pseudo = pseudonyms(["C00003"], KEY, "C")[0]
    moved = out[out["client_id"] == pseudo].sort_values(["session_number", "measure"])
    shift = (moved["session_date"].to_numpy() - one["session_date"].to_numpy())
    assert len(set(shift)) == 1
    days = pd.Timedelta(shift[0]).days
    assert days != 0 and abs(days) <= 30


def test_raters_are_reduced_to_their_role(sample):
    rows = sample.head(3).assign(rater=["self", "Parent", "Mum (Jane Smith)"])
    out = deidentify(rows, KEY)
    assert sorted(out["rater"]) == ["other", "parent", "self"]


def test_text_that_a_spreadsheet_would_run_is_neutralised(sample):
    rows = coerce_canonical(sample.head(4)).assign(
        format=["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "paper"],
        setting=["-2+3", "in_person", "\tcmd", "in_person"])
    out = deidentify(rows, KEY)
    assert sorted(out["format"]) == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "+1", "paper"]
    assert set(out["setting"]) == {"'-2+3", "in_person", "'\tcmd"}
    assert (out["total"] >= 0).all()  # numbers are left alone
    # the one rule of every writer: a plain number as text is a number to a spreadsheet
    plain = neutralise(pd.DataFrame({"x": ["-5", "-5+1", "ok"], "y": [-5, 1, 2]}))
    assert plain["x"].tolist() == ["-5", "'-5+1", "ok"] and plain["y"].tolist() == [-5, 1, 2]


# --------------------------------------------------------------------------- files
@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_the_export_and_its_dictionary_are_written_and_the_key_is_not(sample, tmp_path,
                                                                        suffix):
    out, dictionary = write_research_export(sample, KEY, tmp_path / f"share{suffix}")
    assert out.exists() and dictionary.name == "share_dictionary.csv"
    d = pd.read_csv(dictionary)
    back = pd.read_csv(out) if suffix == ".csv" else (
        pd.read_parquet(out) if suffix == ".parquet" else pd.read_excel(out))
    assert d["column"].tolist()[:-1] == list(back.columns)
    assert d["description"].str.len().gt(10).all()
    for f in tmp_path.iterdir():
        blob = f.read_bytes()
        assert KEY not in blob and KEY.decode() not in blob.decode("latin-1")


def test_the_dictionary_says_what_was_removed(export):
    d = data_dictionary(export)
    assert d["column"].iloc[-1] == "(removed)"
    assert "comments" in d["description"].iloc[-1]
    assert d.set_index("column").loc["days_since_start", "type"] == "integer"
