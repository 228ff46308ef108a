"""Text from an election file on the terminal. An election file may come from anyone (and a shared
study carries the copy it was analysed with): its election and party names reached the terminal
with Rich markup escaped but an ESC, an OSC 8 link or a right-to-left override raw."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()
ELECTION_NAME = "UK \x1b[2J[/x] \u202eelection"
LABOUR_NAME = "Lab\x1b]8;;http://e.example\x1b\\our[/x]"


def _toml(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\x1b", "\\u001b").replace("\u202e", "\\u202e")


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The UK Labour fixture (May 2017) ingested, and a copy of uk-ge2017 under its own key whose
    election and Labour names hold markup and terminal controls."""
    tmp = tmp_path_factory.mktemp("hostile_election")
    text = (resources.files("botwatch.elections") / "presets" / "uk-ge2017.toml").read_text(encoding="utf-8")
    text = text.replace('key = "uk-ge2017"', 'key = "hostile-test"', 1)
    text = text.replace('name = "UK general election 2017"', f'name = "{_toml(ELECTION_NAME)}"', 1)
    text = text.replace('name = "Labour"', f'name = "{_toml(LABOUR_NAME)}"', 1)
    election = tmp / "e.toml"
    election.write_text(text, encoding="utf-8")
    db = tmp / "s.duckdb"
    # The same posts again as one ordinary account's (not the party's own, which estimates leave
    # out): Labour's cells rest on one account, so the parties table names it in its footnote.
    import json

    rows = [json.loads(line) for line in (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines()]
    for r in rows:
        r["id_str"] = "9" + r["id_str"]
        r["user"].update(id_str="4242", screen_name="someone")
    other = tmp / "other.jsonl"
    other.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(db), str(FIX / "v1_uklabour.jsonl"), str(other)]).exit_code == 0
    return db, election


def test_estimate_shows_election_and_party_names_escaped(study: tuple[Path, Path]) -> None:
    db, election = study
    for table in ("reference", "parties"):
        res = runner.invoke(app, ["estimate", str(db), "-e", str(election), "--table", table, "--reps", "20"])
        assert res.exit_code == 0, res.output
        assert "\x1b" not in res.output and "\u202e" not in res.output, repr(res.output)
        assert "Lab\\x1b]8;;http://e.example\\x1b\\our[/x]" in res.output
        if table == "reference":
            assert "Reference table: UK \\x1b[2J[/x] \\u202eelection" in res.output
        else:  # the footnote naming the parties whose cells rest on too few accounts
            assert "not a reliable estimate (Lab\\x1b]8;;http://e.example\\x1b\\our[/x]" in res.output


def test_impact_notes_show_the_party_name_escaped(study: tuple[Path, Path]) -> None:
    """The note that says why a party has no lead-lag test quotes its name."""
    db, election = study
    assert runner.invoke(app, ["analyze", str(db), "--election", str(election), "--only", "impact", "--with-deps"]).exit_code == 0
    res = runner.invoke(app, ["impact", str(db), "--party", "labour", "--election", str(election)])
    assert res.exit_code == 1, res.output
    assert "note Lab\\x1b]8;;http://e.example\\x1b\\our[/x]: too few posts" in res.output
    assert "\x1b" not in res.output, repr(res.output)
