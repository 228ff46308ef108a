"""`botwatch ingest` stopped by SIGTERM (`kill`, a service manager, a job scheduler's time limit).

It used to die at once with status 143 and nothing on the terminal: no word of what was kept or
whether running it again was safe. It now stops as for Ctrl-C (the file being read rolled back),
says so, and keeps status 143; running the same command again stores the rest, nothing twice."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "fixtures" / "ingest" / "ira_tweets.csv"
HEADER = "author_id,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,retweet".split(",")


def _big(path: Path, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(n):
            w.writerow([f"acct_{i % 500}", f"post number {i} about the vote #GE2017", "Unknown", "English",
                        f"2017-05-{1 + i % 28:02d} 10:{i % 60:02d}:00", "2017-09-07 19:52:00", 10, 10, 1, "", 0])


def _ingest(study: Path, *inputs: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "300"}
    env.pop("BOTWATCH_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "botwatch", "ingest", str(study), *map(str, inputs), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)


def test_sigterm_says_what_was_kept_and_a_rerun_stores_the_rest_once(tmp_path: Path) -> None:
    big, study = tmp_path / "big.csv", tmp_path / "s.duckdb"
    _big(big, 30_000)
    p = _ingest(study, SMALL, big)
    said: list[str] = []
    assert p.stdout is not None
    for line in p.stdout:  # the small file is stored first; stop while the big one is read
        said.append(line)
        if line.startswith("ok ") and "ira_tweets.csv" in line:
            time.sleep(0.3)
            p.send_signal(signal.SIGTERM)
            break
    rest, _ = p.communicate(timeout=120)
    out = "".join(said) + rest
    assert p.returncode == 143, out
    assert "stopped (SIGTERM)." in out and "rolled back" in out and "Run the same command again" in out, out
    assert "Traceback" not in out
    with duckdb.connect(str(study), read_only=True) as con:
        first = con.execute("SELECT count(*) FROM posts").fetchone()[0]
        run = con.execute("SELECT status, message FROM runs WHERE stage = 'ingest'").fetchall()
    assert first == 35  # the small file only: the big one was rolled back
    assert run == [("failed", "stopped (SIGTERM)")]  # was "interrupted (Ctrl-C)", a key no one pressed

    again = _ingest(study, SMALL, big)
    out2, _ = again.communicate(timeout=300)
    assert again.returncode == 0, out2
    with duckdb.connect(str(study), read_only=True) as con:
        total, distinct = con.execute("SELECT count(*), count(DISTINCT post_id) FROM posts").fetchone()
    assert total == distinct == 30_035, out2
