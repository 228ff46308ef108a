"""The `botwatch` command line: thin wrappers that call the library and print what happened.

One module per command group (`study`, `ingest`, `analyze`, `elections`, `accounts`, `collect`,
`content`, `coordination`, `estimates`, `timeline`), each adding its commands to the shared Typer
`app` of `common` when imported; `common` also holds the shared arguments and error helpers. A new
group is a module here and a line in `COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib
import sys

from botwatch.cli.common import app, console, out

COMMAND_MODULES: list[str] = [
    "botwatch.cli.study",
    "botwatch.cli.ingest",
    "botwatch.cli.analyze",
    "botwatch.cli.elections",
    "botwatch.cli.accounts",
    "botwatch.cli.collect",
    "botwatch.cli.coordination",
    "botwatch.cli.estimates",
    "botwatch.cli.timeline",
    "botwatch.cli.content",
    "botwatch.cli.stages",
]

for _mod in COMMAND_MODULES:
    importlib.import_module(_mod)

from botwatch.cli.analyze import sample_files  # noqa: E402  (benchmarks and notebooks use it)

__all__ = ["COMMAND_MODULES", "app", "console", "main", "out", "sample_files"]


def main() -> None:  # pragma: no cover - console entry alias
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
