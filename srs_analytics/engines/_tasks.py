"""Each command an engine runs, as its two kinds of work.

- **parameters that need all the data**, each computed per partition into a small
  additive summary and combined on the driver into one small value: the expected-response
  model (:func:`srs_analytics.expected_counts`, then :func:`srs_analytics.fit_expected`
  on the counts) and, where reliable change is Jacobson-Truax or a cutoff is computed,
  the intake norms (:func:`srs_analytics.intake_counts`, :func:`srs_analytics.intake_norms`);
- **work that needs one unit's rows**: the command's own function, run on each partition
  (whole units) with those parameters; its tables are put together on the driver
  (:attr:`Task.finish`: sorted as the pandas function sorts them, or, for the caseload,
  :func:`srs_analytics.caseload_table` on the partitions' parts).

The pandas engine runs the same functions on the whole table in one process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..outcomes import OutcomeSettings

#: The commands an engine runs.
COMMANDS = ("clients", "alerts", "couples", "groups", "caseload", "research-export")


@dataclass(frozen=True)
class Params:
    """What the partitions are sent: the model and the intake norms (None when unused)."""

    model: object = None
    norms: object = None


@dataclass(frozen=True)
class Task:
    """A command: its per-partition function, what it needs, how its tables are joined.

    ``run(data, params)`` takes the canonical rows of whole units; ``finish(table)`` takes
    the partitions' tables concatenated. ``model`` and ``norms`` say which parameters it
    needs.
    """

    command: str
    run: Callable[[pd.DataFrame, Params], pd.DataFrame]
    finish: Callable[[pd.DataFrame], pd.DataFrame]
    model: bool = False
    norms: bool = False
    options: dict = field(default_factory=dict)


def needs_norms(settings) -> bool:
    """Whether any OutcomeSettings within ``settings`` computes norms from the data."""
    return any(_computes(o) for o in _outcome_settings(settings))


def _computes(o: OutcomeSettings) -> bool:
    jt = o.method == "jt" and o.sd_intake is None
    kind = isinstance(o.cutoff, str) and o.cutoff != "default"
    return (jt or kind) and getattr(o, "norms", None) is None


def _outcome_settings(settings):
    if isinstance(settings, OutcomeSettings):
        yield settings
    elif dataclasses.is_dataclass(settings) and not isinstance(settings, type):
        for f in dataclasses.fields(settings):
            yield from _outcome_settings(getattr(settings, f.name))


def with_norms(settings, norms):
    """``settings`` with ``norms`` given to every OutcomeSettings in it that computes them."""
    if norms is None or settings is None:
        return settings
    if isinstance(settings, OutcomeSettings):
        return dataclasses.replace(settings, norms=norms) if _computes(settings) \
            else settings
    if dataclasses.is_dataclass(settings) and not isinstance(settings, type):
        changes = {f.name: with_norms(getattr(settings, f.name), norms)
                   for f in dataclasses.fields(settings)
                   if dataclasses.is_dataclass(getattr(settings, f.name))}
        return dataclasses.replace(settings, **changes) if changes else settings
    return settings


def _sorted(keys):
    def finish(table: pd.DataFrame) -> pd.DataFrame:
        keep = [k for k in keys if k in table.columns]
        return table.sort_values(keep, kind="stable", ignore_index=True) if keep else \
            table.reset_index(drop=True)
    return finish


def task(command: str, **options) -> Task:
    """The :class:`Task` of ``command`` with its options (the keyword arguments of the
    package function behind it; see :func:`srs_analytics.engines.run`)."""
    if command == "clients":
        from ..clients import ClientSettings, client_table

        s = options.get("settings") or ClientSettings()

        def run(data, p):
            return client_table(data, settings=with_norms(s, p.norms), model=p.model)
        return Task(command, run, _sorted(["client_id", "episode_id"]), model=True,
                    norms=needs_norms(s), options=options)
    if command == "alerts":
        from ..alerting import AlertSettings, alerts

        s = options.get("settings") or AlertSettings()
        kw = {k: options[k] for k in ("since", "clinicians", "min_severity", "latest_only")
              if k in options}

        def run(data, p):
            return alerts(data, settings=with_norms(s, p.norms), model=p.model, **kw)
        return Task(command, run, _alert_order, model=True, norms=needs_norms(s),
                    options=options)
    if command == "couples":
        from ..couples import CoupleSettings, couple_episodes, couple_sessions

        s = options.get("settings") or CoupleSettings()
        table = options.get("table", "sessions")
        func = couple_sessions if table == "sessions" else couple_episodes

        def run(data, p):
            return func(data, settings=with_norms(s, p.norms))
        keys = ["episode_id", "_family", "session_number"] if table == "sessions" else \
            ["episode_id", "_family"]
        return Task(command, run, _by_family(keys), norms=needs_norms(s), options=options)
    if command == "groups":
        from ..groups import GroupSettings, group_members, group_sessions

        s = options.get("settings") or GroupSettings()
        table = options.get("table", "sessions")
        func = group_sessions if table == "sessions" else group_members

        def run(data, p):
            return func(data, settings=s)
        keys = ["group_id", "measure", "group_session"] if table == "sessions" else \
            ["group_id", "measure", "client_id", "group_session"]
        return Task(command, run, _sorted(keys), options=options)
    if command == "caseload":
        from ..caseload import CaseloadSettings, caseload_parts, caseload_table

        s = options.get("settings") or CaseloadSettings()
        by, start, end = options.get("by", ("clinician",)), options.get("start"), \
            options.get("end")

        def run(data, p):
            return caseload_parts(data, by=by, start=start, end=end,
                                  settings=with_norms(s, p.norms), model=p.model)

        def finish(parts):
            return caseload_table(parts, by=by, settings=s)
        return Task(command, run, finish, model=True, norms=needs_norms(s), options=options)
    if command == "research-export":
        from ..deidentification import deidentify

        key, dates = options["key"], options.get("dates", "relative")

        def run(data, p):
            return deidentify(data, key, dates=dates)
        return Task(command, run, _sorted(["client_id", "episode_id", "session_number",
                                           "measure", "rater"]), options=options)
    raise ValueError(f"command must be one of {', '.join(COMMANDS)}; got {command!r}")


def _by_family(keys):
    def finish(table: pd.DataFrame) -> pd.DataFrame:
        from ..instruments import ALLIANCE, INSTRUMENTS

        alliance = [k for k, i in INSTRUMENTS.items() if i.family == ALLIANCE]
        family = (~table["measure"].astype("str").isin(alliance)).astype("int8")
        return _sorted(keys)(table.assign(_family=family)).drop(columns="_family")
    return finish


def _alert_order(table: pd.DataFrame) -> pd.DataFrame:
    """Alerts in the order :func:`srs_analytics.alerts` gives them: severity (critical
    first), date (latest first, unknown last), client, episode, session (latest first),
    rule; within a rule, the order of the partition."""
    from ..alerting import RULES, SEVERITIES

    order = pd.DataFrame({
        "_sev": -pd.Categorical(table["severity"].astype("str"), SEVERITIES).codes,
        "_date": table["session_date"], "_c": table["client_id"], "_e": table["episode_id"],
        "_s": table["session_number"],
        "_rule": pd.Categorical(table["rule"].astype("str"), list(RULES)).codes},
        index=table.index)
    order = order.sort_values(["_sev", "_date", "_c", "_e", "_s", "_rule"],
                              ascending=[True, False, True, True, False, True],
                              na_position="last", kind="stable")
    return table.loc[order.index].reset_index(drop=True)


def parameters(data: pd.DataFrame, t: Task, expected_settings=None) -> pd.DataFrame:
    """The additive summaries of one partition, as one frame with a ``_kind`` column."""
    parts = []
    if t.model:
        from ..expected import expected_counts

        parts.append(expected_counts(data, settings=expected_settings)
                     .assign(_kind="expected"))
    if t.norms:
        from ..outcomes import intake_counts

        parts.append(intake_counts(data).assign(_kind="norms"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"_kind": []})


def combine(summaries: pd.DataFrame, t: Task, expected_settings=None) -> Params:
    """The parameters from the partitions' summaries."""
    model = norms = None
    if t.model:
        from ..expected import fit_expected

        counts = summaries[summaries["_kind"] == "expected"].drop(columns="_kind")
        model = fit_expected(None, counts=counts, settings=expected_settings)
    if t.norms:
        from ..outcomes import intake_norms

        counts = summaries[summaries["_kind"] == "norms"].drop(columns="_kind")
        norms = intake_norms(counts)
    return Params(model=model, norms=norms)
