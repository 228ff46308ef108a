"""`botwatch status --json`: scripts and integrity pipelines read the study's state as one JSON
object (`botwatch-status/1`) where `status` printed tables only and `--json` exited 2. The
stages' statuses and the warnings are the words `status` prints, from the same functions, and
each warning's renew command comes apart from its sentence."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

from test_report_overstate import _cli
from test_report_stale_inputs import RERUN, recoordinated  # noqa: F401  (a module fixture used below)
from test_runs_killed import _sleepy, ingest_killed_after_an_analysis
from testsupport.study_copies import copy_study

KEYS = {"shape", "study", "engine", "schema_version", "counts", "first_post", "last_post", "posts_by_format", "stages", "election", "tables", "warnings",
        "rejected_by_error", "notes_by_kind", "capture_notices", "captures", "scale_up", "impact_windows", "bot_model"}


def _no_constant(name: str) -> Any:
    raise AssertionError(f"not strict JSON: {name}")


def status_json(study: Path | str, *more: str) -> dict[str, Any]:
    """`status STUDY --json`'s object; its stdout must be that one strict JSON document alone."""
    runner, app = _cli()
    res = runner.invoke(app, ["status", str(study), "--json", *more])
    assert res.exit_code == 0, res.output
    assert res.stderr == "", res.stderr  # the warnings are in the object, not on stderr
    doc = json.loads(res.stdout, parse_constant=_no_constant)
    assert set(doc) == KEYS, doc.keys()
    return doc


def _said(study: Path) -> str:
    runner, app = _cli()
    res = runner.invoke(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    return " ".join(res.output.split())


def _agrees_with_the_words(doc: dict[str, Any], said: str) -> None:
    """Every stage's status and every warning's sentence is what plain `status` prints."""
    for run in doc["stages"]:
        assert f"{run['stage']} │ {run['status']} │" in said, (run, said)
    for w in doc["warnings"]:
        assert set(w) == {"kind", "sentence", "command", "stages"} | ({"changed"} if w["kind"] == "content_model_changed" else set()), w
        assert f"{w['kind'].replace('_', ' ')}: {' '.join(w['sentence'].split())}" in said, (w, said)
        assert w["command"] is None or f"`{w['command']}`" in w["sentence"], w


def test_the_analysed_sample_as_json(analysed_sample_path: Path) -> None:
    from botwatch.study import Study

    doc = status_json(analysed_sample_path)
    assert doc["shape"] == "botwatch-status/1" and doc["study"] == str(analysed_sample_path) and doc["engine"] == "duckdb"
    with Study(analysed_sample_path, read_only=True) as st:
        assert doc["schema_version"] == st.schema_version and doc["tables"] == st.tables()
        assert doc["counts"]["posts"] == st.count("posts") and doc["counts"]["accounts"] == st.count("accounts")
        assert doc["counts"]["rejected"] >= 0 and doc["counts"]["sources"] >= 1
        stages = {r[0] for r in st.sql("SELECT DISTINCT stage FROM runs")}
    assert {r["stage"] for r in doc["stages"]} == stages
    assert all(r["status"] == "ok" and r["finished"].endswith("Z") and isinstance(r["rows"], (int, type(None))) for r in doc["stages"])
    assert doc["first_post"] is not None and doc["first_post"] <= doc["last_post"]
    assert sum(f["posts"] for f in doc["posts_by_format"]) == doc["counts"]["posts"]
    assert doc["election"] == {"kind": "preset", "key": "us-2016", "kept": {}, "line": "election: us-2016 (preset)"}
    assert doc["warnings"] == []
    _agrees_with_the_words(doc, _said(analysed_sample_path))


def test_a_cut_off_ingest_and_stage_and_a_stale_analysis_as_json(tmp_path: Path) -> None:
    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    ingest_killed_after_an_analysis(study)
    with _sleepy(study) as proc:  # then the analysis stage killed in its next run
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "sleeping"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    doc = status_json(study)
    runs = {r["stage"]: r for r in doc["stages"]}
    assert runs["ingest"]["status"] == runs["sleepy"]["status"] == "never finished"
    assert runs["sleepy"]["finished"] is None and runs["sleepy"]["started"].endswith("Z")
    kinds = [(w["kind"], w["stages"]) for w in doc["warnings"]]
    assert kinds == [("cut_off", ["ingest"]), ("cut_off", ["sleepy"]), ("stale_analysis", ["sleepy"])], kinds
    cut_ingest, cut_sleepy, stale = doc["warnings"]
    assert cut_ingest["command"] is None and "run the same ingest again" in cut_ingest["sentence"]
    assert cut_sleepy["command"] == f"botwatch analyze {study}"
    assert stale["command"] == f"botwatch analyze {study}" and stale["stages"] == ["sleepy"] and stale["sentence"].startswith("4 posts were ingested")
    _agrees_with_the_words(doc, _said(study))


def test_stale_stages_as_json(recoordinated: tuple[Path, str], tmp_path: Path) -> None:  # noqa: F811
    study = copy_study(recoordinated[0], tmp_path / "s.duckdb")
    doc = status_json(study)
    stale = [w for w in doc["warnings"] if w["kind"] == "stale_stages"]
    assert len(stale) == 1 and stale[0]["command"] == f"botwatch analyze {study} {RERUN}", doc["warnings"]
    assert stale[0]["stages"] == ["timeline", "bursts", "creation", "circadian", "impact"]
    _agrees_with_the_words(doc, _said(study))


def test_outdated_estimates_and_stale_cluster_evidence_as_json(analysed_sample_path: Path, tmp_path: Path) -> None:
    """The two warnings that name an `--only` of their own: estimates made under older rules (as
    `test_estimates_outdated` makes them) and cluster evidence older than the clusters."""
    from botwatch import open_study
    from test_estimates_outdated import _as_before, _old_share_wording

    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    _as_before(study)
    _old_share_wording(study)
    with open_study(study, read_only=False) as st:  # coordination ran again after accounts_clusters added its evidence
        # after accounts_clusters by one second, however long that stage took (on a loaded machine, more than the second added before)
        st.sql("UPDATE runs SET finished_at = (SELECT max(finished_at) FROM runs WHERE stage = 'accounts_clusters') + INTERVAL 1 SECOND "
               "WHERE stage = 'coordination'")
    doc = status_json(study)
    got = {w["kind"]: w for w in doc["warnings"]}
    assert got["outdated_estimates"]["command"] == f"botwatch analyze {study} --only estimates", got
    assert got["outdated_estimates"]["stages"] == ["estimates"]
    assert got["stale_cluster_evidence"]["command"] == f"botwatch analyze {study} --only accounts_clusters", got
    _agrees_with_the_words(doc, _said(study))


def test_no_study_is_the_plain_commands_error(tmp_path: Path) -> None:
    runner, app = _cli()
    plain = runner.invoke(app, ["status", str(tmp_path / "none.duckdb")])
    res = runner.invoke(app, ["status", str(tmp_path / "none.duckdb"), "--json"])
    assert res.exit_code == plain.exit_code == 2 and res.stdout == "" and "Traceback" not in res.output
    assert res.stderr == plain.stderr


def test_the_documented_shape_names_every_key() -> None:
    """docs/model-card-bot.md names every key `status --json` gives, and the kinds of warning."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8")
    said = doc[doc.index("`botwatch status STUDY --json`"):].split("## ", 1)[0]
    for key in KEYS | {"kind", "sentence", "command", "stages", "key", "kept", "line", "finished", "rows", "message",
                       "cut_off", "stale_analysis", "stale_stages", "outdated_estimates", "estimates_may_be_outdated", "stale_cluster_evidence",
                       "error", "records", "cut_short", "note", "delete_notices", "posts_named", "stored_posts_deleted", "mastodon_unmatched",
                       "stream_limits", "notices", "withheld_at_least", "falling_behind", "warnings", "queue_full_percent", "folder",
                       "sample_rate", "platforms", "runs", "bad_frames", "recorded", "disconnect_notices", "gaps", "from", "to", "why",
                       "some_only", "said", "party", "freq", "window_start", "window_end", "span",
                       "content_model_changed", "account_models_changed"}:
        assert f"`{key}`" in said, key


def test_captures_gaps_and_rejected_records_are_in_the_object(tmp_path: Path) -> None:
    """Plain `status` printed a capture's table, its gaps and the rejected records by error; the
    object carried none of them, so a script checking a capture parsed the tables. They come from
    the functions that print those lines, and agree with them."""
    import gzip

    from botwatch.collect import state
    from testsupport.x_stream import envelope, status_of_ingested_capture

    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    run = {"platform": "x", "stream": "x-stream", "endpoint": "http://x", "sample_rate": 1.0, "filter": {}, "kept": 1}
    gaps = [{"from": "2026-11-21T12:00:00Z", "to": "2026-11-21T12:05:00Z", "why": "X's filtered stream was disconnected"}]
    (folder / ".botwatch" / state.MANIFEST).write_text(json.dumps({"sample_rate": 1.0, "runs": [{**run, "gaps": gaps}]}))
    with gzip.open(folder / "x-stream-20261120T110000Z-1.jsonl.gz", "wb") as fh:  # one good record, one cut off
        fh.write(envelope(2) + b"\n" + b'{"data": {"id": "9"' + b"\n")
    study = tmp_path / "s.duckdb"
    _output, said = status_of_ingested_capture(folder, study)
    doc = status_json(study)
    (cap,) = doc["captures"]
    assert cap["folder"] == str(folder) and cap["sample_rate"] == 1.0 and cap["runs"] == 1, cap
    assert cap["gaps"] == [{**gaps[0], "some_only": False}], cap
    assert f"gap: capture {folder} could not fetch the posts from {gaps[0]['from']} to {gaps[0]['to']}" in said, said
    rejected = doc["rejected_by_error"]
    assert len(rejected) == 1 and rejected[0]["records"] == doc["counts"]["rejected"] == 1 and not rejected[0]["cut_short"], rejected
    assert rejected[0]["error"][:40] in said, said
    assert doc["capture_notices"] == {"delete_notices": None, "stream_limits": None, "falling_behind": None}
    assert doc["impact_windows"] == [] and doc["notes_by_kind"] == []


def test_a_capture_count_too_large_for_a_number_is_not_a_crash(tmp_path: Path) -> None:
    """A hand-edited manifest's `disconnect_notices: 1e400` (infinity to JSON) raised
    OverflowError from `status` and `status --json`, as `frames_aside` did before it caught it:
    the count is read as not readable (0), as a count that is no number already was."""
    from botwatch.collect import state
    from testsupport.x_stream import status_of_ingested_capture

    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    run = '{"platform": "x", "stream": "x-stream", "endpoint": "http://x", "sample_rate": 1.0, "filter": {}, "kept": 1, "disconnect_notices": 1e400}'
    (folder / ".botwatch" / state.MANIFEST).write_text('{"sample_rate": 1.0, "runs": [' + run + "]}")
    study = tmp_path / "s.duckdb"
    _output, said = status_of_ingested_capture(folder, study)  # exit 0, or it fails here
    assert "disconnections:" not in said, said
    assert status_json(study)["captures"][0]["disconnect_notices"] == 0


def test_a_gap_without_its_ends_is_null_not_the_text_none(tmp_path: Path) -> None:
    """A manifest's gap with no `from` or `to` (hand-edited, or a collector's record cut short) came
    out of `status --json` as the string "None", and plain `status` said "from None to None"."""
    from botwatch.collect import state
    from testsupport.x_stream import status_of_ingested_capture

    folder = tmp_path / "cap"
    (folder / ".botwatch").mkdir(parents=True)
    run = {"platform": "x", "stream": "x-stream", "endpoint": "http://x", "sample_rate": 1.0, "filter": {}, "kept": 1,
           "gaps": [{"why": "X's filtered stream was disconnected"}]}
    (folder / ".botwatch" / state.MANIFEST).write_text(json.dumps({"sample_rate": 1.0, "runs": [run]}))
    study = tmp_path / "s.duckdb"
    _output, said = status_of_ingested_capture(folder, study)
    (cap,) = status_json(study)["captures"]
    assert cap["gaps"] == [{"from": None, "to": None, "why": "X's filtered stream was disconnected", "some_only": False}], cap
    assert "from (not recorded) to (not recorded)" in said and "None" not in said, said
