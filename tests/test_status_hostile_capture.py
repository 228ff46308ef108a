"""`status` names the capture folders a study was ingested from: a folder's name (anyone may
have named the folder a capture was copied into) was printed with markup escaped but an ESC or a
right-to-left override raw."""

from __future__ import annotations

import pytest

from pathlib import Path

from test_collect import run
from testsupport.collect_fakes import FakeJetstream, jetstream_event
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.collect import jetstream as js
from botwatch.collect.core import Capture
from botwatch.collect.sampling import keep


def test_status_shows_a_capture_folders_name_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import botwatch.cli.common

    monkeypatch.setattr(botwatch.cli.common.out, "_width", 250)  # table cells whole, under xdist too
    cap_dir = tmp_path / "cap\x1b[2J\u202e[red]"
    events = [jetstream_event(i) for i in range(40)]
    n = sum(keep(f"did:plc:fake{i % 997:04d}/3k{i:010d}", 0.5) for i in range(40))
    with FakeJetstream(events, [{"then": "close"}, {"send": 0}]) as srv:
        cap = Capture(cap_dir, "bluesky", "bluesky", keys_of=js.keys_of, sample_rate=0.5, max_posts=n)
        run(cap, js.JetstreamCollector(srv.url, backoff_scale=0.01), duration=10.0)
    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(cap_dir)]).exit_code == 0
    res = CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert "Captures (botwatch collect)" in res.output and "cap\\x1b[2J\\u202e[red]" in res.output, res.output
    assert "\x1b" not in res.output and "\u202e" not in res.output, repr(res.output)
