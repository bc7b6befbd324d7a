"""The PCOMS measures: what each one is, its items, ranges, cutoffs and codes.

Everything here is plain data a user can override: build a new :class:`Instrument` with
:func:`dataclasses.replace` and pass a modified ``instruments`` mapping to the functions
that accept one.

The item wording is copyrighted (ORS 2000 Miller and Duncan; SRS 2002 Miller, Duncan and
Johnson); this module ships short labels only, never the item text.

References
----------
Miller, S. D., Duncan, B. L., Brown, J., Sparks, J. A. and Claud, D. A. (2003). The Outcome
Rating Scale. Journal of Brief Therapy, 2(2), 91-100.
Duncan, B. L. et al. (2003). The Session Rating Scale. Journal of Brief Therapy, 3(1), 3-12.
Duncan, B. L. et al. (2006). The Child Outcome Rating Scale. Journal of Brief Therapy, 5(2).
Quirk, K. et al. (2013). Evaluating the Group Session Rating Scale.
OpenFIT knowledge base KA-01028 and KA-01031 (adult ORS cutoff 25, child 32, SRS 36).
CORC measure pages (age ranges). NHS Digital MHSDS reference data (SNOMED CT codes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "AGE_GROUPS",
    "ALLIANCE",
    "INSTRUMENTS",
    "OUTCOME",
    "Instrument",
    "measure_from_snomed",
]

OUTCOME = "outcome"
ALLIANCE = "alliance"

#: Age groups used for default cutoffs, with their age ranges in years (CORC measure pages).
AGE_GROUPS: Mapping[str, tuple[int, int | None]] = MappingProxyType(
    {"young_child": (0, 5), "child": (6, 12), "adolescent": (13, 17), "adult": (18, None)}
)


@dataclass(frozen=True)
class Instrument:
    """One PCOMS measure.

    Attributes
    ----------
    code : str
        The short name used in the ``measure`` column (``"ORS"``, ``"SRS"``, ...).
    name : str
        The full name.
    family : str
        ``"outcome"`` (how life is going) or ``"alliance"`` (how the session felt).
    items : tuple of str
        Short labels of the items in the canonical order ``item_1`` .. ``item_4``; empty for
        a measure with a single rating (YCORS).
    item_range : tuple of float
        Lowest and highest value of one item (a 10 cm line scored 0-10).
    total_range : tuple of float
        Lowest and highest total.
    ages : str
        Who it is for.
    cutoffs : mapping
        Default clinical cutoff by age group. For outcome measures a total *below* the
        cutoff is in the clinical range; for alliance measures a total below it is low.
    cutoff_sources : mapping
        Where each cutoff comes from, or a note that no primary source was found.
    snomed : str or None
        SNOMED CT code of the total score, international edition.
    snomed_uk : str or None
        The older UK-edition code of the total score.
    """

    code: str
    name: str
    family: str
    items: tuple[str, ...]
    item_range: tuple[float, float]
    total_range: tuple[float, float]
    ages: str
    cutoffs: Mapping[str, float] = field(default_factory=dict)
    cutoff_sources: Mapping[str, str] = field(default_factory=dict)
    snomed: str | None = None
    snomed_uk: str | None = None

    def __post_init__(self):
        # read-only all the way down: a caller cannot change a cutoff for everyone
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "item_range", tuple(self.item_range))
        object.__setattr__(self, "total_range", tuple(self.total_range))
        for name in ("cutoffs", "cutoff_sources"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def n_items(self) -> int:
        """Number of items (0 for a single-rating measure)."""
        return len(self.items)

    def cutoff_group(self, age_group: str | None = "adult") -> str | None:
        """The age group whose cutoff applies: the client's own where the measure has one,
        else the measure's first (adult for an ORS of unknown age); ``None`` without a
        cutoff.

        Examples
        --------
        >>> INSTRUMENTS["ORS"].cutoff_group("adolescent"), INSTRUMENTS["ORS"].cutoff_group(None)
        ('adolescent', 'adult')
        """
        if not self.cutoffs:
            return None
        return age_group if age_group in self.cutoffs else next(iter(self.cutoffs))

    def cutoff(self, age_group: str | None = "adult") -> float | None:
        """The default cutoff for an age group (see :meth:`cutoff_group`), or ``None`` where
        the measure has none.

        Examples
        --------
        >>> INSTRUMENTS["ORS"].cutoff("adult"), INSTRUMENTS["CORS"].cutoff("child")
        (25.0, 32.0)
        """
        group = self.cutoff_group(age_group)
        return None if group is None else self.cutoffs[group]


_OUTCOME_ITEMS = ("individual", "interpersonal", "social", "overall")
_ALLIANCE_ITEMS = ("relationship", "goals_topics", "approach_method", "overall")
_OPENFIT = "OpenFIT knowledge base KA-01028 / KA-01031"
_NO_NORM = "no separate norm found; the SRS cutoff of 36 is used (OpenFIT KA-01031)"

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {
        "ORS": Instrument(
            "ORS", "Outcome Rating Scale", OUTCOME, _OUTCOME_ITEMS, (0.0, 10.0), (0.0, 40.0),
            "13 and over",
            cutoffs={"adult": 25.0, "adolescent": 28.0},
            cutoff_sources={
                "adult": _OPENFIT,
                "adolescent": "widely taught; no primary source found",
            },
            snomed="716613004", snomed_uk="960251000000100",
        ),
        "CORS": Instrument(
            "CORS", "Child Outcome Rating Scale", OUTCOME, _OUTCOME_ITEMS, (0.0, 10.0),
            (0.0, 40.0), "6 to 12",
            cutoffs={"child": 32.0}, cutoff_sources={"child": _OPENFIT},
            snomed="718458005", snomed_uk="960321000000103",
        ),
        "YCORS": Instrument(
            "YCORS", "Young Child Outcome Rating Scale", OUTCOME, (), (1.0, 4.0), (1.0, 4.0),
            "under 6; pictorial, one rating, not scored against a cutoff (NHS codes it 1-4)",
            snomed="718461006", snomed_uk="960391000000100",
        ),
        "SRS": Instrument(
            "SRS", "Session Rating Scale", ALLIANCE, _ALLIANCE_ITEMS, (0.0, 10.0), (0.0, 40.0),
            "13 and over",
            cutoffs={"adult": 36.0, "adolescent": 36.0}, cutoff_sources={"adult": _OPENFIT},
            snomed="720482000", snomed_uk="960451000000101",
        ),
        "CSRS": Instrument(
            "CSRS", "Child Session Rating Scale", ALLIANCE, _ALLIANCE_ITEMS, (0.0, 10.0),
            (0.0, 40.0), "6 to 12",
            cutoffs={"child": 36.0}, cutoff_sources={"child": _NO_NORM},
            snomed="718762000", snomed_uk="1036271000000108",
        ),
        "GSRS": Instrument(
            "GSRS", "Group Session Rating Scale", ALLIANCE, _ALLIANCE_ITEMS, (0.0, 10.0),
            (0.0, 40.0), "group members, 13 and over",
            cutoffs={"adult": 36.0}, cutoff_sources={"adult": _NO_NORM},
            snomed="718441000", snomed_uk="960711000000108",
        ),
        "CGSRS": Instrument(
            "CGSRS", "Child Group Session Rating Scale", ALLIANCE, _ALLIANCE_ITEMS, (0.0, 10.0),
            (0.0, 40.0), "group members, 6 to 12",
            cutoffs={"child": 36.0}, cutoff_sources={"child": _NO_NORM},
            snomed="718431003", snomed_uk="960771000000103",
        ),
    }
)


def measure_from_snomed(
    code: str, instruments: Mapping[str, Instrument] = INSTRUMENTS
) -> str | None:
    """The measure whose total score has this SNOMED CT code (either edition).

    Examples
    --------
    >>> measure_from_snomed("720482000"), measure_from_snomed("960251000000100")
    ('SRS', 'ORS')
    """
    code = str(code).strip()
    for inst in instruments.values():
        if code in (inst.snomed, inst.snomed_uk):
            return inst.code
    return None


def snomed_map(instruments: Mapping[str, Instrument] = INSTRUMENTS) -> dict[str, str]:
    """Every SNOMED CT total-score code (both editions) mapped to its measure."""
    out = {}
    for inst in instruments.values():
        for code in (inst.snomed, inst.snomed_uk):
            if code:
                out[code] = inst.code
    return out
