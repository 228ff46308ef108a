"""The study's Python API and the spine commands a new user tries first: ingest, status, export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three fixture files ingested once per module: only a copy of it reaches a test."""
    path = tmp_path_factory.mktemp("cli_study") / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(path), str(FIX / "v1_uklabour.jsonl"), str(FIX / "ira_tweets.csv"), str(FIX / "twarc2_stream_with_error.jsonl.gz")])
    assert res.exit_code == 0, res.output
    return path


@pytest.fixture()
def study(ingested: Path, tmp_path: Path) -> Path:
    """A fresh copy of the ingested study per test, since tests ingest into it and run stages on
    it (the ingest writes nothing beside the study file, so the copy is the whole study)."""
    path = tmp_path / "s.duckdb"
    shutil.copy(ingested, path)
    return path


def test_ingest_prints_a_summary_with_every_count(study: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl"), str(FIX / "twarc2_flat.jsonl")])
    assert res.exit_code == 0
    for word in ("read", "stored", "duplicates", "rejected", "skipped"):
        assert word in res.output
    assert "identical content already ingested" in res.output


def test_status_describes_the_study(study: Path) -> None:
    res = runner.invoke(app, ["status", str(study)])
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        n = st.count("posts")
    assert f"posts {n:,}" in res.output
    for fmt in ("twitter-v1.1", "ira-538-tweets", "twitter-v2-page"):
        assert fmt in res.output
    assert "rejected records 1" in res.output and "invalid JSON" in res.output


def test_status_says_a_rerun_skipped_its_inputs_not_a_bare_0_rows(study: Path) -> None:
    """A re-run that skipped every input (already read) showed `ingest ok … 0` in status's runs
    table, as if the input were empty; it now says the inputs were already read."""
    again = runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl"), str(FIX / "ira_tweets.csv")])
    assert again.exit_code == 0, again.output
    res = runner.invoke(app, ["status", str(study)], terminal_width=200)
    assert res.exit_code == 0, res.output
    (line,) = [line for line in res.output.splitlines() if "│ ingest" in line]
    assert "0 new, 2 inputs already read" in line, res.output
    with open_study(study, read_only=True) as st:
        assert st.sql("SELECT message FROM runs ORDER BY finished_at DESC LIMIT 1")[0][0].endswith(", skipped 2 already read")


def test_status_says_an_ingest_that_exited_1_did_not_store_every_input(study: Path, tmp_path: Path) -> None:
    """A run with one input stored and one missing and one gzip cut short exits 1, but status's
    runs table said `ingest ok` and the rows stored, as if every input were in the study."""
    import gzip

    good = tmp_path / "more.csv"
    good.write_text((FIX / "ira_tweets.csv").read_text(encoding="utf-8").replace("2016", "2017"), encoding="utf-8")
    whole = gzip.compress((FIX / "ira_tweets.csv").read_bytes())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    res = runner.invoke(app, ["ingest", str(study), str(good), str(tmp_path / "gone.csv"), str(cut)])
    assert res.exit_code == 1 and "cut short " in res.output and "/more.csv [ira-538-tweets]: read 35, stored 9" in res.output, res.output
    res = runner.invoke(app, ["status", str(study)], terminal_width=200)
    (line,) = [line for line in res.output.splitlines() if "│ ingest" in line]
    assert "2 inputs failed" in line, res.output


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_export_any_table(study: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"posts{suffix}"
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(out)])
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        expected = st.count("posts")
        ids = sorted(r[0] for r in st.sql("SELECT post_id FROM posts"))
    if suffix == ".parquet":
        got = pq.read_table(out).column("post_id").to_pylist()
    elif suffix == ".csv":
        got = pl.read_csv(out, infer_schema=False)["post_id"].to_list()  # ids stay strings
    else:
        got = [json.loads(l)["post_id"] for l in out.read_text().splitlines()]
    assert len(got) == expected and sorted(got) == ids


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_account_scores_export_names_each_account(study: Path, tmp_path: Path, suffix: str) -> None:
    """`account_scores` is keyed by (platform, account_id): its export had no handle, so a reader
    had to join `accounts` to know who was scored (the `accounts_scored` view had one). The export
    has the handle third, one row per scored account, and its schema sidecar says so."""
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    out = tmp_path / f"scores{suffix}"
    res = runner.invoke(app, ["export", str(study), "account_scores", "-o", str(out), "--verbatim"])
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        want = {(p, a): (h, b) for p, a, h, b in st.sql("SELECT s.platform, s.account_id, a.handle, s.bot_probability FROM account_scores s JOIN accounts a USING (platform, account_id)")}
        n, cols = st.count("account_scores"), st.columns("account_scores")
    assert want and any(h for h, _ in want.values())
    if suffix == ".parquet":
        rows = pq.read_table(out).to_pylist()
    elif suffix == ".csv":
        rows = pl.read_csv(out, infer_schema=False).to_dicts()
    else:
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == n
    assert list(rows[0])[:3] == ["platform", "account_id", "handle"] and list(rows[0])[3:] == [c for c in cols if c not in ("platform", "account_id")]
    for r in rows:
        h, b = want[(r["platform"], r["account_id"])]
        assert r["handle"] == h and (b is None or float(r["bot_probability"]) == pytest.approx(b))
    side = json.loads(Path(f"{out}.schema.json").read_text())
    assert "handle" in json.dumps(side)


def test_csv_list_columns_are_json_and_json_is_an_array(study: Path, tmp_path: Path) -> None:
    """posts.csv wrote hashtags/mentions as DuckDB literals (`[a, b]`, unquoted) and urls as
    `['https://…']`, which no CSV reader parses back, while account_scores' evidence was JSON.
    Every list cell is JSON text now, and `-o x.json` is one JSON array (`.jsonl` stays lines)."""
    import csv

    with open_study(study, read_only=True) as st:
        want = {pid: (h, m, u) for pid, h, m, u in st.sql("SELECT post_id, hashtags, mentions, urls FROM posts")}
    assert any(h for h, _, _ in want.values()) and any(u for _, _, u in want.values())  # the fixture has lists to check
    out = tmp_path / "posts.csv"
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(out), "--verbatim"])
    assert res.exit_code == 0, res.output
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(want)
    for r in rows:
        h, m, u = want[r["post_id"]]
        got = tuple(json.loads(r[c]) if r[c] else None for c in ("hashtags", "mentions", "urls"))
        assert got == (h, m, u)
    js = tmp_path / "posts.json"
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(js)])
    assert res.exit_code == 0 and "one JSON array" in res.output, res.output
    arr = json.loads(js.read_text())
    assert isinstance(arr, list) and sorted(r["post_id"] for r in arr) == sorted(want)
    jl = tmp_path / "posts.jsonl"
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(jl)])
    assert res.exit_code == 0 and "JSON lines" in res.output, res.output
    assert len(jl.read_text().splitlines()) == len(want)


def test_export_to_stdout_gives_the_rows_and_keeps_messages_on_stderr(study: Path, tmp_path: Path) -> None:
    """`-o -` (as twarc): JSON lines by default and CSV with --format, data alone on stdout, through
    `python -m botwatch.cli` so the real stdout is used."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1] / "src"), os.environ.get("PYTHONPATH", "")])}
    with open_study(study, read_only=True) as st:
        ids = sorted(r[0] for r in st.sql("SELECT post_id FROM posts"))
    res = subprocess.run([sys.executable, "-m", "botwatch.cli", "export", str(study), "posts", "-o", "-"], capture_output=True, env=env)
    assert res.returncode == 0, res.stderr
    assert sorted(json.loads(l)["post_id"] for l in res.stdout.decode().splitlines()) == ids
    assert b"rows of posts to stdout" in res.stderr and b"wrote" not in res.stdout
    res = subprocess.run([sys.executable, "-m", "botwatch.cli", "export", str(study), "posts", "-o", "-", "--format", "csv"], capture_output=True, env=env)
    assert res.returncode == 0, res.stderr
    assert "post_id" in res.stdout.decode().splitlines()[0].split(",")
    assert not list(tmp_path.glob("*.schema.json")) and not Path("-").exists()


def test_export_unknown_table_or_format_is_a_clear_error(study: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["export", str(study), "nope; DROP TABLE posts", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "no table" in res.output
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "cannot export" in res.output


def test_status_of_a_missing_study_says_what_to_do(tmp_path: Path) -> None:
    res = runner.invoke(app, ["status", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2 and "botwatch ingest" in res.output


def test_open_study_gives_ibis_arrow_pandas_polars(study: Path) -> None:
    with open_study(study, read_only=True) as st:
        n = st.count("posts")
        assert st.table("posts").count().execute() == n
        assert st.arrow("posts").num_rows == n
        assert len(st.pandas("posts")) == n
        assert st.polars("posts").height == n
        assert {"posts", "accounts", "rejected", "runs", "sources", "account_snapshots"} <= set(st.tables())
        assert st.sql("SELECT count(*) FROM runs WHERE stage = 'ingest' AND status = 'ok'")[0][0] == 1


def test_analyze_records_runs_and_rejects_unknown_stages(study: Path) -> None:
    res = runner.invoke(app, ["analyze", str(study), "--stage", "coverage"])
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        assert st.sql("SELECT status FROM runs WHERE stage = 'coverage'") == [("ok",)]
        assert st.count("coverage_daily") > 0
    res = runner.invoke(app, ["analyze", str(study), "--stage", "no-such-stage"])
    assert res.exit_code == 2 and "unknown stage" in res.output
    res = runner.invoke(app, ["analyze", str(study), "--election", "no-such-election"])
    assert res.exit_code == 2 and "no preset" in res.output


def test_python_dash_m_botwatch_runs_the_cli() -> None:
    """`python -m botwatch` is what users type when the entry point is not on PATH."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1] / "src"), os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run([sys.executable, "-m", "botwatch", "elections", "list"], capture_output=True, env=env)
    assert res.returncode == 0, res.stderr
    assert b"uk-ge2017" in res.stdout


def test_report_methods_counts_twarc2_pages_apart_from_records(study: Path) -> None:
    """The Methods said "5,118 records were read ... 5,515 posts stored": 19 of the "records" were
    twarc2 response pages of up to 100 posts each. Pages are counted as pages there and in the
    runs table's ingest message, as the CLI does ("5,099 + 19 pages")."""
    import re

    from botwatch.report.section_methods import methods

    with open_study(study) as st:
        recs, pages = st.sql("SELECT sum(records_read) FILTER (WHERE format <> 'twitter-v2-page'), sum(records_read) FILTER (WHERE format = 'twitter-v2-page') FROM sources")[0]
        assert recs and pages
        text = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
        message = st.sql("SELECT message FROM runs WHERE stage = 'ingest'")[0][0]
        posts = st.count("posts")
    assert f"{recs:,} records and {pages:,} twarc2 response pages" in text, text
    assert f"{recs + pages:,} records were read" not in text
    assert f"giving {posts:,} stored posts" in text
    assert message.startswith(f"read {recs} + {pages} pages, stored"), message


def test_status_says_an_interrupted_ingest_was_interrupted(study: Path) -> None:
    """Ctrl-C during an ingest: README sends the user to `status` to see what finished, which
    showed the run as "failed", as if what it stored were bad. It says "interrupted", with the rows
    of the files committed before the interrupt."""
    from botwatch.ingest.runner import ingest
    from botwatch.study import Study

    def stop(res: object) -> None:
        raise KeyboardInterrupt

    with Study(study) as st:
        with pytest.raises(KeyboardInterrupt):
            ingest(st, [str(FIX / "twarc2_flat.jsonl"), str(FIX / "twarc2_two_tweets.jsonl.gz")], on_file_done=stop, workers=1)
    res = runner.invoke(app, ["status", str(study)], terminal_width=200)
    (line,) = [line for line in res.output.splitlines() if "│ ingest" in line]
    assert "interrupted" in line and "failed" not in line, res.output


def test_a_stage_stopped_by_sigterm_is_recorded_and_shown_as_sigterm(study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line stops for SIGTERM (`kill`, a scheduler's time limit) as for Ctrl-C, and the
    stage's `runs` row and `status` said "interrupted (Ctrl-C)", which no one had pressed. Here the
    signal reaches a DuckDB query, which swallows the interrupt and raises its own error."""
    import os
    import signal
    import threading

    from botwatch.cli import guard
    from botwatch.study import Study, note_terminated

    monkeypatch.setitem(guard._state, "interrupted", False)
    monkeypatch.setitem(guard._state, "terminated", False)
    previous = signal.signal(signal.SIGTERM, guard.on_terminate)
    try:
        with Study(study) as st:
            # One DuckDB thread: the query runs where the signal is checked and stops in ~0.3 s;
            # with a worker thread on it DuckDB took 15-20 s (7 CPU-s) to give up. Same error.
            st.sql("SET threads = 1")
            with pytest.raises(BaseException), st.run("long", {}):  # noqa: PT011 - DuckDB's error or the interrupt
                threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGTERM)).start()
                st.sql("SELECT count(*) FROM range(100000000000) a")
            rows = st.sql("SELECT status, message FROM runs WHERE stage = 'long'")
    finally:
        signal.signal(signal.SIGTERM, previous)
        note_terminated(False)
    assert rows == [("failed", "stopped (SIGTERM)")]
    res = runner.invoke(app, ["status", str(study)], terminal_width=200)
    (line,) = [line for line in res.output.splitlines() if "│ long" in line]
    assert "stopped (SIGTERM)" in line and "interrupted" not in line, res.output
