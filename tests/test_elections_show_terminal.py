"""`elections show` prints an election file's text fields: a file passed on by someone else may
carry TOML escapes for terminal control or bidi characters ("\\u001b[2J" clears the screen, a
right-to-left override reverses what follows); they must be shown, not obeyed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


def test_control_and_bidi_characters_in_an_election_file_are_shown_not_obeyed(tmp_path: Path) -> None:
    f = tmp_path / "evil.toml"
    f.write_text(
        'key = "evil"\nname = "Evil\\u001b[2J vote"\ncountry = "DE"\ntimezone = "Europe/Berlin"\n'
        'trigger_date = 2021-06-01\npolling_day = 2021-09-26\nsources = ["src\\u202egnp.exe"]\n\n'
        '[[parties]]\nkey = "spd"\nname = "SPD\\u0007"\nleader = "Olaf\\u009b"\nkeywords = ["kw\\u001b]0;title\\u0007"]\n\n'
        '[[events]]\nat = 2021-09-01T12:00:00\nlabel = "debate\\u202e"\n',
        encoding="utf-8",
    )
    res = runner.invoke(app, ["elections", "show", str(f)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    for raw in ("\x1b", "\u202e", "\x07", "\x9b"):
        assert raw not in res.output, repr(raw)
    assert "Evil\\x1b[2J vote" in res.output and "src\\u202egnp.exe" in res.output and "debate\\u202e" in res.output
    assert "kw\\x1b]0;title\\x07" in res.output and "Olaf\\x9b" in res.output
