"""One vocabulary for every analysis: the conventions later layers copy are checked here,
so a new analysis that breaks them fails a test (STYLE: `data` first, keyword-only column
names whose defaults are the canonical names, `settings=` and `model=`)."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.schema import CANONICAL_COLUMNS, ITEM_COLUMNS

ANALYSES = [srs.client_outcomes, srs.session_outcomes, srs.session_alliance,
            srs.client_alliance, srs.fit_expected, srs.expected_status, srs.alerts,
            srs.progress_notes, srs.progress_note, srs.client_table,
            srs.caseload_summary, srs.caseload_parts, srs.srs_completion,
            srs.completion_trend,
            srs.clinician_comparison, srs.alliance_outcome_table, srs.alliance_correlations,
            srs.next_ors_model, srs.outcome_by_alliance, srs.ceiling_raters,
            srs.srs_by_context, srs.research_table, srs.deidentify, srs.attention_summary,
            srs.couple_sessions, srs.couple_episodes, srs.group_sessions, srs.group_members,
            srs.collateral_sessions, srs.collateral_agreement]
#: keyword -> canonical column, for every column keyword any analysis takes
COLUMN_KEYWORDS = {"client": "client_id", "episode": "episode_id", "clinician": "clinician_id",
                   "session": "session_number", "date": "session_date", "measure": "measure",
                   "rater": "rater", "total": "total", "items": tuple(ITEM_COLUMNS),
                   "imputed": "items_imputed", "age_group": "age_group",
                   "status": "episode_status", "comment": "comment", "site": "site",
                   "group": "group_id", "format": "format", "setting": "setting"}


@pytest.mark.parametrize("func", ANALYSES, ids=lambda f: f.__name__)
def test_data_first_then_keyword_only_canonical_columns(func):
    params = inspect.signature(func).parameters
    assert next(iter(params)) == "data"
    for name, default in COLUMN_KEYWORDS.items():
        if name in params:
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
            assert params[name].default == default, name
    for name in ("settings", "model"):
        if name in params:
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert set(COLUMN_KEYWORDS.values()) - {tuple(ITEM_COLUMNS)} <= set(CANONICAL_COLUMNS)


@pytest.mark.parametrize("func", [f for f in ANALYSES if f not in (srs.progress_note,
                                                                    srs.deidentify)],
                         ids=lambda f: f.__name__)
def test_a_missing_column_gives_one_message_that_names_the_keyword(func):
    data = srs.load_sample().drop(columns="client_id")
    with pytest.raises(ValueError, match=r"data lacks the column\(s\) client='client_id'"):
        func(data)


def test_the_expected_model_has_one_name():
    takes_model = [f for f in ANALYSES if "model" in inspect.signature(f).parameters]
    assert {f.__name__ for f in takes_model} >= {"expected_status", "alerts", "client_table"}
    for func in ANALYSES:
        assert "expected" not in inspect.signature(func).parameters


def test_output_columns_follow_the_names_the_caller_passed():
    data = srs.load_sample().rename(columns={"total": "score", "client_id": "person"})
    out = srs.expected_status(data, client="person", total="score")
    assert {"person", "score"} <= set(out.columns)
    assert not {"client_id", "total"} & set(out.columns)


def test_the_change_from_intake_has_one_name():
    data = srs.load_sample()
    tables = [srs.client_outcomes(data), srs.session_outcomes(data), srs.client_table(data),
              srs.expected_status(data)]
    for table in tables:
        assert "ors_change" in table.columns
        assert not {"change", "change_from_intake"} & set(table.columns)


def test_result_objects_have_a_summary_property_and_an_html_view():
    data = srs.load_sample()
    results = [srs.load(data), srs.fit_expected(data)]
    for result in results:
        assert isinstance(type(result).summary, property)
        assert isinstance(result.summary, pd.DataFrame) and len(result.summary)
        assert "<table" in result._repr_html_()
