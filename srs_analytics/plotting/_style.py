"""The look of every chart: one colour, line style and marker for each kind of thing drawn,
and an opt-in style (a context manager, never set at import).

Colours are seaborn's ``colorblind`` palette (after Wong 2011, Nature Methods 8:441), and
every series also differs by line style and marker, so a chart reads in black and white
and for a colour-blind reader. The caseload, couples and research charts take their looks
from here too.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

#: seaborn's colour-blind-safe palette (Wong 2011), by role.
COLORS: Mapping[str, str] = MappingProxyType({
    "outcome": "#0173B2",    # blue
    "alliance": "#DE8F05",   # orange
    "collateral": "#029E73",  # green
    "alert": "#D55E00",      # vermillion
    "expected": "#CC78BC",   # pink
    "band": "#949494",       # grey
    "text": "#222222",
})


@dataclass(frozen=True)
class Look:
    """How one kind of series is drawn: colour, line style, marker, fill of the marker."""

    color: str
    linestyle: str
    marker: str
    filled: bool = True

    def line_kwargs(self) -> dict:
        """Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for this look."""
        return {"color": self.color, "linestyle": self.linestyle, "marker": self.marker,
                "markerfacecolor": self.color if self.filled else "white",
                "markeredgecolor": self.color, "linewidth": 2, "markersize": 7}


#: The looks of the series, by kind. Outcome solid with circles, alliance dashed with
#: squares, collateral ratings dotted with open triangles; cutoffs are thin lines in the
#: colour of their measure, dash-dot for the outcome cutoff and dotted for the alliance one.
LOOKS: Mapping[str, Look] = MappingProxyType({
    "outcome": Look(COLORS["outcome"], "-", "o"),
    "alliance": Look(COLORS["alliance"], "--", "s"),
    "collateral": Look(COLORS["collateral"], ":", "^", filled=False),
    "outcome_cutoff": Look(COLORS["outcome"], "-.", ""),
    "alliance_cutoff": Look(COLORS["alliance"], ":", ""),
    "expected": Look(COLORS["expected"], (0, (5, 2, 1, 2)), ""),
})

#: Markers of the sessions with an alert, by severity: large open shapes drawn around the
#: rating, so they read without colour.
ALERT_MARKERS: Mapping[str, Mapping[str, object]] = MappingProxyType({
    "warning": MappingProxyType({"marker": "D", "s": 160, "facecolors": "none",
                                 "edgecolors": COLORS["alert"], "linewidths": 1.8}),
    "critical": MappingProxyType({"marker": "X", "s": 220, "facecolors": COLORS["alert"],
                                  "edgecolors": "black", "linewidths": 0.8}),
})

#: Hatches of the bands, so they differ without colour.
HATCHES: Mapping[str, str] = MappingProxyType({"reliable_change": "", "expected": "//"})

#: The outcome categories (Jacobson and Truax 1991), best first: blue for better,
#: grey for unchanged, orange to vermillion for worse, and each its own marker and hatch,
#: so the categories read without colour.
CATEGORY_LOOKS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "recovered": MappingProxyType({"color": "#0173B2", "marker": "o", "hatch": ""}),
    "improved": MappingProxyType({"color": "#56B4E9", "marker": "^", "hatch": ".."}),
    "unchanged": MappingProxyType({"color": "#C8C8C8", "marker": "s", "hatch": ""}),
    "deteriorated": MappingProxyType({"color": "#DE8F05", "marker": "v", "hatch": "//"}),
    "harmed": MappingProxyType({"color": "#D55E00", "marker": "X", "hatch": "xx"}),
})

#: The lines of the groups of a caseload chart (clinicians, sites, ...), in turn: the
#: colour-blind-safe palette (black and grey are kept for the whole service and bands)
#: and a marker each, so that two groups never share both.
GROUP_COLORS = ("#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161",
                "#56B4E9", "#ECE133", "#FBAFE4")
GROUP_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
#: The whole service (or the whole sample), drawn over the groups: thick, black.
SERVICE_LOOK = Look("#222222", "-", "o")

_RC = {"figure.dpi": 100, "savefig.dpi": 100, "axes.titleweight": "bold",
       "axes.titlesize": "medium", "legend.frameon": False, "svg.fonttype": "none"}


@contextlib.contextmanager
def chart_style(context: str = "notebook", font_scale: float = 1.0) -> Iterator[None]:
    """Use the package's chart style inside a ``with`` block, and nothing outside it.

    seaborn's ``whitegrid`` style and its ``colorblind`` palette, in the given seaborn
    plotting context (``"paper"``, ``"notebook"``, ``"talk"``, ``"poster"``). Charts never
    change the global matplotlib settings themselves.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["axes.grid"]
    >>> with chart_style():
    ...     inside = mpl.rcParams["axes.grid"]
    >>> inside, mpl.rcParams["axes.grid"] == before
    (True, True)
    """
    # only our keys are restored (matplotlib's rc_context would restore "interactive" too,
    # and switch off the inline figures of a Jupyter kernel)
    saved = {k: mpl.rcParams[k] for k in _RC}
    with sns.axes_style("whitegrid"), sns.plotting_context(context, font_scale=font_scale), \
            sns.color_palette("colorblind"):
        mpl.rcParams.update(_RC)
        try:
            yield
        finally:
            mpl.rcParams.update(saved)


def axes(ax=None, figsize=(8, 4.5)):
    """``ax``, or the axes of a new figure of ``figsize`` inches."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def group_look(i: int) -> dict:
    """Keyword arguments of :meth:`~matplotlib.axes.Axes.plot` for the ``i``-th group."""
    color = GROUP_COLORS[i % len(GROUP_COLORS)]
    return {"color": color, "marker": GROUP_MARKERS[i % len(GROUP_MARKERS)],
            "linestyle": "-", "linewidth": 1.3, "markersize": 5, "markeredgecolor": color}


def figure_of(ax):
    """The figure of an Axes, or of the first of an array of Axes (a chart of panels)."""
    if hasattr(ax, "figure"):
        return ax.figure
    return next(iter(np.ravel(ax))).figure


def figure_bytes(fig, fmt: str = "png", *, dpi: int = 100) -> bytes:
    """A figure saved to bytes (``"png"`` or ``"svg"``), for a report or a widget."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight", facecolor="white")
    return buf.getvalue()
