"""The live-collection path used as a new user would (the audit of 2026-12-05): a collection into a
study, stopped and resumed, against misbehaving local servers; each test holds one thing it got wrong."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from testsupport.collect_fakes import closed_capture_file, jetstream_event


def test_a_study_held_by_another_process_is_said_in_whole_sentences(tmp_path: Path) -> None:
    """Follow mode quoted the child's error cut at 200 characters: "… so this command cannot write
    to it. A study can be open for writing in one process, or); they stay in capture/ …"."""
    import duckdb

    from botwatch.collect.follow import Follower

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    (cap_dir / ".botwatch").mkdir(parents=True)
    closed_capture_file(cap_dir, "bluesky", [jetstream_event(i) for i in range(5)])
    logs: list[str] = []
    follower = Follower(Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of), study, 60.0, logs.append)
    held = duckdb.connect(str(study))  # this process holds it for writing, as a notebook would
    try:
        asyncio.run(follower.batch(attempts=1))
    finally:
        held.close()
    said = [m for m in logs if "failed" in m]
    assert len(said) == 1, logs
    why = said[0].split(" failed (", 1)[1].rsplit("); they stay in", 1)[0]
    assert "holds it for writing" in why and why.endswith("."), said[0]
    assert follower.pending()  # offered again at the next batch


def test_a_study_no_batch_can_write_is_a_usage_error_before_anything_is_written(tmp_path: Path) -> None:
    """`--study adir/` (a folder) or `--study missing/s.duckdb` collected for the whole run, every
    batch failing, and ended 0 with nothing ingested; it is now said at once (exit 2)."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    (tmp_path / "adir.duckdb").mkdir()
    for study, said in ((tmp_path / "adir.duckdb", "is a folder, not a study"), (tmp_path / "missing" / "s.duckdb", "does not exist")):
        cap_dir = tmp_path / "capture"
        res = CliRunner().invoke(app, ["collect", "bluesky", str(cap_dir), "--endpoint", "ws://127.0.0.1:9/subscribe",
                                       "--study", str(study), "--duration", "1s"])
        assert res.exit_code == 2, res.output
        assert said in res.output and "Traceback" not in res.output
        assert not cap_dir.exists()


def _capture_at(cap_dir: Path, rate: float, n: int = 40) -> None:
    """A capture folder as `collect bluesky --sample RATE` leaves it (manifest, one closed file), without a server."""
    from botwatch.collect.sampling import keep

    cap = Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of, sample_rate=rate).open()
    for i in range(n):
        raw = jetstream_event(i)
        if keep(f"did:plc:fake{i % 997:04d}/3k{i:010d}", rate):
            cap.post(js.event_key(orjson.loads(raw)) or str(i), raw)
    cap.close()


def test_status_names_the_rate_estimate_will_use(tmp_path: Path) -> None:
    """After `estimate --sample-rate 1` on a capture at 0.5, `status` still said "scale-up: sample
    rate 0.5 from the study's capture manifest" while the next plain `estimate` used 1."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    _capture_at(cap_dir, 0.5)
    run = CliRunner().invoke
    assert run(app, ["ingest", str(study), str(cap_dir)]).exit_code == 0
    res = run(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert "scale-up: sample rate 0.5 from the study's capture manifest" in res.output, res.output
    res = run(app, ["estimate", str(study), "--preset", "uk-ge2017", "--sample-rate", "1", "--reps", "20"])
    assert res.exit_code == 0, res.output
    res = run(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "scale-up: using the sample rate this study's estimates were last made with: 1;" in res.output, res.output
    res = run(app, ["estimate", str(study), "--reps", "20"])
    assert "last made with: 1;" in res.output and "no sample rate given" not in res.output, res.output


def test_a_sample_rate_under_one_in_a_thousand_is_said_back_with_what_it_does(tmp_path: Path) -> None:
    """`--sample-rate 1e-6` was taken in silence: the demo's 2,245 posts supporting a party became
    "2,245,000,000", and `collect --sample 1e-6` kept nothing of a stream without a word. Such a
    rate is valid (a firehose thinned that far), so it is warned about, not refused."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    run = CliRunner().invoke
    res = run(app, ["collect", "bluesky", str(tmp_path / "capture"), "--endpoint", "ws://127.0.0.1:9/subscribe", "--sample", "1e-6",
                    "--duration", "1s", "--backoff-scale", "0.01"])
    assert "warning: --sample 1e-06 keeps about one post in 1,000,000" in res.output, res.output
    cap_dir, study = tmp_path / "capture2", tmp_path / "s.duckdb"
    _capture_at(cap_dir, 1.0, n=10)
    assert run(app, ["ingest", str(study), str(cap_dir)]).exit_code == 0
    res = run(app, ["estimate", str(study), "--preset", "uk-ge2017", "--sample-rate", "1e-6", "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert "warning: --sample-rate 1e-06 makes each post in the study stand for 1,000,000" in res.output, res.output
    res = run(app, ["estimate", str(study), "--sample-rate", "0.01", "--reps", "20"])
    assert res.exit_code == 0 and "stand for" not in res.output, res.output


def test_a_run_that_never_connected_says_what_the_server_answered(tmp_path: Path) -> None:
    """A Jetstream that answered 500 to every connection ended with "never connected …; check the
    address and the network": the server was reached, and the answer it gave was not said."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from testsupport.collect_fakes import FakeJetstream

    with FakeJetstream([jetstream_event(0)], [{"status": 500}]) as srv:
        res = CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path / "cap"), "--endpoint", srv.url,
                                       "--duration", "1s", "--backoff-scale", "0.01", "--no-progress"])
    assert res.exit_code == 1, res.output
    assert f"never connected to {srv.url}: nothing was captured; the last try: Jetstream answered 500; check the address" in " ".join(res.output.split())


def test_status_shows_the_frames_a_capture_kept_aside(tmp_path: Path) -> None:
    """Frames a collector could not use were counted in its closing summary and its manifest, but
    `status` showed only the capture's runs: a study whose stream sent garbage looked clean."""
    import re

    from typer.testing import CliRunner

    from botwatch.cli import app

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    cap = Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of, sample_rate=0.5).open()
    for junk in (b"not json{", b"[1,2]", b'{"did":1}'):
        cap.aside(junk, "not a Jetstream event")
    cap.post("k", jetstream_event(1))
    cap.close()
    run = CliRunner().invoke
    assert run(app, ["ingest", str(study), str(cap_dir)]).exit_code == 0
    res = run(app, ["status", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert re.search(r"│ 0\.5\s+│ bluesky\s+│ 1\s+│ 3\s+│", res.output), res.output
    assert "kept aside, each with its reason, in the capture folder's .botwatch/malformed-<stream>.jsonl" in res.output


def test_ingest_every_without_a_study_is_a_usage_error(tmp_path: Path) -> None:
    """`collect … --ingest-every 10s` without `--study` was ignored in silence: no batch was ever made."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    cap_dir = tmp_path / "capture"
    res = CliRunner().invoke(app, ["collect", "bluesky", str(cap_dir), "--endpoint", "ws://127.0.0.1:9/subscribe", "--ingest-every", "10s",
                                   "--duration", "1s"])
    assert res.exit_code == 2, res.output
    assert "--ingest-every is for follow mode: give --study STUDY too" in " ".join(res.output.split())
    assert not cap_dir.exists()


def test_a_given_rate_other_than_the_captures_is_used_but_said(tmp_path: Path) -> None:
    """`estimate --sample-rate 0.01` on a study of one capture taken at 0.5 scaled its counts by 100
    instead of 2 without a word, though botwatch had recorded the capture's rate itself."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    _capture_at(cap_dir, 0.5)
    run = CliRunner().invoke
    assert run(app, ["ingest", str(study), str(cap_dir)]).exit_code == 0
    res = run(app, ["estimate", str(study), "--preset", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert ("warning: the counts below are not platform figures: --sample-rate 0.01 scales counts by 1/0.01, as asked, but every capture "
            "in this study recorded rate 0.5") in said, said
    assert "--sample-rate 0.5 uses the captures' rate" in said
    # The tables under it say what the report says of such counts ("counts multiplied by 1 / 0.01:
    # not platform figures"), not "scaled by 1/0.01", a platform figure's words.
    assert "scaled by 1/0.01" not in said, said
    assert "(counts multiplied by 1/0.01: not platform figures, see the warning above;" in said, said
    res = run(app, ["estimate", str(study), "--sample-rate", "0.5", "--reps", "20"])
    assert res.exit_code == 0 and "as asked, but" not in res.output, res.output


def test_a_full_disk_is_said_as_the_folder_not_as_an_unexpected_error(tmp_path: Path) -> None:
    """A capture on a full disk ended with "the collector stopped on an unexpected OSError: [Errno 28]
    No space left on device", which reads as a bug in botwatch and says nothing of what to do."""
    import errno

    from botwatch.collect.run import run_capture

    async def full(cap: Capture) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    logs: list[str] = []
    cap = Capture(tmp_path / "capture", "bluesky", "bluesky", keys_of=js.keys_of)
    code = asyncio.run(run_capture(cap, full, log=logs.append, install_signals=False))
    assert code == 1
    said = [m for m in logs if m.startswith("error:")]
    assert said and said[0].startswith(f"error: cannot write to the capture folder {tmp_path / 'capture'} (No space left on device)"), logs
    assert "unexpected" not in said[0] and "run the same command again" in said[0]


def test_capture_files_ingested_without_their_manifest_are_said_to_have_no_known_rate(tmp_path: Path) -> None:
    """Closed files of a capture at 0.5 copied out of their folder (`cp capture/*.gz`, which leaves
    the hidden `.botwatch/` behind) and ingested from there were counted as observed in silence."""
    import shutil

    from typer.testing import CliRunner

    from botwatch.cli import app

    cap_dir, moved, study = tmp_path / "capture", tmp_path / "moved", tmp_path / "s.duckdb"
    _capture_at(cap_dir, 0.5)
    moved.mkdir()
    for f in cap_dir.glob("*.jsonl.gz"):
        shutil.copy(f, moved / f.name)
    run = CliRunner().invoke
    assert run(app, ["ingest", str(study), str(moved)]).exit_code == 0
    res = run(app, ["status", str(study)], env={"COLUMNS": "400"})
    assert "scale-up: no single rate; 1 input(s) written by botwatch collect" in res.output, res.output
    assert "without their capture folder's manifest" in res.output
    res = run(app, ["estimate", str(study), "--preset", "uk-ge2017", "--reps", "20"])
    assert res.exit_code == 0 and "without their capture folder's manifest" in " ".join(res.output.split()), res.output
    # the advice works: ingested from the capture folder (its files skipped by hash), the rate is known
    assert run(app, ["ingest", str(study), str(cap_dir)]).exit_code == 0
    res = run(app, ["status", str(study)], env={"COLUMNS": "400"})
    assert "scale-up: sample rate 0.5 from the study's capture manifest" in res.output, res.output


def test_the_reports_methods_says_the_rate_status_says_where_no_estimates_were_made(tmp_path: Path) -> None:
    """A capture at 0.5 ingested and analysed with no election (no estimates): `status` said "scale-up:
    sample rate 0.5 from the study's capture manifest" while the report's Methods said "No sample rate
    was given". Both now say the rate and where it came from."""
    import re

    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods

    cap_dir, study = tmp_path / "capture", tmp_path / "s.duckdb"
    _capture_at(cap_dir, 0.5)
    assert CliRunner().invoke(app, ["ingest", str(study), str(cap_dir)]).exit_code == 0
    said = "sample rate 0.5 from the study's capture manifest (botwatch collect --sample)"
    assert f"scale-up: {said}" in CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "300"}).output
    with open_study(study) as st:
        html = str(methods(st, report_context(st)).html)
    text = " ".join(re.sub(r"<[^>]+>", "", html).replace("&#39;", "'").split())
    assert said in text and "No sample rate was given" not in text, text
    assert "No estimates were made, so no count in this report is scaled" in text


def test_methods_does_not_say_no_estimates_were_made_beside_estimates_made_at_no_rate(tmp_path: Path) -> None:
    """Estimates made with no rate (a file of no capture: the archive taken as complete), then a
    capture at 0.5 ingested: Methods said status's "sample rate 0.5 from the study's capture
    manifest" and "No estimates were made", beside the estimates the report shows. Only a study
    with no estimates is told none were made."""
    import re

    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods

    cap_dir, study, plain = tmp_path / "capture", tmp_path / "s.duckdb", tmp_path / "plain.jsonl"
    plain.write_bytes(b"\n".join(jetstream_event(i) for i in range(1000, 1040)) + b"\n")
    _capture_at(cap_dir, 0.5)
    run = CliRunner().invoke
    assert run(app, ["ingest", str(study), str(plain)]).exit_code == 0
    res = run(app, ["estimate", str(study), "--preset", "uk-ge2017", "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert run(app, ["ingest", str(study), str(cap_dir)]).exit_code == 0
    with open_study(study) as st:
        assert st.sql("SELECT DISTINCT sample_rate FROM estimates") == [(None,)]
        html = str(methods(st, report_context(st)).html)
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "No estimates were made" not in text, text
