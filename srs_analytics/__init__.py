"""srs-analytics: load, validate and analyse SRS/ORS feedback data (PCOMS / FIT).

The measures, the rules and their sources are described in ``docs/measures-and-rules.md``.
All bundled data is synthetic (:func:`load_sample`). Importing the package loads no
plotting or widget library.
"""

from .alerting import RULES, AlertSettings, alerts
from .alliance import AllianceSettings, client_alliance, session_alliance
from .clients import ClientSettings, client_table
from .datasets import load_sample
from .expected import ExpectedResponse, ExpectedSettings, expected_status, fit_expected
from .instruments import INSTRUMENTS, Instrument
from .io import REASONS, LoadError, LoadResult, LoadSettings, load
from .notes import NoteSettings, progress_note, progress_notes
from .outcomes import OutcomeSettings, client_outcomes, session_outcomes
from .schema import CANONICAL_COLUMNS, CANONICAL_SCHEMA, COLUMN_DOCS
from .synthetic import simulate
from .triage import AttentionSettings, attention, open_episodes

__all__ = [
    "CANONICAL_COLUMNS", "CANONICAL_SCHEMA", "COLUMN_DOCS", "INSTRUMENTS", "REASONS", "RULES",
    "AlertSettings", "AllianceSettings", "AttentionSettings", "ClientSettings",
    "ExpectedResponse", "ExpectedSettings", "Instrument", "LoadError", "LoadResult",
    "LoadSettings", "NoteSettings", "OutcomeSettings", "alerts", "attention",
    "client_alliance", "client_outcomes", "client_table", "expected_status", "fit_expected",
    "load", "load_sample", "open_episodes", "progress_note", "progress_notes",
    "session_alliance", "session_outcomes", "simulate",
]
__version__ = "0.1.0"
