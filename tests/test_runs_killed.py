"""`botwatch analyze` killed mid-stage (SIGKILL, out of memory, a power cut) runs no `finally`: its
run's `runs` row, written only when a stage ended, was never written, so `status` showed the
earlier complete run as the latest and the report raised no banner, while the stage's tables held
part of the killed run's work. The row is now written when the run starts (status `running`) and
replaced when it ends; a `running` row another command reads is a dead process's (DuckDB lets no
one read the file while a writer holds it), and is said as such."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from test_report_overstate import _cli

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"

# A run recorded as the stage runner records each stage (`pipeline._run_stage`: `Study.run`), the
# stage's work begun and the process then killed (the runner's own imports take seconds).
KILLED_MID_STAGE = """
import sys, time
from botwatch.study import Study

with Study(sys.argv[1], create=False) as st, st.run("sleepy", {"engine": "duckdb"}):
    st.sql("CREATE OR REPLACE TABLE sleepy_out AS SELECT 2 AS x")
    print("sleeping", flush=True)
    time.sleep(600)
"""


def _run_to_the_end(study: Path) -> None:
    from botwatch.study import Study

    with Study(study, create=False) as st, st.run("sleepy", {"engine": "duckdb"}) as info:
        st.sql("CREATE OR REPLACE TABLE sleepy_out AS SELECT 1 AS x")
        info["rows_written"] = 1


def _sleepy(path: Path) -> subprocess.Popen:  # type: ignore[type-arg]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-c", KILLED_MID_STAGE, str(path)], stdout=subprocess.PIPE, text=True, env=env)


def test_a_stage_killed_mid_run_is_said_by_status_and_report(tmp_path: Path) -> None:
    from botwatch.report.section_methods import provenance
    from botwatch.report.staleness import cut_off_stages
    from botwatch.study import NEVER_ENDED_WHY, Study

    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    _run_to_the_end(study)
    with Study(study, read_only=True) as st:  # a run that ended has one row, not a start and an end
        assert st.sql("SELECT status, rows_written FROM runs WHERE stage = 'sleepy'") == [("ok", 1)]
    with _sleepy(study) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "sleeping"
            # While it runs, no other command reads the study, so none calls the live run killed.
            res = runner.invoke(app, ["status", str(study)])
            assert res.exit_code == 2 and "never" not in res.output
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    res = runner.invoke(app, ["status", str(study)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "sleepy │ never finished │ —" in said
    assert "cut off: the latest run of sleepy started " in said and f"never ended ({NEVER_ENDED_WHY})" in said
    assert "the complete run before it finished " in said and "run `botwatch analyze" in said
    with Study(study, read_only=True) as st:
        cut = cut_off_stages(st)
        assert cut is not None and [s for s, _ in cut.stages] == ["sleepy"] and "never ended" in cut.sentence()
        runs = {r["stage"]: r for r in provenance(st)}
        assert runs["sleepy"]["status"] == "never finished" and runs["sleepy"]["finished"] == "—"
    # Run again to the end: the latest run is a complete one, and nothing is said.
    _run_to_the_end(study)
    res = runner.invoke(app, ["status", str(study)])
    assert res.exit_code == 0 and "never" not in res.output and "cut off" not in res.output
    with Study(study, read_only=True) as st:
        assert cut_off_stages(st) is None


KILLED_MID_INGEST = """
import sys, time
from botwatch.ingest.runner import ingest
from botwatch.study import Study

def stop(res):
    print("stored", flush=True)
    time.sleep(600)

with Study(sys.argv[1], create=False) as st:
    ingest(st, sys.argv[2:], on_file_done=stop, workers=1)
"""


def ingest_killed_after_an_analysis(study: Path) -> None:
    """`study` ingested, an analysis stage run to the end, then a second ingest killed (SIGKILL)
    once it stored its first file: four posts stored after the analysis, and no ingest row."""
    runner, app = _cli()
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    _run_to_the_end(study)  # an analysis stage, run after the first ingest
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [sys.executable, "-c", KILLED_MID_INGEST, str(study), str(FIX / "twarc2_flat.jsonl"), str(FIX / "ira_tweets.csv")]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "stored"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


def test_posts_stored_by_an_ingest_killed_part_way_make_the_analysis_stale(tmp_path: Path) -> None:
    """Each file an ingest reads is committed as it ends, so an ingest killed in its second file
    keeps the first one's posts; its row, written only at the end, was never written, and the
    report counted the new posts in its headline with no word that the analysis missed them."""
    from botwatch.report.staleness import stale_analysis
    from botwatch.study import Study

    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    ingest_killed_after_an_analysis(study)
    with Study(study, read_only=True) as st:
        stale = stale_analysis(st)
    assert stale is not None and stale.posts_added == 4 and stale.stages == ["sleepy"]
    said = " ".join(runner.invoke(app, ["status", str(study)]).output.split())
    assert "stale analysis: 4 posts were ingested" in said and "cut off: the latest run of ingest started " in said
    # The advice is a sentence like every other "cut off" line's (it lacked its full stop).
    assert "run the same ingest again (files already stored are not stored twice)." in said, said


def test_the_guess_for_a_run_never_ended_names_a_full_disk() -> None:
    """A disk too full to take even the run's last row leaves it `running` (nothing else can
    record why: `study.NEVER_ENDED_WHY`): the guess names that cause beside a kill."""
    from botwatch.study import never_finished

    said = never_finished("2026-01-01 00:00:00", None)
    assert "disk was too full to record its end" in said and "killed" in said, said
