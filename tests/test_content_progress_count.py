"""A long content stage in a log says how far it has read, not only that it still runs.

On the whole IRA archive with the ordinary archives (1.74M posts, a shared 2-core machine) the
content stage ran 222 s and its log said only "content: still running, 91 s so far" every 30 s
(twenty minutes of such lines at 10M posts): a data desk could not tell a tenth done from nine
tenths. `Study.map_arrow(count_as=..., total=...)` now notes the posts read, and the "still
running" line carries them: "content: still running, 91 s so far; 650,000 of 1,741,039 posts read".
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

import botwatch.ticker as ticker
from botwatch import open_study
from botwatch.cli import app
from botwatch.cli.common import StillRunning
from botwatch.content.stage import run_content
from botwatch.elections import load_election

ROWS = [(str(i), f"a{i % 3}", f"2017-05-20T1{i % 10}:00:00Z", f"Vote Labour on 8 June, post {i}") for i in range(7)]


def _study(tmp_path: Path) -> Path:
    f, study = tmp_path / "p.csv", tmp_path / "s.duckdb"
    f.write_text("id,author,created_at,text,lang\n" + "".join(f'{i},{a},{t},"{x}",en\n' for i, a, t, x in ROWS), encoding="utf-8")
    got = CliRunner().invoke(app, ["ingest", str(study), str(f), "--columns",
                                   "post_id=id,account_id=author,created_at=created_at,text=text,lang=lang"])
    assert got.exit_code == 0, got.output
    return study


def test_map_arrow_notes_the_rows_read_before_each_batch_and_forgets_them_after(tmp_path: Path) -> None:
    seen: list[str] = []

    def fn(batch: pa.RecordBatch) -> pa.Table:
        seen.append(ticker.done_said())  # what a "still running" line would add while this batch runs
        return pa.table({"n": [batch.num_rows]})

    with open_study(_study(tmp_path), read_only=False) as st:
        st.map_arrow("SELECT post_id FROM posts ORDER BY post_id", fn, pa.schema([("n", pa.int64())]), "_sizes",
                     batch_rows=3, temp=True, count_as="posts", total=len(ROWS))
    assert seen == ["; 3 of 7 posts read", "; 6 of 7 posts read", "; 7 of 7 posts read"]
    assert ticker.done_said() == ""  # a later step's line does not repeat a finished count


def test_the_content_stage_counts_its_posts_against_the_study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    noted: list[tuple[int, int | None, str]] = []
    monkeypatch.setattr(ticker, "note_done", lambda done, total, unit: noted.append((done, total, unit)))
    with open_study(_study(tmp_path), read_only=False) as st:
        run_content(st, load_election("uk-ge2017"), log=lambda _m: None, workers=1)
    assert noted and noted[-1] == (len(ROWS), len(ROWS), "posts"), noted


def test_the_still_running_line_carries_the_count_and_never_more_than_all() -> None:
    lines: list[str] = []
    still = StillRunning(lines.append, 1e-6)
    still.begin("content")
    ticker.note_done(650_000, 1_741_039, "posts")
    line = _owed(still)
    assert line.startswith("content: still running, ") and line.endswith(" s so far; 650,000 of 1,741,039 posts read"), line
    ticker.note_done(12, 10, "posts")  # a total asked before the input grew: no "12 of 10"
    assert _owed(still).endswith(" s so far; 12 posts read")
    still.end()
    still.begin("coordination")  # the next stage starts without the last one's count
    assert _owed(still).endswith(" s so far")
    still.end()


def _owed(still: StillRunning) -> str:
    """The next line `still` owes (its interval is a microsecond: at most a few tries)."""
    for _ in range(1000):
        line = still.line()
        if line is not None:
            return line
    raise AssertionError("no line was owed")


def test_on_a_terminal_the_stage_line_shows_the_count_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spinner's line (a terminal: no "still running" lines) reads the same count."""
    import io

    from rich.console import Console

    import botwatch.cli.common as common

    buf = io.StringIO()
    monkeypatch.setattr(common, "console", Console(file=buf, force_terminal=True, width=200))
    with common.StageProgress() as p:
        ticker.note_done(5, 9, "posts")  # an earlier stage's count ...
        p.start("content")  # ... is not this one's
        assert ticker.done_said() == ""
        ticker.note_done(100_000, 174_163, "posts")
        p.progress.refresh()
        p.done("content", "ok", 174_163, 18.0)
    assert "100,000 of 174,163 posts read" in buf.getvalue()
