"""botwatch's Python API: the stable, documented way to use botwatch from a notebook or a script.

Everything here is a thin door onto what the command line uses, so a notebook and `botwatch
analyze` make the same tables and the same `runs` records (docs/python-api.md):

* `ingest(path, files)`: read archives into a study (creating it); `sample_files()` are the
  bundled sample's.
* `open_study(path)`: open a study, read-only by default (never creates a file).
* `load_election(key_or_path)`: a shipped preset by key ("us-2016") or your own TOML file.
* `analyze(study, election=..., only=[...], options={...})`: run analysis stages; returns one
  `StageResult` per stage. Option names are checked against the ones the chosen stages read
  (`stage_options()`): a key no stage reads is a `ValueError`, never a silently ignored setting
  recorded in `runs` as if it had been used.
* `account(study, "@handle")`: one account's bot and origin probabilities with their evidence, as
  the dict `botwatch explain --json` prints (`"shape": "botwatch-account/1"`); an
  `AmbiguousAccountWarning` when the name may mean other accounts too; `NoSuchAccount` (a
  `LookupError` carrying the study's `close_handles`) when none answers to it.
* `foreign_counts(study, home)`: the report's foreign-origin figures (`botwatch.origin_rule`).

Names not listed in `__all__` (in this module or elsewhere in the package) are internal and may
change between versions.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botwatch.accounts.json_shape import SHAPE as ACCOUNT_SHAPE
from botwatch.elections.model import Election, ElectionError
from botwatch.origin_rule import foreign_counts
from botwatch.study import Study, StudyError, open_study

__all__ = [
    "ACCOUNT_SHAPE", "AmbiguousAccountWarning", "Election", "ElectionError", "NoSuchAccount", "StageResult", "Study", "StudyError",
    "account", "analyze", "foreign_counts", "ingest", "load_election", "open_study", "sample_files", "stage_options",
]


class AmbiguousAccountWarning(UserWarning):
    """Warned by `account` when the name asked for may mean more accounts than the one returned:
    a handle on two platforms, or renamed and taken by another account (the one with most posts
    is returned), or a Mastodon name that other instances' accounts bear ("@alice" returns the
    local alice; alice@b.social is another account). `key` is the name asked for, `chosen` the
    (platform, account_id) returned, `others` the (platform, account_id) of the others, each of
    which `account(study, account_id, platform=platform)` returns, the call the message gives for
    each ("ask by account id" alone returned the same account again where two platforms hold
    that id). `botwatch explain` prints the same on stderr. Ids and platforms are the study's
    text: written with `repr`, as `NoSuchAccount` writes handles."""

    def __init__(self, key: str, chosen: tuple[str, str], others: list[tuple[str, str]]) -> None:
        self.key, self.chosen, self.others = key, chosen, others
        super().__init__(f"{len(others) + 1:,} accounts may be meant by {key!r}: returned is {chosen[0]!r} {chosen[1]!r}; "
                         f"for another, call {_calls_for(others)}")


def _calls_for(accounts: list[tuple[str, str]], at_most: int = 5) -> str:
    """Each (platform, account_id) as the `account` call that returns it alone."""
    named = ", ".join(f"account(study, {a!r}, platform={p!r})" for p, a in accounts[:at_most])
    return named + (f" and {len(accounts) - at_most:,} more" if len(accounts) > at_most else "")


class NoSuchAccount(LookupError):
    """Raised by `account` when no account answers to the name: a `LookupError`, as before. `key`
    is the name asked for, `close_handles` up to 3 of the study's handles close to it (as stored,
    most posts first; empty when none is), which the message offers as `botwatch explain` does;
    they are the study's text, so the message writes them with `repr` (a handle's ESC or U+202E as
    an escape, not sent to a terminal that prints it)."""

    def __init__(self, message: str, key: str, close_handles: list[str]) -> None:
        self.key, self.close_handles, self._asked = key, list(close_handles), message
        if self.close_handles:
            message += f"; did you mean {', '.join(repr('@' + h) for h in self.close_handles)}?"
        super().__init__(message)

    def __reduce__(self) -> tuple[type, tuple[str, str, list[str]]]:
        """Rebuilt from all three (a pickled exception is remade from `args`, the message alone:
        raised in a process pool's worker, or copied, it failed with a TypeError of its own)."""
        return type(self), (self._asked, self.key, self.close_handles)


@dataclass(frozen=True)
class StageResult:
    """What one stage of `analyze` did.

    `status` is "ok" (it ran; `rows` is what it wrote, None when it does not count rows) or
    "skipped" (it did not run; `reason` says why, e.g. the table it needs is missing). `seconds`
    is its wall time (None when skipped)."""

    stage: str
    status: str
    rows: int | None = None
    reason: str | None = None
    seconds: float | None = None

    @property
    def ok(self) -> bool:
        """True when the stage ran."""
        return self.status == "ok"


def _as_list(value: Any) -> list[Any] | None:
    """A sequence argument as a list; one str or Path given alone is a list of that one item (a
    plain string is itself a sequence: `only="coverage"` named the stages 'c', 'o', ..., and
    `ingest(path, "tweets.jsonl")` read the files 't', 'w', ... and created an empty study)."""
    if value is None:
        return None
    return [value] if isinstance(value, (str, Path)) else list(value)


def sample_files() -> list[Path]:
    """The bundled sample's archive files (real posts, see its ATTRIBUTION.md): what `botwatch
    demo` ingests, for trying the API without data of your own."""
    from botwatch.cli.analyze import sample_files as files

    return files()


def ingest(
    study: str | Path | Any,
    files: Sequence[str | Path] | str | Path,
    *,
    force: bool = False,
    workers: int | None = None,
    columns: str | dict[str, str] | None = None,
    column_map: str | Path | None = None,
    time_format: str | None = None,
    time_zone: str | None = None,
    platform: str | None = None,
    decode_entities: bool | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
) -> Any:
    """Read archives (twarc2 JSONL, IRA CSV, ... as `botwatch ingest`; folders are walked) into the
    study at `study`, creating it when the file does not exist: the one call that may create a
    study. A study object must be open for writing. Each file is its own transaction; a file
    already read is skipped unless `force`. Returns the summary: `.files` has one result per file
    (`stored`, `duplicates`, `rejected`, `error`, ...), `.total("stored")` sums a field, `.notes`
    are lines about a column map (columns it leaves unread, times it cannot read) and about the
    study (an older one's bad records it could not move: `merge.retire_older`).

    Your own CSV: `columns` (the `--columns` text, or a dict field -> column), `column_map` (a TOML
    file), `time_format`, `time_zone`, `platform` and `decode_entities` are `botwatch ingest`'s options of the same
    names, read by the same code (docs/ingest-csv.md); a map that cannot be used, or a file that
    lacks a mapped column, is a `ValueError` before anything is written; so are inputs none of which
    exist, or no input at all (an empty list, an empty folder), as a `FileNotFoundError` (one missing
    among others is an error in the summary's `files`).
    `engine="spark"` (or a `study` that is a lake folder or URL) ingests into a lake on Spark as `botwatch ingest
    --engine spark` does (`spark_master` as its `--spark-master`; a Spark session already running
    is used, one started here is stopped at the end)."""
    from botwatch.engines.lake import is_lake_path
    from botwatch.ingest.csv_mapping import check_inputs, from_options
    from botwatch.ingest.runner import expand_inputs
    from botwatch.ingest.runner import ingest as run_ingest

    if engine not in (None, "duckdb", "spark"):
        raise ValueError(f"engine must be 'duckdb' or 'spark', not {engine!r}")
    if workers is not None and not (_whole(workers) and workers >= 1):
        # As `botwatch ingest --workers` (at least 1): workers="2" failed every file with
        # "TypeError: '>' not supported between instances of 'str' and 'int'" and stored nothing.
        raise ValueError(f"workers must be a whole number of at least 1, got {workers!r}")
    cmap = from_options(columns, str(column_map) if column_map is not None else None, time_format, platform, time_zone,
                        decode_entities)
    paths = [str(f) for f in _as_list(files) or []]
    odd: list[str] = []  # named pipes, sockets, devices a folder walk found: failed inputs, never opened
    lakes: list[str] = []  # lakes found under a folder given: not walked
    expanded = expand_inputs(paths, not_files=odd, lakes=lakes)
    missing = [f for f in expanded if f != "-" and "://" not in f and not os.path.lexists(f)]
    if missing and len(missing) == len(expanded):
        # As `botwatch ingest`: nothing to read is said before the study is touched. It was a
        # summary whose files each carried "no such file", and a new empty study left behind
        # that a later analyze() ran every stage on.
        raise FileNotFoundError(f"no such file: {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''} (nothing read, no study created or changed)")
    where = str(study) if isinstance(study, (str, Path)) else None
    inputs, aside = _without_databases(expanded, paths, where or getattr(study, "path", None))
    if not inputs and not odd:
        # As `botwatch ingest` ("no input files in ..."): `files=[]`, a glob that matched nothing or
        # an empty folder made a new empty study and returned a summary of no files, in silence.
        given = ", ".join(paths[:3]) + (" …" if len(paths) > 3 else "")
        raise FileNotFoundError(f"no input files {'in ' + given if paths else 'given'}"
                                f"{' (only ' + ', '.join(lakes + aside) + ')' if lakes or aside else ''} "
                                "(nothing read, no study created or changed)")
    local = [f for f in inputs if f != "-" and "://" not in f and Path(f).is_file()]
    notes = aside + [f"left aside {lake}: a lake (a study) found in a folder, not an input" for lake in lakes] + (
        check_inputs(cmap, local) if cmap is not None else [])
    if where is not None and engine == "duckdb" and is_lake_path(where):
        raise ValueError(f"{where} is a lake (a folder of Parquet tables): ingest into it with engine='spark', or without engine")
    if where is not None and (engine == "spark" or (engine is None and is_lake_path(where))):
        summary = _ingest_lake(where, paths, force, cmap, spark_master)  # (its own walk finds `odd` again)
    elif engine == "spark" or getattr(study, "engine", "duckdb") == "spark":
        raise ValueError("a lake is ingested from its location: pass the lake's path or URL with engine='spark', not an open study")
    elif where is not None:
        with Study(study, read_only=False, create=True) as st:
            summary = run_ingest(st, inputs, force=force, workers=workers, columns=cmap, not_files=odd)
    else:
        st, _ = _open_for_writing(study, "ingest")
        summary = run_ingest(st, inputs, force=force, workers=workers, columns=cmap, not_files=odd)
    summary.notes = [*notes, *summary.notes]  # (the engine's own: an older study's bad records, `merge.retire_older`)
    return summary


def _without_databases(files: list[str], named: list[str], study: Any) -> tuple[list[str], list[str]]:
    """(`files` without the study being written, its `.wal`, and the DuckDB databases a folder walk
    found; the lines saying what was left aside), as `botwatch ingest` leaves them (the same
    `ingest.source.study_files` and `databases_found`). Given a folder holding the study, `ingest`
    read the study itself and its log as inputs, each a whole-file rejection kept in `rejected`, on
    every call."""
    from botwatch.ingest.source import databases_found, study_files

    mine = study_files(files, study)
    dbs = databases_found([f for f in files if f not in mine], named)
    lines = ([f"left aside {', '.join(mine)}: the study this call writes, not an input"] if mine else []) + (
        [f"left aside {', '.join(dbs[:5])}{' …' if len(dbs) > 5 else ''}: DuckDB database{'s' if len(dbs) > 1 else ''} "
         "found in a folder, not an input"] if dbs else [])
    return [f for f in files if f not in mine and f not in dbs], lines


def _ingest_lake(location: str, paths: list[str], force: bool, cmap: Any, master: str | None) -> Any:
    """`botwatch ingest --engine spark`'s work without its progress bars: the same `ingest_lake`."""
    from botwatch.engines.spark_ingest import ingest_lake, spark_session

    spark, started = spark_session(master)
    try:
        return ingest_lake(spark, location, paths, force=force, columns=cmap)
    finally:
        if started:
            spark.stop()


def load_election(ref: str | Path | Election) -> Election:
    """The election a shipped preset key ("us-2016", see `botwatch elections list`) or a TOML
    file path names; an `Election` is returned as it is. Raises `ElectionError` with the reason
    (no such preset, listing them; a file that does not validate, with its line)."""
    if isinstance(ref, Election):
        return ref
    if not isinstance(ref, (str, Path)):
        raise TypeError(f"election must be a preset key, a path to a TOML file or an Election, not {type(ref).__name__}")
    from botwatch.elections import load_election as load

    return load(ref)


def stage_options(stages: Sequence[str] | str | None = None) -> dict[str, tuple[str, ...]]:
    """The `options` keys each stage reads ({stage: keys}), for `stages` or all of them, in
    pipeline order. These are the only keys `analyze` accepts; what each means is in
    docs/python-api.md (they are the command line's options, in seconds and plain values)."""
    from botwatch.pipeline import stages as all_stages

    known = {s.name: s for s in all_stages()}
    stages = _as_list(stages)
    for name in stages or []:
        if name not in known:
            raise ValueError(f"unknown stage {name!r}; stages: {', '.join(known)}")
    return {n: s.options for n, s in known.items() if stages is None or n in stages}


def _check_options(options: dict[str, Any], chosen: list[str]) -> None:
    """`ValueError` for a key no stage reads (naming the valid ones, and the nearest) or one only
    stages outside this run read (naming them): either would change nothing yet be recorded."""
    per_stage = stage_options()
    every = sorted({k for keys in per_stage.values() for k in keys})
    here = {k for n in chosen for k in per_stage.get(n, ())}
    for key in options:
        if not isinstance(key, str) or key not in every:
            # The CLI's flag names are the keys without their stage's prefix ("window" is
            # `coordination_window_s`): match those too, so the hint names the real key.
            names = {k: k for k in every} | {k.split("_", 1)[1]: k for k in every if k.startswith(("coordination_", "impact_"))}
            near = [names[n] for n in difflib.get_close_matches(str(key).replace("-", "_"), list(names), n=3, cutoff=0.6)]
            near = list(dict.fromkeys(near))[:2]
            hint = f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""
            raise ValueError(f"unknown option {key!r}{hint}: no stage reads it. Options the stages read: {', '.join(every)}")
        if key not in here:
            readers = [n for n, keys in per_stage.items() if key in keys]
            raise ValueError(f"option {key!r} is read only by {', '.join(readers)}, which this run does not include (stages here: {', '.join(chosen)})")
    rate = options.get("sample_rate")
    if rate is not None and not (isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 < rate <= 1):
        raise ValueError(f"sample_rate must be a number in (0, 1], got {rate!r}")
    if any(k.startswith("coordination_") for k in options):
        _check_coordination(options)
    _check_values(options)


def _plain(value: Any) -> Any:
    """`value` with NumPy's scalars and arrays (and tuples) made plain Python: ints, floats, bools
    and lists. Why: a notebook's numbers often come from NumPy or pandas, and
    `coordination_window_s=np.int64(300)` was refused as "must be a whole number ..., got
    np.int64(300)", while `impact_parties=np.array(["dem"])` ran but went into `runs` (and the
    report's reproduction steps) as the text "['dem']"."""
    if type(value).__module__ == "numpy":
        if getattr(value, "dtype", None) is not None and value.dtype.kind == "M":
            # A time in nanoseconds (pandas' unit) is an int of them to `.item()`: as microseconds
            # it is the `datetime` it holds (None for NaT).
            value = value.astype("datetime64[us]")
        value = value.item() if getattr(value, "ndim", 1) == 0 else value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_values(options: dict[str, Any]) -> None:
    """The other stages' settings, checked as their commands' flags are, before anything runs.

    Unchecked, a value of the wrong kind failed inside its stage after the stages before it had
    run (`workers="4"`: "'<' not supported between instances of 'int' and 'str'"; `impact_start=
    "yesterday"`: DuckDB's "Conversion Error"), or worse ran as something else: a string where a
    list goes is a list of its letters, so `impact_parties="dem"` tested parties 'd', 'e' and 'm'
    and wrote 0 rows, "ok"."""
    from datetime import datetime

    for name in ("impact_parties", "windows"):
        if isinstance(options.get(name), str):
            raise ValueError(f"{name} is a list, e.g. [{options[name]!r}], got the string {options[name]!r}")
    if "workers" in options and options["workers"] is not None and not (_whole(options["workers"]) and options["workers"] >= 1):
        raise ValueError(f"workers must be a whole number of at least 1, got {options['workers']!r}")
    for name in ("impact_maxlags", "impact_horizon"):
        if options.get(name) is not None and not (_whole(options[name]) and options[name] >= 1):
            raise ValueError(f"{name} must be a whole number of at least 1, got {options[name]!r}")
    if options.get("impact_freq") is not None:
        from botwatch.impact.stage import pandas_freq

        if not isinstance(options["impact_freq"], str):
            raise ValueError(f"impact_freq is a length of time such as '1h' or '1d', got {options['impact_freq']!r}")
        pandas_freq(options["impact_freq"])
    when = {}
    for name in ("impact_start", "impact_end"):
        value = options.get(name)
        if value is None:
            continue
        try:
            when[name] = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a UTC time, a datetime or text such as '2016-10-01 00:00', got {value!r}") from None
    if len(when) == 2 and when["impact_start"].replace(tzinfo=None) > when["impact_end"].replace(tzinfo=None):
        raise ValueError(f"impact_start {options['impact_start']!r} is after impact_end {options['impact_end']!r}")
    if any(k in options for k in ("bootstrap_reps", "seed", "windows")):
        from botwatch.estimates.compute import DEFAULT_REPS, DEFAULT_SEED, EstimateOptions, parse_window

        for name in ("bootstrap_reps", "seed"):
            if options.get(name) is not None and not _whole(options[name]):
                raise ValueError(f"{name} must be a whole number, got {options[name]!r}")
        reps, seed = options.get("bootstrap_reps"), options.get("seed")
        EstimateOptions(reps=DEFAULT_REPS if reps is None else reps, seed=DEFAULT_SEED if seed is None else seed,
                        extra_windows=[parse_window(str(w)) for w in options.get("windows") or []])


def _check_coordination(options: dict[str, Any]) -> None:
    """The coordination settings' values, checked as `botwatch coordination` checks its flags,
    before anything runs (a window of "5m" is the CLI's spelling: here it is seconds)."""
    from botwatch.coordination.behaviours import check_behaviours
    from botwatch.coordination.edges import NULL_MODELS

    o = {k.removeprefix("coordination_"): v for k, v in options.items() if k.startswith("coordination_")}
    whole = ("window_s", "min_repeats", "max_trace_accounts", "max_trace_pairs", "null_replicates", "seed", "fast_seconds", "min_text_chars", "memory_mb")
    for name in whole:
        if name in o and not (isinstance(o[name], int) and not isinstance(o[name], bool)):
            raise ValueError(f"coordination_{name} must be a whole number{' of seconds, e.g. 300 for 5 minutes' if name == 'window_s' else ''}, got {o[name]!r}")
    least = {"window_s": 1, "min_repeats": 1, "max_trace_pairs": 1, "null_replicates": 1, "fast_seconds": 1, "max_trace_accounts": 0, "memory_mb": 0, "min_text_chars": 0}
    for name, low in least.items():
        if name in o and o[name] < low:
            raise ValueError(f"coordination_{name} must be at least {low}, got {o[name]}")
    if "max_fdr" in o and not (isinstance(o["max_fdr"], (int, float)) and 0 < o["max_fdr"] < 1):
        raise ValueError(f"coordination_max_fdr must be between 0 and 1 (0.05 is 5%), got {o['max_fdr']!r}")
    if "behaviours" in o:
        if isinstance(o["behaviours"], str):
            raise ValueError(f"coordination_behaviours is a list of names, e.g. ['co-retweet'], got the string {o['behaviours']!r}")
        check_behaviours(o["behaviours"])
    if "null_model" in o and o["null_model"] not in NULL_MODELS:
        raise ValueError(f"unknown coordination_null_model {o['null_model']!r}; known: {', '.join(NULL_MODELS)}")
    if o.get("null_unit") not in (None, "D", "h"):
        raise ValueError(f"unknown coordination_null_unit {o['null_unit']!r}: use 'D' (day) or 'h' (hour)")


def _open_for_writing(study: Any, call: str = "analyze") -> tuple[Any, bool]:
    """(an open study, whether we opened it); a study object opened read-only is a `StudyError`."""
    if isinstance(study, (str, Path)):
        from botwatch.engines.lake import is_lake_path

        if is_lake_path(str(study)):
            from botwatch.engines.lake import LakeStudy

            return LakeStudy(study, read_only=False, create=False), True
        return Study(study, read_only=False, create=False), True  # never creates: a typo is an error
    if getattr(study, "read_only", False):
        where = getattr(study, "path", None) or getattr(study, "root", "the study")
        raise StudyError(
            f"{where} is open read-only, and {call} writes tables: close it (st.close()) and pass the path, "
            "or open it with botwatch.open_study(path, read_only=False)"
        )
    if not hasattr(study, "tables") or not hasattr(study, "run"):
        raise TypeError(f"study must be a path or an open study (botwatch.open_study), not {type(study).__name__}")
    return study, False


def analyze(
    study: str | Path | Any,
    election: str | Path | Election | None = None,
    *,
    only: Sequence[str] | str | None = None,
    skip: Sequence[str] | str | None = None,
    with_deps: bool = False,
    options: dict[str, Any] | None = None,
    log: Callable[[str], None] | None = print,
    no_election: bool = False,
) -> list[StageResult]:
    """Run analysis stages on a study, as `botwatch analyze` does, recording each in `runs`.

    `study` is a path (opened for writing and closed afterwards; a missing path is a `StudyError`,
    never a new empty study) or a study opened with `open_study(path, read_only=False)`; one opened
    read-only is a `StudyError` saying so, as is one holding no posts and no accounts. `election` is a preset key, a TOML path or an `Election`;
    without one, the election the study was last analysed with is reused (as the CLI does), and a
    stage that needs one is skipped (or, named in `only`, a `ValueError`). `only`, `skip` and
    `with_deps` choose stages as the CLI's `--only`, `--skip` and `--with-deps`. `options` are the
    stages' settings (`stage_options()` lists them: e.g. `{"coordination_window_s": 300}`); an
    unknown key, or one no chosen stage reads, is a `ValueError` before anything runs, and each
    stage's `runs` row records only the options it read. `log` receives progress lines (None:
    silent). Returns one `StageResult` per stage, in the order they ran. Raises `ElectionError`
    for an election that does not load, or when no `election` is given and the study's stages
    recorded different ones (say which with `election=`), and `ValueError` for a stage that cannot run
    as asked (e.g. timeline with an election the posts were not labelled for). `no_election=True` is the CLI's
    `--no-election`: no election, recorded so that a later call (or `botwatch analyze`) without one
    keeps none; a study last analysed so keeps none too, and records it again. The warnings
    `botwatch analyze` prints (no post in the election's window; parties no post names) go to
    `log` too, as lines starting "warning: "."""
    from botwatch.elections.recorded import study_election
    from botwatch.pipeline import Context, PipelineError, plan, stages as all_stages
    from botwatch.pipeline import analyze as run_pipeline

    if no_election and election is not None:
        raise ValueError("election= and no_election=True contradict each other: pass one of them (neither: the election the study was analysed with)")
    if options is not None and not isinstance(options, dict):
        # A list of names (or of pairs) said "dictionary update sequence element #0 has length 1".
        raise TypeError(f"options must be a dict of option name to value, e.g. {{'coordination_window_s': 300}}, not {type(options).__name__}")
    options = {k: _plain(v) for k, v in (options or {}).items()}
    only, skip = _as_list(only), _as_list(skip)
    given = load_election(election) if election is not None else None
    st, opened = _open_for_writing(study)
    try:
        have = set(st.tables())
        if not any(t in have and st.count(t) > 0 for t in ("posts", "accounts")):
            # As `botwatch analyze` (exit 1 there): every stage said "ok", 0 rows, and the
            # estimates stage wrote 72 rows of nothing.
            where = getattr(st, "path", None) or getattr(st, "root", "the study")
            raise StudyError(f"{where} holds no posts (and no accounts): nothing to analyze, no stage was run; "
                             "add archives with botwatch.api.ingest(study, files)")
        try:
            chosen_plan = plan(all_stages(), set(st.tables()), list(only) if only else None, list(skip) if skip else None, with_deps=with_deps)
        except PipelineError as exc:
            raise ValueError(exc.python) from None
        chosen = [s.name for s, _ in chosen_plan]
        _check_options(options, chosen)
        if no_election:
            the_election, line = None, "no election"
        elif given is not None:
            the_election, line = given, None
        else:
            try:
                the_election, line = study_election(st)
            except ElectionError as exc:
                # Worded for the command line ("pass --election to say which one to use"): from
                # Python the same choice is this call's `election=`.
                raise ElectionError(str(exc).replace("pass --election", "pass election=")) from None
        if the_election is None and line is not None:
            # None on purpose (now or as last recorded): recorded again, as `analyze --no-election`
            # does, or an older stage's election would come back on the next call without one.
            options["no_election"] = True
        if the_election is None:
            need = [s.name for s, named in chosen_plan if named and only and s.needs_election]
            if need:
                raise ValueError(f"{', '.join(need)} {'needs' if len(need) == 1 else 'need'} an election: pass election='us-2016' (a preset key) or a TOML path")
        if the_election is not None and options.get("impact_parties"):
            # As `botwatch impact --party`: a key the election lacks was tested as a party with no
            # posts and said "ok", 0 rows.
            keys = [p.key for p in the_election.parties]
            unknown = [p for p in options["impact_parties"] if p not in keys]
            if unknown:
                raise ValueError(f"no party {unknown[0]!r} in {the_election.key}; parties: {', '.join(keys)}")
        quiet: Callable[[str], None] = log if log is not None else (lambda _m: None)
        if options.get("sample_rate") is None and "estimates" in chosen:
            # As the CLI: the rate the study's estimates were made with (or a capture's), said in the log.
            from botwatch.estimates.recorded_rate import study_sample_rate

            rate, rate_line = study_sample_rate(st)
            if rate is not None:
                options["sample_rate"] = rate
            if rate_line:
                quiet(rate_line)
        ctx = Context(election=the_election, options=options, log=quiet, engine=getattr(st, "engine", "duckdb"), record_declared_options=True)
        if the_election is not None:
            from botwatch.report.caveats import outside_election_window, outside_window_advice

            # The warnings `botwatch analyze` prints, to the same `log` as the progress: a study
            # outside the election's window, or whose posts name none of its parties, analysed
            # "ok" here with nothing said.
            if line := outside_election_window(st, the_election):
                quiet(f"warning: {line} {outside_window_advice('api')}")
        seconds: dict[str, float] = {}
        try:
            raw = run_pipeline(
                st, ctx, only=list(only) if only else None, skip=list(skip) if skip else None, with_deps=with_deps,
                on_done=lambda name, _s, _r, secs: seconds.__setitem__(name, secs),
            )
        except PipelineError as exc:
            # A stage that cannot run as asked (timeline with an election the posts were not
            # labelled for) is the same kind of refusal as the plan's above, which the CLI says in
            # one line; it reached the caller as `botwatch.pipeline.PipelineError`, a type this
            # API never names. A damaged installation's content model stays its own error.
            from botwatch.content.modelrun import ContentModelError

            if isinstance(exc, ContentModelError):
                raise
            raise ValueError(getattr(exc, "python", str(exc))) from None
        if the_election is not None and any(name == "content" and status == "ok" for name, status, _rows in raw):
            from botwatch.content.party_coverage import dominant_lines, party_coverage, unmatched_lines

            from botwatch.estimates.recorded_rate import warning_rate
            from botwatch.report.caveats import outside_election_window

            cov = party_coverage(st, the_election)
            rate = warning_rate(st, options.get("sample_rate")) if cov is not None else None  # as the CLI: the recorded rate under only=['content'] too
            outside = cov is not None and cov.election_posts == 0 and outside_election_window(st, the_election) is not None  # the window is the cause
            for line in [*unmatched_lines(cov, the_election, rate, outside), *dominant_lines(st, cov, the_election)] if cov is not None else []:
                quiet(f"warning: {line}")
    finally:
        if opened:
            st.close()
    out = []
    for name, status, rows in raw:
        if status == "ok":
            out.append(StageResult(name, "ok", rows, None, seconds.get(name)))
        else:
            why = status.removeprefix("skipped: ")
            if why == "needs --election":
                why = "needs an election: pass election= (a preset key or a TOML path)"
            out.append(StageResult(name, "skipped", None, why, None))
    return out


def account(study: str | Path | Any, handle_or_id: str, *, platform: str | None = None) -> dict[str, Any]:
    """One scored account as the documented dict `botwatch explain STUDY @handle --json` prints:
    `{"shape": "botwatch-account/1", "platform", "account_id", "handle", "n_posts", "bot": {...},
    "origin": {...}, "signals": [...]}` (every key in docs/model-card-bot.md, "Machine-readable
    output"; a value the study lacks is None, keys never disappear). `origin.foreign` and
    `origin.outside_home_probability` are measured against the country of the election the
    accounts were scored with, as in the report.

    `handle_or_id` is "@handle" (any case, "@" optional) or an account id, or a twitter.com /
    x.com profile link, read as its handle where no account answers to the link itself (as
    `botwatch explain` reads it: `account_key.from_profile_link`). `platform` (as the study stores
    it, any case: "twitter", "bluesky", ...) asks for the account on that platform alone, where
    two platforms hold the same handle or id; one the study holds no account of is a
    `ValueError` (`UnknownPlatform`) naming the study's platforms. `study` is an open
    study or a path (opened read-only for the call). Raises `StudyError` when the study has no
    account scores (run `analyze(..., only=["accounts"])`) and `NoSuchAccount` (a `LookupError`, with
    the study's `close_handles` to the name) when no account matches.
    Warns `AmbiguousAccountWarning` (the result is the same) when the name may mean other accounts
    too: a handle shared across platforms (the one with most posts is returned) or a Mastodon
    name other instances' accounts bear; its `others` are their (platform, account_id)."""
    import warnings

    from botwatch.accounts.account_key import answering, from_profile_link, platform_asked
    from botwatch.accounts.json_shape import account_json, close_handles, find_account, mastodon_namesakes, on_prior, on_study_prior, other_matches, with_unscored_posts
    from botwatch.accounts.training_accounts import study_bot_training_meta
    from botwatch.origin_rule import scoring_home

    st = open_study(study) if isinstance(study, (str, Path)) else study
    try:
        if "accounts_scored" not in st.tables():
            raise StudyError(f"no account scores in {getattr(st, 'path', 'the study')}: run botwatch.api.analyze(study, only=['accounts']) first")
        asked = str(handle_or_id).strip()  # pasted with a space or a newline, as `botwatch explain` reads it
        if platform is not None:
            platform = platform_asked(st, platform)
        key = asked.removeprefix("@")  # as `find_account` reads it
        if (linked := from_profile_link(st, key, platform)) is not None:  # as `botwatch explain` reads a pasted link
            (key, platform), asked = linked, "@" + linked[0]
        row = find_account(st, asked, platform)
        if row is None:
            on = f" on {platform!r}" if platform is not None else ""
            elsewhere = answering(st, key) if platform is not None else []
            # As `botwatch explain`: "@alice" found nothing where the study holds alice@b.social.
            namesakes = mastodon_namesakes(st, key, platform)
            maybe = (f"; on other platforms it answers to: {_calls_for(elsewhere)}" if elsewhere
                     else f"; Mastodon accounts it may mean, by account id: {', '.join(a for _h, a in namesakes[:5])}" if namesakes else "")
            raise NoSuchAccount(f"no account {handle_or_id!r}{on} in {getattr(st, 'path', 'the study')} (by handle or account id){maybe}",
                                str(handle_or_id), [] if namesakes or elsewhere else close_handles(st, key))
        others = other_matches(st, key, row[0], row[1], platform) + [("mastodon", a) for _h, a in mastodon_namesakes(st, key, platform)]
        if others:  # the row with most posts was returned with no word of the others (`botwatch explain` warns)
            warnings.warn(AmbiguousAccountWarning(str(handle_or_id), (row[0], row[1]), others), stacklevel=2)
        row = with_unscored_posts(st, [row])[0][0]  # ingested after the accounts stage: its posts, not 0
        home = scoring_home(st)
        from botwatch.model_used import bot_model_scored_by

        return account_json(row, home, study_bot_training_meta(st), on_prior(st, [row], home), bot_model_scored_by(st),
                            on_study_prior(st, [row], home))
    finally:
        if st is not study:
            st.close()
