"""srs-analytics: load, validate and analyse SRS/ORS feedback data (PCOMS / FIT).

The measures, the rules and their sources are described in ``docs/measures-and-rules.md``.
All bundled data is synthetic (:func:`load_sample`). Importing the package loads no
plotting or widget library.
"""

from .alerting import RULES, AlertSettings, alerts
from .alliance import AllianceSettings, client_alliance, session_alliance
from .caseload import (
    CaseloadSettings,
    attention_summary,
    caseload_parts,
    caseload_summary,
    caseload_table,
    suppress_small_cells,
)
from .clients import ClientSettings, client_table
from .collateral import collateral_agreement, collateral_sessions
from .comparison import clinician_comparison
from .completion import completion_trend, srs_completion
from .couples import CoupleSettings, couple_episodes, couple_sessions
from .datasets import load_sample
from .deidentification import deidentify, read_key, write_research_export
from .expected import (
    ExpectedResponse,
    ExpectedSettings,
    expected_counts,
    expected_status,
    fit_expected,
)
from .groups import GroupSettings, group_members, group_sessions
from .instruments import INSTRUMENTS, Instrument
from .io import REASONS, LoadError, LoadResult, LoadSettings, load
from .notes import NoteSettings, progress_note, progress_notes
from .outcomes import (
    IntakeNorms,
    OutcomeSettings,
    client_outcomes,
    intake_counts,
    intake_norms,
    session_outcomes,
)
from .research import (
    ResearchSettings,
    alliance_correlations,
    alliance_outcome_table,
    ceiling_raters,
    next_ors_model,
    outcome_by_alliance,
    research_table,
    srs_by_context,
)
from .schema import CANONICAL_COLUMNS, CANONICAL_SCHEMA, COLUMN_DOCS
from .synthetic import simulate
from .triage import AttentionSettings, attention, open_episodes

__all__ = [
    "CANONICAL_COLUMNS", "CANONICAL_SCHEMA", "COLUMN_DOCS", "INSTRUMENTS", "REASONS", "RULES",
    "AlertSettings", "AllianceSettings", "AttentionSettings", "CaseloadSettings",
    "ClientSettings", "CoupleSettings", "ExpectedResponse", "ExpectedSettings",
    "GroupSettings", "Instrument", "IntakeNorms", "LoadError",
    "LoadResult", "LoadSettings", "NoteSettings", "OutcomeSettings", "ResearchSettings",
    "alerts", "alliance_correlations", "alliance_outcome_table", "attention",
    "attention_summary", "caseload_parts", "caseload_summary", "caseload_table",
    "ceiling_raters", "client_alliance", "client_outcomes",
    "client_table", "clinician_comparison", "collateral_agreement", "collateral_sessions",
    "completion_trend", "couple_episodes", "couple_sessions", "deidentify",
    "expected_counts", "expected_status", "fit_expected", "group_members", "group_sessions",
    "intake_counts", "intake_norms", "load", "load_sample", "next_ors_model",
    "open_episodes", "outcome_by_alliance", "progress_note", "progress_notes", "read_key",
    "research_table", "session_alliance", "session_outcomes", "simulate", "srs_by_context",
    "srs_completion", "suppress_small_cells", "write_research_export",
]
__version__ = "0.1.0"
