"""The capture folder in `collect`'s lines (a state file it cannot read, a folder sampled at another
rate) follows the rule of input file names (`name_shown`): a typed `\\x07` in its name is shown
`\\\\x07`, as `collect`'s other lines (and `ingest`) show it, not `\\x07` as if it held a BEL."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from testsupport.collect_fakes import FakeJetstream, jetstream_event
from testsupport.terminal import RAW

NAME, SHOWN = "cap\\x07\x07", "cap\\\\x07\\x07"


def _collect(folder: Path, *extra: str):  # type: ignore[no-untyped-def]
    from botwatch.cli import app

    with FakeJetstream([jetstream_event(0, text="#VoteRed")], [{"then": "hold"}]) as srv:
        res = CliRunner().invoke(app, ["collect", "bluesky", str(folder), "--endpoint", srv.url, "--hashtag", "VoteRed", "--max-posts", "1",
                                       "--duration", "10s", "--no-progress", "--backoff-scale", "0.01", *extra])
    assert not RAW.search(res.output), repr(res.output)
    return res.exit_code, " ".join(res.output.split())


def test_an_unreadable_manifest_is_named_by_the_rule_of_file_names(tmp_path: Path) -> None:
    folder = tmp_path / NAME
    (folder / ".botwatch").mkdir(parents=True)
    (folder / ".botwatch" / "capture.json").write_text("{", encoding="utf-8")
    code, said = _collect(folder)
    assert code != 0 and f"{tmp_path}/{SHOWN}/.botwatch/capture.json is unreadable" in said, said


def test_a_folder_of_another_rate_is_named_by_the_rule_of_file_names(tmp_path: Path) -> None:
    folder = tmp_path / NAME
    (folder / ".botwatch").mkdir(parents=True)
    (folder / ".botwatch" / "capture.json").write_text(json.dumps({"format": 1, "sample_rate": 0.5, "runs": [{"kept": 3}]}), encoding="utf-8")
    code, said = _collect(folder, "--sample", "0.25")
    assert code != 0 and f"{tmp_path}/{SHOWN} holds a capture sampled at 0.5" in said, said
