"""The report's reproduction paragraph: what a reader needs to make the same study again.

The Methods section listed each stage's latest parameters, but a reader could not tell which bot
and origin models made the scores, could not get a custom election's text back (it read
"<1,396 characters recorded>"), and saw the input files as typed, without their content. This
builds, from the study's own records only (`runs`, `sources`), the botwatch version(s), the model
hashes the stages recorded, the election (a preset's name, or the command that writes the recorded
TOML), the `ingest` / `analyze` / `estimate` commands in the order the `runs` table holds them, and
the input files with their SHA-256. Everything here is text from the study (file names may be
written by anyone): the template escapes it and shows hidden characters; commands quote it for a
shell.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from botwatch.ingest.csv_mapping import reproduce_flags as csv_column_flags
from botwatch.study import Study

# Keys of a stage's parameters that say which models made it (recorded by the stages themselves).
MODEL_KEYS = ("bot_model_sha256", "bot_model_file", "bot_behaviour_sha256", "origin_model_sha256", "content_model_sha256", "content_trees_sha256")
# Parameters that do not change what a command computes (or are shown elsewhere): not grouped on.
_NOT_GROUPED = set(MODEL_KEYS) | {"election_toml", "election_file", "workers", "origin_training_accounts", "bot_training_accounts"}
MAX_STEPS = 20  # a study re-analysed many times: the latest steps are what made its tables
MAX_INPUTS = 20


def _quote(text: Any) -> str:
    return shlex.quote(str(text))


def _analysis_command(study_name: str, stages: list[str], p: dict[str, Any], election_arg: str | None) -> str:
    """The command a group of consecutive stage runs with the same parameters came from."""
    estimate = "bootstrap_reps" in p  # `botwatch estimate` records its bootstrap options
    parts = ["botwatch", "estimate" if estimate else "analyze", _quote(study_name)]
    if election_arg:
        parts += ["--election", election_arg]
    elif p.get("no_election") is True:  # a plain command would reuse an election another stage recorded
        parts.append("--no-election")
    if isinstance(p.get("sample_rate"), (int, float)):
        parts += ["--sample-rate", f"{p['sample_rate']:g}"]
    if estimate:
        parts += ["--reps", str(p.get("bootstrap_reps")), "--seed", str(p.get("seed"))]
        for w in p.get("windows") or []:
            parts += ["--window", _quote(w)]
    else:
        if p.get("origin_study_prior") is False:
            parts.append("--no-origin-study-prior")
        if not _every_stage(stages, election_arg is not None):
            for s in stages:
                parts += ["--only", _quote(s)]
    if p.get("engine") == "spark":
        parts += ["--engine", "spark"]
    return " ".join(parts)


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


def _every_stage(ran: list[str], with_election: bool) -> bool:
    """Whether `ran` is every stage a plain `analyze` runs (those needing an election only with one),
    so the command is shown without eleven `--only`s."""
    from botwatch.pipeline import stages

    return set(ran) >= {s.name for s in stages() if with_election or not s.needs_election}


def _election_arg(p: dict[str, Any]) -> str | None:
    key = p.get("election")
    if not isinstance(key, str) or not key:
        return None
    if isinstance(p.get("election_toml"), str) and p["election_toml"]:
        return _quote(f"{key}.toml")  # written by `botwatch elections show STUDY --toml`
    return _quote(key)


def reproduction(study: Study, study_name: str) -> dict[str, Any]:
    """What the template shows: versions, models, election, commands (oldest first), inputs."""
    out: dict[str, Any] = {"versions": [], "models": {}, "elections": [], "steps": [], "steps_left_out": 0, "inputs": [], "inputs_left_out": 0}
    if "runs" not in study.tables():
        return out
    rows = study.sql("SELECT stage, params, version FROM runs WHERE status = 'ok' ORDER BY finished_at")
    groups: list[tuple[str, list[str], dict[str, Any], str]] = []  # (kind, stages, params, version)
    from botwatch.pipeline import stages as all_stages

    order = {s.name: i for i, s in enumerate(all_stages())}
    for stage, params, version in rows:
        try:
            p = json.loads(params or "{}")
        except ValueError:
            p = {}
        if not isinstance(p, dict):
            p = {}
        if version and version not in out["versions"]:
            out["versions"].append(str(version))
        for k in MODEL_KEYS:
            if p.get(k):
                out["models"][k] = p[k]  # the latest run's record wins, as in the stage table
        if stage == "ingest":
            groups.append(("ingest", [stage], p, version))
            continue
        key = p.get("election")
        if isinstance(key, str) and key:
            toml = isinstance(p.get("election_toml"), str) and bool(p["election_toml"])
            label = (key, toml)
            if label not in out["elections"]:
                out["elections"].append(label)
        same = {k: v for k, v in p.items() if k not in _NOT_GROUPED}
        last = groups[-1] if groups else None
        # One invocation runs its stages in pipeline order: a stage at or before the group's last
        # one, or other parameters, starts the next command.
        if last and last[0] == "analyze" and {k: v for k, v in last[2].items() if k not in _NOT_GROUPED} == same \
                and order.get(stage, -1) > order.get(last[1][-1], -1) and p.get("election_toml") == last[2].get("election_toml"):
            last[1].append(stage)
        else:
            groups.append(("analyze", [stage], p, version))
        if p.get("bot_model_file"):  # the accounts stage's model travels with its command (`_bot_model_env`)
            groups[-1][2].update({k: p[k] for k in ("bot_model_file", "bot_model_sha256") if k in p})
    steps = []
    for kind, stages, p, _version in groups:
        if kind == "ingest":
            files = p.get("inputs") if isinstance(p.get("inputs"), list) else []
            flags = " --force" if p.get("force") else ""
            flags += "".join(" " + _quote(w) for w in csv_column_flags(p))  # a CSV read through a column map: the same map
            if getattr(study, "engine", "duckdb") == "spark":  # a lake's ingest does not record its engine; the first one needs it
                flags += " --engine spark"
            steps.append(f"botwatch ingest {_quote(study_name)} " + " ".join(_quote(f) for f in files) + flags)
        else:
            steps.append(_bot_model_env(p) + _analysis_command(study_name, stages, p, _election_arg(p)))
    out["steps_left_out"] = max(len(steps) - MAX_STEPS, 0)
    out["steps"] = steps[-MAX_STEPS:]
    out["elections"] = [{"key": k, "file": f"{k}.toml" if toml else None} for k, toml in out["elections"]]
    if "sources" in study.tables():
        inputs = study.sql("SELECT source, sha256, bytes FROM sources WHERE format IS NOT NULL ORDER BY ingested_at, source")
        out["inputs_left_out"] = max(len(inputs) - MAX_INPUTS, 0)
        out["inputs"] = [{"source": s, "sha256": h, "bytes": b} for s, h, b in inputs[:MAX_INPUTS]]
    return out
