"""Draw the client chart shown in the README from the bundled SYNTHETIC sample
(``make readme-image``)."""

import sys

import matplotlib.pyplot as plt

import srs_analytics as srs
from srs_analytics.plotting import chart_style, client_chart, items_chart

data = srs.load_sample()
model = srs.fit_expected(data)
with chart_style():
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7.2), layout="constrained",
                                      height_ratios=(2.2, 1))
    client_chart(data, "C00092", model=model, ax=top,
                 title="Client C00092 (synthetic sample): ORS and SRS over the sessions")
    items_chart(data, "C00092", ax=bottom)
    fig.savefig(sys.argv[1] if len(sys.argv) > 1 else "client_chart.png", dpi=100)
