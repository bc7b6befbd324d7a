"""Charts (matplotlib and seaborn). Import this subpackage explicitly:
``import srs_analytics.plotting``; ``import srs_analytics`` loads no plotting library.

Every chart has a function that computes what to draw as a tidy table (``*_data``), one
that draws such a table (``draw_*``) and one that does both; each takes ``ax=None`` and
returns the Axes, and none calls ``plt.show()``. The style is opt-in: ``with
chart_style(): ...``.

- one client: :func:`client_chart`, :func:`items_chart`;
- the caseload: :func:`caseload_rates`, :func:`outcome_categories`,
  :func:`effect_sizes_chart`, :func:`jacobson_truax_chart`;
- research: :func:`alliance_outcome_chart`, :func:`pattern_outcome_chart`,
  :func:`within_between_chart`, :func:`estimates_chart`.
"""

from ._style import ALERT_MARKERS, COLORS, LOOKS, Look, chart_style, figure_bytes
from .caseload import (
    caseload_rates,
    caseload_rates_data,
    draw_caseload_rates,
    draw_effect_sizes,
    draw_outcome_categories,
    effect_sizes_chart,
    effect_sizes_data,
    outcome_categories,
    outcome_categories_data,
)
from .client import CHART_COLUMNS, LAYERS, client_chart, client_chart_data, draw_client_chart
from .items import ITEMS_COLUMNS, draw_items_chart, items_chart, items_chart_data
from .research import (
    alliance_outcome_chart,
    alliance_outcome_data,
    draw_alliance_outcome,
    draw_estimates,
    estimates_chart,
    estimates_data,
    pattern_outcome_chart,
    pattern_outcome_data,
    within_between_chart,
    within_between_data,
)
from .significance import draw_jacobson_truax, jacobson_truax_chart, jacobson_truax_data

__all__ = [
    "ALERT_MARKERS", "CHART_COLUMNS", "COLORS", "ITEMS_COLUMNS", "LAYERS", "LOOKS", "Look",
    "alliance_outcome_chart", "alliance_outcome_data", "caseload_rates",
    "caseload_rates_data", "chart_style", "client_chart", "client_chart_data",
    "draw_alliance_outcome", "draw_caseload_rates", "draw_client_chart",
    "draw_effect_sizes", "draw_estimates", "draw_items_chart", "draw_jacobson_truax",
    "draw_outcome_categories", "effect_sizes_chart", "effect_sizes_data", "estimates_chart",
    "estimates_data", "figure_bytes", "items_chart", "items_chart_data",
    "jacobson_truax_chart", "jacobson_truax_data", "outcome_categories",
    "outcome_categories_data", "pattern_outcome_chart", "pattern_outcome_data",
    "within_between_chart", "within_between_data",
]
