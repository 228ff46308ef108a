"""The stage runner behind `botwatch analyze` and every command that analyses a study.

A stage reads tables and writes tables, and says so when it registers: `needs` (required inputs:
without them it is skipped, with the reason), `optional` (read when present, so their writer runs
first when it runs at all), `writes` (tables it creates or replaces; one writer per table) and
`updates` (tables another stage writes that this one changes in place, e.g. `accounts_clusters`
adding the cluster evidence to `account_scores`). The runner orders stages from that graph, not
from a hand-kept list: a stable topological order (ties keep registration order), checked before
anything runs (a cycle, two writers of one table, or a required table that no stage writes and
the study lacks is an error naming the stage and the table). Each run is recorded in the `runs`
table with its parameters. Stages must be deterministic (fixed seeds) so a re-run gives the same
tables, and each runs once per `analyze`.

Ordering rule for `updates`: the updater runs after the table's writer, and a stage reading that
table runs after the updater unless the updater itself depends on it (coordination reads the
account scores the accounts stage wrote; `accounts_clusters` needs coordination's clusters, so
coordination sees the scores before the cluster evidence is added, as it always did).

The runner uses only the study's public methods (`tables()`, `run()`), so a DuckDB `Study` and a
Spark `LakeStudy` go through it alike.

Stages are found through the `botwatch.stages` entry points (a module whose import registers
stages, or a `Stage` object; see `botwatch.plugins`); the built-in modules in `STAGE_MODULES` are
always loaded too, so a checkout run from `src` without an installed package has every stage.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botwatch import plugins

# Built-in stage modules (pyproject.toml lists the same ones as `botwatch.stages` entry points).
# Their order only breaks ties in the graph order.
STAGE_MODULES: list[str] = [
    "botwatch.stages_core",
    "botwatch.content.stage",
    "botwatch.accounts.stage",
    "botwatch.coordination.stage",
    "botwatch.timeline.stages",
    "botwatch.impact.stage",
    "botwatch.estimates.stage",
]


@dataclass
class Context:
    """What every stage may use: the election (or None) and options given on the command line.

    `results` is where a stage may leave in-memory results for the command that ran it (notes, rows
    a command prints); it is not recorded in `runs`. `run_params` is the running stage's own
    `runs` parameters: a stage may add what it settles only while running (the content stage: the
    sha256 of the shipped model files its labels came from), so the record says what made them."""

    election: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    engine: str = "duckdb"
    log: Callable[[str], None] = print
    results: dict[str, Any] = field(default_factory=dict)
    run_params: dict[str, Any] = field(default_factory=dict)
    # True (the Python API's `botwatch.api.analyze`): each stage's `runs` row records only the
    # options that stage declared it reads (`register(options=...)`), so the record the report's
    # "Reproduction" quotes never lists a setting that made no difference. The CLI's runs keep
    # every option they were given (its `cli` marker included), as before.
    record_declared_options: bool = False


StageFn = Callable[[Any, Context], "int | None"]


@dataclass(frozen=True)
class Stage:
    name: str
    run: StageFn
    needs: tuple[str, ...]
    writes: tuple[str, ...]
    doc: str
    needs_election: bool = False
    optional: tuple[str, ...] = ()
    updates: tuple[str, ...] = ()
    # The `Context.options` keys the stage reads (what `botwatch.api.analyze` accepts for it; any
    # other key would be silently ignored by the stage, so the API refuses it).
    options: tuple[str, ...] = ()
    # Called as check(study, ctx, name) before the stage's `runs` row is opened: a `PipelineError`
    # from it refuses the stage with no run recorded. Raised inside the stage, the same refusal
    # (posts labelled for another election) was recorded "failed", and `status` listed a stage
    # whose tables it had never touched as failed.
    check: Callable[[Any, Context, str], None] | None = None

    def reads(self) -> tuple[str, ...]:
        """Every table this stage reads: required, optional and the ones it updates."""
        return self.needs + self.optional + self.updates

    def describe(self) -> dict[str, Any]:
        """The stage as `botwatch stages --json` prints it (`options`: the keys `botwatch.api.analyze`
        accepts for it); schemas come from `botwatch.schema`."""
        from botwatch.schema import schema_of

        def cols(t: str) -> list[str] | None:
            s = schema_of(t)
            return None if s is None else [f"{f.name} {f.type}" for f in s]

        return {
            "stage": self.name, "needs": list(self.needs), "optional": list(self.optional), "writes": list(self.writes),
            "updates": list(self.updates), "needs_election": self.needs_election, "options": list(self.options), "doc": self.doc,
            "schemas": {t: c for t in self.writes if (c := cols(t)) is not None},
        }


class PipelineError(RuntimeError):
    """The stage graph or a stage selection cannot run; the message names the stage and table.
    `python` is the same refusal in `botwatch.api` terms (`with_deps=True` for `--with-deps`),
    which the API raises in its place; it is the message itself where nothing differs."""

    def __init__(self, message: str, python: str | None = None) -> None:
        super().__init__(message)
        self.python = python if python is not None else message


_REGISTRY: dict[str, Stage] = {}


def register(
    name: str,
    *,
    needs: tuple[str, ...] = (),
    writes: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    updates: tuple[str, ...] = (),
    needs_election: bool = False,
    options: tuple[str, ...] = (),
    check: Callable[[Any, Context, str], None] | None = None,
) -> Callable[[StageFn], StageFn]:
    """Decorator: add a stage function to the pipeline with the tables it reads and writes, the
    `Context.options` keys it reads (`options`), and a refusal to ask before it runs (`check`,
    `Stage.check`)."""

    def deco(fn: StageFn) -> StageFn:
        old = _REGISTRY.get(name)
        if old is not None and (old.run.__module__, old.run.__qualname__) != (fn.__module__, fn.__qualname__):
            # A plug-in must not silently replace a built-in stage (or another plug-in's).
            raise PipelineError(f"stage {name!r} is defined twice: {old.run.__module__}.{old.run.__qualname__} and {fn.__module__}.{fn.__qualname__}")
        stage = Stage(name, fn, tuple(needs), tuple(writes), (fn.__doc__ or "").strip().split("\n")[0], needs_election, tuple(optional), tuple(updates),
                      tuple(options), check)
        _REGISTRY[name] = stage
        fn.botwatch_stage = stage  # type: ignore[attr-defined]
        return fn

    return deco


def stages() -> list[Stage]:
    """All registered stages, in pipeline (graph) order."""
    try:
        loaded = plugins.load(plugins.STAGES, STAGE_MODULES)
    except plugins.PluginError as exc:
        raise PipelineError(str(exc)) from exc
    for obj in loaded:
        for stage in [obj] if isinstance(obj, Stage) else plugins.defined_in(obj, "botwatch_stage"):
            if isinstance(stage, Stage):
                _REGISTRY.setdefault(stage.name, stage)
    return order(_by_declaration(list(_REGISTRY.values())))


def _by_declaration(registered: list[Stage]) -> list[Stage]:
    """Stages ranked by where they are declared, not by when their module happened to be imported
    (a command or a test may import a stage module before `stages()` runs): built-ins in
    `STAGE_MODULES` order, then plug-ins by module name; within a module, in definition order.
    `order` breaks ties by this rank, so the run order is the same in every process."""
    mod_rank = {m: i for i, m in enumerate(STAGE_MODULES)}
    seen = {s.name: i for i, s in enumerate(registered)}

    def key(s: Stage) -> tuple[int, str, int]:
        mod = getattr(s.run, "__module__", "") or ""
        return (mod_rank.get(mod, len(mod_rank)), "" if mod in mod_rank else mod, seen[s.name])

    return sorted(registered, key=key)


def _writers(all_stages: list[Stage]) -> dict[str, str]:
    writer: dict[str, str] = {}
    for s in all_stages:
        for t in s.writes:
            if t in writer and writer[t] != s.name:
                raise PipelineError(f"table {t!r} is written by two stages, {writer[t]!r} and {s.name!r}: one must read or update it instead")
            writer[t] = s.name
    return writer


def edges(all_stages: list[Stage]) -> dict[str, dict[str, str]]:
    """before -> {after: table that makes it so}: the dependency graph of the stages."""
    writer = _writers(all_stages)
    out: dict[str, dict[str, str]] = {s.name: {} for s in all_stages}
    for s in all_stages:
        for t in s.reads():
            w = writer.get(t)
            if w is not None and w != s.name:
                out[w].setdefault(s.name, t)
    ancestors = {s.name: _reach(out, s.name, backwards=True) for s in all_stages}
    for u in all_stages:
        for t in u.updates:
            for r in all_stages:
                if r.name != u.name and t in r.needs + r.optional and t not in r.updates and r.name not in ancestors[u.name]:
                    out[u.name].setdefault(r.name, t)
    return out


def _reach(graph: dict[str, dict[str, str]], start: str, *, backwards: bool = False) -> set[str]:
    """Stages reachable from `start` (its descendants, or with `backwards` its ancestors)."""
    if backwards:
        rev: dict[str, dict[str, str]] = {n: {} for n in graph}
        for a, afters in graph.items():
            for b, t in afters.items():
                rev[b][a] = t
        graph = rev
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    seen.discard(start)
    return seen


def order(all_stages: list[Stage]) -> list[Stage]:
    """Stable topological order: among stages whose inputs are settled, the earliest registered
    first. A cycle is an error naming its stages and the tables that link them."""
    graph = edges(all_stages)
    rank = {s.name: i for i, s in enumerate(all_stages)}
    by_name = {s.name: s for s in all_stages}
    indeg = {n: 0 for n in graph}
    for afters in graph.values():
        for b in afters:
            indeg[b] += 1
    ready = [(rank[n], n) for n, d in indeg.items() if d == 0]
    heapq.heapify(ready)
    out: list[Stage] = []
    while ready:
        _, n = heapq.heappop(ready)
        out.append(by_name[n])
        for b in graph[n]:
            indeg[b] -= 1
            if indeg[b] == 0:
                heapq.heappush(ready, (rank[b], b))
    if len(out) < len(all_stages):
        raise PipelineError("stages form a cycle: " + _cycle_text(graph, {n for n, d in indeg.items() if d > 0}))
    return out


def _cycle_text(graph: dict[str, dict[str, str]], left: set[str]) -> str:
    """One cycle among the stages `left`, as 'a -(table)-> b -(table)-> a'."""
    start = min(left)
    path, seen = [start], {start}
    while True:
        nxt = next(b for b in sorted(graph[path[-1]]) if b in left)
        if nxt in seen:
            path = path[path.index(nxt):] + [nxt]
            break
        path.append(nxt)
        seen.add(nxt)
    return " ".join(f"{a} -({graph[a][b]})->" for a, b in zip(path, path[1:])) + f" {path[-1]}"


def plan(
    all_stages: list[Stage], present: set[str], only: list[str] | None = None, skip: list[str] | None = None, *, with_deps: bool = False
) -> list[tuple[Stage, bool]]:
    """The stages to run, in order, each with whether it was named (`only`) rather than added.

    Without `only`: every stage but `skip`. With `only`: those stages, plus the stages that update
    a table they write (they finish those tables: `accounts_clusters` after `accounts`) or that
    finish tables from one they write, when the study has the rest (`accounts_clusters` after
    `coordination`), plus with
    `with_deps` every stage upstream of them. A named stage whose required input the study lacks
    and no selected stage writes is an error naming the stage(s) to run first."""
    known = {s.name: s for s in all_stages}
    for name in (only or []) + (skip or []):
        if name not in known:
            raise PipelineError(f"unknown stage {name!r}; stages: {', '.join(known)}")
    writer = _writers(all_stages)
    graph = edges(all_stages)
    named = set(only or known)
    chosen = set(named)
    if only and with_deps:
        for n in list(chosen):
            chosen |= _reach(graph, n, backwards=True)
    changed = True
    while changed:  # stages that finish tables a chosen stage writes, or finish them from a chosen stage's output
        changed = False
        for s in all_stages:
            if s.name not in chosen and (any(writer.get(t) in chosen for t in s.updates if t in s.needs) or _refinishes(s, chosen, writer, present)):
                chosen.add(s.name)
                changed = True
    chosen -= set(skip or [])
    # Before anything runs: a required table must come from somewhere.
    for s in all_stages:
        if s.name not in chosen:
            continue
        for t in s.needs:
            if t in present:
                continue
            w = writer.get(t)
            if w is None:
                raise PipelineError(f"stage {s.name!r} needs table {t!r}: no stage writes it and the study has none")
            if only and s.name in named and w not in chosen:
                upstream = [x.name for x in order([known[n] for n in {w} | _reach(graph, w, backwards=True)]) if x.name not in chosen]
                lacks = f"stage {s.name!r} needs table {t!r}, which the study lacks: run {', '.join(upstream)} first, or "
                raise PipelineError(lacks + "add --with-deps", lacks + "pass with_deps=True")
    return [(s, s.name in named) for s in order(all_stages) if s.name in chosen]


def _refinishes(s: Stage, chosen: set[str], writer: dict[str, str], present: set[str]) -> bool:
    """Whether `s` finishes tables it needs (it updates them) from another input a chosen stage
    rebuilds, with every input at hand: `accounts_clusters` after `--only coordination`. Left
    out, the accounts' evidence ("acts in unison with 7 other accounts of its cluster 0") kept
    naming the clusters of the run before, which `explain` and `accounts --json` showed as current."""
    finishes = [t for t in s.updates if t in s.needs]
    rebuilt = [t for t in s.needs if t not in finishes and writer.get(t) in chosen]
    return bool(finishes and rebuilt) and all(t in present or writer.get(t) in chosen for t in s.needs)


StageStart = Callable[[str], None]
StageDone = Callable[[str, str, "int | None", float], None]


def analyze(
    study: Any,
    ctx: Context,
    only: list[str] | None = None,
    skip: list[str] | None = None,
    *,
    with_deps: bool = False,
    on_start: StageStart | None = None,
    on_done: StageDone | None = None,
) -> list[tuple[str, str, int | None]]:
    """Run the stages (all, or `only` those named; see `plan`) and return (stage, status, rows) per stage.

    `on_start(stage)` and `on_done(stage, status, rows, seconds)` let a caller show progress (the
    CLI's per-stage display): long stages on a large study otherwise run for a minute in silence.
    Every stage this call runs records the same `command_id` (`runs_table`): the report's
    reproduction shows one command per call, where two calls with the same parameters used to read
    as one."""
    import uuid

    results: list[tuple[str, str, int | None]] = []
    command_id = uuid.uuid4().hex[:12]
    for stage, _named in plan(stages(), set(study.tables()), only, skip, with_deps=with_deps):
        if stage.needs_election and ctx.election is None:
            results.append((stage.name, "skipped: needs --election", None))
            continue
        have = set(study.tables())
        missing = [t for t in stage.needs if t not in have]
        if missing:
            results.append((stage.name, f"skipped: needs {', '.join(missing)}", None))
            continue
        if on_start:
            on_start(stage.name)
        t0 = time.perf_counter()
        rows = _run_stage(study, ctx, stage, command_id)
        if on_done:
            on_done(stage.name, "ok", rows, time.perf_counter() - t0)
        results.append((stage.name, "ok", rows))
    return results


def _run_stage(study: Any, ctx: Context, stage: Stage, command_id: str) -> int | None:
    from botwatch.elections.recorded import run_params
    from botwatch.runs_table import COMMAND_ID

    # `no_election` is no stage's setting but the command's choice (elections.recorded reads it)
    given = {k: v for k, v in ctx.options.items() if k in stage.options or k == "no_election"} if ctx.record_declared_options else ctx.options
    # The engine the stage ran on is the study's: `botwatch coordination`, `estimate` and `impact`
    # build their Context without one, so on a lake they recorded (and the report listed) duckdb.
    params = {**run_params(ctx.election), "engine": getattr(study, "engine", ctx.engine), **given, COMMAND_ID: command_id}
    ctx.run_params = params  # written to `runs` when the stage ends, with what the stage added
    if stage.check is not None:
        stage.check(study, ctx, stage.name)  # a refusal leaves no run: the stage's tables are as they were
    with study.run(stage.name, params) as info:
        rows = stage.run(study, ctx)
        info["rows_written"] = rows
    return rows
