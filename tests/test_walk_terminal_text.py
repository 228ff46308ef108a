"""Attacker-written handles on the terminal: what `explain` and `accounts` print must not let a
profile reorder or hide what the user reads."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "x\u202egnp.exe" is displayed as "xexe.png"


def _statuses(path: Path) -> None:
    user = {"id_str": "4242", "screen_name": f"spoof{RLO}gnp.exe", "name": f"Jane{RLO}eoD\u200b", "description": "news", "followers_count": 10,
            "friends_count": 20, "statuses_count": 300, "favourites_count": 1, "created_at": "Mon Oct 10 10:00:00 +0000 2016", "lang": "en"}
    rows = [{"id_str": str(5000 + i), "created_at": f"Tue Nov 0{1 + i} 12:00:00 +0000 2016", "full_text": f"post {i}", "lang": "en", "user": user} for i in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_bidi_overrides_in_a_handle_are_shown_not_obeyed(tmp_path: Path) -> None:
    """The report showed a right-to-left override as ⟨U+202E⟩, but `explain` and `accounts`
    printed it raw (only C0/C1 controls were shown as \\x1b), so the terminal displayed the
    handle reversed: a profile could disguise itself in the one view meant to explain it."""
    src, study = tmp_path / "s.jsonl", tmp_path / "s.duckdb"
    _statuses(src)
    assert runner.invoke(app, ["ingest", str(study), str(src)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    for args in (["explain", str(study), "4242"], ["accounts", str(study)]):
        res = runner.invoke(app, args, env={"COLUMNS": "300"})
        assert res.exit_code == 0, res.output
        assert RLO not in res.output and "\u200b" not in res.output
        assert "spoof\\u202egnp.exe" in res.output


def test_a_posts_language_tag_in_explain_is_shown_not_obeyed(tmp_path: Path) -> None:
    """The "In the study: ..., mostly <lang>" line quotes the posts' own `lang` field, and printed
    it raw: an ESC or a right-to-left override there reached the terminal."""
    src, study = tmp_path / "s.jsonl", tmp_path / "s.duckdb"
    _statuses(src)
    rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        r["lang"] = f"x\x1b[2J{RLO}\x9b1m"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(study), str(src)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    res = runner.invoke(app, ["explain", str(study), "4242"], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "mostly x\\x1b[2J\\u202e\\x9b1m" in res.output
    assert not {"\x1b", RLO, "\x9b"} & set(res.output), repr(res.output)
