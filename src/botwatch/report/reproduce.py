"""The report's reproduction paragraph: what a reader needs to make the same study again.

The Methods section listed each stage's latest parameters, but a reader could not tell which bot
and origin models made the scores, could not get a custom election's text back (it read
"<1,396 characters recorded>"), and saw the input files as typed, without their content. This
builds, from the study's own records only (`runs`, `sources`), the botwatch version(s), the model
hashes the stages recorded, the election (a preset's name, or the command that writes the recorded
TOML), the `ingest` / `analyze` / `estimate` commands in the order the `runs` table holds them,
and the input files with their SHA-256. Everything here is text from the study (file names may be
written by anyone): the template escapes it and shows hidden characters; commands quote it for a
shell; the script (`botwatch report STUDY --reproduce`) keeps comments on one line each.

One command per command the user ran: stage runs that share a `command_id` (`runs_table`) are one
`analyze` or `estimate`. A study recorded before those ids existed is grouped as before: consecutive
stage runs with the same parameters, in pipeline order, read as one command.

Which options a reproduced command carries (`SHOWN`) and which it leaves out because they do not
change what the command computes or prints (`LEFT_OUT`, with why) is said per command below; a test
holds every option of `botwatch ingest|analyze|estimate` to being in one of the two.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
from dataclasses import dataclass
from typing import Any

from botwatch.ingest.csv_mapping import reproduce_flags as csv_column_flags
from botwatch.accounts.evaluate import EVALUATE_STAGE as ACCOUNTS_EVALUATE_STAGE
from botwatch.content.score import EVALUATE_STAGE
from botwatch.runs_table import Run, ok_runs
from botwatch.shown_text import not_an_option
from botwatch.study import Study

# Keys of a stage's parameters that say which models made it (recorded by the stages themselves).
MODEL_KEYS = ("bot_model_sha256", "bot_model_file", "bot_behaviour_sha256", "origin_model_sha256", "content_model_sha256", "content_trees_sha256")
# Parameters that do not change what a command computes (or are shown elsewhere), or are
# bookkeeping: not compared when grouping the runs of a study recorded without command ids.
_NOT_GROUPED = set(MODEL_KEYS) | {"election_toml", "election_file", "workers", "command_id", "origin_training_accounts", "bot_training_accounts", "origin_home", "estimates_version", "libraries"}
MAX_STEPS = 20  # in the page: a study re-analysed many times: the latest steps are what made its tables
MAX_INPUTS = 20
# A step longer than this (an ingest of thousands of files) is shown in the page up to here, with
# how many characters follow and the command that prints it whole; anything shorter is shown whole.
PAGE_STEP_CHARS = 20_000

# The options of each command (their Python parameter names, as `botwatch CMD --help` lists them)
# that the reproduced command carries: each changes what the command computes or prints.
# `--only`/`--with-deps`/`--skip` come back as the `--only` stages the command ran.
SHOWN: dict[str, frozenset[str]] = {
    "ingest": frozenset({"location", "inputs", "force", "max_record_mb", "engine", "columns", "column_map", "time_format", "time_zone", "platform", "decode_entities"}),
    "analyze": frozenset({"study", "election", "no_election", "stage", "with_deps", "skip", "sample_rate", "origin_study_prior", "engine"}),
    "estimate": frozenset({"study", "preset", "sample_rate", "table", "reps", "seed", "window", "relabel", "all_accounts"}),
}
# The options left out, and why: none changes a stored row or a printed figure.
LEFT_OUT: dict[str, dict[str, str]] = {
    "ingest": {
        "workers": "how many processes parse a large file; the same tables are stored (tests/test_ingest_robustness.py)",
        "spark_master": "where Spark runs, not what it computes",
        "results_json": "a file of each input's outcome for `collect --follow`; nothing stored depends on it",
    },
    "analyze": {
        "workers": "how many processes label posts and score accounts; the same tables are written (tests/test_accounts_pool.py, tests/test_content_pool.py)",
        "spark_master": "where Spark runs, not what it computes",
    },
    "estimate": {
        "no_election": "refused by `estimate` (estimates are per party of an election); no estimate run records it",
        "engine": "the study exists by then, a lake known by its folder's marker; the same rows either way (tests/test_engine_parity.py)",
        "spark_master": "where Spark runs, not what it computes",
    },
}
MB = 1024 * 1024


def _quote(text: Any) -> str:
    return shlex.quote(str(text))


def _path(name: Any) -> str:
    """A study, input or labels file in a command: shell-quoted, and `./-name` for a name that
    starts with `-`, which the command would otherwise read as an option (`not_an_option`)."""
    return shlex.quote(not_an_option(str(name)))


def _megabytes(max_record_bytes: int) -> str:
    """The shortest `--max-record-mb` that gives `max_record_bytes` back (`ingest` records
    int(MB * 2**20)): `--max-record-mb 1.3` is given back as 1.3, not 1.2999992370605469."""
    exact = max_record_bytes / MB
    for digits in range(1, 18):
        text = f"{exact:.{digits}g}"
        if float(text) > 0 and int(float(text) * MB) == max_record_bytes:
            return text
    return "5e-07"  # under one byte (recorded as 0): any positive value that truncates to 0


@dataclass
class _Command:
    """One command the study's `runs` hold: its kind, the stages it ran and the first run's parameters."""

    kind: str  # ingest | analyze | estimate | coordination | impact | content_evaluate | accounts_evaluate
    stages: list[str]
    params: dict[str, Any]
    command_id: str | None


def _analysis_command(study_name: str, cmd: _Command, election_arg: str | None) -> str:
    """The command line of one `analyze` or `estimate` (see `SHOWN`)."""
    p, stages = cmd.params, cmd.stages
    estimate = cmd.kind == "estimate"
    parts = ["botwatch", cmd.kind, _path(study_name)]
    if election_arg:
        parts += ["--election", election_arg]
    elif p.get("no_election") is True:  # a plain command would reuse an election another stage recorded
        parts.append("--no-election")
    if isinstance(p.get("sample_rate"), (int, float)):
        parts += ["--sample-rate", f"{p['sample_rate']:g}"]
    if estimate:
        if isinstance(p.get("table"), str):  # what it printed (recorded since it was shown here)
            parts += ["--table", _quote(p["table"])]
        if p.get("all_accounts") is True:  # the parties table with the parties' own accounts counted
            parts.append("--all-accounts")
        for flag, key in (("--reps", "bootstrap_reps"), ("--seed", "seed")):  # a Python `analyze` may record one without the other
            if isinstance(p.get(key), int) and not isinstance(p.get(key), bool):
                parts += [flag, str(p[key])]
        for w in p.get("windows") or []:
            parts += ["--window", _quote(w)]
        if "content" in stages:  # it labelled the posts again (asked, or they were for another election)
            parts.append("--relabel")
    else:
        if p.get("origin_study_prior") is False:
            parts.append("--no-origin-study-prior")
        if not _every_stage(stages, election_arg is not None):
            for s in stages:
                parts += ["--only", _quote(s)]
        if p.get("engine") == "spark":
            parts += ["--engine", "spark"]
    return " ".join(parts)


def _ingest_command(study: Study, study_name: str, p: dict[str, Any], stored: set[str] | None = None,
                    left_out: list[str] | None = None) -> str:
    """The command line of one `ingest` (see `SHOWN`). With `stored` (the sources the study holds
    something of), an input none of which is stored (missing or unreadable when it was read, or a copy of an input read before it) is left
    out, and added to `left_out`: given back, it made the command exit 1 again, and the script,
    which stops at a failing command, stopped before any analysis."""
    files = p.get("inputs") if isinstance(p.get("inputs"), list) else []
    if stored is not None:
        kept = [f for f in files if _stored_input(f, stored)]
        if left_out is not None:
            left_out += [f for f in files if f not in kept]
        files = kept
    parts = ["botwatch", "ingest", _path(study_name), *(_path(f) for f in files)]
    if p.get("force"):
        parts.append("--force")
    parts += [_quote(w) for w in csv_column_flags(p)]  # a CSV read through a column map: the same map
    if isinstance(p.get("max_record_bytes"), int) and not isinstance(p.get("max_record_bytes"), bool):
        parts += ["--max-record-mb", _megabytes(p["max_record_bytes"])]
    if getattr(study, "engine", "duckdb") == "spark":  # the lake's first ingest needs it (the DuckDB ingest records no engine)
        parts += ["--engine", "spark"]
    return " ".join(parts)


def _stored_input(given: Any, stored: set[str]) -> bool:
    """Whether the study holds something read from the input `given` (a file, or a folder whose
    files were read); stdin and URLs are kept as given, whatever the sources say. A name typed
    `./a.csv` (as reproduce.sh writes `./-a.csv`) is recorded so in the run but as `a.csv` in
    `sources` (`InputSource.open` reads it through `Path`): compared as typed, a study re-made by
    its own script left its every `./-` input out of the next script's `ingest`."""
    from pathlib import PurePath

    from botwatch.ingest.source import shown_name

    if not isinstance(given, str) or given == "-" or "://" in given:
        return True
    as_stored = shown_name(str(PurePath(given)))
    folder = as_stored.rstrip("/" + os.sep) + os.sep
    return given in stored or as_stored in stored or any(s.startswith(folder) or s.startswith(folder.replace(os.sep, "/")) for s in stored)


def _bot_model_env(p: dict[str, Any]) -> str:
    """`BOTWATCH_BOT_MODEL=FILE ` before a command whose accounts stage scored with a model other
    than the shipped one: the listed commands re-run with the shipped model gave other
    probabilities than the report describes. Empty for the shipped model."""
    file, sha = p.get("bot_model_file"), p.get("bot_model_sha256")
    if not isinstance(file, str) or not file:
        return ""
    try:
        from botwatch.accounts.botmodel import shipped_sha256_and_meta

        if sha == shipped_sha256_and_meta()[0]:
            return ""
    except Exception:  # noqa: BLE001 - the shipped model unreadable: name the recorded file anyway
        pass
    return f"BOTWATCH_BOT_MODEL={_quote(file)} "


# `botwatch coordination`'s options as recorded (`coordination_<NetworkOptions field>`), each given
# back when it differs from the stage's default; `memory_mb` and `temp_directory` say where DuckDB
# spills, not what it finds, and --graphml/--csv write files beside the study, not into it.
_COORDINATION_FLAGS = {
    "window_s": "--window", "min_repeats": "--min-repeats", "max_trace_accounts": "--max-trace-accounts",
    "max_trace_pairs": "--max-trace-pairs", "null_model": "--null-model", "null_unit": "--null-unit",
    "null_replicates": "--null-replicates", "max_fdr": "--max-fdr", "fast_seconds": "--fast-seconds", "seed": "--seed",
}


def _coordination_command(study_name: str, p: dict[str, Any], files: dict[tuple[str, str], str] | None = None) -> str:
    """The command line of one `botwatch coordination`: the stage run alone with its own options.
    Shown as `analyze --only coordination`, it re-ran the 60 s default network where the report
    described the 5 s one the user had asked for."""
    from botwatch.coordination.network import NetworkOptions

    defaults = NetworkOptions()
    parts = ["botwatch", "coordination", _path(study_name)]
    election_arg = _election_arg(p, files)
    if election_arg:
        parts += ["--election", election_arg]
    behaviours = p.get("coordination_behaviours")
    if isinstance(behaviours, list) and tuple(behaviours) != tuple(defaults.behaviours):
        for b in behaviours:
            parts += ["-b", _quote(b)]
    for field, flag in _COORDINATION_FLAGS.items():
        key = f"coordination_{field}"
        if key not in p or p[key] == getattr(defaults, field):
            continue
        value = p[key]
        if value is None:
            continue
        shown = f"{value}s" if field == "window_s" else (f"{value:g}" if isinstance(value, float) else str(value))
        parts += [flag, _quote(shown)]
    return " ".join(parts)


def _impact_command(study_name: str, p: dict[str, Any], files: dict[tuple[str, str], str] | None = None) -> str:
    """The command line of one `botwatch impact`: its party, bucket size, dates and VAR settings
    (given back as recorded; shown as `analyze --only impact`, it re-ran every party at 1 h)."""
    parts = ["botwatch", "impact", _path(study_name)]
    election_arg = _election_arg(p, files)
    if election_arg:
        parts += ["--election", election_arg]
    for party in p.get("impact_parties") or []:
        parts += ["--party", _quote(party)]
    for flag, key in (("--freq", "impact_freq"), ("--start", "impact_start"), ("--end", "impact_end"),
                      ("--maxlags", "impact_maxlags"), ("--horizon", "impact_horizon")):
        if p.get(key) is not None:
            parts += [flag, _quote(str(p[key]).replace(" ", "T"))]
    return " ".join(parts)


_IMPACT_PREFIX = "botwatch impact "  # how `_impact_command` starts (no environment before it)


def _evaluate_command(study_name: str, p: dict[str, Any]) -> str:
    """The command line of one `botwatch content evaluate`: the labels file by the name it was
    recorded with (its SHA-256 is in the runs row; the reader supplies the file), and its part."""
    parts = ["botwatch", "content", "evaluate", _path(study_name), _path(str(p.get("labels_file") or "LABELS.csv"))]
    if isinstance(p.get("labels_part"), str) and p["labels_part"]:
        parts += ["--part", _quote(p["labels_part"])]
    return " ".join(parts + _boot_option(p))


def _accounts_evaluate_command(study_name: str, p: dict[str, Any]) -> str:
    """The command line of one `botwatch evaluate-accounts`, the labels file by its recorded name."""
    parts = ["botwatch", "evaluate-accounts", _path(study_name), _path(str(p.get("labels_file") or "LABELS.csv"))]
    return " ".join(parts + _boot_option(p))


EVALUATE_BOOT_DEFAULT = 1000  # `--boot` of `content evaluate` and `evaluate-accounts`


def _boot_option(p: dict[str, Any]) -> list[str]:
    """`--boot N` where the evaluation ran with other than the default resamples: the intervals
    the report quotes (F1's, the AUC's) are drawn from them, so without it a re-run prints and
    records other intervals."""
    boot = p.get("evaluate_boot")
    if isinstance(boot, int) and not isinstance(boot, bool) and boot != EVALUATE_BOOT_DEFAULT:
        return ["--boot", str(boot)]
    return []


EVALUATION_KINDS = ("content_evaluate", "accounts_evaluate")


def _latest_evaluations(kinds: list[str], steps: list[str]) -> list[str]:
    """`steps` with each evaluation command line (`EVALUATION_KINDS`) kept only where it last
    appears, the rest in their order. Why: an evaluation writes no table, only its result, and the
    latest run's result is what the report quotes; `evaluate-accounts s.duckdb labels.csv` run
    twice was listed twice, and the script re-ran it twice for the same figure. Analysis commands
    are kept every time: a second `analyze` after more `ingest` computes something else."""
    last = {step: i for i, (kind, step) in enumerate(zip(kinds, steps)) if kind in EVALUATION_KINDS}
    return [step for i, (kind, step) in enumerate(zip(kinds, steps)) if kind not in EVALUATION_KINDS or last[step] == i]


def _every_stage(ran: list[str], with_election: bool) -> bool:
    """Whether `ran` is every stage a plain `analyze` runs (those needing an election only with one),
    so the command is shown without eleven `--only`s."""
    from botwatch.pipeline import stages

    return set(ran) >= {s.name for s in stages() if with_election or not s.needs_election}


def _election_files(latest: dict[str, str], every: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    """The file each recorded text of a user's election is written to: the latest text of a key
    `KEY.toml` (what `botwatch elections show STUDY --toml` writes), each earlier one `KEY.N.toml`
    in the order first used (a key holds no dot, so no other key's file has that name)."""
    files: dict[tuple[str, str], str] = {}
    for key, texts in every.items():
        n = 0
        for t in texts:
            if t == latest[key]:
                files[(key, t)] = f"{key}.toml"
            else:
                n += 1
                files[(key, t)] = f"{key}.{n}.toml"
    return files


def _election_arg(p: dict[str, Any], files: dict[tuple[str, str], str] | None = None) -> str | None:
    key = p.get("election")
    if not isinstance(key, str) or not key:
        return None
    if isinstance(p.get("election_toml"), str) and p["election_toml"]:
        # written by the script from the text this command's runs recorded
        return _quote((files or {}).get((key, p["election_toml"]), f"{key}.toml"))
    return _quote(key)


def _grouped(p: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in p.items() if k not in _NOT_GROUPED}


def _commands(runs: list[Any]) -> list[_Command]:
    """The commands the successful runs came from, oldest first."""
    from botwatch.pipeline import stages as all_stages

    order = {s.name: i for i, s in enumerate(all_stages())}
    commands: list[_Command] = []
    for run in runs:
        p = run.params or {}
        if run.stage == "ingest":  # one row per `ingest`
            commands.append(_Command("ingest", [run.stage], p, None))
            continue
        if commands and commands[-1].kind == "coordination" and run.command_id is not None and commands[-1].command_id == run.command_id:
            commands[-1].stages.append(run.stage)  # `botwatch coordination` re-runs accounts_clusters itself
            continue
        if run.stage == "coordination" and (p.get("cli") is True or any(k.startswith("coordination_") for k in p)):
            # one row per `botwatch coordination` (or a Python `analyze` given its options), with them
            commands.append(_Command("coordination", [run.stage], dict(p), run.command_id))
            continue
        if run.stage == EVALUATE_STAGE:
            # `botwatch content evaluate`: no analysis stage (it writes no table, only its runs row),
            # given back as the command that repeats it, with the labels file it scored
            commands.append(_Command("content_evaluate", [run.stage], dict(p), None))
            continue
        if run.stage == ACCOUNTS_EVALUATE_STAGE:  # `botwatch evaluate-accounts`, likewise
            commands.append(_Command("accounts_evaluate", [run.stage], dict(p), None))
            continue
        if run.stage == "impact" and any(k.startswith("impact_") for k in p):  # `botwatch impact`, one party, its settings
            commands.append(_Command("impact", [run.stage], dict(p), run.command_id))
            continue
        kind = "estimate" if "bootstrap_reps" in p else "analyze"  # `botwatch estimate` records its bootstrap options
        last = commands[-1] if commands and commands[-1].kind == kind else None
        if run.command_id is not None:
            same = last is not None and last.command_id == run.command_id
        else:
            # Recorded without a command id: one invocation runs its stages in pipeline order, so a
            # stage at or before the command's last one, or other parameters, starts the next one.
            same = (last is not None and last.command_id is None and _grouped(last.params) == _grouped(p)
                    and order.get(run.stage, -1) > order.get(last.stages[-1], -1) and p.get("election_toml") == last.params.get("election_toml"))
        if same and last is not None:
            last.stages.append(run.stage)
        else:
            commands.append(_Command(kind, [run.stage], dict(p), run.command_id))
        if p.get("bot_model_file"):  # the accounts stage's model travels with its command (`_bot_model_env`)
            commands[-1].params.update({k: p[k] for k in ("bot_model_file", "bot_model_sha256") if k in p})
    return commands


# The recorded parameters that hold a path the user gave (`report --paths-relative-to` rewrites them).
PATH_KEYS = ("inputs", "bot_model_file", "labels_file", "election_file")


class RelativePaths:
    """Rewrites absolute paths under `base` as paths relative to it (`report --paths-relative-to`).

    The reproduction block and the stage table showed every input as the absolute path it was read
    from (`/home/alice/projects/...`): a shared report named the author's folders, and a reader with
    a copy of the data elsewhere could not run the commands as printed. Paths outside `base`, and
    URLs, are kept as stored and counted (`outside`), so the report can say so. Only what is shown is
    rewritten: the study keeps the paths it recorded."""

    def __init__(self, base: str | os.PathLike[str]) -> None:
        self.base = os.path.abspath(os.fspath(base))
        self.name = os.path.basename(self.base.rstrip(os.sep)) or self.base
        self.outside: set[str] = set()

    def path(self, value: Any) -> Any:
        """`value` relative to the base when it is an absolute path under it; else as it was."""
        if not isinstance(value, str) or "://" in value or not os.path.isabs(value):
            return value
        norm = os.path.normpath(value)
        try:
            under = os.path.commonpath([norm, self.base]) == self.base
        except ValueError:  # another drive (Windows)
            under = False
        if not under:
            self.outside.add(value)
            return value
        return os.path.relpath(norm, self.base).replace(os.sep, "/")

    def params(self, p: dict[str, Any] | None) -> dict[str, Any] | None:
        """A run's parameters with their `PATH_KEYS` rewritten (a copy; None stays None)."""
        if p is None:
            return None
        out = dict(p)
        for k in PATH_KEYS:
            if isinstance(out.get(k), list):
                out[k] = [self.path(v) for v in out[k]]
            elif k in out:
                out[k] = self.path(out[k])
        return out


# Said before the PySpark versions a lake's runs recorded (`_libraries`).
LAKE_SPARK_SAID = "and the runs on a lake: pyspark"
# Said where a table's run recorded other library versions than the process reading the study has.
LIBRARIES_DIFFER = "The tables were made with other library versions than the ones installed here, so figures made again with this install may differ:"


def _libraries(runs: list[Run], engine: str) -> tuple[list[str], list[str], list[str]]:
    """Each set of library versions the runs recorded, oldest first ("not recorded" for runs made
    before they were), the PySpark versions a lake's runs recorded, said apart, and how the latest
    run of each stage, the one that made its table, differs from the libraries reading the study
    now: the same botwatch label over another DuckDB may give other figures, and only the code
    label was said. PySpark is apart because only a lake's runs record it: in the sets, a lake
    made from a DuckDB study (its ingest recorded without PySpark, its stages with) read as
    "analysed with more than one set of library versions" over the same install, and the lake's
    report was not the DuckDB study's (`testsupport.report_compare`)."""
    from botwatch.library_versions import SPARK_LIBRARIES, differences, libraries_text, library_versions

    def shared(libs: dict[str, str] | None) -> dict[str, str] | None:
        return {k: v for k, v in libs.items() if k not in SPARK_LIBRARIES} if libs else libs

    sets = list(dict.fromkeys(libraries_text(shared(r.libraries)) for r in runs))
    spark = list(dict.fromkeys(r.libraries[k] for r in runs if r.libraries for k in SPARK_LIBRARIES if k in r.libraries))
    now = library_versions(engine)
    latest = {r.stage: r for r in runs}  # `ok_runs` is oldest first: the last of a stage wins
    differ = list(dict.fromkeys(d for r in latest.values() if r.libraries for d in differences(r.libraries, now)))
    return sets, spark, differ


# Said where the latest run of a stage recorded other botwatch code than the install reading the study.
CODE_DIFFERS = "The tables were made by other botwatch code than the one installed here, so figures made again with this install may differ:"


def _code_differs(runs: list[Run]) -> list[str]:
    """The code labels of the latest run of each stage (the one that made its table) that are not
    the label of the install reading the study, as `0.1.0+code.aaa (now 0.1.0+code.bbb)`, in the
    order the runs were made. The libraries' differences were said, the code's not: a re-run from
    the report with a later checkout read as if it were the code that made the figures. A run that
    recorded only its release (made before labels, or from a zip) is not said to differ from the
    same release (`code_identity.labels_differ`)."""
    from botwatch.code_identity import labels_differ, version_label

    now = version_label()
    latest = {r.stage: r for r in runs}  # `ok_runs` is oldest first: the last of a stage wins
    return list(dict.fromkeys(f"{r.version} (now {now})" for r in latest.values() if labels_differ(r.version, now)))


def reproduction(study: Study, study_name: str, *, max_steps: int | None = MAX_STEPS, max_inputs: int | None = MAX_INPUTS,
                 relative_to: RelativePaths | None = None) -> dict[str, Any]:
    """What the template shows: versions, models, election, commands (oldest first), inputs.

    The page shows the latest `max_steps` commands and the first `max_inputs` inputs and says how
    many it left out; `None` keeps them all (the script of `botwatch report STUDY --reproduce`).
    With `relative_to`, input paths under its folder are shown relative to it (`relative_to`,
    `paths_outside` in the result say so)."""
    out: dict[str, Any] = {"versions": [], "models": {}, "elections": [], "steps": [], "steps_left_out": 0, "inputs": [], "inputs_left_out": 0,
                           "relative_to": relative_to.name if relative_to is not None else None, "paths_outside": 0}
    runs = ok_runs(study)
    if not runs:
        return out
    if relative_to is not None:
        runs = [dataclasses.replace(r, params=relative_to.params(r.params)) for r in runs]
    elections: list[tuple[str, bool]] = []
    texts: dict[str, str] = {}  # a user's election file: the latest text recorded under its key
    # Every text recorded under a key, in the order first used: a file edited between two analyses
    # keeps its key, and writing only the latest text re-ran the earlier commands with it.
    all_texts: dict[str, list[str]] = {}
    for run in runs:
        p = run.params or {}
        if run.version and run.version not in out["versions"]:
            out["versions"].append(str(run.version))
        for k in MODEL_KEYS:
            if p.get(k):
                out["models"][k] = p[k]  # the latest run's record wins, as in the stage table
        key = p.get("election")
        if run.stage != "ingest" and isinstance(key, str) and key:
            label = (key, isinstance(p.get("election_toml"), str) and bool(p["election_toml"]))
            if label not in elections:
                elections.append(label)
            if label[1]:
                texts[key] = p["election_toml"]
                if p["election_toml"] not in all_texts.setdefault(key, []):
                    all_texts[key].append(p["election_toml"])
    out["libraries"], out["libraries_spark"], out["libraries_differ"] = _libraries(runs, getattr(study, "engine", "duckdb"))
    out["code_differs"] = _code_differs(runs)
    files = _election_files(texts, all_texts)
    stored: set[str] | None = None
    if "sources" in study.tables():  # what each input put in: an input with nothing stored is left out of its command
        stored = {str(s) for (s,) in study.sql("SELECT DISTINCT source FROM sources WHERE format IS NOT NULL AND source IS NOT NULL")}
        if relative_to is not None:
            stored = {str(relative_to.path(s)) for s in stored}
    left_out: list[str] = []
    commands = _commands(runs)
    steps = [_ingest_command(study, study_name, c.params, stored, left_out) if c.kind == "ingest"
             else _coordination_command(study_name, c.params, files) if c.kind == "coordination"
             else _impact_command(study_name, c.params, files) if c.kind == "impact"
             else _evaluate_command(study_name, c.params) if c.kind == "content_evaluate"
             else _accounts_evaluate_command(study_name, c.params) if c.kind == "accounts_evaluate"
             else _bot_model_env(c.params) + _analysis_command(study_name, c, _election_arg(c.params, files))
             for c in commands]
    steps = _latest_evaluations([c.kind for c in commands], steps)
    # The labels files the evaluations read are in no `sources` row: without their recorded hash the
    # reader of a fresh folder met only "cannot read labels.csv", with no word of which file it was.
    out["labels"] = list({(str(p["labels_file"]), str(p["labels_sha256"])): None for run in runs
                          if run.stage in (EVALUATE_STAGE, ACCOUNTS_EVALUATE_STAGE)
                          and (p := run.params or {}).get("labels_file") and p.get("labels_sha256")})
    kept = steps if max_steps is None else steps[-max_steps:]
    out["steps_left_out"] = len(steps) - len(kept)
    out["steps"] = kept
    out["inputs_not_stored"] = list(dict.fromkeys(left_out))
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import study_election_record

    try:  # the one text `elections show STUDY --toml` gives back; none when the stages differ
        current = study_election_record(study)
    except ElectionError:
        current = None
    out["elections"] = [e for k, toml in elections
                        for e in ([{"key": k, "file": files[(k, t)], "text": t, "texts": len(all_texts[k]), "shown": current == (k, t)}
                                   for t in all_texts[k]]
                                  if toml else [{"key": k, "file": None, "text": None}])]
    if "sources" in study.tables():
        from botwatch.ingest.rereads import FIRST_READS  # a file read again is one input, listed once

        # ... with the content its latest read found (a grown file whole, a replaced one as it is
        # now), and how many contents were read at its path: listed with its first read's SHA-256,
        # a file that grew or was corrected since matched no file one could fetch.
        inputs = study.sql(f"""SELECT f.source, CASE WHEN f.sha256 IS NULL THEN f.sha256 ELSE l.sha256 END,
                                      CASE WHEN f.sha256 IS NULL THEN f.bytes ELSE l.bytes END, coalesce(l.versions, 1)
                               FROM {FIRST_READS} f LEFT JOIN (SELECT source, sha256, bytes, count(DISTINCT sha256) OVER (PARTITION BY source) AS versions
                                   FROM sources WHERE format IS NOT NULL AND sha256 IS NOT NULL
                                   QUALIFY row_number() OVER (PARTITION BY source ORDER BY ingested_at DESC, sha256) = 1) l USING (source)
                               WHERE f.format IS NOT NULL ORDER BY f.ingested_at, f.source""")
        shown = inputs if max_inputs is None else inputs[:max_inputs]
        out["inputs_left_out"] = len(inputs) - len(shown)
        out["inputs"] = [{"source": s if relative_to is None else relative_to.path(s), "sha256": h, "bytes": b, "versions": int(v)}
                         for s, h, b, v in shown]
    if relative_to is not None:
        out["paths_outside"] = len(relative_to.outside)
    return out


def _versions(i: dict[str, Any]) -> str:
    """The note for an input whose path was read with other contents before (it grew, or was
    replaced): its SHA-256 is that of the latest read; "" for one read with one content."""
    n = i.get("versions") or 1
    return f" (as last read; {n} different contents were read at this name)" if n > 1 else ""


def paths_sentence(r: dict[str, Any]) -> str:
    """The one line that says input paths are relative (`report --paths-relative-to`), for the page
    and the script alike."""
    left = r.get("paths_outside") or 0
    return (f"Input paths are relative to the folder {r['relative_to']} (botwatch report --paths-relative-to): run the commands from "
            "your copy of it" + (f"; {left:,} path{'s' if left != 1 else ''} outside it {'are' if left != 1 else 'is'} as stored." if left else "."))


# Characters that would end a shell comment line (LF, CR, and the other C0/C1 controls a terminal
# obeys) or hide and reorder text: a file name in a comment shows them as escapes.
_IN_COMMENT = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _comment(text: Any) -> str:
    return _IN_COMMENT.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) <= 0xFF else f"\\u{ord(m.group()):04x}", str(text))


def _heredoc(file: str, text: str) -> list[str]:
    """Shell lines that write `text` to `file` as it is: a here-document with a quoted delimiter
    (nothing in it is expanded or run) that no line of the text equals."""
    body = text if text.endswith("\n") else text + "\n"
    taken = set(body.split("\n"))
    end, n = "BOTWATCH_ELECTION_EOF", 0
    while end in taken:
        n += 1
        end = f"BOTWATCH_ELECTION_EOF_{n}"
    return [f"cat > {_quote(file)} <<'{end}'", body + end]


def reproduction_script(study: Study, study_name: str, relative_to: RelativePaths | None = None) -> str:
    """The whole reproduction as a POSIX shell script: versions, models and inputs as comments (one
    line each, whatever a file name holds), then every command in order, none left out or cut.
    The page shows the same block, shortened where long; this is its full text."""
    r = reproduction(study, study_name, max_steps=None, max_inputs=None, relative_to=relative_to)
    lines = ["#!/bin/sh", f"# Reproduction of the study {_comment(study_name)}, from its runs and sources tables (botwatch report --reproduce).",
             "set -e"]
    if r["relative_to"] is not None:
        lines.append(f"# {_comment(paths_sentence(r))}")
    if not r["steps"]:
        return "\n".join(lines + ["# No command is recorded: the study has no successful run."]) + "\n"
    lines.append("# botwatch " + ", ".join(_comment(v) for v in r["versions"]) + (" (the study was analysed with more than one version)" if len(r["versions"]) > 1 else ""))
    lines.append("# libraries: " + "; ".join(_comment(v) for v in r["libraries"])
                 + (" (the study was analysed with more than one set of library versions)" if len(r["libraries"]) > 1 else ""))
    if r["libraries_spark"]:
        lines.append(f"# {LAKE_SPARK_SAID} {_comment(', '.join(r['libraries_spark']))}")
    if r["code_differs"]:
        lines.append(f"# {_comment(CODE_DIFFERS)} {_comment(', '.join(r['code_differs']))}")
    if r["libraries_differ"]:
        lines.append(f"# {_comment(LIBRARIES_DIFFER)} {_comment(', '.join(r['libraries_differ']))}")
    for k, v in sorted(r["models"].items()):
        lines.append(f"# model {_comment(k)}: {_comment(v)}")
    if r["inputs"]:
        lines.append("# inputs as stored (SHA-256, bytes, name):")
        lines += [f"#   {_comment(i['sha256'])} {i['bytes']} {_comment(i['source'])}{_versions(i)}" for i in r["inputs"]]
    if r.get("labels"):
        lines.append("# labels files the evaluations read, not stored in the study: put them in the folder the commands run in (SHA-256, name):")
        lines += [f"#   {_comment(h)} {_comment(name)}" for name, h in r["labels"]]
    if r.get("inputs_not_stored"):
        lines.append("# left out of the ingest commands: inputs of which the study holds nothing (missing or unreadable when they were read, "
                     "or a copy of an input read before them):")
        lines += [f"#   {_comment(f)}" for f in r["inputs_not_stored"]]
    for e in r["elections"]:
        if e["file"] and isinstance(e.get("text"), str):
            # The election file the commands below name, written from the text the study recorded.
            # It was `botwatch elections show STUDY --toml > FILE`, run before the ingest: in the
            # fresh folder the script is for, the study did not exist yet and the script stopped.
            if not e.get("shown"):  # `elections show STUDY --toml` gives another text back, or none when stages differ
                lines.append(f"# election {_comment(e['key'])}: " + (f"one of the {e['texts']} texts of " if (e.get("texts") or 1) > 1 else "")
                             + f"your own file, as the study recorded it for the commands that name {_comment(e['file'])}")
            else:
                lines.append(f"# election {_comment(e['key'])}: your own file, as the study recorded it "
                             f"(also: botwatch elections show {_comment(_path(study_name))} --toml)")
            lines += _heredoc(e["file"], e["text"])
        elif e["file"]:
            lines.append(f"# election {_comment(e['key'])}: your own file, as the study recorded it")
            lines.append(f"botwatch elections show {_path(study_name)} --toml > {_quote(e['file'])}")
        else:
            lines.append(f"# election {_comment(e['key'])}: preset")
    lines.append("# the commands, in the order the study ran them:")
    if any(s.startswith(_IMPACT_PREFIX) for s in r["steps"]):
        lines.append("# botwatch impact exits 1 where a party has too few posts for a test (the study recorded that run too): the script goes on past it")
    # Under `set -e` that exit stopped the script at the first such party, and the commands after it
    # (a later coordination, estimate or evaluation) never ran: the study was not made again.
    lines += [f"{s} || [ $? -eq 1 ]" if s.startswith(_IMPACT_PREFIX) else s for s in r["steps"]]
    return "\n".join(lines) + "\n"
