"""The bundled sample data: a SYNTHETIC caseload, shipped inside the package.

Every file here is synthetic: :func:`srs_analytics.simulate` invented the 300 clients of
``caseload.csv`` (their clinicians, sites, dates, scores and comments), and
``messy_export.csv`` was typed by hand to hold the defects of real exports. None of it
comes from a real person or service. ``data/sample/`` in the repository holds the same
caseload in every export format, built from this one (``make sample``).

Examples
--------
>>> from srs_analytics.datasets import load_sample, sample_path
>>> data = load_sample()
>>> len(data), data["client_id"].nunique(), data["clinician_id"].nunique()
(3537, 300, 8)
>>> sample_path("messy_export.csv").name
'messy_export.csv'
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["SAMPLE_FILES", "load_sample", "sample_path"]

#: The files shipped here, with what each holds.
SAMPLE_FILES = (
    ("caseload.csv", "the synthetic caseload as a canonical table: 300 clients, 3,537 "
                     "administrations of ORS, CORS, YCORS, SRS, CSRS and GSRS"),
    ("messy_export.csv", "a hand-typed export with the defects of real files (title rows, "
                         "decimal commas, day-first dates, bad cells): 60 administrations, "
                         "6 rejected"),
)


def sample_path(name: str = "caseload.csv") -> Path:
    """The path of a bundled sample file (see :data:`SAMPLE_FILES`).

    Raises
    ------
    ValueError
        For a name that is not a bundled file.
    """
    names = [n for n, _ in SAMPLE_FILES]
    if name not in names:
        raise ValueError(f"name must be one of {', '.join(map(repr, names))}; got {name!r}")
    return Path(str(resources.files(__name__).joinpath(name)))


@lru_cache(maxsize=1)
def _sample() -> pd.DataFrame:
    from ..io import load  # the loader validates the file, as it does any export

    return load(sample_path()).data


def load_sample() -> pd.DataFrame:
    """The SYNTHETIC sample caseload as a canonical table (a fresh copy on every call).

    300 invented clients seen by 8 clinicians at 3 sites over a year: adults on the ORS and
    SRS, children on the CORS and CSRS, young children on the YCORS, couples and a family
    sharing an episode, a GSRS group, a few parent and teacher ratings. Made by
    ``srs_analytics.simulate(300, seed=2026)``.

    Returns
    -------
    pandas.DataFrame
        The canonical table, as :func:`srs_analytics.load` returns it.
    """
    return _sample().copy()
