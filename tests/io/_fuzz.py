"""Mutation fuzz of the readers: every sample format, mutated, must load or be refused.

Each round takes a small synthetic export in one of the supported formats, mutates it
(bytes flipped, inserted or cut; cells replaced by hostile values; archive members and
workbook parts damaged; SQLite cells and Parquet columns rewritten) and loads the mutant.
The outcome is one of:

- ``loaded``: :func:`srs_analytics.load` returned, and its promises hold (the counts add up,
  every rejection has a reason and a message, raw values are JSON without identifying
  columns);
- ``refused``: a :class:`~srs_analytics.LoadError` with a message;
- ``crashed``: any other exception, or a broken promise (a bug);
- ``slow``: a mutant that took longer than the per-mutant bound (a bug).

The test suite runs a short, seeded round per format (``tests/io/test_fuzz.py``); ``make
fuzz`` runs a long one and prints the summary::

    python tests/io/_fuzz.py --seconds 600 --seed 7 [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import srs_analytics as srs
from srs_analytics.io import writers as w

#: Cells a hostile or careless export may hold.
NASTY = [
    b'"', b'""', b",", b";", b"\t", b"\n", b"\r", b"\r\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    b"NA", b"null", b"None", b"#N/A", b"n/a", b"nan", b"inf", b"-inf", b"True", b"1e300", b"-1",
    b"0", b"10.0000001", b"1,5", b"9999-12-31", b"31/12/0001", b"2958465", b"2026/03/02",
    b"13/13/2026", b"=cmd|' /C calc'!A0", b"+1+2", b"@SUM(A1)", b"Jane Doe", b"\xd9\xa3",
    b"\xe2\x80\x8b", b"x" * 300, b"," * 300, b"\n" * 50, b"ORS", b"SRS", b"CGSRS", b"Y",
    b"skip", b"  ", b"\\", b"'", b"0x1F", b"1_000", b"2026-02-30", b"00:00", b"-0", b"1e-300",
    b"12345678901234567890",
]
FORMATS = ("canonical.csv", "canonical.tsv", "canonical.parquet", "canonical.xlsx",
           "openfit.csv", "openfit_totals.csv", "wide_european.csv", "mhsds.csv",
           "redcap.csv", "camcops.zip", "camcops.xlsx", "camcops.ods", "camcops.tsv",
           "camcops.sqlite", "messy_export.csv")


@dataclass
class Summary:
    """What a fuzz run saw: mutants and outcomes per format, and the failures."""

    outcomes: dict = field(default_factory=lambda: defaultdict(Counter))
    failures: list = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)

    @property
    def mutants(self) -> int:
        return sum(sum(c.values()) for c in self.outcomes.values())

    def text(self) -> str:
        kinds = ("loaded", "refused", "crashed", "slow")
        lines = [f"{'format':<22}" + "".join(f"{k:>9}" for k in ("mutants", *kinds))]
        total = Counter()
        for fmt, c in self.outcomes.items():
            total.update(c)
            lines.append(f"{fmt:<22}{sum(c.values()):>9}" + "".join(f"{c[k]:>9}" for k in kinds))
        lines.append(f"{'all':<22}{sum(total.values()):>9}" + "".join(f"{total[k]:>9}"
                                                                      for k in kinds))
        if self.reasons:
            lines.append("rejection reasons seen: " + ", ".join(
                f"{k} {v}" for k, v in self.reasons.most_common()))
        if self.refusals:
            lines.append("refusals (LoadError), by kind:")
            lines += [f"  {v:>6}  {k}" for k, v in self.refusals.most_common(15)]
        seen = Counter((f["format"], f["what"]) for f in self.failures)
        for (fmt, what), k in seen.most_common(30):
            lines.append(f"FAIL {fmt} x{k}: {what}")
        return "\n".join(lines)


def seeds(folder: Path) -> dict[str, tuple[Path, dict]]:
    """A small synthetic export in every supported format, with its load options."""
    data = srs.load_sample()
    data = data[data["client_id"].isin(data["client_id"].drop_duplicates().head(4))]
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in ("canonical.csv", "canonical.tsv", "canonical.parquet", "canonical.xlsx"):
        out[name] = (w.write_canonical(data, folder / name), {})
    out["openfit.csv"] = (w.write_openfit(data, folder / "openfit.csv", skip_missing=True,
                                          with_identifiers=True), {})
    out["openfit_totals.csv"] = (w.write_openfit(data, folder / "openfit_totals.csv",
                                                 skip_style="10", score_layout="total",
                                                 total_as_items=True), {})
    out["wide_european.csv"] = (w.write_wide(data, folder / "wide_european.csv",
                                             european=True), {})
    out["mhsds.csv"] = (w.write_mhsds(data, folder / "mhsds.csv"), {})
    out["redcap.csv"] = (w.write_redcap(data, folder / "redcap.csv"),
                         {"mapping": folder / "redcap_mapping.json"})
    for name in ("camcops.zip", "camcops.xlsx", "camcops.ods", "camcops.tsv",
                 "camcops.sqlite"):
        out[name] = (w.write_camcops(data, folder / name), {})
    messy = folder / "messy_export.csv"
    shutil.copyfile(srs.datasets.sample_path("messy_export.csv"), messy)
    out["messy_export.csv"] = (messy, {"dayfirst": True})
    return out


# --------------------------------------------------------------------------- mutators
def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """One to four byte-level mutations of a file."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(9)
        at = rng.randrange(len(buf) + 1) if buf else 0
        if kind == 0 and buf:  # flip a byte
            buf[min(at, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1:  # insert a hostile token
            buf[at:at] = rng.choice(NASTY)
        elif kind == 2 and buf:  # cut a span
            buf[at:at + rng.randint(1, 64)] = b""
        elif kind == 3:  # truncate
            del buf[at:]
        elif kind == 4:  # replace a cell (between separators) by a hostile token
            seps = [i for i in range(max(0, at - 200), min(len(buf), at + 200))
                    if buf[i] in b",;\t\n"]
            if len(seps) >= 2:
                i = rng.randrange(len(seps) - 1)
                buf[seps[i] + 1:seps[i + 1]] = rng.choice(NASTY)
        elif kind == 5:  # duplicate or drop a line
            lines = bytes(buf).split(b"\n")
            if lines:
                i = rng.randrange(len(lines))
                if rng.random() < 0.5:
                    lines.insert(i, lines[i])
                else:
                    del lines[i]
                buf = bytearray(b"\n".join(lines))
        elif kind == 6:  # swap two lines
            lines = bytes(buf).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                buf = bytearray(b"\n".join(lines))
        elif kind == 7:  # a trailing separator, or a run of them, at the end of lines
            tail = rng.choice([b",", b",,,,", b";", b"\t"])
            buf = bytearray(bytes(buf).replace(b"\n", tail + b"\n"))
        else:  # overwrite a span with random bytes
            n = rng.randint(1, 16)
            buf[at:at + n] = bytes(rng.randrange(256) for _ in range(n))
    return bytes(buf)


def mutate_zip(data: bytes, rng: random.Random) -> bytes:
    """Damage a member of a ZIP (an archive, a workbook) or the archive's own bytes."""
    if rng.random() < 0.3:
        return mutate_bytes(data, rng)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(i, zf.read(i)) for i in zf.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return mutate_bytes(data, rng)
    if not members:
        return data
    k = rng.randrange(len(members))
    info, content = members[k]
    choice = rng.random()
    if choice < 0.6:
        members[k] = (info, mutate_bytes(content, rng))
    elif choice < 0.75:  # a second member of the same name
        members.insert(k, (info, mutate_bytes(content, rng)))
    elif choice < 0.85:  # a stray member
        name = rng.choice(["__MACOSX/._x.csv", "notes.docx", "inner.zip", "x.csv.gz",
                           ".hidden.csv", "dir/", "deep/a.csv"])
        members.append((zipfile.ZipInfo(name), rng.choice(NASTY) * rng.randint(1, 5)))
    else:
        del members[k]
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names
        with zipfile.ZipFile(out, "w", rng.choice([zipfile.ZIP_STORED,
                                                   zipfile.ZIP_DEFLATED])) as zf:
            for i, c in members:
                zf.writestr(i.filename, c)
    return out.getvalue()


def mutate_sqlite(path: Path, rng: random.Random) -> None:
    """Rewrite cells, a table name or the file's bytes of an SQLite database."""
    if rng.random() < 0.3:
        path.write_bytes(mutate_bytes(path.read_bytes(), rng))
        return
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE "
                                            "type='table'")]
        if not tables:
            return
        t = rng.choice(tables)
        q = '"' + t.replace('"', '""') + '"'
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({q})")]
        for _ in range(rng.randint(1, 5)):
            col = '"' + rng.choice(cols).replace('"', '""') + '"'
            value = rng.choice([rng.choice(NASTY).decode("utf-8", "replace"),
                                rng.choice(NASTY), None, 1e300, -5, True, 2958465])
            if isinstance(value, bytes) and rng.random() < 0.5:
                con.execute(f"UPDATE {q} SET {col} = CAST(? AS TEXT) WHERE rowid = "
                            f"(SELECT rowid FROM {q} ORDER BY random() LIMIT 1)", (value,))
            else:
                con.execute(f"UPDATE {q} SET {col} = ? WHERE rowid = "
                            f"(SELECT rowid FROM {q} ORDER BY random() LIMIT 1)", (value,))
        if rng.random() < 0.2:
            con.execute(f'ALTER TABLE {q} RENAME TO "{t}""x"')
        con.commit()
    finally:
        con.close()


def mutate_parquet(data: bytes, rng: random.Random) -> bytes:
    """Replace a Parquet column with hostile values of another type, or damage bytes."""
    if rng.random() < 0.3:
        return mutate_bytes(data, rng)
    table = pq.read_table(io.BytesIO(data))
    n = table.num_rows
    j = rng.randrange(table.num_columns)
    import datetime as dt

    kinds = [
        lambda: pa.array([rng.choice(NASTY).decode("utf-8", "replace") for _ in range(n)]),
        lambda: pa.array([[rng.random()] * rng.randint(0, 2) for _ in range(n)]),
        lambda: pa.array([rng.choice([True, False, None]) for _ in range(n)]),
        lambda: pa.array([rng.choice([dt.date(9999, 12, 31), dt.date(1, 1, 1), None,
                                      dt.date(2026, 3, 2)]) for _ in range(n)], pa.date32()),
        lambda: pa.array([rng.choice([1e300, -1.0, float("nan"), float("inf"), 5.0])
                          for _ in range(n)]),
        lambda: pa.array([{"a": 1}] * n),
        lambda: pa.array([None] * n, pa.null()),
    ]
    table = table.set_column(j, table.column_names[j], rng.choice(kinds)())
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def mutant(path: Path, fmt: str, rng: random.Random, folder: Path) -> Path:
    """Write a mutant of ``path`` into ``folder`` (same name ending) and return it."""
    target = folder / f"mutant{Path(fmt).suffix}"
    suffix = Path(fmt).suffix
    if suffix == ".sqlite":
        shutil.copyfile(path, target)
        mutate_sqlite(target, rng)
        return target
    data = path.read_bytes()
    if suffix in (".zip", ".xlsx", ".ods"):
        data = mutate_zip(data, rng)
    elif suffix == ".parquet":
        data = mutate_parquet(data, rng)
    else:
        data = mutate_bytes(data, rng)
    target.write_bytes(data)
    return target


# --------------------------------------------------------------------------- checks
def check(res, dropped: set[str]) -> str | None:
    """The promise a loaded result broke, or None."""
    r = res.report
    if r["rows_read"] != r["loaded"] + r["rejected"] + r["skipped"] + r["duplicates"] \
            + r["conflicts"]:
        return "the counts do not add up"
    if len(res.data) != r["loaded"] or len(res.rejected) != r["rejected"] \
            or len(res.skipped) != r["skipped"]:
        return "the tables and the counts differ"
    if sum(r["by_reason"].values()) != r["rejected"]:
        return "by_reason does not add up"
    if len(res.rejected) and (res.rejected["reason"].isna().any()
                              or res.rejected["message"].isna().any()):
        return "a rejection without a reason or message"
    for table in (res.rejected, res.skipped):
        for raw in table["raw_values"]:
            cells = json.loads(raw)
            leaked = [c for c in cells if c in dropped]
            if leaked:
                return f"raw_values carry identifying columns {leaked}"
    if len(res.data) and res.data["client_id"].isna().any():
        return "a loaded row without a client id"
    return None


@contextmanager
def _bound(seconds: float):
    """Raise TimeoutError after ``seconds`` (main thread, Unix); a no-op elsewhere."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def fire(*_):
        raise TimeoutError(f"over {seconds:g} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(seconds: float, seed: int = 0, formats=FORMATS, per_mutant: float = 20.0,
        keep: Path | None = None, folder: Path | None = None) -> Summary:
    """Fuzz every format for ``seconds / len(formats)`` seconds each, from ``seed``."""
    summary = Summary()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(folder or tmp)
        originals = seeds(base / "seeds")
        for fmt in formats:
            path, options = originals[fmt]
            rng = random.Random(f"{seed}:{fmt}")
            end = time.monotonic() + seconds / len(formats)
            n = 0
            while time.monotonic() < end:
                n += 1
                work = base / "work"
                work.mkdir(exist_ok=True)
                try:
                    target = mutant(path, fmt, rng, work)
                except Exception:  # noqa: BLE001 - a mutator that cannot build this one
                    continue
                kind, what = _one(target, options, per_mutant, summary)
                summary.outcomes[fmt][kind] += 1
                if kind in ("crashed", "slow"):
                    summary.failures.append({"format": fmt, "n": n, "what": what})
                    if keep is not None:
                        keep.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(target, keep / f"{fmt}-{seed}-{n}{target.suffix}")
                shutil.rmtree(work, ignore_errors=True)
    return summary


def _one(target: Path, options: dict, per_mutant: float, summary: Summary):
    try:
        with _bound(per_mutant), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = srs.load(target, **options)
    except srs.LoadError as exc:
        if not str(exc).strip() or "Traceback" in str(exc):
            return "crashed", "a LoadError without a plain message"
        summary.refusals[_kind(str(exc))] += 1
        return "refused", None
    except TimeoutError as exc:
        return "slow", str(exc)
    except Exception as exc:  # the bug the fuzz looks for
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return "crashed", f"{type(exc).__name__}: {str(exc)[:200]} ({tb.filename}:{tb.lineno})"
    summary.reasons.update(res.report["by_reason"])
    dropped = set(res.report.get("dropped_identifying", []))
    broken = check(res, dropped)
    return ("crashed", broken) if broken else ("loaded", None)


def _kind(message: str) -> str:
    """A refusal's message without file names and numbers, cut short: its kind."""
    text = re.sub(r"mutant\.\w+(:[^ ]*)?", "FILE", message)
    text = re.sub(r"\([^)]*\)", "(...)", text)
    text = re.sub(r"\d[\d,.]*", "N", text)
    return text[:90]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep", type=Path, help="copy each failing mutant into this folder")
    p.add_argument("--format", action="append", choices=FORMATS,
                   help="fuzz only this format (repeat for several)")
    args = p.parse_args(argv)
    t = time.monotonic()
    summary = run(args.seconds, args.seed, tuple(args.format or FORMATS), keep=args.keep)
    print(f"fuzz: seed {args.seed}, {summary.mutants} mutants in "
          f"{time.monotonic() - t:.0f} s")
    print(summary.text())
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
