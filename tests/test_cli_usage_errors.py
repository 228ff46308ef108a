"""A command line Click refuses (a missing argument, an unknown option, command or sub-command, a
value of the wrong type) is one `error:` line, the command's usage and where its help is, exit
status 2, for every command and sub-command `botwatch --help` lists; Typer drew a red box around
the message instead (`cli/guard.py`, `UsageLineGroup`)."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


def _commands() -> list[tuple[list[str], Any]]:
    """Every command's words (`["elections", "show"]`) and its Click command, groups' too."""
    root = typer.main.get_command(app)
    found: list[tuple[list[str], Any]] = []

    def walk(words: list[str], cmd: Any) -> None:
        found.append((words, cmd))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk([*words, name], sub)

    walk([], root)
    return found


def _said_in_one_line(res: Any, words: list[str], message: str) -> None:
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert res.exit_code == 2, res.output
    assert len(lines) == 2 and lines[0].startswith("error: ") and message in lines[0], res.output
    assert "Usage: " in lines[1] and f"{' '.join(['botwatch', *words]).strip()} --help" in lines[1], res.output
    assert "╭" not in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("words", [w for w, _ in _commands()], ids=lambda w: " ".join(w) or "botwatch")
def test_an_unknown_option_is_one_line_for_every_command(words: list[str]) -> None:
    res = runner.invoke(app, [*words, "--no-such-option"], prog_name="botwatch")
    _said_in_one_line(res, words, "No such option: --no-such-option")


@pytest.mark.parametrize("words", [w for w, c in _commands() if any(p.required for p in c.params) and not hasattr(c, "commands")],
                         ids=lambda w: " ".join(w))
def test_a_missing_argument_is_one_line(words: list[str]) -> None:
    res = runner.invoke(app, words, prog_name="botwatch")
    _said_in_one_line(res, words, "Missing argument")


@pytest.mark.parametrize("words, message", [
    (["exprot"], "No such command 'exprot'. Did you mean 'export'?"),
    (["elections", "shwo"], "No such command 'shwo'"),
    (["analyze", "s.duckdb", "--workers", "many"], "Invalid value for '--workers'"),
    (["status", "s.duckdb", "extra"], "Got unexpected extra argument"),
])
def test_other_refused_command_lines_are_one_line(words: list[str], message: str) -> None:
    res = runner.invoke(app, words, prog_name="botwatch")
    cmd_words = [w for w in words if w in {"elections", "analyze", "export", "status"}]
    _said_in_one_line(res, cmd_words, message)


def test_a_group_without_arguments_still_shows_its_help() -> None:
    res = runner.invoke(app, ["elections"], prog_name="botwatch")
    assert res.exit_code == 2 and "list" in res.output and "show" in res.output and "error:" not in res.output


def test_controls_in_what_was_typed_are_shown_escaped() -> None:
    """The line quotes the unknown option or extra argument as typed: a right-to-left override in
    it (a handle pasted from a profile, or a script passing one along) reached the terminal raw."""
    for args in (["accounts", "s.duckdb", "--x\u202egnp"], ["accounts", "s.duckdb", "extra\u202egnp\x1b[2J"], ["no\u202ecmd"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2, res.output
        assert "\u202e" not in res.output and "\x1b" not in res.output, repr(res.output)
        assert "\\u202egnp" in res.output or "no\\u202ecmd" in res.output, res.output


def test_a_study_named_with_a_leading_dash_is_told_how_to_name_it() -> None:
    """`botwatch ingest "-étude d'été.duckdb" in.csv` said only "No such option: -é" (Click reads the
    name as short options): the line now says how to name that file. A mistyped real option next
    to such a name is refused plainly, without the hint."""
    res = runner.invoke(app, ["ingest", "-étude d'été.duckdb", "in.csv"], prog_name="botwatch")
    _said_in_one_line(res, ["ingest"], "No such option: -é; to name the file -étude d'été.duckdb, write it as "
                      "'./-étude d'\"'\"'été.duckdb' or put it after `--`")
    res = runner.invoke(app, ["accounts", "-n", "-étude.duckdb"], prog_name="botwatch")
    _said_in_one_line(res, ["accounts"], "No such option: -n")
    assert "to name the file" not in res.output
