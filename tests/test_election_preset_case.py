"""Preset names are matched ignoring case, and a key a study or a label records loads the shipped
preset, never a file of that name in the working directory.

`--election US-2016` was refused with "did you mean 'us-2016'?", a hint that knew the answer. And
the lookups by key (a study's recorded election, the content stage's labelled election, the check
that a user's file under a preset's key is a pinned copy) went through `load_election`, which reads
a file named like the key in the working directory first: a user's `us-2016` there stood in for
the preset, or broke the lookup with its parse error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.elections import ElectionError, load_election
from botwatch.elections.model import _presets_dir, load_preset, preset_named
from botwatch.elections.recorded import recorded_election


def test_a_preset_name_is_matched_ignoring_case() -> None:
    assert load_election("US-2016").key == "us-2016" and load_election("Uk-GE2017").key == "uk-ge2017"
    assert load_election("US-2016").path == "preset:us-2016"
    assert preset_named("bundestag") is None
    with pytest.raises(ElectionError, match=r"no preset named 'us2016' \(did you mean 'us-2016'\?\)"):
        load_election("us2016")


def test_the_cli_takes_a_preset_name_in_another_case() -> None:
    res = CliRunner().invoke(app, ["elections", "check", "US-2016"])
    assert res.exit_code == 0 and "ok: us-2016" in res.output, res.output


def test_a_file_the_user_names_still_wins_over_a_preset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As before: `--election us-2016` with a file of that name here is that file."""
    monkeypatch.chdir(tmp_path)
    Path("US-2016").write_text("not toml [", encoding="utf-8")
    with pytest.raises(ElectionError, match="invalid TOML"):
        load_election("US-2016")


def test_a_recorded_key_loads_the_preset_not_a_file_of_that_name_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("us-2016").write_text("not toml [", encoding="utf-8")
    assert load_preset("us-2016").path == "preset:us-2016"
    recorded = recorded_election({"election": "us-2016"})
    assert recorded is not None and recorded.path == "preset:us-2016"


def test_a_pinned_copy_of_a_preset_is_checked_against_the_preset_not_a_file_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's exact copy of us-2016 (its key kept) is compared with the shipped preset; a file
    named `us-2016` in the working directory was read in its place and the copy refused."""
    monkeypatch.chdir(tmp_path)
    Path("us-2016").write_text("not toml [", encoding="utf-8")
    mine = tmp_path / "mine.toml"
    mine.write_text((_presets_dir() / "us-2016.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_election(str(mine)).key == "us-2016"


def test_the_content_evaluation_labelled_election_is_the_preset_not_a_file_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`content evaluate`'s election of the study's labels, where the study records none: the preset."""
    from botwatch.cli import content as cli_content
    from botwatch.elections import recorded

    monkeypatch.chdir(tmp_path)
    Path("us-2016").write_text("not toml [", encoding="utf-8")
    monkeypatch.setattr(recorded, "stage_election", lambda st, stage: None)
    monkeypatch.setattr(recorded, "study_election", lambda st: (None,))
    e = cli_content._labelled_election(object(), "us-2016")
    assert e is not None and e.path == "preset:us-2016"
