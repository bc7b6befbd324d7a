"""The ``srs-analytics`` command line.

Bad input (a missing, unreadable or empty file, no recognisable columns, a wrong option)
prints a one-paragraph message and exits non-zero; it never shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import textwrap
from pathlib import Path

import pandas as pd

from . import __version__
from ._console import (
    format_alerts,
    format_attention,
    format_couple_episodes,
    format_couples,
    format_group_members,
    format_groups,
    plural,
    terminal_width,
)
from .io.readers import LoadError

OUTPUT_SUFFIXES = (".csv", ".tsv", ".parquet", ".xlsx")

def _load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files, folders or glob patterns, read in the order given")
    p.add_argument("--source", choices=["canonical", "wide", "openfit", "camcops", "mhsds"],
                   help="the source format (detected from the header when not given)")
    p.add_argument("--mapping", metavar="FILE", help="a JSON or YAML column mapping")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True,
                       help="dates are day-first (03/04/2026 is 3 April)")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="dates are month-first (03/04/2026 is March 4)")
    p.add_argument("--item-scale", choices=["points", "mm"],
                   help="items scored 0-10 (points) or 0-100 (mm); detected when not given")
    p.add_argument("--encoding", help="text encoding (detected when not given)")
    p.add_argument("--sheet", metavar="NAME",
                   help="read only this sheet of a workbook (default: every sheet that holds "
                   "ORS/SRS data; the others are skipped and reported)")
    p.add_argument("--keep-last", action="store_true",
                   help="for conflicting versions of an administration, load the version "
                   "from the file given last (default: hold both back)")
    p.add_argument("--keep-identifying", action="store_true",
                   help="keep columns that identify people (dropped by default)")
    p.add_argument("--as-of", metavar="DATE",
                   help="the day the data is checked as of (yyyy-mm-dd): sessions dated "
                   "after it are rejected (default: today); for 'attention' also the day "
                   "the list is drawn up (default: the latest session date in the data)")
    p.add_argument("--limit", action="append", metavar="NAME=N", default=[],
                   help="raise a cap on what a file may make the loader read, e.g. "
                   "max_columns=20000 (repeat for several; see ReadLimits)")


def _history_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--history", nargs="+", metavar="PATH",
                   help="fit the expected treatment response on these files (an agency's "
                   "history) and apply it to PATH (default: fit on PATH itself)")


def _expected_model(args, data):
    """The expected-response model: fitted on --history when given, else on the data."""
    from .expected import fit_expected
    from .io import load

    if not args.history:
        return fit_expected(data)
    history = load(args.history, source=args.source, mapping=args.mapping,
                   dayfirst=args.dayfirst, item_scale=args.item_scale, encoding=args.encoding,
                   as_of=args.as_of, settings=_load_settings(args))
    return fit_expected(history.data)


def _engine_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("engine", "data bigger than one machine (docs/scaling.md)")
    g.add_argument("--engine", choices=["pandas", "dask", "spark"], default="pandas",
                   help="pandas (default): one process; dask or spark: split by unit (a "
                   "client with the partners and group members seen with them) over "
                   "workers. Needs pip install 'srs-analytics[dask]' or '[spark]'")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask: an existing scheduler (tcp://host:8786); default: a local "
                   "cluster started and stopped here")
    g.add_argument("--workers", type=int, metavar="N",
                   help="dask's local cluster: worker processes (default: the cores)")
    g.add_argument("--memory-limit", metavar="SIZE",
                   help="dask's local cluster: memory per worker, e.g. 4GB")
    g.add_argument("--master", metavar="URL",
                   help="spark: local[*] (default), spark://host:7077 or a Spark Connect "
                   "address sc://host:15002")
    g.add_argument("--timeout", type=float, default=30, metavar="SECONDS",
                   help="how long to wait for a scheduler or master to answer (default 30)")
    g.add_argument("--work-dir", metavar="DIR",
                   help="where the engine keeps the loaded partitions between its steps "
                   "(default: a temporary folder; on a cluster, one the workers share)")


def _on_engine(args, command: str, model=None, **options):
    """Run a command on --engine dask or spark: the table, the loader's counts, the model."""
    from .engines import run

    if args.engine == "dask" and args.master:
        raise LoadError("--master is for --engine spark; Dask takes --scheduler.")
    if args.engine == "spark" and (args.scheduler or args.workers or args.memory_limit):
        raise LoadError("--scheduler, --workers and --memory-limit are for --engine dask; "
                        "Spark takes --master (local[N] for N cores).")
    if args.workers is not None and args.workers < 1:
        raise LoadError(f"--workers must be 1 or more; got {args.workers}.")
    if args.timeout <= 0:
        raise LoadError(f"--timeout must be more than 0 seconds; got {args.timeout:g}.")
    load_options = dict(source=args.source, mapping=args.mapping, dayfirst=args.dayfirst,
                        item_scale=args.item_scale, encoding=args.encoding, sheet=args.sheet,
                        keep_identifying=args.keep_identifying, as_of=args.as_of,
                        conflicts="last" if args.keep_last else "hold",
                        settings=_load_settings(args))
    if model is None and getattr(args, "history", None):
        model = _expected_model(args, None)
    res = run(command, args.paths if len(args.paths) > 1 else args.paths[0],
              engine=args.engine, scheduler=args.scheduler, workers=args.workers,
              memory_limit=args.memory_limit, master=args.master, timeout=args.timeout,
              progress=sys.stderr.isatty(), workdir=args.work_dir, load_options=load_options,
              model=model, **options)
    return res.table, res.report, res.params.model


def _parser() -> argparse.ArgumentParser:
    from .alerting import SEVERITIES
    from .instruments import INSTRUMENTS
    from .outcomes import OutcomeSettings

    parser = argparse.ArgumentParser(
        prog="srs-analytics",
        description="Load, validate and analyse SRS/ORS (PCOMS) feedback data.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("validate", help="check exports and summarise what would load")
    _load_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--rejected-out", metavar="FILE",
                   help="write the rejected rows (with reasons and raw values): .csv, .tsv, "
                   ".parquet or .xlsx")

    p = sub.add_parser("convert", help="write the canonical table")
    _load_options(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx; or a folder (DIR/) for "
                   "a Parquet data set")
    p.add_argument("--partition-by", metavar="KEYS",
                   help="write a Parquet data set in subfolders by these keys, comma-separated: "
                   "clinician, site, month, year, measure, rater, age_group, episode_status "
                   "(e.g. clinician,month); -o names the folder")

    p = sub.add_parser("clients", help="one row per client and episode: outcome, alliance, "
                       "expected response")
    _load_options(p)
    d = OutcomeSettings()  # the defaults, shown in --help as the library has them
    ors, cors = INSTRUMENTS["ORS"].cutoffs, INSTRUMENTS["CORS"].cutoffs
    p.add_argument("--method", choices=["points", "jt"], default=d.method,
                   help=f"reliable change: points (a fixed number of points, default "
                   f"{d.rci:g}) or jt (Jacobson-Truax); default {d.method}")
    p.add_argument("--rci", type=float, default=d.rci,
                   help=f"reliable change in points for --method points (default {d.rci:g})")
    p.add_argument("--reliability", type=float, default=d.reliability,
                   help=f"reliability for --method jt (default {d.reliability:g}, Miller et "
                   "al. 2003)")
    p.add_argument("--cutoff", default=d.cutoff,
                   help=f"clinical cutoff: default (by age group: {ors['adult']:g} adult, "
                   f"{ors['adolescent']:g} adolescent, {cors['child']:g} child), a, b, c "
                   "(Jacobson-Truax) or a number")
    p.add_argument("--functional-mean", type=float, default=d.functional_mean,
                   help=f"non-clinical mean for cutoffs b and c (default "
                   f"{d.functional_mean:g})")
    p.add_argument("--functional-sd", type=float, default=d.functional_sd,
                   help=f"non-clinical SD for cutoffs b and c (default {d.functional_sd:g})")
    _history_option(p)
    _engine_options(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx")

    p = sub.add_parser("alerts", help="one row per alert: low alliance, drops, false "
                       "reassurance, deterioration, off track...")
    _load_options(p)
    p.add_argument("--since", metavar="DATE",
                   help="only alerts on sessions from this date (yyyy-mm-dd) on")
    p.add_argument("--clinician", action="append", metavar="ID",
                   help="only this clinician's clients (repeat for several)")
    p.add_argument("--min-severity", choices=SEVERITIES,
                   help="only alerts of this severity or worse")
    p.add_argument("--latest-only", action="store_true",
                   help="only alerts on each episode's latest session")
    p.add_argument("--rules", metavar="NAMES",
                   help="comma-separated rules to run (default: all)")
    _history_option(p)
    _engine_options(p)
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx (default: print)")

    p = sub.add_parser("attention", help="who needs attention now: one line per client with "
                       "an open episode whose latest session holds a warning or worse")
    _load_options(p)  # its --as-of is also the day the list is drawn up
    p.add_argument("--clinician", action="append", metavar="ID",
                   help="only this clinician's clients (repeat for several)")
    _history_option(p)
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx (default: print)")

    p = sub.add_parser("note", help="print the progress-note line of a session")
    _load_options(p)
    p.add_argument("--client", required=True, metavar="ID", help="the client")
    p.add_argument("--session", type=int, metavar="N", help="session number (default: latest)")
    p.add_argument("--episode", metavar="ID", help="the episode, when the client has several")

    p = sub.add_parser("report", help="write self-contained HTML pages: the caseload report "
                       "for the director, linking a page per client (charts, alerts and "
                       "suggestions, the progress-note line); or only the pages of --client "
                       "or --clinician")
    _load_options(p)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--client", action="append", metavar="ID",
                     help="only this client's page, their latest episode (repeat for "
                     "several)")
    who.add_argument("--clinician", metavar="ID",
                     help="only the pages of every client whose latest session was with "
                     "this clinician")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the folder to write the pages and index.html to")
    p.add_argument("--from", dest="start", metavar="DATE",
                   help="caseload report: first day of the period (yyyy-mm-dd)")
    p.add_argument("--to", dest="end", metavar="DATE",
                   help="caseload report: last day of the period; the attention list is "
                   "drawn up on it (or on the last session, if sooner)")
    p.add_argument("--by", default="clinician", metavar="NAME",
                   help="caseload report: one line or bar per clinician (default), site, "
                   "age_group, service_type, format or setting; 'none' for the service only")
    p.add_argument("--suppress-below", type=int, metavar="K",
                   help="caseload report: in the clinician comparison and the caseload "
                   "table, counts under K shown as <K and the figures derived from them "
                   "withheld")
    p.add_argument("--client-pages", default="all", metavar="WHICH",
                   help="caseload report: all (default): a page for every client seen in "
                   "the period; attention: for those on the attention list; a number N: "
                   "for its N most urgent; none")
    _history_option(p)

    p = sub.add_parser("simulate", help="make a synthetic caseload")
    p.add_argument("--clients", type=int, default=300, help="number of clients (default 300)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx")

    _caseload_and_research_parsers(sub)
    _together_parsers(sub)

    p = sub.add_parser("demo", help="run the main job on the bundled synthetic sample data")
    p.add_argument("-o", "--output-dir", default="out", help="where to write (default ./out)")
    return parser


def _load(args, *, quiet: bool = False):
    """Load the PATHs; unless ``quiet``, say on stderr which files were not exports."""
    from .io import load

    res = load(args.paths, source=args.source, mapping=args.mapping, dayfirst=args.dayfirst,
               item_scale=args.item_scale, encoding=args.encoding, sheet=args.sheet,
               keep_identifying=args.keep_identifying, as_of=args.as_of,
               conflicts="last" if args.keep_last else "hold", settings=_load_settings(args))
    skipped = res.report.get("files_skipped", [])
    if skipped and not quiet:
        _say(f"note: {len(skipped)} file(s) or sheet(s) skipped, not ORS/SRS exports: "
             + ", ".join(f["file"] for f in skipped) + " (see 'srs-analytics validate').")
    return res


def _load_settings(args):
    """LoadSettings with the caps given by --limit NAME=N."""
    from .io import LoadSettings, ReadLimits

    caps = {}
    for item in args.limit:
        name, _, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if name not in ReadLimits.__dataclass_fields__:
            raise LoadError(f"--limit {item}: no limit is called {name!r}; the limits are "
                            f"{', '.join(ReadLimits.__dataclass_fields__)}.")
        try:
            caps[name] = float(value) if name == "max_compression_ratio" else int(
                value.replace("_", "").replace(",", ""))
        except ValueError:
            raise LoadError(f"--limit {item}: the value must be a number, as in "
                            f"--limit {name}=20000.") from None
    try:
        return LoadSettings(limits=ReadLimits(**caps))
    except ValueError as exc:
        raise LoadError(f"--limit: {exc}.") from None


def _check_output(path: str, inputs=(), option: str = "output") -> Path:
    """The output path, refused when its ending is unknown or it is one of the inputs."""
    out = Path(path)
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise LoadError(f"The {option} file {path} must end in one of "
                        f"{', '.join(OUTPUT_SUFFIXES)}.")
    if out.parent and not out.parent.exists():
        raise LoadError(f"The folder {out.parent} for the {option} does not exist.")
    _not_an_input(out, inputs, option)
    return out


def _check_folder_output(path: str, inputs, partition_by) -> Path:
    """The folder of a Parquet data set: new or empty, not an input, keys known."""
    from .io.partitioned import partition_columns

    out = Path(path)
    if out.suffix.lower() in OUTPUT_SUFFIXES and not out.is_dir():
        raise LoadError(f"--partition-by writes a folder of Parquet files; -o {path} names a "
                        f"{out.suffix} file. Give a folder, such as -o {out.stem}/.")
    try:
        partition_columns(partition_by)
    except ValueError as exc:
        raise LoadError(f"Invalid --partition-by: {exc}") from None
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise LoadError(f"The output folder {path} is not empty (or is a file): a data set "
                        "is written to a new or empty folder.")
    if not out.parent.exists():
        raise LoadError(f"The folder {out.parent} for the output does not exist.")
    _not_an_input(out, inputs, "output")
    return out


def _not_an_input(out: Path, inputs, option: str) -> None:
    """Refuse to write over an input (``convert in.csv -o in.csv`` would destroy it)."""
    from .io.readers import gather_inputs

    if not inputs or not out.exists():
        return
    try:
        files = gather_inputs(list(inputs))[0]
    except LoadError:
        return  # the load reports the missing input
    for f in files:
        try:
            same = Path(f.item).samefile(out)
        except OSError:
            same = False
        if same:
            raise LoadError(f"The {option} file {out} is one of the inputs: writing it would "
                            "overwrite the export being read. Choose another file name.")


def _json_report(res) -> dict:
    r = dict(res.report)
    return json.loads(json.dumps(r, default=str))


def cmd_validate(args) -> int:
    from .io.writers import write_table

    if args.rejected_out:
        _check_output(args.rejected_out, args.paths, "--rejected-out")
    res = _load(args, quiet=True)  # the report lists the skipped files
    if args.rejected_out:
        write_table(res.rejected, args.rejected_out)
    if args.json:
        print(json.dumps(_json_report(res), indent=2, ensure_ascii=False))
    else:
        print(res.to_text())
        if args.rejected_out:
            print(f"\nRejected rows written to {args.rejected_out}")
    return 0


def cmd_convert(args) -> int:
    from .io.writers import write_canonical

    folder = args.partition_by is not None or args.output.endswith(("/", os.sep)) or (
        Path(args.output).is_dir() and Path(args.output).suffix.lower() not in OUTPUT_SUFFIXES)
    if folder:
        out = _check_folder_output(args.output, args.paths, args.partition_by)
    else:
        out = _check_output(args.output, args.paths)
    res = _load(args)
    write_canonical(res.data, out, partition_by=args.partition_by if folder else None,
                    folder=folder)
    r = res.report
    print(f"Wrote {r['loaded']} administrations to {out} ({r['rejected']} rejected, "
          f"{r['skipped']} skipped, {r['duplicates']} duplicates, {r['conflicts']} "
          "conflicts; run 'srs-analytics validate' for details).")
    return 0


def _settings(cls, options: dict):
    """``cls(**values)``; its ValueError becomes a message naming the command-line option.

    ``options`` maps each field to ``(value, option)``. The settings dataclasses check
    their own ranges and names; the command line repeats none of those checks.
    """
    try:
        return cls(**{k: v for k, (v, _) in options.items()})
    except ValueError as exc:
        msg = str(exc).rstrip(".")
        named = [opt for k, (_, opt) in options.items() if re.match(rf"\W*{k}\b", msg)]
        if not named and len(options) == 1:
            named = [opt for _, opt in options.values()]
        raise LoadError(f"Invalid {named[0] if named else 'settings'}: {msg}.") from None


def cmd_clients(args) -> int:
    from .clients import ClientSettings, client_table
    from .io.writers import write_table
    from .outcomes import OutcomeSettings

    out = _check_output(args.output, args.paths)
    cutoff = args.cutoff.strip().lower()
    try:
        cutoff = float(cutoff)  # a number; else a kind, checked by OutcomeSettings
    except ValueError:
        pass
    settings = _settings(OutcomeSettings, {
        "method": (args.method, "--method"), "rci": (args.rci, "--rci"),
        "reliability": (args.reliability, "--reliability"), "cutoff": (cutoff, "--cutoff"),
        "functional_mean": (args.functional_mean, "--functional-mean"),
        "functional_sd": (args.functional_sd, "--functional-sd")})
    if args.engine != "pandas":
        table, report, model = _on_engine(args, "clients",
                                          settings=ClientSettings(outcome=settings))
    else:
        res = _load(args)
        model = _expected_model(args, res.data)
        table = client_table(res.data, settings=ClientSettings(outcome=settings), model=model)
        report = res.report
    write_table(table, out)
    counts = table["outcome"].value_counts()
    print(f"Wrote {len(table)} client episodes to {out} (from {report['loaded']} "
          f"administrations; {report['rejected']} rejected). Outcomes: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".")
    if settings.method == "jt":  # the intake SD and how many intakes it came from
        norms = table.dropna(subset=["rci_basis"]).drop_duplicates(["measure", "age_group"])
        for row in norms.sort_values(["measure", "age_group"]).itertuples(index=False):
            print(textwrap.fill(f"Reliable change, {row.measure} "
                                f"{str(row.age_group).replace('_', ' ')}: {row.rci:.2f} points "
                                f"({row.rci_basis}).", terminal_width(), subsequent_indent="  "))
    print(model)
    return 0


def cmd_alerts(args) -> int:
    from .alerting import AlertSettings, alerts
    from .io.writers import write_table

    out = _check_output(args.output, args.paths) if args.output else None
    since = None
    if args.since:
        since = pd.to_datetime(args.since, format="ISO8601", errors="coerce")
        if pd.isna(since):
            raise LoadError(f"--since must be a date like 2026-03-01; got {args.since!r}.")
    settings = AlertSettings()
    if args.rules is not None:
        names = [r.strip() for r in args.rules.split(",") if r.strip()]
        if not names:
            raise LoadError(f"--rules names no rule; got {args.rules!r}. Leave it out to run "
                            "every rule.")
        settings = _settings(AlertSettings, {"rules": (frozenset(names), "--rules")})
    if args.engine != "pandas":
        table, _, model = _on_engine(args, "alerts", settings=settings, since=since,
                                     clinicians=args.clinician,
                                     min_severity=args.min_severity,
                                     latest_only=args.latest_only)
        late = None
    else:
        res = _load(args)
        if args.clinician:
            _check_clinicians(args.clinician, res.data)
        model = _expected_model(args, res.data)
        table = alerts(res.data, settings=settings, model=model, since=since,
                       clinicians=args.clinician, min_severity=args.min_severity,
                       latest_only=args.latest_only)
        late = _after_the_data(since, res.data)
    if out:
        write_table(table, out)
        counts = table["severity"].value_counts()
        print(f"Wrote {len(table)} alerts to {out}: " + (", ".join(
            f"{k} {counts.get(k, 0)}" for k in ("critical", "warning", "info"))) + ".")
        if late:
            print(f"Note: {late}.")
        print(model)
    elif len(table):
        print(format_alerts(table))
    else:
        print(textwrap.fill(f"No alerts: {late}." if late else _no_alerts(args, since),
                            terminal_width()))
    return 0


def cmd_attention(args) -> int:
    from .io.writers import write_table
    from .triage import AttentionSettings, attention, open_episodes

    out = _check_output(args.output) if args.output else None
    as_of = None
    if args.as_of:
        as_of = pd.to_datetime(args.as_of, format="ISO8601", errors="coerce")
        if pd.isna(as_of):
            raise LoadError(f"--as-of must be a date like 2026-03-01; got {args.as_of!r}.")
    res = _load(args)
    if args.clinician:
        _check_clinicians(args.clinician, res.data)
    if res.data["session_date"].isna().all():
        raise LoadError("The data holds no session dates: the attention list needs them to "
                        "tell which episodes are open. Use 'srs-analytics alerts' instead.")
    settings = AttentionSettings()
    model = _expected_model(args, res.data)
    table = attention(res.data, as_of=as_of, settings=settings, model=model,
                      clinicians=args.clinician)
    episodes = open_episodes(res.data, as_of=as_of, settings=settings)
    if args.clinician:
        episodes = episodes[episodes["clinician_id"].isin(args.clinician)]
    when = as_of if as_of is not None else res.data["session_date"].max()
    n_open = int(episodes["open"].sum())
    if out:
        write_table(table, out)
        print(f"Wrote {plural(len(table), 'client')} needing attention to {out} "
              f"({len(table)} of {n_open} with an open episode, as of {when:%Y-%m-%d}).")
        print(model)
    else:
        print(format_attention(table, as_of=when, n_open=n_open,
                               open_weeks=settings.open_weeks))
    return 0


def _check_clinicians(wanted: list[str], data: pd.DataFrame) -> None:
    """A --clinician that is not in the data is a mistake (a typo), not "no alerts"."""
    known = sorted(data["clinician_id"].dropna().astype(str).unique()) \
        if "clinician_id" in data else []
    missing = [c for c in wanted if c not in known]
    if not missing:
        return
    if not known:
        raise LoadError(f"--clinician {', '.join(missing)}: the data names no clinician "
                        "(no clinician column, or it is empty).")
    said = []
    for c in missing:
        alike = [k for k in known if k.casefold() == c.strip().casefold()]
        said.append(f"{c}" + (f" (did you mean {alike[0]}? ids match exactly, case "
                              "included)" if alike else ""))
    shown = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10
                                     else "")
    raise LoadError(f"No clinician {' or '.join(said)} in the data. Its clinicians are "
                    f"{shown}.")


def _after_the_data(since, data: pd.DataFrame) -> str | None:
    """The sentence for a --since after the data's last session, else None."""
    if since is None or not len(data) or data["session_date"].isna().all():
        return None
    last = data["session_date"].max()
    if since <= last:
        return None
    return f"--since {since:%Y-%m-%d} is after the data's last session ({last:%Y-%m-%d})"


def _no_alerts(args, since) -> str:
    """"No alerts for T03 since 2026-03-01.": the filters in plain words."""
    severity = {"critical": "critical ", "warning": "warning or critical "}.get(
        args.min_severity, "")
    words = [f"No {severity}alerts"]
    if args.rules:
        words.append(f"of the rule(s) {args.rules.replace(',', ', ')}")
    if args.clinician:
        words.append("for " + " or ".join(args.clinician))
    if args.latest_only:
        words.append("at the latest session of each episode")
    if since is not None:
        words.append(f"since {since:%Y-%m-%d}")
    return " ".join(words) + "."


def cmd_note(args) -> int:
    from .notes import progress_note

    if args.session is not None and args.session < 1:
        raise LoadError(f"--session must be 1 or more; got {args.session}.")
    res = _load(args)
    try:
        print(progress_note(res.data, args.client, args.session, episode_id=args.episode))
    except ValueError as exc:
        raise LoadError(str(exc)) from None
    return 0


def cmd_report(args) -> int:
    from .app.reports import write_caseload_report, write_client_reports

    pages_only = bool(args.client or args.clinician)
    if pages_only:
        given = [o for o, v in (("--from", args.start), ("--to", args.end),
                                ("--suppress-below", args.suppress_below),
                                ("--by", None if args.by == "clinician" else args.by),
                                ("--client-pages", None if args.client_pages == "all"
                                 else args.client_pages)) if v is not None]
        if given:
            raise LoadError(f"{', '.join(given)} belong(s) to the caseload report, written "
                            "without --client and --clinician.")
    start, end = _date_option(args.start, "--from"), _date_option(args.end, "--to")
    if start is not None and end is not None and start > end:
        raise LoadError(f"--from ({args.start}) is after --to ({args.end}).")
    if args.suppress_below is not None and args.suppress_below < 1:
        raise LoadError(f"--suppress-below must be 1 or more; got {args.suppress_below}.")
    pages = args.client_pages.strip().lower()
    if pages.isdigit():
        pages = int(pages)
    elif pages not in ("all", "attention", "none"):
        raise LoadError(f"--client-pages must be all, attention, none or a number; got "
                        f"{args.client_pages!r}.")
    by = None if args.by.strip().lower() in ("", "none") else args.by.strip()
    from .app.page import GROUPINGS

    if by not in {k for k, _ in GROUPINGS}:
        raise LoadError(f"--by must be one of {', '.join(k for k, _ in GROUPINGS if k)} or "
                        f"none; got {args.by!r}.")
    res = _load(args)
    if args.clinician:
        _check_clinicians([args.clinician], res.data)
    model = _expected_model(args, res.data)
    source = ", ".join(Path(p).name for p in args.paths)
    try:
        if pages_only:
            paths = write_client_reports(res.data, args.out, clients=args.client,
                                         clinician=args.clinician, model=model,
                                         source=source)
        else:
            if (start is not None or end is not None) and \
                    res.data["session_date"].isna().all():
                raise LoadError("--from and --to need session dates, and the data holds "
                                "none.")
            paths = write_caseload_report(res.data, args.out, by=by, start=start, end=end,
                                          client_pages=pages,
                                          suppress_below=args.suppress_below, model=model,
                                          source=source)
    except ValueError as exc:
        raise LoadError(str(exc)) from None
    if pages_only:
        print(f"Wrote {len(paths) - 1} client page(s) to {Path(args.out).resolve()}/; open "
              f"{paths[0].resolve()}")
    else:
        print(f"Wrote the caseload report and {max(len(paths) - 2, 0)} client page(s) to "
              f"{Path(args.out).resolve()}/; open {paths[0].resolve()}"
              + (f" (counts under {args.suppress_below} shown as <{args.suppress_below} in "
                 "its tables)" if args.suppress_below else ""))
    return 0


def cmd_simulate(args) -> int:
    from .io.writers import write_canonical
    from .synthetic import simulate

    if args.clients < 1:
        raise LoadError(f"--clients must be 1 or more; got {args.clients}.")
    if args.seed < 0:
        raise LoadError(f"--seed must be 0 or more; got {args.seed}.")
    out = _check_output(args.output)
    data = simulate(args.clients, seed=args.seed)
    write_canonical(data, out)
    print(f"Wrote a synthetic caseload of {data['client_id'].nunique()} clients, "
          f"{len(data)} administrations, to {out} (seed {args.seed}).")
    return 0


def _demo_exports(data, folder: Path) -> list[tuple[Path, dict]]:
    """Write the sample caseload as each supported system exports it; the load options of
    each file."""
    from .io import writers as w

    folder.mkdir(parents=True, exist_ok=True)
    mapping = folder / "redcap_mapping.json"
    mapping.write_text(json.dumps(w.redcap_mapping(), indent=2))
    return [
        (w.write_openfit(data, folder / "openfit.csv", skip_missing=True), {}),
        (w.write_openfit(data, folder / "openfit_totals.csv", skip_style="10",
                         score_layout="total", total_as_items=True), {}),
        (w.write_camcops(data, folder / "camcops.zip"), {}),
        (w.write_camcops(data, folder / "camcops.sqlite"), {}),
        (w.write_mhsds(data, folder / "mhsds.csv"), {}),
        (w.write_wide(data, folder / "wide_european.csv", european=True), {}),
        (w.write_redcap(data, folder / "redcap.csv"), {"mapping": mapping}),
    ]


def cmd_demo(args) -> int:
    from .datasets import sample_path
    from .io import load
    from .io.writers import write_canonical, write_table

    outdir = Path(args.output_dir)
    outdir.mkdir(parents=True, exist_ok=True)
    res = load(sample_path("caseload.csv"))
    print("srs-analytics demo: the bundled SYNTHETIC sample caseload\n")
    print(res.to_text())
    write_canonical(res.data, outdir / "canonical.csv")
    (outdir / "validation.json").write_text(json.dumps(_json_report(res), indent=2))
    print(f"\nThe same caseload as other systems export it (written to {outdir / 'exports'}/ "
          "and loaded back):")
    for path, options in _demo_exports(res.data, outdir / "exports"):
        r = load(path, **options).report
        print(f"  {path.name:<20} {r['files'][0]['source']:<9} {r['loaded']:>6} loaded, "
              f"{r['rejected']} rejected, {r['skipped']} skipped")
    messy = load(sample_path("messy_export.csv"))
    write_table(messy.rejected, outdir / "messy_rejected.csv")
    print("\nThe deliberately messy export messy_export.csv (a title line, decimal commas, "
          "day-first dates, bad cells):")
    print(f"  {messy!r}")
    for row in messy.rejected.itertuples():
        print(f"  line {row.source_row}: {row.reason}: {row.message}")
    _demo_analyses(res.data, outdir)
    from .app.reports import demo_caseload_report, demo_report

    print(f"\nOne client's page, for people who do not open Jupyter (charts, alerts, note "
          f"line; opens offline): {demo_report(res.data, outdir / 'report').resolve()}")
    caseload = demo_caseload_report(res.data, outdir / "caseload")
    print("\nThe caseload report for the director (alliance rates by month, outcomes, "
          "clinicians' effect sizes, who needs attention, the most urgent linked to their "
          f"pages; opens offline): {caseload.resolve()}")
    print(f"\nOutput written to {outdir.resolve()}/ (canonical.csv, validation.json, "
          "exports/, messy_rejected.csv, clients.csv, alerts.csv, attention.csv, report/, "
          "caseload/)")
    return 0


def _demo_analyses(data, outdir: Path) -> None:
    """The clinician's and the director's first look at the sample caseload."""
    from .alerting import alerts
    from .clients import client_table
    from .expected import fit_expected
    from .io.writers import write_table
    from .notes import progress_note
    from .triage import attention, open_episodes

    model = fit_expected(data)
    table = client_table(data, model=model)
    write_table(table, outdir / "clients.csv")
    print(f"\nClients (one row per client and episode, {outdir / 'clients.csv'}):")
    print("  outcome: " + ", ".join(f"{k} {v}" for k, v in
                                    table["outcome"].value_counts().items()))
    print("  alliance pattern: " + ", ".join(f"{k} {v}" for k, v in
                                             table["alliance_pattern"].value_counts().items()))
    print("  expected response: " + str(model).split(". ")[0] + ".")
    write_table(alerts(data, model=model), outdir / "alerts.csv")
    now = attention(data, model=model)
    write_table(now, outdir / "attention.csv")
    episodes = open_episodes(data)
    print(f"\nWho needs attention now ({outdir / 'attention.csv'}; every alert of every "
          f"session in {outdir / 'alerts.csv'}): {len(now)} of {int(episodes['open'].sum())} "
          "clients with an open episode have a warning or critical alert at their latest "
          "session")
    print("  leading alert: " + ", ".join(f"{k} {v}" for k, v in
                                          now["rule"].value_counts().items()))
    if len(now):
        first = now.iloc[0]
        print(f"\nThe most urgent, {first['client_id']} ({first['rule']}, {first['severity']}, "
              f"{first['days_since']} days ago):")
        print(f"  {first['message']}")
        print(f"  Suggestion: {first['suggestion']}")
        print(f"  Progress note: {progress_note(data, first['client_id'])}")


# --------------------------------------------------------------------------- caseload, research
_TABLES = ("summary", "completion", "trend", "comparison", "attention")


def _caseload_and_research_parsers(sub) -> None:
    """The ``caseload``, ``research`` and ``research-export`` commands."""
    from .caseload import BY, CaseloadSettings
    from .research import ResearchSettings

    c, r = CaseloadSettings(), ResearchSettings()
    p = sub.add_parser("caseload", help="the caseload by clinician, month...: clients, "
                       "sessions, SRS completion, outcomes, effect sizes")
    _load_options(p)
    p.add_argument("--by", default="clinician", metavar="NAMES",
                   help=f"comma-separated groupings: {', '.join(BY)} (default clinician; "
                   "'none' for the whole service)")
    p.add_argument("--from", dest="start", metavar="DATE", help="first day of the period "
                   "(yyyy-mm-dd)")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day of the period")
    p.add_argument("--table", choices=_TABLES, default="summary",
                   help="summary (default): the caseload indices; completion: SRS "
                   "completion; trend: its monthly trend; comparison: clinicians' effect "
                   "sizes with intervals and shrunk estimates; attention: clients on the "
                   "attention list per clinician (as of --to), the list itself is "
                   "'srs-analytics attention'")
    p.add_argument("--episodes", choices=["closed", "all"], default=c.episodes,
                   help="outcomes of the episodes closed in the period (default) or of "
                   "all with a session in it")
    p.add_argument("--min-cases", type=int, default=c.min_cases,
                   help=f"clinical-range cases before a clinician is compared (default "
                   f"{c.min_cases}, ACORN)")
    p.add_argument("--alert-severity", choices=["info", "warning", "critical", "none"],
                   default=c.alert_severity,
                   help="a session has an alert when one this severe fires (default "
                   f"{c.alert_severity}; none leaves the share out)")
    p.add_argument("--suppress-below", type=int, metavar="K",
                   help="for tables that leave the clinic: counts under K shown as <K, "
                   "the rates derived from them withheld")
    _history_option(p)
    _engine_options(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx")

    p = sub.add_parser("research", help="alliance and outcome statistics in one tidy "
                       "table: correlations, multilevel model, patterns, ceiling, context")
    _load_options(p)
    p.add_argument("--bootstrap", type=int, default=r.n_boot, metavar="N",
                   help=f"bootstrap resamples of each correlation interval (default "
                   f"{r.n_boot})")
    p.add_argument("--seed", type=int, default=r.seed,
                   help=f"seed of the bootstrap (default {r.seed})")
    p.add_argument("--random-slope", action="store_true",
                   help="let the within-client SRS effect vary between clients")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx")

    p = sub.add_parser("research-export", help="a de-identified copy of the data to share: "
                       "keyed pseudonyms, no dates, no free text")
    _load_options(p)
    p.add_argument("--key-file", required=True, metavar="KEY",
                   help="file holding your secret key (32 bytes or more); the same key "
                   "gives the same pseudonyms. It is never written anywhere")
    p.add_argument("--dates", choices=["relative", "shift"], default="relative",
                   help="relative (default): days since the episode's start; shift: "
                   "dates moved by a fixed number of days per client")
    _engine_options(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx; the data dictionary "
                   "is written beside it as <name>_dictionary.csv")


def _date_option(value, option):
    if value is None:
        return None
    when = pd.to_datetime(value, format="ISO8601", errors="coerce")
    if pd.isna(when):
        raise LoadError(f"{option} must be a date like 2026-03-01; got {value!r}.")
    return when


def cmd_caseload(args) -> int:
    from .caseload import (
        CaseloadSettings,
        attention_summary,
        caseload_summary,
    )
    from .comparison import clinician_comparison
    from .completion import completion_trend, srs_completion
    from .triage import AttentionSettings

    out = _check_output(args.output)
    start, end = _date_option(args.start, "--from"), _date_option(args.end, "--to")
    if start is not None and end is not None and start > end:
        raise LoadError(f"--from ({args.start}) is after --to ({args.end}).")
    if args.suppress_below is not None and args.suppress_below < 1:
        raise LoadError(f"--suppress-below must be 1 or more; got {args.suppress_below}.")
    by = () if args.by.strip().lower() in ("", "none") else args.by
    settings = _settings(CaseloadSettings, {
        "episodes": (args.episodes, "--episodes"), "min_cases": (args.min_cases,
                                                                  "--min-cases"),
        "alert_severity": (None if args.alert_severity == "none" else args.alert_severity,
                           "--alert-severity")})
    if args.engine != "pandas":
        if args.table != "summary":
            raise LoadError(f"--table {args.table} runs on the pandas engine only; "
                            f"--engine {args.engine} computes the summary.")
        table, report, _ = _on_engine(args, "caseload", by=by, start=start, end=end,
                                      settings=settings)
        return _caseload_written(args, table, report, out)
    res = _load(args)
    try:
        if args.table == "summary":
            model = _expected_model(args, res.data)
            table = caseload_summary(res.data, by=by, start=start, end=end,
                                     settings=settings, model=model)
        elif args.table == "completion":
            table = srs_completion(res.data, by=by, start=start, end=end, settings=settings)
        elif args.table == "trend":
            table = completion_trend(res.data, by=by, start=start, end=end,
                                     settings=settings)
        elif args.table == "comparison":
            table = clinician_comparison(res.data, start=start, end=end, settings=settings)
        else:
            model = _expected_model(args, res.data)
            table = attention_summary(res.data, by=by, as_of=end, model=model,
                                      settings=AttentionSettings(alerts=settings.alerts))
    except ValueError as exc:
        msg = str(exc).rstrip(".")
        option = ("--by" if msg.startswith("by ") else
                  "--from/--to" if msg.startswith("start") else "option")
        raise LoadError(f"Invalid {option}: {msg}.") from None
    return _caseload_written(args, table, res.report, out)


def _caseload_written(args, table, report, out) -> int:
    from .caseload import suppress_small_cells
    from .io.writers import write_table

    if args.suppress_below:
        table = suppress_small_cells(table, args.suppress_below)
    write_table(table, out)
    period = " ".join(x for x in (f"from {args.start}" if args.start else "",
                                  f"to {args.end}" if args.end else "") if x)
    print(f"Wrote the caseload {args.table} ({len(table)} rows"
          + (f", {period}" if period else "") + f") to {out}, from "
          f"{report['loaded']} administrations ({report['rejected']} rejected)."
          + (f" Counts under {args.suppress_below} are shown as <{args.suppress_below}."
             if args.suppress_below else ""))
    return 0


def cmd_research(args) -> int:
    from .io.writers import write_table
    from .research import ResearchSettings, research_table

    out = _check_output(args.output)
    settings = _settings(ResearchSettings, {
        "n_boot": (args.bootstrap, "--bootstrap"), "seed": (args.seed, "--seed"),
        "random_slope": (args.random_slope, "--random-slope")})
    res = _load(args)
    table = research_table(res.data, settings=settings)
    write_table(table, out)
    print(f"Wrote {len(table)} estimates to {out} (from {res.report['loaded']} "
          f"administrations; {res.report['rejected']} rejected).")
    shown = {("correlation_pearson", "srs_mean~ors_change"): "mean SRS and ORS change, r",
             ("next_ors", "srs_within"): "next ORS on SRS within clients",
             ("next_ors", "srs_between"): "next ORS on SRS between clients"}
    for (analysis, term), words in shown.items():
        row = table[(table["analysis"] == analysis) & (table["term"] == term)]
        if len(row) and pd.notna(row["estimate"].iloc[0]):
            r = row.iloc[0]
            print(f"  {words}: {r['estimate']:.2f} (95% CI {r['ci_low']:.2f} to "
                  f"{r['ci_high']:.2f}, n = {r['n']})")
    return 0


def cmd_research_export(args) -> int:
    from .deidentification import KeyFileError, read_key, write_research_export

    out = _check_output(args.output)
    try:
        key = read_key(args.key_file)
    except KeyFileError as exc:
        raise LoadError(str(exc)) from None
    key_path = Path(args.key_file).resolve()
    if out.resolve() == key_path or out.with_name(f"{out.stem}_dictionary.csv").resolve() \
            == key_path:
        raise LoadError("The output would overwrite the key file; choose another name.")
    if args.engine != "pandas":
        from .deidentification import data_dictionary
        from .io.writers import write_table

        export, report, _ = _on_engine(args, "research-export", key=key, dates=args.dates)
        table = write_table(export, out)
        dictionary = write_table(data_dictionary(export),
                                 out.with_name(f"{out.stem}_dictionary.csv"))
    else:
        res = _load(args)
        table, dictionary = write_research_export(res.data, key, out, dates=args.dates)
        report = res.report
    print(f"Wrote {report['loaded']} de-identified administrations to {table} and "
          f"their data dictionary to {dictionary} (ids as keyed pseudonyms, "
          + ("days since each episode's start" if args.dates == "relative" else
             "dates shifted per client") + ", free text and other columns left out).")
    return 0


_CASELOAD_AND_RESEARCH = {"caseload": cmd_caseload, "research": cmd_research,
                          "research-export": cmd_research_export}


# --------------------------------------------------------------------------- couples, groups
def _together_parsers(sub) -> None:
    """The ``couples`` and ``groups`` commands."""
    p = sub.add_parser("couples", help="couples and families: one row per episode, session "
                       "and measure family where two or more clients rated (gap, split, "
                       "lowest client, most divergent item)")
    _load_options(p)
    p.add_argument("--table", choices=["sessions", "episodes"], default="sessions",
                   help="sessions (default): one row per joint session; episodes: one row "
                   "per episode and measure family (split share, gap trend, consistently "
                   "lowest client, outcomes parting)")
    p.add_argument("--measure", choices=["SRS", "ORS"],
                   help="only the alliance (SRS, CSRS) or the outcome (ORS, CORS) family "
                   "(default: both)")
    _engine_options(p)
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx (default: print)")

    p = sub.add_parser("groups", help="groups: the GSRS/CGSRS by group and session (members "
                       "rating, mean, spread, members below 36), or each member against the "
                       "group")
    _load_options(p)
    p.add_argument("--table", choices=["sessions", "members"], default="sessions",
                   help="sessions (default): one row per group and session; members: one "
                   "row per member rating, beside the mean of the other members")
    _engine_options(p)
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output file: .csv, .tsv, .parquet or .xlsx (default: print)")


def cmd_couples(args) -> int:
    from .couples import couple_episodes, couple_sessions
    from .io.writers import write_table

    out = _check_output(args.output) if args.output else None
    if args.engine != "pandas":
        table, report, _ = _on_engine(args, "couples", table=args.table)
    else:
        res = _load(args)
        func = couple_sessions if args.table == "sessions" else couple_episodes
        table, report = func(res.data), res.report
    if args.measure:
        table = table[(table["measure"] == args.measure).to_numpy(dtype=bool)]
        table = table.reset_index(drop=True)
    if out:
        write_table(table, out)
        n_episodes = table["episode_id"].nunique()
        what = "joint sessions" if args.table == "sessions" else "episode summaries"
        print(f"Wrote {len(table)} {what} of {plural(n_episodes, 'episode')} with clients "
              f"seen together to {out} (from {report['loaded']} administrations; "
              f"{report['rejected']} rejected).")
    elif not len(table):
        print(textwrap.fill("No clients seen together: no episode in which two or more "
                            "clients rated the same session (clients who share an "
                            "episode_id were seen together).", terminal_width()))
    elif args.table == "sessions":
        print(format_couples(table))
    else:
        print(format_couple_episodes(table))
    return 0


def cmd_groups(args) -> int:
    from .groups import group_members, group_sessions
    from .io.writers import write_table

    out = _check_output(args.output) if args.output else None
    if args.engine != "pandas":
        table, report, _ = _on_engine(args, "groups", table=args.table)
    else:
        res = _load(args)
        table = (group_sessions if args.table == "sessions" else group_members)(res.data)
        report = res.report
    if out:
        write_table(table, out)
        what = "group sessions" if args.table == "sessions" else "member ratings"
        print(f"Wrote {len(table)} {what} of {plural(table['group_id'].nunique(), 'group')} "
              f"to {out} (from {report['loaded']} administrations; "
              f"{report['rejected']} rejected).")
    elif not len(table):
        print(textwrap.fill("No group ratings: no GSRS or CGSRS with a group_id in the "
                            "data.", terminal_width()))
    elif args.table == "sessions":
        print(format_groups(table))
    else:
        print(format_group_members(table))
    return 0


_TOGETHER = {"couples": cmd_couples, "groups": cmd_groups}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``srs-analytics`` console script."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit:  # --help, --version, a usage error: printed by argparse
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _drop_stdout()
            return 141
        raise
    handler = {"validate": cmd_validate, "convert": cmd_convert, "clients": cmd_clients,
               "alerts": cmd_alerts, "attention": cmd_attention, "note": cmd_note,
               "report": cmd_report, "simulate": cmd_simulate, "demo": cmd_demo,
               **_CASELOAD_AND_RESEARCH, **_TOGETHER}[args.command]
    try:
        code = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's final flush
        return code
    except BrokenPipeError:
        # The reader went away (`srs-analytics alerts ... | head`): stop quietly, as a Unix
        # tool killed by SIGPIPE does, with its status 141 (128 + 13). Not 0: the output
        # was cut short, which `set -o pipefail` should see as it does for grep or cat.
        _drop_stdout()
        return 141
    except LoadError as exc:
        _say(str(exc))
        return 2
    except OSError as exc:
        where = getattr(exc, "filename", None)
        _say(f"Could not read or write a file: {exc.strerror or exc}"
             + (f" ({where})." if where else "."))
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last guard: a message, never a traceback
        _say(f"Unexpected error ({type(exc).__name__}: {exc}). This is a bug in srs-analytics; "
             "please report it with the command you ran.")
        return 1


def _drop_stdout() -> None:
    """Point stdout at the null device, so that the exit's flush of it cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (a captured stream)
        pass
    finally:
        os.close(devnull)


def _say(message: str) -> None:
    print(textwrap.fill(message, 88, initial_indent="srs-analytics: ", subsequent_indent="  "),
          file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
