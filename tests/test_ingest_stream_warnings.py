"""An X/Twitter v1.1 stream's stall warnings are counted and kept, not rejected.

`{"warning": {"code": "FALLING_BEHIND", "message": ..., "percent_full": P}}`: the client read too
slowly and the stream's queue for it was P% full; at 100% the stream disconnects it and the posts
sent meanwhile are lost. Read as bad records, a capture at risk of that reported "rejected" rows
and its report said nothing of the posts it may have missed."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.ingest import runner
from botwatch.ingest.counts import not_posts, run_message
from botwatch.ingest.stream_limits import warned_sentence
from testsupport.ingest_paths import READING_PATHS, read_by
from testsupport.terminal import flat, wide_consoles
from testsupport.v1_notices import assert_kept_once_and_only_where_read, assert_said_only_when_any, status

MESSAGE = "Your connection is falling behind and messages are being queued for delivery to you."


def _warning(full: int) -> dict:
    return {"warning": {"code": "FALLING_BEHIND", "message": MESSAGE, "percent_full": full}}


def _v1_stream(path: Path, posts: int = 20, fulls: tuple[int, ...] = (60, 85)) -> Path:
    lines = [status(i) for i in range(posts)]
    for j, full in enumerate(fulls):
        lines.insert(3 + j * 5, _warning(full))
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


@pytest.mark.parametrize("path", READING_PATHS)
def test_v1_stall_warnings_are_counted_and_kept_not_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """Every DuckDB path: the Python reader, in worker processes too, and the native reader that
    hands such lines to it."""
    workers = read_by(path, monkeypatch)
    f = _v1_stream(tmp_path / "stream.jsonl")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=workers).files
        assert (res.read, res.stored, res.rejected, res.warned, not_posts(res)) == (22, 20, 0, 2, 0)
        assert st.sql("SELECT count(*) FROM rejected")[0][0] == 0
        rows = st.sql("SELECT source, line, warned_at, code, message, percent_full FROM stream_warnings ORDER BY line")
    assert rows == [(str(f), 4, None, "FALLING_BEHIND", MESSAGE, 60), (str(f), 9, None, "FALLING_BEHIND", MESSAGE, 85)]
    assert run_message([res]) == "read 22, stored 20, duplicates 0, rejected 0, stream warnings 2"


@pytest.mark.parametrize("warning", [{"percent_full": 60}, {"code": 7, "percent_full": 60}, {"code": "FALLING_BEHIND", "percent_full": 60.5},
                                     {"code": "FALLING_BEHIND", "percent_full": "60"}, {"code": "FALLING_BEHIND", "percent_full": 101}])
def test_a_warning_without_a_code_or_with_no_whole_percentage_is_rejected(tmp_path: Path, warning: dict) -> None:
    """It says nothing sure of the stream: a bad record, located, the good status stored."""
    f = tmp_path / "stream.jsonl"
    f.write_text(json.dumps(status(0)) + "\n" + json.dumps({"warning": warning}) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=1).files
        assert (res.stored, res.rejected, res.warned) == (1, 1, 0)
        [(line, error)] = st.sql("SELECT line, error FROM rejected")
        assert "stream_warnings" not in st.tables()
    assert line == 2 and error.startswith("stream warning whose "), error


def test_the_ingest_line_and_summary_say_stream_warnings_only_when_there_are_any(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_said_only_when_any(tmp_path, monkeypatch, _v1_stream(tmp_path / "stream.jsonl"), "stored 20, duplicates 0, rejected 0, stream warnings 2, accounts 3", "stream warnings")


def test_stream_warnings_are_kept_once_and_only_where_read(tmp_path: Path) -> None:
    """Reading the file again, or a copy of it, adds no row; a study whose inputs held no warning
    has no `stream_warnings` table (older studies stay as they were)."""
    assert_kept_once_and_only_where_read(tmp_path, _v1_stream(tmp_path / "stream.jsonl"), "stream_warnings", 2)


def test_a_file_of_only_stall_warnings_is_a_v1_stream_file_with_no_posts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A capture's hour in which the stream only warned: read as a v1.1 stream file, exit 0."""
    wide_consoles(monkeypatch)
    f = tmp_path / "quiet.jsonl"
    f.write_text(json.dumps(_warning(40)) + "\n" + json.dumps(_warning(70)) + "\n")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(f)])
    assert res.exit_code == 0, res.output
    assert "stored 0, duplicates 0, rejected 0, stream warnings 2," in flat(res.output), res.output


def test_methods_says_how_often_the_stream_warned_and_how_full_its_queue_got(tmp_path: Path) -> None:
    """One sentence, only for a study whose inputs held such warnings; the warnings are counted
    as the stream's own notices there, not as records that were no post."""
    from botwatch.report.section_methods import methods

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(_v1_stream(tmp_path / "stream.jsonl"))], workers=1)
        said = html.unescape(re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html)))
    assert ("The stream warned 2 times that the capture was falling behind (its queue up to 85% full): "
            "posts may have been lost when it disconnected.") in said, said
    assert "2 were delete or limit notices or stall warnings (the platform's own, no post)" in said and "not posts" not in said
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(status(0)) + "\n")
    with open_study(tmp_path / "p.duckdb", read_only=False) as st:
        runner.ingest(st, [str(plain)], workers=1)
        assert warned_sentence(st) is None and "stream warned" not in methods(st, {}).html


def test_the_same_warning_at_the_same_line_of_two_captures_is_two_warnings(tmp_path: Path) -> None:
    """X's stall warnings carry no time, so two captures (an hour's file each) can hold the same
    warning on the same line: two warnings, as each file's ingest line said. Keyed without the
    file, the second was dropped and Methods and `status` said "once" beside the lines' 2."""
    first = _v1_stream(tmp_path / "hour1.jsonl", fulls=(60,))
    second = tmp_path / "hour2.jsonl"
    second.write_text(first.read_text().replace('"id_str": "1', '"id_str": "2'))  # other posts, the same warning line
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        results = runner.ingest(st, [str(first), str(second)], workers=1).files
        assert [r.warned for r in results] == [1, 1]
        assert st.sql("SELECT source FROM stream_warnings ORDER BY source") == [(str(first),), (str(second),)]
        assert warned_sentence(st).startswith("The stream warned 2 times")


def test_a_grown_capture_read_again_keeps_each_warning_once(tmp_path: Path) -> None:
    """Keyed by file and line, a capture that grew (new posts and a new warning after its end) and
    was read again keeps its first warnings once and adds only the new one."""
    grown = _v1_stream(tmp_path / "hour1.jsonl", fulls=(60,))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(grown)], workers=1)
        with grown.open("a") as f:
            f.write(json.dumps(status(90)) + "\n" + json.dumps(_warning(95)) + "\n")
        [res] = runner.ingest(st, [str(grown)], workers=1).files
        assert res.warned == 2
        assert st.sql("SELECT line, percent_full FROM stream_warnings ORDER BY line") == [(4, 60), (23, 95)]
