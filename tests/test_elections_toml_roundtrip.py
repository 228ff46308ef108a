"""`botwatch elections show REF --toml > my.toml` gives a file `--election my.toml` loads back as
the same election, whatever the strings in it hold (a tab inside a name was expanded to spaces and a
CR dropped by the console, so the copy held other values than the file it was copied from)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.elections import list_presets, load_election


def _hostile(tmp_path: Path) -> Path:
    """The UK preset under its own key, its name full of what a console or terminal mangles."""
    text = load_election("uk-ge2017").text
    text = text.replace('key = "uk-ge2017"', 'key = "hostile-x"', 1)
    text = text.replace('name = "UK general election 2017"',
                        'name = "UK\tgeneral \u202eelection [bold]x[/bold] :a: \\u001b[2J \'\'\' \\""\r\n# a\tcomment\r', 1)
    f = tmp_path / "hostile.toml"
    f.write_bytes(text.encode("utf-8"))
    return f


def _copied(tmp_path: Path, ref: str) -> Path:
    res = CliRunner().invoke(app, ["elections", "show", ref, "--toml"])
    assert res.exit_code == 0, res.output
    copy = tmp_path / "copy.toml"
    copy.write_bytes(res.stdout_bytes)
    return copy


@pytest.mark.parametrize("preset", list_presets())
def test_a_preset_copy_loads_back_as_the_preset(tmp_path: Path, preset: str) -> None:
    copy = _copied(tmp_path, preset)
    assert copy.read_text(encoding="utf-8") == load_election(preset).text
    original = load_election(preset)
    assert replace(load_election(copy), path=original.path) == original  # a pinned copy, not refused


def test_attacker_strings_survive_the_round_trip_exactly(tmp_path: Path) -> None:
    f = _hostile(tmp_path)
    original = load_election(f)
    assert "\t" in original.name and "\u202e" in original.name
    copy = _copied(tmp_path, str(f))
    assert copy.read_bytes() == f.read_bytes()
    again = load_election(copy)
    assert again.name == original.name and replace(again, path=original.path) == original


def test_on_a_terminal_hidden_characters_are_shown_not_obeyed(tmp_path: Path) -> None:
    from botwatch.cli.elections import toml_output

    text = load_election(_hostile(tmp_path)).text
    shown, n = toml_output(text, terminal=True)
    assert n == 1 and "\u202e" not in shown and "\\u202e" in shown
    assert "\t" in shown and "\r\n" in shown  # what TOML text holds as such is left alone
    assert toml_output(text, terminal=False) == (text, 0)
