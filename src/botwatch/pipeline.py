"""The stage runner behind `botwatch analyze`.

A stage reads tables and writes tables. Stages register themselves here with the tables they
need and the tables they write; `analyze` runs them in registration order, each recorded in the
`runs` table with its parameters, and a stage can be run alone (`--stage NAME`). Stages must be
deterministic (fixed seeds) so a re-run gives the same tables.

Feature packages plug in by listing their stage module in `STAGE_MODULES`; importing the module
calls `register(...)`.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botwatch.study import Study

# Modules whose import registers stages, in pipeline order. Each feature issue adds its own line.
STAGE_MODULES: list[str] = [
    "botwatch.stages_core",
    "botwatch.content.stage",
    "botwatch.accounts.stage",
    "botwatch.coordination.stage",
    "botwatch.timeline.stages",
    "botwatch.estimates.stage",
]


@dataclass
class Context:
    """What every stage may use: the election (or None) and options given on the command line."""

    election: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    engine: str = "duckdb"
    log: Callable[[str], None] = print


StageFn = Callable[[Study, Context], "int | None"]


@dataclass(frozen=True)
class Stage:
    name: str
    run: StageFn
    needs: tuple[str, ...]
    writes: tuple[str, ...]
    doc: str
    needs_election: bool = False
    # Stages whose output this one uses as evidence but which run after it (their own inputs
    # include this stage's output): when one of them runs in the same `analyze`, this stage
    # runs once more after it, so the evidence is there without a second command.
    refresh_after: tuple[str, ...] = ()


_REGISTRY: dict[str, Stage] = {}


def register(
    name: str, *, needs: tuple[str, ...] = (), writes: tuple[str, ...] = (), needs_election: bool = False, refresh_after: tuple[str, ...] = ()
) -> Callable[[StageFn], StageFn]:
    """Decorator: add a stage function to the pipeline."""

    def deco(fn: StageFn) -> StageFn:
        _REGISTRY[name] = Stage(name, fn, needs, writes, (fn.__doc__ or "").strip().split("\n")[0], needs_election, refresh_after)
        return fn

    return deco


def stages() -> list[Stage]:
    """All registered stages, in pipeline order."""
    for mod in STAGE_MODULES:
        importlib.import_module(mod)
    return list(_REGISTRY.values())


class PipelineError(RuntimeError):
    pass


StageStart = Callable[[str], None]
StageDone = Callable[[str, str, "int | None", float], None]


def analyze(
    study: Study,
    ctx: Context,
    only: list[str] | None = None,
    skip: list[str] | None = None,
    *,
    on_start: StageStart | None = None,
    on_done: StageDone | None = None,
) -> list[tuple[str, str, int | None]]:
    """Run the stages (all, or `only` those named) and return (stage, status, rows) per stage.

    `on_start(stage)` and `on_done(stage, status, rows, seconds)` let a caller show progress (the
    CLI's per-stage display): long stages on a large study otherwise run for a minute in silence."""
    def run(stage: Stage, label: str) -> int | None:
        if on_start:
            on_start(label)
        t0 = time.perf_counter()
        rows = _run_stage(study, ctx, stage)
        if on_done:
            on_done(label, "ok", rows, time.perf_counter() - t0)
        return rows

    known = {s.name: s for s in stages()}
    for name in (only or []) + (skip or []):
        if name not in known:
            raise PipelineError(f"unknown stage {name!r}; stages: {', '.join(known)}")
    results: list[tuple[str, str, int | None]] = []
    ran: list[Stage] = []
    for stage in known.values():
        if only and stage.name not in only:
            continue
        if skip and stage.name in skip:
            continue
        if stage.needs_election and ctx.election is None:
            results.append((stage.name, "skipped: needs --election", None))
            continue
        missing = [t for t in stage.needs if t not in study.tables()]
        if missing:
            results.append((stage.name, f"skipped: needs {', '.join(missing)}", None))
            continue
        results.append((stage.name, "ok", run(stage, stage.name)))
        ran.append(stage)
        for earlier in ran[:-1]:
            if stage.name in earlier.refresh_after:
                label = f"{earlier.name} (refreshed after {stage.name})"
                results.append((label, "ok", run(earlier, label)))
    return results


def _run_stage(study: Study, ctx: Context, stage: Stage) -> int | None:
    params = {"election": getattr(ctx.election, "key", None), "engine": ctx.engine, **ctx.options}
    with study.run(stage.name, params) as info:
        rows = stage.run(study, ctx)
        info["rows_written"] = rows
    return rows
