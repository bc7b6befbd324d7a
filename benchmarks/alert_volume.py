"""How many alerts a clinician gets: the alert volume on the bundled synthetic sample.

Usage::

    python benchmarks/alert_volume.py

Reports, for :func:`srs_analytics.load_sample`: the alerts per session by severity (a
session is a client's session number in an episode), the share of sessions with a warning
or worse, the alerts per clinician-week (median and the busiest week), and the share of
clients with an open episode on the attention list (:func:`srs_analytics.attention`), with
the clients the old "latest rating with a warning" view listed for comparison. Issue 8 asks
for at most about one alert per session and a warning or worse in well under half of the
sessions.
"""

from __future__ import annotations

import srs_analytics as srs
from srs_analytics.alerting import SEVERITIES


def main() -> None:
    data = srs.load_sample()
    model = srs.fit_expected(data)
    found = srs.alerts(data, model=model)
    key = ["client_id", "episode_id", "session_number"]
    n = len(data.drop_duplicates(key))
    counts = found["severity"].value_counts()
    print(f"sample: {len(data):,} administrations, {n:,} sessions, {len(found):,} alerts "
          f"({len(found) / n:.2f} per session)")
    print("  per session: " + ", ".join(f"{k} {counts.get(k, 0) / n:.3f}"
                                        for k in reversed(SEVERITIES)))
    serious = found[found["severity"] >= "warning"].drop_duplicates(key)
    print(f"  sessions with a warning or worse: {len(serious) / n:.1%}; with any alert: "
          f"{len(found.drop_duplicates(key)) / n:.1%}")
    week = found["session_date"].dt.to_period("W")
    per_week = found.groupby([found["clinician_id"], week]).size()
    (who, when), most = per_week.idxmax(), per_week.max()
    print(f"  alerts per clinician-week: median {per_week.median():g}, busiest {most} "
          f"({who}, week of {when.start_time:%d %b %Y})")
    print("  by rule: " + ", ".join(f"{k} {v}" for k, v in found["rule"].value_counts().items()))

    episodes = srs.open_episodes(data)
    is_open = episodes.set_index(["client_id", "episode_id"])["open"]
    listed = srs.attention(data, model=model)
    n_open = int(is_open.sum())
    print(f"attention list: {len(listed)} of {n_open} clients with an open episode "
          f"({len(listed) / max(n_open, 1):.0%}); " + ", ".join(
              f"{k} {v}" for k, v in listed["severity"].value_counts().items() if v))
    old = srs.alerts(data, model=model, latest_only=True, min_severity="warning")
    pairs = old[["client_id", "episode_id"]].drop_duplicates()
    ended = (~is_open.reindex(list(pairs.itertuples(index=False, name=None)))).sum()
    print(f"  the latest-rating view (alerts(latest_only=True, min_severity='warning')) lists "
          f"{len(pairs)} client episodes, {ended} of them not open")


if __name__ == "__main__":
    main()
