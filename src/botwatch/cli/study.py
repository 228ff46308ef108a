"""`botwatch version`, `status` and `export`: what is in a study, and getting tables out of it."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from botwatch.cli.common import (EngineOpt, SparkMasterOpt, StudyArg, app, console, fail, local_output, open_or_fail, out, plain, print_json_result, refuse_to_overwrite, stage_progress,
                                 stdout_closed, warn)
from botwatch.count_text import counted
from botwatch.out_path import first_missing_folder
from botwatch.shown_text import controls_shown, json_shown, name_shown, shell_shown
from botwatch.userfile import os_error_said

if TYPE_CHECKING:  # duckdb, ibis and pyarrow come with it: imported where a command opens a study
    from botwatch.study import Study


@app.command()
def version() -> None:
    """Print the botwatch version and its code label, then the versions of the libraries that
    decide results (PySpark's where installed: a lake's runs record it): what a study's runs record."""
    from botwatch.code_identity import version_label
    from botwatch.library_versions import installed_versions, libraries_text

    out.print(version_label(), highlight=False)
    out.print(f"libraries: {libraries_text(installed_versions())}", highlight=False, soft_wrap=True)


@app.command()
def status(study: StudyArg, engine: EngineOpt = None, spark_master: SparkMasterOpt = None,
           as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the tables (shape in docs/model-card-bot.md, \"Machine-readable output\")")] = False) -> None:
    """What is in a study: posts, accounts, time span, formats, rejected input, stage runs."""
    from botwatch.report.section_overview import study_summary

    from botwatch.engines.lake_report import reading

    with open_or_fail(study, read_only=True, engine=engine, master=spark_master) as opened, reading(opened) as st:  # a lake's small tables read at the driver
        s = study_summary(st)
        if as_json:
            print_json_result(status_json(st, study, s))
            return
        out.print(f"[bold]{escape(name_shown(study))}[/bold]", highlight=False, soft_wrap=True)
        out.print(f"posts {s['posts']:,} by {s['accounts_posting']:,} account{'' if s['accounts_posting'] == 1 else 's'}; "
                  f"accounts known {s['accounts']:,}")
        out.print(f"time span {s['first']} … {s['last']} UTC" if s["first"] is not None else "time span: no posts yet")
        repaired = f"; stored after a repair {s['repaired']:,} (originals in `rejected`)" if s.get("repaired") else ""
        again = f" (and {s['rereads']} re-read{'' if s['rereads'] == 1 else 's'} of a file already stored)" if s.get("rereads") else ""
        earlier = (f" ({s['rejected_earlier']:,} more held by earlier versions of files changed and read again since, "
                    "not counted: table `rejected_earlier`)"
                   if s.get("rejected_earlier") else "")
        if s.get("rejected_replaced"):  # a lake ingested by an earlier version kept them in `rejected`, listed below with the others
            earlier += (f" ({s['rejected_replaced']:,} more held by earlier versions of files changed and read again since, "
                        "not counted: kept in `rejected` with the others)")
        # A cut .gz's break (its row in `rejected`) is no record: said apart, as ingest says it.
        cut = f"; {s['cut_files']:,} input file{'' if s['cut_files'] == 1 else 's'} cut short" if s["cut_files"] else ""
        cut += _unreadable_said(s.get("unreadable_files") or 0)
        out.print(f"inputs {s['sources']}{again}; rejected records {s['rejected']:,}{cut}{earlier}{repaired}", markup=False)
        if n := s.get("copies"):  # its own SHA-256 is kept nowhere else that status reads
            out.print(f"{n:,} file{' was' if n == 1 else 's were'} seen again as a copy of one read before (the same text, compressed or not): "
                      f"not another input; {'its own SHA-256 is' if n == 1 else 'their own SHA-256s are'} in table `source_copies`", markup=False, soft_wrap=True)
        _print_capture_notices(_capture_notices(st))
        t = Table(title="Posts by format")
        for c in ("format", "platform", "posts"):
            t.add_column(c)
        for f, p, n in s["by_format"]:
            t.add_row(escape(str(f)), escape(str(p)), f"{n:,}")
        out.print(t)
        if s["rejected_by_error"]:
            t = Table(title="Rejected, by error")
            t.add_column("error")
            t.add_column("records", justify="right")
            for e, n in s["rejected_by_error"]:
                t.add_row(_reason_shown(str(e)), _rejected_count_shown(_rejected_entry(str(e), int(n))))
            out.print(t)
        if s["notes_by_kind"]:  # repaired or edited records kept beside their posts: no rejected record
            t = Table(title="Notes beside stored posts (repaired or edited records), by note")
            t.add_column("note")
            t.add_column("records", justify="right")
            for e, n in s["notes_by_kind"]:
                t.add_row(_reason_shown(str(e)), f"{n:,}")
            out.print(t)
        _print_captures(_captures(st))
        from botwatch.ingest.counts import rows_shown

        t = Table(title="Latest run of each stage")
        for c in ("stage", "status", "finished (UTC)", "rows"):
            t.add_column(c)
        for stage, stat, fin, rows, message, started in _latest_runs(st):
            t.add_row(escape(str(stage)), escape(stage_status_said(st, stat, message, started)), "—" if fin is None else str(fin)[:19],
                      rows_shown(stage, rows, message))
        out.print(t)
        if (election := _election_facts(st, study)) is not None:
            out.print(plain(election["line"]), highlight=False, soft_wrap=True)
        if (model := _bot_model_facts(st, study)) is not None:
            out.print(plain(model["line"]), highlight=False, soft_wrap=True)
        _print_warnings(_cut_off_warnings(st, study))
        _print_impact_windows(_impact_windows(st))
        out.print("tables: " + ", ".join(st.tables()), markup=False)
        _print_warnings(_stale_warnings(st, study) + _bot_model_warnings(model))


def _bot_model_facts(st: Study, study: Path) -> dict[str, Any] | None:
    """`model_used.bot_model_status` for this study: which bot model scored it, as `status` says it."""
    from botwatch.model_used import bot_model_status

    return bot_model_status(st, str(study))


def _bot_model_warnings(model: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The warning that the bot model selected now is not the one that scored the study (kind
    `bot_model_not_selected`), as `explain` and the report say it; none where they are the same."""
    if model is None or model.get("changed") is None:
        return []
    return [_warning("bot_model_not_selected", model["changed"]["sentence"], model["changed"]["command"], ["accounts"])]


STATUS_SHAPE = "botwatch-status/1"  # `status --json`'s object (docs/model-card-bot.md, "Machine-readable output")


def status_json(st: Study, study: Path, s: dict[str, Any]) -> dict[str, Any]:
    """What `status` prints, as one object for scripts (`s`: `study_summary`'s dict). Built from
    the same functions as the tables and warning lines, so the JSON and the words never disagree;
    only ints, text, booleans and nulls (no NaN, which strict JSON has no word for)."""
    counts = ("posts", "accounts_posting", "accounts", "sources", "rereads", "copies", "rejected", "cut_files", "unreadable_files",
              "rejected_earlier", "rejected_replaced", "repaired")
    return {
        "shape": STATUS_SHAPE,
        "study": str(study),
        "engine": getattr(st, "engine", "duckdb"),
        "schema_version": st.schema_version,
        "counts": {k: int(s.get(k) or 0) for k in counts},
        "first_post": _iso_utc(s["first"]),
        "last_post": _iso_utc(s["last"]),
        "posts_by_format": [{"format": f, "platform": p, "posts": int(n)} for f, p, n in s["by_format"]],
        "stages": [{"stage": stage, "status": stage_status_said(st, stat, message, started), "started": _iso_utc(started),
                    "finished": _iso_utc(fin), "rows": None if rows is None else int(rows), "message": message}
                   for stage, stat, fin, rows, message, started in _latest_runs(st)],
        "election": _election_facts(st, study),
        "tables": st.tables(),
        "bot_model": _bot_model_json(bot_model := _bot_model_facts(st, study)),
        "warnings": _cut_off_warnings(st, study) + _stale_warnings(st, study) + _bot_model_warnings(bot_model),
        # What plain `status` prints beside: a script checking a capture had to parse the tables.
        "rejected_by_error": [_rejected_entry(str(e), int(n)) for e, n in s["rejected_by_error"]],
        "notes_by_kind": [{"note": str(e), "records": int(n)} for e, n in s["notes_by_kind"]],
        "capture_notices": _capture_notices(st),
        **_captures(st),
        "impact_windows": _impact_windows(st),
    }


def _bot_model_json(model: dict[str, Any] | None) -> dict[str, Any] | None:
    """`status --json`'s `bot_model`: {`kind`, `file`, `sha256`, `line`}, null where no accounts run is recorded."""
    return None if model is None else {k: model[k] for k in ("kind", "file", "sha256", "line")}


def _rejected_entry(error: str, n: int) -> dict[str, Any]:
    """One row of the "Rejected, by error" table for `status --json`: a cut .gz's break is no
    record (`study_summary` counts it apart), so its count is of files cut short (`cut_short`);
    nor is an unreadable file's row, a failed input as ingest counts it (`unreadable`)."""
    from botwatch.ingest.cut_short import BROKE_OFF, UNREADABLE

    return {"error": error, "records": n, "cut_short": error.startswith(BROKE_OFF), "unreadable": error.startswith(UNREADABLE)}


def _rejected_count_shown(entry: dict[str, Any]) -> str:
    """The "records" cell of a "Rejected, by error" row: a break's or an unreadable file's row is no
    record, so its count is said as the files it is, as ingest says them."""
    n = entry["records"]
    if entry["cut_short"]:
        return f"{n:,} file{'' if n == 1 else 's'} cut short"
    if entry["unreadable"]:
        return f"{n:,} file{'' if n == 1 else 's'} unreadable (failed)"
    return f"{n:,}"


def _unreadable_said(files: int) -> str:
    """The inputs line's words for the files no reader knew: failed inputs, in no count of records
    (ingest's summary counts them under "failed", not "rejected")."""
    if not files:
        return ""
    return f"; {files:,} input{'' if files == 1 else 's'} failed as unreadable (not a format botwatch reads)"


def _iso_utc(at: Any) -> str | None:
    """A stored time (UTC, naive or not) as ISO 8601 with its zone, `2017-05-10T20:19:24Z`; None for none."""
    from datetime import datetime, timezone

    if at is None:
        return None
    if isinstance(at, datetime):
        at = at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo is not None else at
        return at.isoformat(timespec="seconds") + "Z"
    return str(at)


def _latest_runs(st: Study) -> list[tuple[Any, ...]]:
    """(stage, status, finished_at, rows_written, message, started_at) of each stage's latest run,
    by when it ended, or for one that never did (`RUNNING`: killed), began."""
    return st.sql("SELECT stage, status, finished_at, rows_written, message, started_at FROM runs "
                  "QUALIFY row_number() OVER (PARTITION BY stage ORDER BY coalesce(finished_at, started_at) DESC) = 1 ORDER BY finished_at")


def stage_status_said(st: Study, stat: str, message: str | None, started: Any) -> str:
    """A run's status as `status` says it: ok, failed, interrupted, stopped (SIGTERM), never
    finished or running now. One function for the table and `--json`, so the two say one thing."""
    from botwatch.study import INTERRUPTED_MESSAGE, RUNNING, STOPPED_MESSAGES

    # Ctrl-C is recorded "failed"; the README sends the user here to see what finished, and
    # "ingest failed 4,998" read as if those posts were bad. Said as what it was.
    if stat == "failed" and message in STOPPED_MESSAGES:
        return "interrupted" if message == INTERRUPTED_MESSAGE else "stopped (SIGTERM)"
    if stat == RUNNING:  # no other command reads a DuckDB file while a run goes on: this one's process died
        return "running now" if st.running_now(started) else "never finished"  # a lake is read while written
    return str(stat)


def _warning(kind: str, sentence: str, command: str | None, stages: list[str]) -> dict[str, Any]:
    """One warning as `status --json` gives it, every key in each: `kind` (the printed label, `_`
    for spaces), the sentence as printed after the label, the command it names on its own (None:
    none to run) and the stages it is about."""
    return {"kind": kind, "sentence": sentence, "command": command, "stages": stages}


def _print_warnings(warnings: list[dict[str, Any]]) -> None:
    """Each warning as a line: its label in yellow, then its sentence."""
    for w in warnings:
        out.print(f"[yellow]{w['kind'].replace('_', ' ')}:[/yellow] " + plain(w["sentence"]), highlight=False, soft_wrap=True)


def _cut_off_warnings(st: Study, study: Path) -> list[dict[str, Any]]:
    """A `cut_off` warning for each stage whose latest run started and never ended."""
    from botwatch.report.staleness import never_finished_runs, renew_command, with_renew_command

    found = []
    for stage, said in never_finished_runs(st):
        if stage == "ingest":
            found.append(_warning("cut_off", f"the latest run of {stage} {said}; run the same ingest again (files already stored are not stored twice).",
                                  None, [stage]))
            continue
        # After a whole --no-election, a plain `analyze` skips a stage that needs an election: the command names it.
        again = with_renew_command(st, [stage], "its tables may hold part of that run's work and part of an earlier one's: run {cmd} again.", str(study))
        found.append(_warning("cut_off", f"the latest run of {stage} {said}; {again}", renew_command(st, [stage], str(study)), [stage]))
    return found


def _stale_warnings(st: Study, study: Path) -> list[dict[str, Any]]:
    """The warnings that analysis tables are behind the study: stale analysis, stale stages,
    outdated estimates, stale cluster evidence (`report.staleness`), in the order `status` prints them."""
    from botwatch.report.staleness import (behind_inputs, cluster_evidence_command, cluster_evidence_sentence, cluster_evidence_stale,
                                           account_models_changed, content_model_changed, outdated_estimates, stale_analysis)

    name = str(study)
    found = []
    if (stale := stale_analysis(st)) is not None:
        found.append(_warning("stale_analysis", stale.sentence(name), stale.command(name), list(stale.stages)))
    if (behind := behind_inputs(st)) is not None:
        found.append(_warning("stale_stages", behind.sentence(name), behind.command(name), list(behind.rerun)))
    if (outdated := outdated_estimates(st)) is not None:
        # The label as sure as the sentence: "outdated estimates:" stood before "may be out of date".
        kind = "outdated_estimates" if outdated.found else "estimates_may_be_outdated"
        found.append(_warning(kind, outdated.sentence(name), outdated.command(name), ["estimates"]))
    if (labels := content_model_changed(st)) is not None:
        # The kind is kept for the scripts that read it; `changed` says whether the files, the rules or both did.
        found.append(_warning("content_model_changed", labels.sentence(name), labels.command(name), ["content"]) | {"changed": labels.what_changed})
    if (scores := account_models_changed(st)) is not None:
        found.append(_warning("account_models_changed", scores.sentence(name), scores.command(name), ["accounts"]))
    if cluster_evidence_stale(st):
        found.append(_warning("stale_cluster_evidence", cluster_evidence_sentence(shell_shown(study)), cluster_evidence_command(shell_shown(study)), ["accounts_clusters"]))
    return found


def _election_facts(st: Study, study: Path) -> dict[str, Any] | None:
    """The election the analysis stages last ran with, as `analyze`, `estimate` and the report read
    it, or None for a study never analysed with one: `kind` (preset, file, none: `--no-election`,
    different: stages made with different elections), `key`, `kept` (after `--no-election`: the
    stages that still hold another election's tables, by its key) and `line`, "election: KEY (...)",
    as `status` prints it. Why: a desk that edited its election file and ran `analyze` again could
    not tell from `status` which election, or which text of its file, the tables were made with."""
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import NO_ELECTION, study_election_record

    try:
        recorded = study_election_record(st)
    except ElectionError as exc:
        said = str(exc).replace("this study's stages were", "the stages were").replace("; pass --election to say which one to use", "")
        return _election("different", None, f"election: {said}: each section of the report describes its own stage's")
    if recorded is None:
        return None
    if recorded == NO_ELECTION:
        kept = _kept(st)
        return _election("none", None, "election: none (last analysed with --no-election" + _kept_said(kept) + ")", kept)
    key, text = recorded
    if text is None:
        return _election("preset", key, f"election: {key} (preset)")
    return _election("file", key, f"election: {key} (your own file; the text the stages recorded: `botwatch elections show {shell_shown(study)} --toml`)")


def _election(kind: str, key: str | None, line: str, kept: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """`_election_facts`' object: every key there, whatever the kind."""
    return {"kind": kind, "key": key, "kept": kept or {}, "line": line}


def _kept(st: Study) -> dict[str, list[str]]:
    """{election key: stages}: the stages `--no-election` skipped (they need an election), which
    still hold the tables of the election they last ran with."""
    from botwatch.elections.recorded import recorded_pair
    from botwatch.runs_table import latest_by_stage

    kept: dict[str, list[str]] = {}
    for stage, params in latest_by_stage(st).items():
        pair = None if params.get("no_election") is True else recorded_pair(params)
        if pair is not None:
            kept.setdefault(pair[0], []).append(stage)
    return kept


def _kept_said(kept: dict[str, list[str]]) -> str:
    """"; content, estimates keep their tables of us-2016" for `_kept`'s stages, else "".
    Why: "election: none" stood above a study whose party, stance and estimates tables were
    us-2016's, and beside a renew command passing `--election us-2016`."""
    said = "; ".join(f"{', '.join(stages)} keep{'s' if len(stages) == 1 else ''} {'its' if len(stages) == 1 else 'their'} tables of {key}"
                     for key, stages in kept.items())
    return f"; {said}" if said else ""


def _reason_shown(e: str) -> str:
    """A rejected record's reason or a note as status's tables show it: cut at 100 characters with
    a mark (cut bare, the CR-only file's advice ended "(`tr '" and read whole), markup escaped."""
    return plain(e if len(e) <= 100 else e[:99] + "…")


def _capture_notices(st: Study) -> dict[str, Any]:
    """The delete and stream limit notices and stall warnings the study keeps, as figures (each
    None where the study keeps none): what `status` prints a line for and `status --json` gives.

    Status listed `deletions` and `stream_limits` among the tables but said nothing of what they
    held: a capture that hit the stream's cap, or whose posts were deleted later, read as whole.
    The figures are Methods' own (`deleted_posts`, `withheld`), so status and the report agree."""
    from botwatch.ingest.stream_limits import falling_behind, withheld
    from botwatch.report.section_methods import deleted_posts, unmatched_mastodon_deletions

    tables = set(st.tables())
    deleted = deleted_posts(st, tables)
    held_back = withheld(st, tables)
    behind = falling_behind(st, tables)
    # `deletions` keeps one row per post named, however often it was deleted: the ingest lines
    # count every notice read, so "delete notices: 3" beside lines summing to 7 read as a loss.
    return {
        "delete_notices": None if deleted is None else {"posts_named": st.count("deletions"), "stored_posts_deleted": deleted,
                                                         "mastodon_unmatched": unmatched_mastodon_deletions(st, tables)},
        "stream_limits": None if held_back is None else {"notices": st.count("stream_limits"), "withheld_at_least": held_back},
        "falling_behind": None if behind is None else {"warnings": behind[0], "queue_full_percent": behind[1]},
    }


def _print_capture_notices(notices: dict[str, Any]) -> None:
    """One line each for `_capture_notices`' figures (none: nothing printed)."""
    if (d := notices["delete_notices"]) is not None:
        deleted = d["stored_posts_deleted"]
        out.print(f"posts named by delete notices: {d['posts_named']:,} ({deleted:,} of them {'a stored post' if deleted == 1 else 'stored posts'}, deleted later)"
                  + _unmatched_mastodon(d["mastodon_unmatched"]), markup=False, highlight=False, soft_wrap=True)
    if (lim := notices["stream_limits"]) is not None:
        held_back = lim["withheld_at_least"]
        out.print(f"stream limit notices: {lim['notices']:,} (the stream withheld at least {held_back:,} matching "
                  f"post{'' if held_back == 1 else 's'})", markup=False, highlight=False, soft_wrap=True)
    if (behind := notices["falling_behind"]) is not None:
        full = behind["queue_full_percent"]
        queue = f", its queue up to {full}% full" if full is not None else ""
        out.print(f"stream warnings: {behind['warnings']:,} that the capture was falling behind{queue} (posts may have been lost when it disconnected)",
                  markup=False, highlight=False, soft_wrap=True)


def _unmatched_mastodon(n: int) -> str:
    """What status adds when some Mastodon notices name no stored post (Methods says the same)."""
    if not n:
        return ""
    return (f"; {n:,} Mastodon notice{' names' if n == 1 else 's name'} no stored post (a Mastodon notice names a status by its id on the "
            "server streamed, which only that server's own statuses carry in their stored URI; a status from another server, or one never "
            "stored, is not matched), so not in that count (botwatch export STUDY deletions lists them)")


def _impact_windows(st: Study) -> list[dict[str, Any]]:
    """The `impact` rows `botwatch impact --start/--end` computed on a window other than the
    election's, one per party and frequency ([]: none): they replace that party's rows at that
    frequency, and nothing said the table no longer covered the election's window. `span` is the
    window as `status` says it."""
    if "impact" not in st.tables() or "window_custom" not in st.columns("impact"):
        return []
    from botwatch.impact.stage import window_span

    return [{"party": party, "freq": freq, "window_start": _iso_utc(ws), "window_end": _iso_utc(we), "span": window_span(ws, we)}
            for party, freq, ws, we in st.sql("SELECT DISTINCT party, freq, window_start, window_end FROM impact WHERE window_custom ORDER BY party, freq")]


def _print_impact_windows(windows: list[dict[str, Any]]) -> None:
    """One line per `_impact_windows` entry."""
    for w in windows:
        out.print(f"impact: {plain(str(w['party']))} at {plain(str(w['freq']))} covers {w['span']} (set with --start/--end), not the election's window",
                  highlight=False, soft_wrap=True)


def _captures(st: Study) -> dict[str, Any]:
    """Live captures ingested into the study, each with its gaps and X's disconnect notices, and
    the rate counts are scaled by (`scale_up`: None where nothing is to be said): the captures table
    and lines `status` prints, and what `status --json` gives.

    A user scaling counts to the whole platform needs to see which rate `estimate` will use and
    why, before running it; the rule is `study_sample_rate`'s, so the two never disagree (status
    read the captures alone and said "sample rate 0.5 from the capture manifest" where `estimate`
    went on with the 1 its estimates were last made with).
    """
    from botwatch.collect.study_link import TABLE
    from botwatch.estimates.recorded_rate import study_sample_rate

    if TABLE not in st.tables():
        from botwatch.collect.study_link import recorded_sample_rate

        _, why = recorded_sample_rate(st)  # files collect wrote, ingested without their manifest
        return {"captures": [], "scale_up": {"sample_rate": None, "said": why} if why else None}
    rows = st.sql(f"SELECT folder, sample_rate, platforms, runs, recorded_at, manifest FROM {TABLE} ORDER BY folder")
    # A record of a stream's short disconnections spans from the first to the last: only some of
    # the posts of that span were lost (`some_only`).
    captures = [{"folder": folder, "sample_rate": rate, "platforms": platforms, "runs": runs, "bad_frames": _frames_aside(manifest),
                 "recorded": _iso_utc(at), "disconnect_notices": _run_count(manifest, "disconnect_notices"),
                 "gaps": [{"from": _recorded(g.get("from")), "to": _recorded(g.get("to")), "why": _recorded(g.get("why")),
                           "some_only": bool(g.get("disconnections"))} for g in _gaps(manifest)]}
                for folder, rate, platforms, runs, at, manifest in rows]
    rate, why = study_sample_rate(st)
    return {"captures": captures, "scale_up": {"sample_rate": rate, "said": why} if why else None}


def _print_captures(found: dict[str, Any]) -> None:
    """`_captures` as the captures table and its lines (none: nothing printed)."""
    if found["captures"]:
        t = Table(title="Captures (botwatch collect)")
        for c in ("folder", "sample rate", "platforms", "runs", "bad frames", "recorded (UTC)"):
            t.add_column(c, overflow="fold" if c == "folder" else "ellipsis")  # a folder cut to "/tmp/h2w/s/j…" names none
        for c in found["captures"]:
            rate, aside = c["sample_rate"], c["bad_frames"]
            t.add_row(escape(name_shown(c["folder"])), "unusable" if rate is None else f"{rate:g}", plain(c["platforms"]), f"{c['runs']:,}",
                      "—" if aside is None else f"{aside:,}", (c["recorded"] or "None").removesuffix("Z").replace("T", " ")[:19])
        out.print(t)
        if any(c["bad_frames"] for c in found["captures"]):
            out.print("bad frames (malformed or unknown) are kept aside, each with its reason, in the capture folder's "
                      ".botwatch/malformed-<stream>.jsonl", markup=False, soft_wrap=True)
        for c in found["captures"]:
            if notices := c["disconnect_notices"]:
                out.print(f"disconnections: X sent {counted(notices, 'disconnect notice')} on the stream of capture {name_shown(c['folder'])} "
                          "(X closing the connection, not bad data; the spans it did not send are said as gaps)", markup=False, soft_wrap=True)
        for c in found["captures"]:
            for gap in c["gaps"]:
                some = "some of " if gap["some_only"] else ""
                out.print(f"gap: capture {name_shown(c['folder'])} could not fetch {some}the posts from {controls_shown(gap['from'] or NOT_RECORDED)} "
                          f"to {controls_shown(gap['to'] or NOT_RECORDED)} ({controls_shown(gap['why'] or 'no reason recorded')}): "
                          "its counts over that span are incomplete", markup=False, soft_wrap=True)
    if (scale := found["scale_up"]) is not None:
        out.print(("scale-up: " if scale["sample_rate"] is not None else "scale-up: no single rate; ") + controls_shown(scale["said"]),
                  markup=False, soft_wrap=True)


# A gap's end the manifest does not give, as the report's Methods says it.
NOT_RECORDED = "(not recorded)"


def _recorded(value: object) -> str | None:
    """A gap's `from`, `to` or `why` as recorded, as text; None (null in `status --json`) where the
    manifest gives none: `str()` of a missing end made the text "None", a time that is no time."""
    return None if value is None or value == "" else str(value)


def _gaps(manifest: object) -> list[dict[str, object]]:
    """The spans a capture's runs could not fetch (a search re-run beyond X's recent reach, the X
    stream's disconnections), from the
    manifest the study recorded: recorded by the collector, they were said by nothing after ingest."""
    import json

    from botwatch.collect.x import merged_gaps

    try:
        runs = json.loads(str(manifest)).get("runs") or []
        return merged_gaps([g for r in runs if isinstance(r, dict) and isinstance(r.get("gaps"), list) for g in r["gaps"] if isinstance(g, dict)])
    except (ValueError, TypeError, AttributeError):
        return []


def _run_count(manifest: object, key: str) -> int:
    """A count of the capture's runs added up, from the manifest the study recorded (0: none, or
    not readable, as a count of 1e400, infinity to JSON, which `int` refuses with OverflowError)."""
    import json

    try:
        runs = json.loads(str(manifest)).get("runs") or []
        return sum(int(r.get(key) or 0) for r in runs if isinstance(r, dict))
    except (ValueError, TypeError, AttributeError, OverflowError):
        return 0


def _frames_aside(manifest: object) -> int | None:
    """Frames the capture's runs kept aside as malformed or unknown, from the manifest the study
    recorded (None: not readable). `status` showed a capture's runs but not that 40 of its frames
    were unusable, which only the collector's closing summary had said."""
    import json

    from botwatch.collect.study_link import frames_aside

    try:
        return frames_aside(list(json.loads(str(manifest)).get("runs") or []))
    except (ValueError, TypeError, AttributeError):
        return None


STDOUT = "-"
STDOUT_FORMATS = ("jsonl", "json", "csv", "parquet", "graphml")
FORMAT_WORDS = {".jsonl": "JSON lines, one object a row", ".ndjson": "JSON lines, one object a row", ".json": "one JSON array",
                ".csv": "CSV; list and evidence columns as JSON text", ".parquet": "Parquet"}


FOLDER_FORMATS = ("parquet", "csv", "jsonl", "json")
# Said after every CSV export (unless --verbatim) whether or not a cell needed it: it is what the
# export does, not a count of what it found ("were prefixed" read as "some were" on files with none).
FORMULA_NOTE = ("any text cell starting with = + - @, tab or CR is prefixed with ' so that spreadsheets do not run it "
                "(formula injection); --verbatim keeps cells exact")


@app.command()
def export(
    study: StudyArg,
    tables: Annotated[Optional[list[str]], typer.Argument(metavar="TABLE", help="Table name(s), e.g. posts, accounts, rejected; several (or --all) write one file each into the folder -o names", show_default=False)] = None,
    output: Annotated[Path, typer.Option("-o", "--output", callback=local_output, help="Output file: .parquet, .csv (lists as JSON text), .jsonl/.ndjson (JSON lines) or .json (one JSON array); .graphml for the coordination network; '-' for stdout. With several tables or --all: a folder")] = ...,  # type: ignore[assignment]
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists")] = False,
    verbatim: Annotated[bool, typer.Option("--verbatim", help="CSV: keep cells exact (default: prefix cells starting with = + - @ with ' so spreadsheets do not run them, and write control and invisible characters as text, \\x1b, \\u202e, and a backslash as \\\\)")] = False,
    fmt: Annotated[Optional[str], typer.Option("--format", help="With -o -: jsonl (default), json, csv, parquet or graphml. With a folder: parquet (default), csv, jsonl or json")] = None,
    every: Annotated[bool, typer.Option("--all", help="Export every table and view of the study into the folder -o names (TABLE.FORMAT each)")] = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Export any table of a study to Parquet, CSV, JSON lines (.jsonl) or a JSON array (.json), with a .schema.json beside it
    (CSV: list columns as JSON text, formula cells defused),
    or the coordination network to GraphML without re-running the stage. `-o -` writes to stdout (no sidecar), as twarc does.
    Several tables (`export STUDY posts accounts -o out/`) or `--all` are written into one folder by one command: on a lake,
    one Spark session for all of them instead of a JVM start per table."""
    from botwatch.study import EXPORT_FORMATS

    names = list(tables or [])
    if not names and not every:
        fail("name the table to export (`botwatch status STUDY` lists them), or pass --all")
    if every and names:
        fail(f"--all exports every table: leave out {', '.join(names)}, or drop --all")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:  # `posts posts` wrote posts, then failed on its own file with exit 2: refused before anything is written
        fail(f"{', '.join(repeated)} named more than once: name each table once")
    # One table, an existing folder and --format: the folder export (`--format` says "With a
    # folder: ..."); it was refused with "--format csv is for -o - or a folder", of a folder.
    # So is a folder yet to be made (`-o exports/ --format csv`: the shell's slash is gone by
    # now), a name without an extension, which no file export takes (its extension is its format).
    if every or len(names) > 1 or (fmt is not None and str(output) != STDOUT and (output.is_dir() or not output.suffix)):
        _export_many(study, names, output, force, verbatim, fmt, engine, spark_master)
        return
    table = names[0]
    made = first_missing_folder(output) if str(output) != STDOUT else None  # made by the writer, as `report` makes its output's
    with open_or_fail(study, read_only=True, engine=engine, master=spark_master) as st:
        graphml = (fmt or "").lower().lstrip(".") == "graphml" if str(output) == STDOUT else output.suffix.lower() == ".graphml"
        if not graphml:
            _network_is_graphml(st, study, [table])
        if str(output) == STDOUT:
            _export_to_stdout(st, study, table, (fmt or "jsonl").lower().lstrip("."), verbatim)
            _warn_older_than_study(st, study, list(GRAPHML_FROM) if graphml else [table])
            return
        if fmt is not None and output.suffix.lower().lstrip(".") != fmt.lower().lstrip("."):
            fail(f"--format {fmt} is for -o - or a folder; a file's format is its extension ({name_shown(output.name)})")
        if output.suffix.lower() == ".graphml":
            refuse_to_overwrite([output], force)  # as every other format: an existing file is replaced only when asked
            _export_graphml(st, study, table, output)
            _say_made(made, "it")
            _warn_older_than_study(st, study, list(GRAPHML_FROM))
            return
        if output.suffix.lower() not in EXPORT_FORMATS and not output.is_dir():
            # The writer's own "use one of .csv, …" left out .graphml, and for `-o exports/` (the
            # shell's slash gone, no extension) said nothing of the folder export, which needs --format.
            folder = f"; or, to write it into the folder {name_shown(output)}, add --format (parquet, csv, jsonl or json)" if not output.suffix else ""
            fail(f"cannot export to {name_shown(output.name)}: use one of {', '.join(sorted(EXPORT_FORMATS))} "
                 f"(or .graphml, for the coordination network){folder}")
        n = _export_file(st, table, output, force, verbatim)
        kind = FORMAT_WORDS.get(output.suffix.lower(), output.suffix.lstrip("."))
        out.print(f"wrote {counted(n, 'row')} of {table} to {name_shown(output)} ({kind}; types and schema version in {name_shown(output.name)}.schema.json)", markup=False)
        _say_made(made, "it")
        _warn_older_than_study(st, study, [table])
        if table == "account_scores" and "accounts_scored" in st.tables():
            # The export names each account (handle); the view also has its profile.
            console.print(f"note: `botwatch export {shell_shown(study)} accounts_scored -o …` has the scores with each account's whole profile", markup=False, highlight=False)


def _export_many(study: Path | str, names: list[str], folder: Path, force: bool, verbatim: bool, fmt: Optional[str],
                 engine: Optional[str], spark_master: Optional[str]) -> None:
    """Several tables (or every one, `names` empty) into `folder`, one `TABLE.FORMAT` file each,
    from one opened study: on a lake each `export` command started its own JVM (20-40 s each)."""
    from botwatch.study import no_table

    if str(folder) == STDOUT:
        fail("-o - takes one table: name a folder to export several")
    chosen = (fmt or "parquet").lower().lstrip(".")
    if chosen not in FOLDER_FORMATS:
        fail(f"--format {fmt}: with a folder use one of {', '.join(FOLDER_FORMATS)}")
    if folder.suffix.lower().lstrip(".") in FOLDER_FORMATS + ("ndjson", "graphml") and not folder.is_dir():
        fail(f"{name_shown(folder)} looks like a file: several tables go into a folder (-o out/), one file per table")
    if folder.exists() and not folder.is_dir():
        fail(f"{name_shown(folder)} is a file: several tables go into a folder (-o out/), one file per table")
    made = first_missing_folder(folder / "TABLE")  # the folder itself, or the topmost of a mistyped tree
    with open_or_fail(study, read_only=True, engine=engine, master=spark_master) as st, stage_progress() as progress:
        known = st.tables()
        todo = names or known
        _network_is_graphml(st, study, todo)
        unknown = [n for n in todo if n not in known]
        if unknown:
            fail(no_table(unknown, known, study))
        targets = [(n, folder / f"{n}.{chosen}") for n in todo]
        refuse_to_overwrite([p for _n, p in targets], force)  # said before anything is written: half an export is no export
        kind = FORMAT_WORDS.get(f".{chosen}", chosen)
        with progress.watching(st):
            for name, path in targets:
                progress.step(f"export {name}")
                n = _export_file(st, name, path, force, verbatim, quiet=True)
                out.print(f"wrote {counted(n, 'row')} of {plain(name)} to {plain(name_shown(path))}", highlight=False)
        out.print(f"{len(targets)} table{'s' if len(targets) != 1 else ''} in {plain(name_shown(folder))} ({kind}; types and schema version in each FILE.schema.json)", highlight=False)
        _say_made(made, "it" if len(targets) == 1 else "them")
        _warn_older_than_study(st, study, [n for n, _p in targets])
        if chosen == "csv" and not verbatim:
            console.print(FORMULA_NOTE, markup=False)


def _say_made(made: Path | None, what: str) -> None:
    """Name the folder the export made, in `report`'s words: `-o exprots/posts.csv` (a mistyped
    folder) made it, or a whole tree, without a word, and the user looked for the file elsewhere."""
    if made is not None and made.is_dir():
        out.print(f"made the folder {plain(name_shown(made))} for {what}, which did not exist", highlight=False)


def _warn_older_than_study(st: Study, study: Path | str, names: list[str]) -> None:
    """Warnings on stderr for exported tables the study's latest analysis left behind: tables of a
    stage that needs an election, after the study was last analysed with --no-election (which skips
    that stage and keeps its earlier run's tables: the report leaves them out and `estimate`
    refuses, while the export wrote them without a word), and tables of a stage that ran before
    posts were last ingested (as `accounts` and `status` warn), or before a stage whose tables
    they read ran again (`behind_inputs`, as `report` warns: after `botwatch coordination`, the
    timeline's tables were exported with the old clusters without a word)."""
    from botwatch.elections.model import ElectionError
    from botwatch.elections.recorded import NO_ELECTION, study_election_record
    from botwatch.pipeline import stages
    from botwatch.report.staleness import stale_analysis

    made_by = {t: stage for stage in stages() for t in stage.writes}
    asked = [(n, made_by[n]) for n in names if n in made_by]
    try:
        no_election = study_election_record(st) == NO_ELECTION
    except ElectionError:
        no_election = False
    skipped = [n for n, stage in asked if stage.needs_election] if no_election else []
    if skipped:
        warn(f"{', '.join(skipped)}: {'this table is' if len(skipped) == 1 else 'these tables are'} from an earlier run with an election; "
             f"{shell_shown(study)} was last analysed with --no-election, which skips the stages that make "
             f"{'it' if len(skipped) == 1 else 'them'}: " + _renew_skipped(st, study, [stage.name for n, stage in asked if n in skipped], len(skipped)))
    stale = stale_analysis(st)
    behind = [n for n, stage in asked if stale is not None and stage.name in stale.stages and n not in skipped]
    if stale is not None and behind:
        k = stale.posts_added
        warn(f"{', '.join(behind)}: {counted(k, 'post')} {'was' if k == 1 else 'were'} ingested (last at {stale.ingested_at:%Y-%m-%d %H:%M} UTC) "
             f"after the stage that makes {'this table' if len(behind) == 1 else 'these tables'} last ran, and {'is' if k == 1 else 'are'} not in "
             f"{'it' if len(behind) == 1 else 'them'}: run `botwatch analyze {shell_shown(study)}` to renew {'it' if len(behind) == 1 else 'them'}")
    _warn_read_old(st, study, [(n, stage.name) for n, stage in asked if n not in skipped])
    _warn_models_changed(st, study, [n for n, _stage in asked if n not in skipped])


def tables_read_from(stage_name: str) -> set[str]:
    """The tables `stage_name` writes or updates, and those of every stage that reads them, at
    any remove (from the stages' declared `needs` and `optional` inputs): the tables whose
    figures change when that stage's model does. A stage that only updates a shared table
    (`circadian` adding to `timeline_notes`) reads nothing from it, so its own table is not one."""
    from botwatch.pipeline import stages

    registered = stages()
    reached, tables = {stage_name}, set()
    grew = True
    while grew:
        grew = False
        for stage in registered:
            if stage.name in reached or set(stage.needs + stage.optional) & tables:
                outs = set(stage.writes) | set(stage.updates)
                if stage.name not in reached or not outs <= tables:
                    reached.add(stage.name)
                    tables |= outs
                    grew = True
    return tables


def _warn_models_changed(st: Study, study: Path | str, names: list[str]) -> None:
    """Warnings on stderr for exported tables made with other models or rules than this
    botwatch's, in the words `status` and `report` use, each with its command. Why: after an
    upgrade that retrained the bot model, `accounts`, `explain`, `status` and the report said the
    study's bot probabilities were the earlier model's, while `export accounts_scored` (or
    `--all`) wrote those probabilities into a file with no word, where re-analysing changed 23 of
    281 of them (by up to 0.08) on a real study."""
    from botwatch.coordination.stage import SCORE_FREE_TABLES
    from botwatch.model_used import bot_model_changed
    from botwatch.report.staleness import account_models_changed, content_model_changed, outdated_estimates

    name = str(study)
    # Tables that hold the scores or figures made from them: `coordination_edges` (a stage that
    # reads the scores, but not into it) got the bot-model warning of the whole stage.
    from_scores, from_labels = tables_read_from("accounts") - set(SCORE_FREE_TABLES), tables_read_from("content")
    scored = [n for n in names if n in from_scores]
    labelled = [n for n in names if n in from_labels]
    if scored and (bot := bot_model_changed(st)) is not None:
        warn(f"{', '.join(scored)}: {bot.said(name)}")
    if scored and (scores := account_models_changed(st)) is not None:
        warn(f"{', '.join(scored)}: {scores.sentence(name)}")
    if labelled and (labels := content_model_changed(st)) is not None:
        warn(f"{', '.join(labelled)}: {labels.sentence(name)}")
    if "estimates" in names and (outdated := outdated_estimates(st)) is not None:
        warn(f"estimates: {outdated.sentence(name)}")


def _renew_skipped(st: Study, study: Path | str, need: list[str], tables: int) -> str:
    """"run `botwatch analyze STUDY --election X` to renew it": the whole `analyze` that renews the
    tables of the stages in `need`, skipped by `--no-election`, with the election `status` and the
    report name for them (`staleness._renew_election`), else the `ELECTION` placeholder and what to
    put for it (`_election_word`, `_needs_election`). Why: it said `--election ...`, which ran as an
    election file named "..." where `status` named the election those stages were made with."""
    from botwatch.report.staleness import _election_word, _needs_election, _renew_election

    need = list(dict.fromkeys(need))
    election, unnamed = _renew_election(st, need)
    unnamed = unnamed if election is not None or unnamed else tuple(need)  # none named: the placeholder, said
    command = f"run `botwatch analyze {shell_shown(study)} --election {shell_shown(_election_word(election, unnamed))}` to renew {'it' if tables == 1 else 'them'}"
    return command + ("." + _needs_election(unnamed) if unnamed else "")


def _warn_read_old(st: Study, study: Path | str, asked: list[tuple[str, str]]) -> None:
    """One warning for the exported tables (`asked`: (table, stage that makes it)) of stages that
    last ran on earlier results (`behind_inputs`), in the report's words and with its command."""
    from botwatch.report.staleness import behind_inputs

    behind = behind_inputs(st)
    old = [n for n, stage in asked if behind is not None and stage in behind.rerun]
    if behind is not None and old:
        warn(f"{', '.join(old)}: " + behind.sentence(str(study), then=f"export {'it' if len(old) == 1 else 'them'} again"))


# The names `export` takes for the coordination network as a whole (GraphML), no table of a study.
NETWORK_NAMES = ("coordination", "network")


def _network_is_graphml(st: Study, study: Path | str, names: list[str]) -> None:
    """Refuse `coordination` (or `network`) asked for in another format than GraphML, saying how
    to get it: docs/exports.md names it with the network's tables, and `-o net.csv` got "no table
    'coordination' (did you mean 'coordination_null'?)", the null model's table, no network."""
    asked = [n for n in names if n in NETWORK_NAMES and n not in st.tables()]
    if asked:
        fail(f"{asked[0]} is the coordination network, which only GraphML holds: `botwatch export {shell_shown(study)} {asked[0]} -o net.graphml`; "
             f"as tables, its edges are coordination_edges and its accounts cluster_members "
             f"(`botwatch export {shell_shown(study)} coordination_edges cluster_members -o out/ --format csv`)")


def _export_file(st: Study, table: str, output: Path, force: bool, verbatim: bool, quiet: bool = False) -> int:
    """One table to one file through the shared export writer; its errors become one line.
    `quiet`: the formula note is left to the caller (said once for several files)."""
    from botwatch.study import StudyError
    from botwatch.table_export import export_table

    try:
        n = export_table(st, table, output, force=force, verbatim=verbatim)
    except StudyError as exc:
        fail(str(exc))
        raise  # unreachable
    if output.suffix.lower() == ".csv" and not verbatim and n and not quiet:  # no rows: nothing was prefixed
        console.print(FORMULA_NOTE, markup=False)
    return n


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _export_to_stdout(st: Study, study: Path | str, table: str, fmt: str, verbatim: bool) -> None:
    """The same bytes a file export writes, on stdout: written to a private temporary file first
    (DuckDB's COPY and the GraphML writer want a path), then copied; the count goes to stderr.
    JSON's control and invisible characters are written as `\\u202e` escapes (`json_shown`): the
    same values to every JSON reader, but DuckDB's writer left a handle's U+202E or C1 CSI raw,
    and `export STUDY posts -o -` put them on the terminal."""
    if fmt not in STDOUT_FORMATS:
        fail(f"--format {fmt}: use one of {', '.join(STDOUT_FORMATS)}")
    if fmt == "parquet" and _stdout_is_terminal():  # binary: the strings of a page (a handle's ESC [2J) reached the terminal raw
        fail(f"parquet is binary: redirect stdout (`> {table}.parquet`, `| duckdb`) or write a file with -o {table}.parquet")
    if fmt == "csv" and verbatim and _stdout_is_terminal():  # exact cells: a handle's ESC [2J or U+202E would reach the terminal raw
        fail(f"--verbatim keeps control characters raw, which a terminal obeys: redirect stdout (`> {table}.csv`) or leave out --verbatim")
    cr_shown = fmt == "csv" and not verbatim and _stdout_is_terminal()
    with tempfile.TemporaryDirectory(prefix="botwatch-export-") as tmp:
        path = Path(tmp) / f"export.{fmt}"
        if fmt == "graphml":
            _export_graphml(st, study, table, path, quiet=True)
        else:
            n = _export_file(st, table, path, True, verbatim)
        with path.open("rb") as src:
            try:
                if fmt in ("jsonl", "json"):
                    for line in src:
                        sys.stdout.buffer.write(json_shown(line.decode("utf-8")).encode("utf-8"))
                elif cr_shown:  # a cell's CR (kept: CSV quoting carries it) sent the terminal to the line's start, to be overwritten
                    for line in src:
                        sys.stdout.buffer.write(line.replace(b"\r", b"\\x0d"))
                else:
                    shutil.copyfileobj(src, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            except BrokenPipeError:  # `| head` closed the pipe: what it wanted was written, not all rows
                stdout_closed()
        if fmt != "graphml":  # said once the rows are out: before the copy, a closed pipe made it untrue
            console.print(f"wrote {counted(n, 'row')} of {table} to stdout ({fmt})", markup=False, highlight=False)


NETWORK_TABLES = ("coordination", "network", "coordination_edges", "cluster_members", "clusters")
# The tables a GraphML is made of (`coordination.export.network_graph`): an export of the network
# is as old as they are, and says so as an export of a table does (`_warn_older_than_study`).
GRAPHML_FROM = ("coordination_edges", "cluster_members")


def graphml_or_fail(st: Study, output: Path) -> Path:
    """`coordination.export.export_graphml`, with a file that cannot be written (no such folder, no
    permission, a full disk) said in one line as for every other format: it ended in "This is a
    bug in botwatch", though the fault is the path the user gave."""
    import igraph as ig

    from botwatch.coordination.export import export_graphml
    from botwatch.engines.lake_files import first_line

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        return export_graphml(st, output)
    except (OSError, ig.InternalError) as exc:
        from botwatch.out_path import in_the_way_said

        why = os_error_said(exc) if isinstance(exc, OSError) else first_line(exc)  # igraph's own error has no OS reason
        # A file where a folder of the path should be: "File exists" named neither (as --csv and export say it)
        fail(in_the_way_said(output) or f"could not write {name_shown(output)}: {why}")
        raise  # unreachable: fail exits


def _export_graphml(st: Study, study: Path | str, table: str, output: Path, quiet: bool = False) -> None:
    """The stored coordination network (edges and clustered accounts) as GraphML."""
    if table not in NETWORK_TABLES:
        fail(f"GraphML holds the coordination network: export it as `botwatch export {shell_shown(study)} coordination -o {shell_shown(output.name)}`")
    if not {"coordination_edges", "cluster_members"} <= set(st.tables()):
        fail(f"no coordination network in {name_shown(study)}: run `botwatch analyze {shell_shown(study)}` (stage coordination) first")
    path = graphml_or_fail(st, output)
    (console if quiet else out).print(f"wrote the coordination network ({st.count('cluster_members'):,} accounts, {st.count('coordination_edges'):,} edges) to {'stdout' if quiet else plain(name_shown(path))}", highlight=False)
