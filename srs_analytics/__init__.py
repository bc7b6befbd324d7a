"""srs-analytics: load, validate and analyse SRS/ORS feedback data (PCOMS / FIT)."""

from .instruments import INSTRUMENTS, Instrument
from .schema import CANONICAL_COLUMNS, CANONICAL_SCHEMA

__all__ = ["CANONICAL_COLUMNS", "CANONICAL_SCHEMA", "INSTRUMENTS", "Instrument"]
__version__ = "0.1.0"
