"""Recording an evaluation command's result as a `runs` row of the study it scored.

Why: `content evaluate` and `evaluate-accounts` write no table; their figures reach the report
through one `runs` row each. Both open the study for writing the same way (a lake on the Spark
session it is already open on: a second JVM start would cost most of a minute), and neither may
fail after printing its figures: a study that cannot be written is said in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


from botwatch.shown_text import whole_sentences


def record_run(study: Path | str, stage: str, params: Callable[[], dict[str, Any]], lake: Any = None) -> str | None:
    """Write one ok `runs` row of `stage` with `params()` into `study` (`lake`: the LakeStudy the
    command read, open read-only on its Spark session). None when recorded, else why not (a
    read-only file or folder, another process holding it)."""
    from botwatch.study import Study, StudyError

    try:
        p = params()
        if lake is not None:
            from botwatch.engines.lake import LakeStudy

            opened = LakeStudy(lake.path, read_only=False, create=False, spark=lake.spark)
        else:
            opened = Study(study, read_only=False, create=False)
        with opened as st:
            with st.run(stage, p) as info:
                info["rows_written"] = 0
    except StudyError as exc:  # said as a command says it, not as the Python API does (`StudyBusy` included)
        return _first_sentences(exc.for_command()) or type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - a read-only file, a lock: the result stands, unrecorded
        return _first_sentences(str(exc)) or type(exc).__name__
    return None


def _first_sentences(text: str, limit: int = 400) -> str:
    """The error's first line, cut at the last whole sentence within `limit` characters: a cut at
    200 characters ended the lock and permission lines mid-word ("… which holds it for writing,
    so this command cannot write to it. A study can be open for wri")."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if len(line) <= limit:
        return line
    return whole_sentences(line, limit) or line[: limit - 1] + "…"


def say_recorded(say: Any, study: Path | str, stage: str, why: str | None, quoted: str, *, json_out: bool = False) -> None:
    """The one line after `record_run`: where it was recorded and who quotes it (`quoted`, e.g.
    "the report's accounts section quotes it"), or why not; `say` is the console it goes to (the
    messages console under `--json`, whose figures were printed as JSON rather than above)."""
    from botwatch.cli.common import plain
    from botwatch.shown_text import name_shown

    if why is None:
        say.print(f"recorded in {plain(name_shown(Path(study).name))} (stage {stage}): {quoted}", highlight=False)
    else:
        say.print(f"[yellow]note:[/yellow] not recorded in the study ({plain(why)}); the figures {'printed' if json_out else 'above'} stand", highlight=False)
