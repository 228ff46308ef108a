"""Reading the parameters a study's `runs` table recorded: one reader for every caller.

Each stage run (and each `ingest`) records its parameters in `runs.params` as JSON. The election a
study was analysed with (`elections.recorded`), the report's context and stage table, and the
reproduction block each parsed that column on their own, with their own answer to a row that is
not a JSON object; this module is the one place that reads it. It only reads: what a value means
is its caller's business.

`command_id` is written by `pipeline.analyze`, once per call, into the parameters of every stage
that call runs (a `botwatch analyze` or `botwatch estimate`), so the reproduction can tell two
commands with the same parameters apart. It lives in `params` rather than in a column of its own
so that a study written before it existed (a DuckDB file, or a lake whose Parquet files fix the
table's columns) is read and appended to as before; such a study's runs simply have none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botwatch.library_versions import LIBRARIES_KEY

COMMAND_ID = "command_id"
# Keys that record how a run was made, not a parameter of what it computed (left out of the
# parameters the report's stage table shows: an id differs on every run and on every engine).
# `estimates_version`: which rules made the estimates table's rows (`estimates.compute.ESTIMATES_VERSION`).
# `content_rules_version`: which rules in code made the post labels (`content.rules_version`).
# `libraries`: the versions of the libraries that decide results (`library_versions`).
# `digests`: per table a run wrote, a digest of what later stages read of it (`coordination.stage.members_digest`),
# which `report.staleness.behind_inputs` compares: a record of the result, no setting.
DIGESTS_KEY = "digests"
BOOKKEEPING = frozenset({COMMAND_ID, "estimates_version", "content_rules_version", LIBRARIES_KEY, DIGESTS_KEY})


def parse_params(text: Any) -> dict[str, Any] | None:
    """The recorded parameters as a dict; None when the text is not a JSON object (a row written by
    hand or damaged). An empty or NULL record is an empty dict."""
    try:
        p = json.loads(text or "{}")
    except (TypeError, ValueError):
        return None
    return p if isinstance(p, dict) else None


@dataclass(frozen=True)
class Run:
    """One successful run as recorded: `params` is None when its record is not a JSON object."""

    stage: str
    params: dict[str, Any] | None
    version: str | None

    @property
    def command_id(self) -> str | None:
        """The id of the command that ran it (None: recorded before commands had ids, or not a stage run)."""
        cid = (self.params or {}).get(COMMAND_ID)
        return cid if isinstance(cid, str) and cid else None

    @property
    def libraries(self) -> dict[str, str] | None:
        """The library versions it recorded (None: recorded before they were, `library_versions`)."""
        from botwatch.library_versions import recorded_libraries

        return recorded_libraries(self.params)


# The order of `ok_runs`, total and the same on every engine: Spark put a NULL `finished_at`
# (a row written by hand, or damaged) first where DuckDB put it last, and runs that finished in
# the same microsecond came in whatever order each engine read them.
RUN_ORDER = ("finished_at", "started_at", "run_id")  # each ascending, NULLs last


def ok_runs(study: Any) -> list[Run]:
    """The study's successful runs, oldest first ([] when it has no `runs` table), in `RUN_ORDER`
    (NULLs last). Read in Python rather than with QUALIFY, so that a Spark lake's `runs` answers
    the same: read at the driver on either engine (`driver_arrow`; on a local lake by Arrow with no
    Spark job, where Spark SQL ran three per call, three calls an analysis) and sorted there."""
    if "runs" not in study.tables():
        return []
    rows = _in_run_order(study.driver_arrow("runs", ["stage", "params", "version", *RUN_ORDER], {"status": "ok"}))
    return [Run(stage, parse_params(params), version) for stage, params, version in rows]


_last_sorted: tuple[Any, list[tuple[Any, ...]]] | None = None  # (the table read, its rows in RUN_ORDER)


def _in_run_order(table: Any) -> list[tuple[Any, ...]]:
    """The rows of `ok_runs`' read, sorted in Python by their last three columns (`RUN_ORDER`),
    less those three: text by code point, as Arrow and DuckDB compare it (UTF-8 bytes), a NULL after
    every value. Arrow's sort brought pyarrow.compute (some 0.04 CPU-s) into every command that
    reads a DuckDB study's runs. Sorted once per table read: a read-only study hands the same table
    back (`Study.driver_arrow`), and a `report` asks 55 times (2,000 runs sorted each time doubled
    the CPU of those calls); the rows are tuples, so no caller changes what the next one gets."""
    global _last_sorted
    if _last_sorted is None or _last_sorted[0] is not table:
        keys = zip(*(sort_values(c) for c in table.columns[3:]))
        ordered = sorted(zip(keys, zip(*(c.to_pylist() for c in table.columns[:3]))), key=lambda r: [(v is None, v) for v in r[0]])
        _last_sorted = (table, [row for _key, row in ordered])
    return _last_sorted[1]


def sort_values(column: Any) -> list[Any]:
    """A sort column's values as Python compares them: a timestamp as its count of units since the
    epoch (its chunks viewed as int64, no copy and no `pyarrow.compute`), since a time past year
    9999 (DuckDB's `infinity`, a row edited by hand) has no Python datetime: turning it into one
    raised OverflowError, where DuckDB's ORDER BY put it after every other time. Compare values of
    one column only (two timestamp columns may count different units)."""
    if str(column.type).startswith("timestamp"):
        import pyarrow as pa

        return [v for chunk in column.chunks for v in chunk.view(pa.int64()).to_pylist()]
    return column.to_pylist()


def latest_by_stage(study: Any) -> dict[str, dict[str, Any]]:
    """The parameters of each stage's latest successful run whose record is readable (ingest
    included: it names no election)."""
    return {r.stage: r.params for r in ok_runs(study) if r.params is not None}


def latest_of_stage(study: Any, stage: str) -> Run | None:
    """The latest successful run of `stage` (whether its record is readable or not), or None."""
    return next((r for r in reversed(ok_runs(study)) if r.stage == stage), None)


def merged_params(study: Any) -> dict[str, Any]:
    """The readable parameters of every successful run, merged oldest to newest (a newer non-null
    value wins): what the report takes as the study's election and sample rate."""
    merged: dict[str, Any] = {}
    for r in ok_runs(study):
        if r.params is not None:
            merged.update({k: v for k, v in r.params.items() if v is not None})
    return merged


def evaluations_since(study: Any, stage: str, measured: str) -> list[tuple[dict[str, Any] | None, Any]]:
    """(parameters, finished_at) of the successful runs of the evaluation `stage` (`content
    evaluate`, `evaluate-accounts`: commands that record figures and write no table), newest first,
    that are not older than the latest successful run of the stage whose output they measured
    (`measured`: 'content', 'accounts'). An older one measured labels or scores the study no longer
    holds (they were made again since, perhaps by other models), so no caller may quote it."""
    if "runs" not in study.tables():
        return []
    rows = study.sql("SELECT params, finished_at FROM runs WHERE status = 'ok' AND stage = ? ORDER BY finished_at DESC", [stage])
    latest = study.sql("SELECT max(finished_at) FROM runs WHERE status = 'ok' AND stage = ?", [measured])
    since = latest[0][0] if latest else None
    out = []
    for params, finished in rows:
        if since is not None and (finished is None or finished < since):
            break  # this and every older one predate what the study holds now
        out.append((parse_params(params), finished))
    return out
