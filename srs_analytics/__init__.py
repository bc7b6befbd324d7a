"""srs-analytics: load, validate and analyse SRS/ORS feedback data (PCOMS / FIT).

All bundled data is synthetic. See ``../shared/DOMAIN.md`` for the measures and rules.
"""

from .instruments import INSTRUMENTS, Instrument
from .load import LoadResult, load
from .readers import LoadError
from .schema import CANONICAL_COLUMNS, CANONICAL_SCHEMA, COLUMN_DOCS
from .simulate import simulate
from .validation import REASONS, LoadSettings

__all__ = ["CANONICAL_COLUMNS", "CANONICAL_SCHEMA", "COLUMN_DOCS", "INSTRUMENTS",
           "Instrument", "LoadError", "LoadResult", "LoadSettings", "REASONS", "load",
           "simulate"]
__version__ = "0.1.0"
