"""Parameter descriptions that many functions share, written once (as seaborn's
``_docstrings.py`` does).

A docstring holds a placeholder on a line of its own; :func:`fill` replaces it:

- ``{columns}``: one entry for each keyword-only column parameter of the function, in the
  order of its signature, with its canonical default (the vocabulary below);
- ``{data}``, ``{model}``, ``{instruments}``: the shared entries below. Lines indented
  under the placeholder continue that entry's description.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Mapping
from types import MappingProxyType

#: The column parameters every analysis uses, with what each column holds.
COLUMNS: Mapping[str, str] = MappingProxyType({
    "client": "the client, the person the rating is about",
    "episode": "the episode of care; clients seen together (a couple, a family) share one",
    "clinician": "the clinician who saw the client",
    "session": "the session number, 1-based within the episode",
    "date": "the session date",
    "measure": "the measure (ORS, CORS, YCORS, SRS, CSRS, GSRS, CGSRS)",
    "rater": 'who rated: ``"self"``, or a collateral rater\'s role (parent, teacher...)',
    "total": "the total score",
    "items": "the four item columns, in the measure's item order",
    "imputed": "True where the items were back-filled from a total, not rated",
    "age_group": "the client's age group (young_child, child, adolescent, adult)",
    "comment": "free-text comment of the session",
    "status": "the episode status (open, closed_planned, closed_unplanned)",
    "site": "the service location",
    "group": "the therapy group, for group measures",
    "format": "how the measure was given (paper, digital, verbal)",
    "setting": "where the session took place (in_person, telehealth)",
})

_SHARED: Mapping[str, str] = MappingProxyType({
    "data": """\
data : pandas.DataFrame
    The canonical table, one row per administration, as :func:`srs_analytics.load`
    returns it (or :func:`srs_analytics.load_sample`).""",
    "model": """\
model : ExpectedResponse, optional
    A fitted expected treatment response (:func:`srs_analytics.fit_expected`), on an
    agency's history say, read with its own settings; when omitted it is fitted on
    ``data`` itself.""",
    "instruments": """\
instruments : mapping, default :data:`srs_analytics.INSTRUMENTS`
    The measures, with their ranges and default cutoffs.""",
})

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<key>\w+)\}[ \t]*$", re.MULTILINE)


def _columns(func: Callable) -> str:
    lines = []
    for name, p in inspect.signature(func).parameters.items():
        if p.kind is p.KEYWORD_ONLY and name in COLUMNS:
            default = p.default if isinstance(p.default, str) else tuple(p.default)
            kind = "str" if isinstance(default, str) else "tuple of four str"
            shown = f'"{default}"' if isinstance(default, str) else repr(default)
            lines += [f"{name} : {kind}, default {shown}", f"    Column of {COLUMNS[name]}."]
    if not lines:
        raise ValueError(f"{func.__qualname__} has no column parameters for {{columns}}")
    return "\n".join(lines)


def fill(func: Callable) -> Callable:
    """Replace the placeholders in ``func``'s docstring; unknown placeholders raise."""
    def replace(match: re.Match) -> str:
        key = match["key"]
        if key == "columns":
            block = _columns(func)
        elif key in _SHARED:
            block = _SHARED[key]
        else:
            raise KeyError(f"unknown docstring placeholder {{{key}}} in {func.__qualname__}")
        return textwrap.indent(block, match["indent"])

    if func.__doc__:
        func.__doc__ = _PLACEHOLDER.sub(replace, func.__doc__)
    return func
