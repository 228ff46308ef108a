"""Under `pytest -n 2 --dist loadfile`, every file holding a Spark test goes to one xdist worker, as
one work unit, so the suite starts one Spark JVM instead of one per worker (docs/testing.md).

Each JVM pays its own start, its own just-in-time compiling of Spark's code and its own Janino
compiling of every query's generated classes (the `spark` fixture's codegen cache is per JVM), so
two workers that both ran Spark files paid all of that twice. The other worker runs the rest of the
suite's files meanwhile; xdist queues the largest work unit first, so the Spark unit starts at once.

Which files: those whose source names the `spark` marker (`pytest.mark.spark`). The controller
never collects tests, so it cannot read markers; a file's text is what it has. A file that uses the
`spark` fixture without the marker would still run, only on whichever worker takes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xdist.scheduler import LoadFileScheduling

SPARK_UNIT = "spark-marked files"


def spark_files(rootpath: Path, tests: Path) -> frozenset[str]:
    """The test files under `tests` that name the `spark` marker, as their node ids begin
    (relative to `rootpath`, forward slashes)."""
    found = set()
    for path in sorted(tests.rglob("test_*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "mark.spark" in text:
            found.add(path.relative_to(rootpath).as_posix())
    return frozenset(found)


class SparkFilesTogether(LoadFileScheduling):
    """`loadfile`, but the Spark files are one work unit (so they share one worker and one JVM)."""

    def __init__(self, config: Any, log: Any, files: frozenset[str]) -> None:
        super().__init__(config, log)
        self._spark_files = files

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return SPARK_UNIT if path in self._spark_files else path
