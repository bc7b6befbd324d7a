"""The clinician's view in Jupyter, in the browser and as HTML files.

- :mod:`srs_analytics.app.page`: what a page about one client shows (pure pandas);
- :mod:`srs_analytics.app.reports`: self-contained HTML reports (Jinja2, matplotlib);
- :mod:`srs_analytics.app.views`: ipywidgets views and the dashboard's tabs (the ``app``
  extra: ``pip install "srs-analytics[app]"``);
- :mod:`srs_analytics.app.server`: serving the dashboard with Voila, and JupyterLab.

Import the module you need; importing this package imports none of them.
"""
