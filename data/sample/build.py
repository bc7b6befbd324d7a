"""Rebuild the SYNTHETIC sample data: ``make sample`` or ``python build.py [--resimulate]``.

Everything here is synthetic. The sample caseload ships inside the package
(``srs_analytics/datasets/caseload.csv``, made once by
:func:`srs_analytics.synthetic.simulate` with 300 clients and ``seed=2026``); this script lays
it out as real systems export it, with the writers of :mod:`srs_analytics.io.writers`, in
this folder. ``messy_export.csv`` is typed in below and written both into the package and
here. ``--resimulate`` makes the packaged caseload anew from the simulator first (do it on
purpose: every example in the documentation is written against it). There is no real client
data. Running this again gives the same files, byte for byte (archive timestamps are pinned).
``README.md`` describes each file and what is wrong with ``messy_export.csv``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import zipfile
from pathlib import Path

from srs_analytics.datasets import load_sample, sample_path
from srs_analytics.io import writers as ex
from srs_analytics.synthetic import simulate

HERE = Path(__file__).resolve().parent
PACKAGED = sample_path().parent
N_CLIENTS = 300
SEED = 2026
NOTE = ("SYNTHETIC data made by srs_analytics.simulate(300, seed=2026) for testing; "
        "no real client data.")
_PINNED = (2026, 1, 1, 0, 0, 0)  # date of every archive member, for reproducible builds
_PINNED_ISO = "2026-01-01T00:00:00Z"

# A hand-kept spreadsheet saved as CSV from a Swiss-German Excel: a title and a note line
# above the header (header = line 3), ';' separators, decimal commas, day/month/year dates,
# Windows-1252 text, two empty columns at the right and empty rows at the end. The defects
# are listed line by line in README.md; keep the two in step when editing.
MESSY = """\
Feedback scores ORS and SRS – Zürich and Bern – SYNTHETIC test data (no real clients);;;;;;;;;;;;;;;;;;
Typed in from paper forms. Dates are day/month/year.;;;;;;;;;;;;;;;;;;
client id;episode;therapist;site;session date;session #;ORS 1;ORS 2;ORS 3;ORS 4;ORS total;SRS skip;SRS 1;SRS 2;SRS 3;SRS 4;SRS total;;
M001;M001-1;T-ZH-1;Zürich;13/01/2026;1;3,2;4,5;5,1;3,8;16,6;;8,7;9,1;8,8;9,0;35,6;;
M001;M001-1;T-ZH-1;Zürich;20/01/2026;2;4,0;4,8;5,5;4,1;18,4;;9,2;9,0;9,4;9,3;36,9;;
M001;M001-1;T-ZH-1;Zürich;27/01/2026;3;5,1;5,0;6,2;5,3;21,6;;9,5;9,4;9,6;9,5;38,0;;
M001;M001-1;T-ZH-1;Zürich;03/02/2026;4;6,0;5,8;6,4;6,1;24,3;;9,6;9,8;9,7;9,9;39,0;;
M002;M002-1;T-ZH-1;Zürich;14/01/2026;1;2,1;3,0;4,2;2,5;11,8;;7,5;8,0;6,9;7,6;30,0;;
M002;M002-1;T-ZH-1;Zürich;21/01/2026;2;2,8;3,3;4,0;3,1;13,2;Y;;;;;;;
M002;M002-1;T-ZH-1;Zürich;28/01/2026;3;3,5;4,1;4,6;3,6;15,8;;8,2;8,5;7,9;8,3;32,9;;
M002;M002-1;T-ZH-1;Zürich;04/02/2026;4;11,5;4,4;5,0;4,2;25,1;;;;;;;;
M003;M003-1;T-ZH-2;Zürich;15/01/2026;1;6,3;5,9;7,0;6,1;25,3;;9,9;9,8;10,0;9,9;39,6;;
M003;M003-1;T-ZH-2;Zürich;22/01/2026;2;6,8;;7,2;6,5;;;;;;;;;
M003;M003-1;T-ZH-2;Zürich;29/01/2026;3;7,0;6,6;7,4;6,9;27,9;;10,0;10,0;10,0;10,0;40,0;;
M003;M003-1;T-ZH-2;Zürich;05/02/2026;4;;;;;29;;10,0;10,0;10,0;10,0;40,0;;
M004;M004-1;T-ZH-2;Zürich;16/01/2026;1;4,4;3,9;5,2;4,0;17,5;;8,8;8,4;8,9;8,6;34,7;;
M004;M004-1;T-ZH-2;Zürich;23/01/2026;2;5,0;4,6;5,5;4,9;24,0;;;;;;;;
M004;M004-1;T-ZH-2;Zürich;30/01/2026;3;5,6;5,2;6,0;5,5;22,3;;9,0;8,8;9,1;9,0;35,9;;
M005;M005-1;T-BE-1;Bern;19/01/2026;1;1,9;2,4;3,3;2,0;9,6;;6,8;7,2;6,5;7,0;27,5;;
M005;M005-1;T-BE-1;Bern;26/01/2026;2;2,5;x;3,9;2,7;;;;;;;;;
M005;M005-1;T-BE-1;Bern;02/02/2026;3;3,0;3,4;4,5;3,3;14,2;;7,8;8,1;7,6;8,0;31,5;;
M005;M005-1;T-BE-1;Bern;09/02/2026;4;3,8;4,0;5,1;3,9;16,8;;8,4;8,6;8,2;8,5;33,7;;
;;T-BE-1;Bern;16/02/2026;5;4,2;4,4;5,3;4,1;18,0;;;;;;;;
M006;M006-1;T-BE-1;Bern;20/01/2026;1;5,5;6,1;6,0;5,2;22,8;;9,3;9,5;9,0;9,4;37,2;;
M006;M006-1;T-BE-1;Bern;31/02/2026;2;6,2;6,4;6,6;5,9;25,1;;;;;;;;
M006;M006-1;T-BE-1;Bern;03/02/2026;3;6,9;7,0;7,1;6,6;27,6;;9,6;9,7;9,5;9,8;38,6;;
M007;P-001;T-BE-1;Bern;21/01/2026;1;3,3;2,8;4,4;3,0;13,5;;8,0;7,7;8,3;7,9;31,9;;
M008;P-001;T-BE-1;Bern;21/01/2026;1;5,8;4,9;6,2;5,5;22,4;;9,7;9,9;9,6;9,8;39,0;;
M007;P-001;T-BE-1;Bern;28/01/2026;2;4,0;3,5;4,9;3,8;16,2;;8,5;8,1;8,6;8,3;33,5;;
M008;P-001;T-BE-1;Bern;28/01/2026;2;6,1;5,3;6,5;5,9;23,8;;9,8;9,9;9,9;10,0;39,6;;
M009;M009-1;T-ZH-1;Zürich;02/02/2026;1;2,6;3,9;3,1;2,2;11,8;;7,0;7,4;6,6;7,1;28,1;;
M009;M009-1;T-ZH-1;Zürich;09/02/2026;2;3,4;4,2;3,8;2,9;14,3;;7,9;8,2;0,0;7,5;23,6;;
M009;M009-1;T-ZH-1;Zürich;16/02/2026;3;4,1;4,6;4,4;3,5;16,6;;8,6;8,8;8,1;8,4;33,9;;
M010;M010-1;T-ZH-2;Zürich;03/02/2026;1;7,5;7,9;8,0;7,2;30,6;;10,0;9,9;10,0;10,0;39,9;;
M010;M010-1;T-ZH-2;Zürich;10/02/2026;2;7,8;8,1;8,2;7,7;31,8;;;;;;;;
M010;M010-1;T-ZH-2;Zürich;17/02/2026;3;8,0;8,3;8,1;7,9;32,3;;10,0;10,0;10,0;10,0;40,0;;
M010;M010-1;T-ZH-2;Zürich;10/02/2026;2;7,8;8,1;8,2;7,7;31,8;;;;;;;;
;;;;;;;;;;;;;;;;;;
;;;;;;;;;;;;;;;;;;

"""


def write_messy(path: Path) -> Path:
    """Write ``messy_export.csv`` as a Windows program would: cp1252 and CRLF line ends."""
    path.write_bytes(MESSY.replace("\n", "\r\n").encode("cp1252"))
    return path


def _pin_archive(path: Path) -> None:
    """Rewrite a ZIP-based file (zip, xlsx, ods) with pinned member dates and metadata."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
        comment = zf.comment
    with zipfile.ZipFile(path, "w") as zf:
        zf.comment = comment
        for info, data in members:
            if info.filename in ("docProps/core.xml", "meta.xml"):
                data = re.sub(rb"(<(dcterms:created|dcterms:modified|meta:creation-date|"
                              rb"dc:date)[^>]*>)[^<]*", rb"\g<1>" + _PINNED_ISO.encode(), data)
            pinned = zipfile.ZipInfo(info.filename, date_time=_PINNED)
            pinned.compress_type = info.compress_type
            pinned.external_attr = info.external_attr
            zf.writestr(pinned, data)


def build(folder: Path = HERE, *, resimulate: bool = False) -> list[Path]:
    """Write every sample file into ``folder`` from the packaged caseload; return the paths.

    With ``resimulate``, the packaged caseload is first made anew by the simulator.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if resimulate:
        ex.write_canonical(simulate(N_CLIENTS, seed=SEED), PACKAGED / "caseload.csv")
    write_messy(PACKAGED / "messy_export.csv")
    data = load_sample()
    paths = [
        Path(shutil.copyfile(PACKAGED / "caseload.csv", folder / "caseload.csv")),
        ex.write_canonical(data, folder / "caseload.parquet", note=NOTE),
        ex.write_canonical(data, folder / "caseload.xlsx", note=NOTE),
        ex.write_openfit(data, folder / "openfit.csv", skip_style="YN", score_layout="items",
                         skip_missing=True),
        ex.write_openfit(data, folder / "openfit_totals.csv", skip_style="10",
                         score_layout="total", total_as_items=True),
        ex.write_camcops(data, folder / "camcops.zip", note=NOTE),
        ex.write_camcops(data, folder / "camcops.xlsx", note=NOTE),
        ex.write_camcops(data, folder / "camcops.ods", note=NOTE),
        ex.write_camcops(data, folder / "camcops_ors.tsv", task="ors"),
        ex.write_camcops(data, folder / "camcops.sqlite", note=NOTE),
        ex.write_mhsds(data, folder / "mhsds.csv"),
        ex.write_redcap(data, folder / "redcap.csv"),
        folder / "redcap_mapping.json",
        ex.write_wide(data, folder / "wide_european.csv", european=True),
        Path(shutil.copyfile(PACKAGED / "messy_export.csv", folder / "messy_export.csv")),
    ]
    for p in paths:
        if p.suffix in (".zip", ".xlsx", ".ods"):
            _pin_archive(p)
    return paths


def main() -> None:
    p = argparse.ArgumentParser(description="Rebuild the synthetic sample data.")
    p.add_argument("folder", nargs="?", type=Path, default=HERE)
    p.add_argument("--resimulate", action="store_true",
                   help="make the packaged caseload anew with the simulator first")
    args = p.parse_args()
    for path in build(args.folder, resimulate=args.resimulate):
        print(f"{path.stat().st_size:>9,d}  {path.name}")


if __name__ == "__main__":
    main()
