"""botwatch: find and measure automated and foreign-linked influence campaigns in election talk.

Every score botwatch produces is a probability with its evidence, never a verdict.

The documented Python API (docs/python-api.md) is named here and loaded on first use (PEP 562
`__getattr__`): `botwatch.api` holds all of it, with its result types and `api.ingest` (not
re-exported here: `botwatch.ingest` is the ingest package). Why lazily: importing this package is
the first thing every `botwatch` command and every submodule import does, and it imported DuckDB,
Arrow and the study machinery (about half a second); Ctrl-C in that time could reach no handler
of ours, so it printed a KeyboardInterrupt traceback (`botwatch.__main__` guards from here on).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from botwatch.api import account, analyze, load_election, stage_options
    from botwatch.study import Study, StudyError, open_study

_HOMES = {
    "Study": "botwatch.study",
    "StudyError": "botwatch.study",
    "open_study": "botwatch.study",
    "account": "botwatch.api",
    "analyze": "botwatch.api",
    "load_election": "botwatch.api",
    "stage_options": "botwatch.api",
}

__all__ = ["Study", "StudyError", "open_study", "load_election", "analyze", "account", "stage_options", "__version__"]


def __getattr__(name: str) -> Any:
    """A name of the API, imported from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'botwatch' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
