"""A journalist's own election file (`--election my.toml`) for an election botwatch has no preset
for: the analysis, the report and the commands after it must all use that election, and a file
must not pass for a shipped preset it was copied from."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.elections import ElectionError, load_election
from botwatch.elections.model import _presets_dir

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def _own_election(tmp_path: Path, key: str = "my-ge2017", name: str = "My own UK election") -> Path:
    """The uk-ge2017 preset re-keyed and renamed: an election no preset is named after."""
    text = (_presets_dir() / "uk-ge2017.toml").read_text(encoding="utf-8")
    text = text.replace('key = "uk-ge2017"', f'key = "{key}"', 1).replace('name = "UK general election 2017"', f'name = "{name}"', 1)
    f = tmp_path / "mine.toml"
    f.write_text(text, encoding="utf-8")
    return f


def test_the_report_of_a_study_analysed_with_an_own_file_uses_that_election(tmp_path: Path) -> None:
    """The runs table kept only the key, which names no preset: the report said "No election was
    given", dropped the parties section and wrote "created after the election was called (None)",
    and `accounts` lost the home country. The file is gone by report time, as when a study is shared."""
    study, toml = tmp_path / "s.duckdb", _own_election(tmp_path)
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--election", str(toml), "--only", "estimates", "--with-deps"])
    assert res.exit_code == 0, res.output
    toml.unlink()
    html_path = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(html_path), "--no-exports"])
    assert res.exit_code == 0, res.output
    html = html_path.read_text(encoding="utf-8")
    assert "No election was given" not in html and "(None)" not in html
    assert "Parties: support, opposition and sentiment" in html
    assert "Stance was not checked against hand labels for My own UK election" in " ".join(html.split())
    assert "characters recorded" in html and "Theresa May calls a snap" not in html.split("Methods and caveats")[-1]
    res = runner.invoke(app, ["explain", str(study), "UKLabour"])
    assert res.exit_code == 0, res.output
    assert "Probability of being run from outside GB" in res.output


def test_an_edited_copy_of_a_preset_under_its_key_is_refused(tmp_path: Path) -> None:
    """Copied from uk-ge2017.toml (as the docs suggest) and edited without changing the key, the
    file was taken for the preset: the report quoted the preset's hand-label accuracy for it."""
    text = (_presets_dir() / "uk-ge2017.toml").read_text(encoding="utf-8")
    pinned = tmp_path / "pinned.toml"
    pinned.write_text(text, encoding="utf-8")
    assert load_election(pinned).key == "uk-ge2017"  # an unchanged copy is the preset
    edited = tmp_path / "edited.toml"
    edited.write_text(text.replace('polling_day = 2017-06-08', 'polling_day = 2017-06-07', 1), encoding="utf-8")
    with pytest.raises(ElectionError, match="name of a shipped preset"):
        load_election(edited)
    res = runner.invoke(app, ["elections", "check", str(edited)])
    assert res.exit_code == 2 and "give your election its own key" in res.output


@pytest.mark.parametrize("field, value", [("leader", "5"), ("leader", '["Olaf Scholz"]')])
def test_a_leader_that_is_not_text_is_an_error(tmp_path: Path, field: str, value: str) -> None:
    """`leader = 5` was accepted and shown as "leader 5": a wrong type must name its line."""
    f = _own_election(tmp_path)
    f.write_text(f.read_text(encoding="utf-8").replace('leader = "Jeremy Corbyn"', f"{field} = {value}", 1), encoding="utf-8")
    with pytest.raises(ElectionError, match=r"parties\[0\]\.leader: must be a string"):
        load_election(f)


def test_a_preset_can_be_printed_as_toml_to_start_a_new_election(tmp_path: Path) -> None:
    """The docs said to copy a preset file, which an installed botwatch keeps inside
    site-packages: `elections show --toml` prints it, and the copy re-keyed is a valid election."""
    res = runner.invoke(app, ["elections", "show", "uk-ge2017", "--toml"])
    assert res.exit_code == 0, res.output
    assert res.output == (_presets_dir() / "uk-ge2017.toml").read_text(encoding="utf-8")
    mine = tmp_path / "mine.toml"
    mine.write_text(res.output.replace('key = "uk-ge2017"', 'key = "mine"', 1), encoding="utf-8")
    assert runner.invoke(app, ["elections", "check", str(mine)]).output.startswith("ok: mine with 7 parties")


def test_show_says_when_an_election_lists_no_sources_or_events(tmp_path: Path) -> None:
    """A minimal file printed a bare "sources: " and an empty "events (UTC):" heading, which read
    as output cut short rather than as nothing listed."""
    f = tmp_path / "min.toml"
    f.write_text('key = "min"\nname = "Minimal"\ncountry = "DE"\ntimezone = "Europe/Berlin"\ntrigger_date = 2021-06-01\n'
                 'polling_day = 2021-09-26\n\n[[parties]]\nkey = "spd"\nname = "SPD"\n', encoding="utf-8")
    res = runner.invoke(app, ["elections", "show", str(f)])
    assert res.exit_code == 0, res.output
    assert "events (UTC): —" in res.output and "sources: — (none listed" in res.output


def test_a_study_whose_election_file_was_not_recorded_says_which_election_it_cannot_load(tmp_path: Path) -> None:
    """A study analysed with a user's file before the text was recorded (or whose record is gone):
    the report said "No election was given" although the runs name it, and quoted the trigger as
    "(None)"; it now names the election, says why it is missing and quotes the recorded instant."""
    from botwatch import open_study

    study, toml = tmp_path / "s.duckdb", _own_election(tmp_path)
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", str(toml)]).exit_code == 0
    with open_study(study, read_only=False) as st:  # as an older botwatch left it: the key only
        st.sql("UPDATE runs SET params = json_object('election', json_extract_string(params, '$.election'))")
    html_path = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(study), "-o", str(html_path), "--no-exports"]).exit_code == 0
    html = " ".join(html_path.read_text(encoding="utf-8").split())
    assert "No election was given" not in html and "(None)" not in html
    assert "The analysis used the election my-ge2017, which cannot be loaded here" in html
    assert "created after the election was called (2017-04-17 23:00 UTC)" in html


def test_a_recorded_text_under_a_presets_key_that_differs_from_it_is_refused() -> None:
    """A study record (hand-made or via the API) holding an edited preset under the preset's key
    would be taken for the preset, and the report would quote its hand-label accuracy."""
    from botwatch.elections.recorded import recorded_election

    text = (_presets_dir() / "uk-ge2017.toml").read_text(encoding="utf-8")
    assert recorded_election({"election": "uk-ge2017", "election_toml": text}).key == "uk-ge2017"
    edited = text.replace('polling_day = 2017-06-08', 'polling_day = 2017-06-07', 1)
    with pytest.raises(ElectionError, match="differs from it"):
        recorded_election({"election": "uk-ge2017", "election_toml": edited, "election_file": "x.toml"})


def test_an_empty_election_value_is_said_to_be_empty() -> None:
    """`--election ""` (an unset shell variable) read as the path "." and said "election file . is
    a directory, not a file"."""
    for ref in ("", "  "):
        with pytest.raises(ElectionError, match="the election is empty: name a preset"):
            load_election(ref)
    res = runner.invoke(app, ["elections", "show", ""])
    assert res.exit_code == 2 and "election is empty" in res.output and "directory" not in res.output, res.output
