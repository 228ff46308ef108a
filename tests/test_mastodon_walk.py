"""What a new user's Mastodon study meets end to end (collect, ingest, status, report).

A Mastodon `delete` names a status by its id on the server streamed; posts are stored by URI. A
status written on that server has a URI ending in that id, so its delete names it; one from another
server is stored under that server's URI and id, and its delete names no stored post. `status` and
Methods said "0 of the stored posts were deleted later" beside a capture whose every delete was of a
post it held, and nothing of why."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.ingest import runner
from testsupport.terminal import flat, wide_consoles

_ACCT = {"id": "1", "acct": "u1", "url": "https://fake.social/@u1", "username": "u1"}


def _status(i: int, server: str = "fake.social") -> dict:
    sid = str(100 + i)
    uri = f"https://{server}/users/u1/statuses/{sid if server == 'fake.social' else 900 + i}"  # another server's status: its own id
    return {"id": sid, "uri": uri, "created_at": "2026-11-30T05:00:00.000Z", "content": f"<p>Vote {i}</p>", "tags": [], "account": _ACCT}


def _capture(path: Path) -> Path:
    """Three statuses of the server streamed and one federated from another, and deletes of two of
    the first and of the federated one, as `collect mastodon` writes a capture."""
    lines = [orjson.dumps(_status(i)) for i in range(3)] + [orjson.dumps(_status(3, "other.example"))]
    lines += [orjson.dumps({"stream": ["hashtag", "ge"], "event": "delete", "payload": str(100 + i)}) for i in (0, 2, 3)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_status_and_methods_say_why_mastodon_deletes_name_no_stored_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.report.section_methods import methods

    wide_consoles(monkeypatch)
    study = tmp_path / "s.duckdb"
    with open_study(study, read_only=False) as st:
        runner.ingest(st, [str(_capture(tmp_path / "cap.jsonl"))], workers=1)
        html = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
    assert "2 of the 4 stored posts were deleted later by their authors" in html, html
    assert ("1 of the delete notices is Mastodon's and names no stored post: a Mastodon notice names a status by its id on the server "
            "streamed, which only that server's own statuses carry") in html, html
    res = CliRunner().invoke(app, ["status", str(study)])
    assert res.exit_code == 0, res.output
    said = flat(res.output)
    assert "posts named by delete notices: 3 (2 of them stored posts, deleted later); 1 Mastodon notice names no stored post" in said, said
    assert "is not matched), so not in that count (botwatch export STUDY deletions lists them)" in said, said
