"""Charts (matplotlib and seaborn). Import this subpackage explicitly:
``import srs_analytics.plotting``; ``import srs_analytics`` loads no plotting library.

Every chart has a function that computes what to draw as a tidy table (``*_data``), one
that draws such a table (``draw_*``) and one that does both; each takes ``ax=None`` and
returns the Axes, and none calls ``plt.show()``. The style is opt-in: ``with
chart_style(): ...``.
"""

from ._style import ALERT_MARKERS, COLORS, LOOKS, Look, chart_style, figure_bytes
from .client import CHART_COLUMNS, LAYERS, client_chart, client_chart_data, draw_client_chart
from .items import ITEMS_COLUMNS, draw_items_chart, items_chart, items_chart_data

__all__ = [
    "ALERT_MARKERS", "CHART_COLUMNS", "COLORS", "ITEMS_COLUMNS", "LAYERS", "LOOKS", "Look",
    "chart_style", "client_chart", "client_chart_data", "draw_client_chart",
    "draw_items_chart", "figure_bytes", "items_chart", "items_chart_data",
]
