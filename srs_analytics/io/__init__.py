"""Reading and writing files: the readers, the source formats, the boundary rules, the
loader and the writers of every supported layout.

Data flows one way: files -> :func:`load` (validates once, at the boundary) -> the canonical
table -> the analyses. The writers turn a canonical table back into the layouts that
feedback systems export (for the synthetic sample data and round-trip tests).
"""

from ._errors import LimitError, LoadError
from ._output import neutralise
from .limits import ReadLimits
from .loader import LoadResult, load
from .validation import REASONS, LoadSettings
from .writers import (
    redcap_mapping,
    write_camcops,
    write_canonical,
    write_mhsds,
    write_openfit,
    write_redcap,
    write_table,
    write_wide,
)

__all__ = [
    "REASONS", "LimitError", "LoadError", "LoadResult", "LoadSettings", "ReadLimits", "load",
    "neutralise", "redcap_mapping",
    "write_camcops", "write_canonical", "write_mhsds", "write_openfit", "write_redcap",
    "write_table", "write_wide",
]
