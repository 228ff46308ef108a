"""`botwatch status` says what a study's delete and stream limit notices and stall warnings hold, with Methods' figures.

It listed the tables `deletions` and `stream_limits` and said nothing of them: a capture that hit
the X v1.1 stream's cap, or whose posts were later deleted, read as whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.ingest import runner
from botwatch.ingest.stream_limits import withheld
from botwatch.report.section_methods import deleted_posts
from testsupport.terminal import flat, wide_consoles
from testsupport.v1_notices import status


def _delete(post: int) -> dict:
    return {"delete": {"status": {"id_str": str(post), "user_id_str": "1"}, "timestamp_ms": "1494447600000"}}


def _limit(track: int, second: int) -> dict:
    return {"limit": {"track": track, "timestamp_ms": str(1494447564000 + 1000 * second)}}


def _warning(full: int) -> dict:
    return {"warning": {"code": "FALLING_BEHIND", "message": "falling behind", "percent_full": full}}


def _stream(path: Path) -> Path:
    """Ten posts; three delete notices, one of a post the capture never stored (999); four limit
    notices over two connections (30 then 25 withheld); two stall warnings (queue 60%, then 85%)."""
    lines = [status(i) for i in range(10)] + [_delete(100), _delete(104), _delete(999)]
    lines += [_limit(n, j) for j, n in enumerate((10, 30, 5, 25))] + [_warning(60), _warning(85)]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_status_says_the_delete_and_limit_notices_as_methods_counts_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wide_consoles(monkeypatch)
    study = tmp_path / "s.duckdb"
    with open_study(study, read_only=False) as st:
        runner.ingest(st, [str(_stream(tmp_path / "stream.jsonl"))], workers=1)
        tables = set(st.tables())
        assert (deleted_posts(st, tables), withheld(st, tables)) == (2, 55)  # the figures Methods says
    res = CliRunner().invoke(app, ["status", str(study)])
    assert res.exit_code == 0, res.output
    said = flat(res.output)
    assert "posts named by delete notices: 3 (2 of them stored posts, deleted later)" in said, said
    assert "stream limit notices: 4 (the stream withheld at least 55 matching posts)" in said, said
    assert "stream warnings: 2 that the capture was falling behind, its queue up to 85% full (posts may have been lost" in said, said


def test_status_of_a_study_without_notices_says_nothing_of_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No table, no line: "0 deleted" of a capture that could not have shown a deletion would mislead."""
    wide_consoles(monkeypatch)
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(status(0)) + "\n")
    with open_study(tmp_path / "p.duckdb", read_only=False) as st:
        runner.ingest(st, [str(plain)], workers=1)
    res = CliRunner().invoke(app, ["status", str(tmp_path / "p.duckdb")])
    assert res.exit_code == 0, res.output
    assert "delete notices" not in res.output and "limit notices" not in res.output and "stream warnings" not in res.output
