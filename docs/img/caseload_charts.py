"""Draw the charts of docs/caseload-view.md from the bundled SYNTHETIC sample
(``make readme-image``): the caseload rates, the Jacobson-Truax scatter, a couple's chart
and the alliance-outcome figure."""

import sys
from pathlib import Path

import matplotlib.pyplot as plt

import srs_analytics as srs
from srs_analytics.plotting import (
    alliance_outcome_chart,
    caseload_rates,
    chart_style,
    jacobson_truax_chart,
)
from srs_analytics.plotting._style import figure_of
from srs_analytics.plotting.couples import couple_chart

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
data = srs.load_sample()
model = srs.fit_expected(data)
charts = {
    "caseload_rates.png": lambda: caseload_rates(data, clinicians=["T03", "T07"], model=model),
    "jacobson_truax.png": lambda: jacobson_truax_chart(data),
    "couple_chart.png": lambda: couple_chart(data, "E00273"),
    "alliance_outcome.png": lambda: alliance_outcome_chart(
        data, settings=srs.ResearchSettings(n_boot=500)),
}
for name, draw in charts.items():
    with chart_style("paper" if name == "alliance_outcome.png" else "notebook"):
        fig = figure_of(draw())
        fig.savefig(out / name, dpi=80, bbox_inches="tight", facecolor="white")
        plt.close(fig)
