"""`analyze` and `estimate` without `--election` reuse the election the study was analysed with.

`botwatch analyze S` on a study analysed with `--election uk-ge2017` re-ran every stage with no
election: the origin model lost the home-country prior (the report, still titled for that
election, moved its expected foreign count from 55 to 88) and `foreign_origin` became NULL, exit 0.
`estimate` required `--election` even when the study named it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app


def _study(tmp_path: Path, source: Path) -> Path:
    """A private copy of `source` (the ingested sample, or the session's `scored_us_sample_path`)."""
    dst = tmp_path / "s.duckdb"
    shutil.copy(source, dst)
    return dst


def _elections(path: Path, stage: str) -> list[object]:
    from botwatch import open_study

    with open_study(path) as st:
        rows = st.sql("SELECT params FROM runs WHERE stage = ? AND status = 'ok' ORDER BY finished_at", [stage])
    return [json.loads(p).get("election") for (p,) in rows]


def test_analyze_without_election_reuses_the_recorded_one(tmp_path: Path, scored_us_sample_path: Path) -> None:
    study = _study(tmp_path, scored_us_sample_path)  # after `analyze --election us-2016 --only accounts`
    runner = CliRunner()
    again = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert again.exit_code == 0, again.output
    assert "using the election this study was analysed with: us-2016 (preset)" in again.output
    assert _elections(study, "accounts") == ["us-2016", "us-2016"]
    from botwatch import open_study

    with open_study(study) as st:  # the home-country columns stay computed
        assert st.sql("SELECT count(*) FILTER (WHERE foreign_origin IS NOT NULL) FROM account_scores")[0][0] > 0


def test_a_study_never_analysed_with_an_election_keeps_running_without(tmp_path: Path, sample_study_path: Path) -> None:
    study = _study(tmp_path, sample_study_path)
    res = CliRunner().invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    assert "using the election" not in res.output
    assert _elections(study, "accounts") == [None]
    est = CliRunner().invoke(app, ["estimate", str(study)])
    assert est.exit_code == 2 and "needs --election" in est.output


def test_different_elections_in_different_stages_are_refused(tmp_path: Path, scored_us_sample_path: Path) -> None:
    from botwatch import open_study

    study = _study(tmp_path, scored_us_sample_path)  # after `analyze --election us-2016 --only accounts`
    runner = CliRunner()
    with open_study(study, read_only=False) as st:  # as `analyze --only bursts --election uk-ge2017` records it
        st.sql("INSERT INTO runs VALUES ('x', 'bursts', '{\"election\": \"uk-ge2017\"}', '0', now(), now(), 'ok', 0, NULL)")
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 2
    assert "different elections" in res.output and "accounts: us-2016" in res.output and "bursts: uk-ge2017" in res.output
    assert _elections(study, "accounts") == ["us-2016"]  # nothing re-run
    chosen = runner.invoke(app, ["analyze", str(study), "--only", "accounts", "--election", "us-2016"])
    assert chosen.exit_code == 0 and "using the election" not in chosen.output


def test_estimate_without_election_uses_the_recorded_one(tmp_path: Path, scored_us_sample_path: Path) -> None:
    study = _study(tmp_path, scored_us_sample_path)  # after `analyze --election us-2016 --only accounts`
    runner = CliRunner()
    res = runner.invoke(app, ["estimate", str(study), "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert "using the election this study was analysed with: us-2016" in res.output
    assert _elections(study, "estimates") == ["us-2016"]


def test_a_recorded_election_that_no_longer_parses_says_why() -> None:
    """The study holds the text of a user's election; when it no longer parses, the error said
    "no preset named KEY" (false: the study holds the file) and the report lost its sections."""
    import pytest

    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import recorded_election

    with pytest.raises(ElectionError, match="no longer loads") as got:
        recorded_election({"election": "myown", "election_file": "myown.toml", "election_toml": 'key = "myown"\ncountry = "G"\n'})
    assert "no preset" not in str(got.value)


def test_an_edited_election_file_is_said_with_the_option_that_takes_it(tmp_path: Path, scored_us_sample_path: Path) -> None:
    """A data desk edited its election file and ran `analyze` again without `--election`: the
    stages ran with the study's copy while the line said only "pass --election to use another".
    Where the file the study recorded reading now holds another text, the line says so and gives
    the option that reads it; a file that still matches, or is gone, adds nothing."""
    from importlib.resources import files

    from botwatch import open_study
    from botwatch.elections.recorded import study_election

    mine = tmp_path / "my election.toml"
    text = (files("botwatch.elections") / "presets" / "us-2016.toml").read_text(encoding="utf-8").replace('key = "us-2016"', 'key = "my-us"', 1)
    mine.write_text(text, encoding="utf-8")
    study = _study(tmp_path, scored_us_sample_path)
    params = json.dumps({"election": "my-us", "election_file": str(mine), "election_toml": text})
    with open_study(study, read_only=False) as st:  # as `analyze --only accounts --election 'my election.toml'` records it
        st.sql("DELETE FROM runs WHERE stage <> 'ingest'")
        st.sql("INSERT INTO runs VALUES ('x', 'accounts', ?, '0', now(), now(), 'ok', 0, NULL)", [params])
        assert study_election(st)[1].endswith("(election file, from the copy the study recorded); pass --election to use another")
        mine.write_text(text + "\n# edited: a party more\n", encoding="utf-8")
        line = study_election(st)[1]
        assert line.endswith(f"'{mine}' no longer holds that text: pass `--election '{mine}'` to use the file as it is now"), line
        mine.unlink()
        assert study_election(st)[1].endswith("pass --election to use another")


def test_status_names_the_election_the_stages_were_analysed_with(tmp_path: Path, scored_us_sample_path: Path) -> None:
    """`status` listed the stage runs but no election: a desk that edited its election file and ran
    `analyze` again could not tell which election, or which text of its file, the tables hold."""
    from botwatch import open_study

    study = _study(tmp_path, scored_us_sample_path)  # after `analyze --election us-2016 --only accounts`
    runner = CliRunner()
    said = " ".join(runner.invoke(app, ["status", str(study)], env={"COLUMNS": "200"}).output.split())
    assert "election: us-2016 (preset)" in said, said
    params = json.dumps({"election": "my-us", "election_file": "my.toml", "election_toml": 'key = "my-us"\n'})
    with open_study(study, read_only=False) as st:  # as `analyze --only accounts --election my.toml` records it
        st.sql("INSERT INTO runs VALUES ('x', 'accounts', ?, '0', now(), now(), 'ok', 0, NULL)", [params])
    said = " ".join(runner.invoke(app, ["status", str(study)], env={"COLUMNS": "200"}).output.split())
    assert f"election: my-us (your own file; the text the stages recorded: `botwatch elections show {study} --toml`)" in said, said
    with open_study(study, read_only=False) as st:  # one more stage, under the preset: two elections
        st.sql("INSERT INTO runs VALUES ('y', 'bursts', '{\"election\": \"us-2016\"}', '0', now(), now(), 'ok', 0, NULL)")
    said = " ".join(runner.invoke(app, ["status", str(study)], env={"COLUMNS": "200"}).output.split())
    assert "election: the stages were analysed with different elections (" in said and "bursts: us-2016" in said, said


def test_an_edited_election_file_is_still_said_after_a_rerun_from_the_studys_copy(tmp_path: Path, scored_us_sample_path: Path) -> None:
    """A re-run without `--election` records the study's copy, not the file ("the study's record of
    KEY"): the edited file was named by the first such `analyze` only, and by none after it, though
    the stages still ran with the old text."""
    from importlib.resources import files

    from botwatch import open_study

    mine = tmp_path / "mine.toml"
    text = (files("botwatch.elections") / "presets" / "us-2016.toml").read_text(encoding="utf-8").replace('key = "us-2016"', 'key = "my-us"', 1)
    mine.write_text(text, encoding="utf-8")
    study = _study(tmp_path, scored_us_sample_path)
    params = json.dumps({"election": "my-us", "election_file": str(mine), "election_toml": text})
    with open_study(study, read_only=False) as st:  # as `analyze --only accounts --election mine.toml` records it
        st.sql("DELETE FROM runs WHERE stage <> 'ingest'")
        st.sql("INSERT INTO runs VALUES ('x', 'accounts', ?, '0', now(), now(), 'ok', 0, NULL)", [params])
    mine.write_text(text + "\n# edited: a party more\n", encoding="utf-8")
    runner = CliRunner()
    for _ in range(2):  # the second run follows one that recorded the study's copy
        res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"], env={"COLUMNS": "300"})
        assert res.exit_code == 0, res.output
        assert f"no longer holds that text: pass `--election {mine}`" in " ".join(res.output.split()), res.output


def test_status_after_no_election_names_the_tables_still_of_an_election(tmp_path: Path, scored_us_sample_path: Path) -> None:
    """After `analyze --election us-2016` then `analyze --no-election`, `status` said "election: none"
    above party, stance and estimates tables that were us-2016's (the stages that need an election
    are skipped and keep them), beside a renew command passing `--election us-2016`."""
    from botwatch import open_study

    study = _study(tmp_path, scored_us_sample_path)
    with open_study(study, read_only=False) as st:  # content last ran with us-2016; accounts with --no-election
        st.sql("DELETE FROM runs WHERE stage <> 'ingest'")
        st.sql("INSERT INTO runs VALUES ('c', 'content', '{\"election\": \"us-2016\"}', '0', now(), now(), 'ok', 0, NULL)")
        st.sql("INSERT INTO runs VALUES ('a', 'accounts', '{\"no_election\": true}', '0', now(), now(), 'ok', 0, NULL)")
    said = " ".join(CliRunner().invoke(app, ["status", str(study)], env={"COLUMNS": "200"}).output.split())
    assert "election: none (last analysed with --no-election; content keeps its tables of us-2016)" in said, said


def test_an_election_file_is_recorded_by_its_absolute_path_and_an_old_relative_one_still_read(
        tmp_path: Path, scored_us_sample_path: Path, monkeypatch: object) -> None:
    """`--election my.toml` was recorded as typed and read back from the folder `status` ran in:
    a same-named file there was said "edited". The study now records the absolute path; a study
    that recorded a relative one (before) is still read from the working directory."""
    import pytest

    from botwatch import open_study
    from botwatch.elections.model import load_election
    from botwatch.elections.recorded import given_election_file, run_params

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    from importlib.resources import files

    text = (files("botwatch.elections") / "presets" / "us-2016.toml").read_text(encoding="utf-8").replace('key = "us-2016"', 'key = "my-us"', 1)
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "my.toml").write_text(text, encoding="utf-8")
    mp.chdir(tmp_path / "desk")
    election = load_election("my.toml")
    assert election.path == "my.toml"  # what the user typed, for messages while loading
    assert run_params(election)["election_file"] == str(tmp_path / "desk" / "my.toml")
    study = _study(tmp_path, scored_us_sample_path)
    old = json.dumps({"election": "my-us", "election_file": "my.toml", "election_toml": text})
    with open_study(study, read_only=False) as st:  # as an earlier botwatch recorded `--election my.toml`
        st.sql("INSERT INTO runs VALUES ('x', 'accounts', ?, '0', now(), now(), 'ok', 0, NULL)", [old])
        assert given_election_file(st, "my-us", text) == ("my.toml", text)


def test_a_renew_command_names_an_older_file_that_still_holds_the_text(tmp_path: Path, scored_us_sample_path: Path) -> None:
    """`--election a.toml`, then the same text as `--election b.toml`, then b.toml edited: the newest
    file no longer holds what the stages were made with, but a.toml does, and the renew command may
    name it; the "edited since" note still names b.toml, the file last given."""
    from importlib.resources import files

    from botwatch import open_study
    from botwatch.elections.recorded import election_file_holding, given_election_file

    text = (files("botwatch.elections") / "presets" / "us-2016.toml").read_text(encoding="utf-8").replace('key = "us-2016"', 'key = "my-us"', 1)
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(text, encoding="utf-8")
    b.write_text(text, encoding="utf-8")
    study = _study(tmp_path, scored_us_sample_path)
    with open_study(study, read_only=False) as st:
        for run_id, path in (("a", a), ("b", b)):
            params = json.dumps({"election": "my-us", "election_file": str(path), "election_toml": text})
            st.sql(f"INSERT INTO runs VALUES ('{run_id}', 'accounts', ?, '0', now(), now(), 'ok', 0, NULL)", [params])
        b.write_text(text + "\n# edited\n", encoding="utf-8")
        assert given_election_file(st, "my-us", text) == (str(b), text + "\n# edited\n")
        assert election_file_holding(st, "my-us", text) == str(a)


def test_a_recorded_election_path_that_is_no_file_is_not_read(tmp_path: Path, scored_us_sample_path: Path) -> None:
    """`analyze --election /dev/stdin < my.toml` records /dev/stdin: `status` and `report` then
    read it to see whether the file was edited, and waited on the terminal (on a pipe, forever).
    A path that is no regular file now holds no text to compare (a FIFO stands in for stdin)."""
    import os
    import threading

    from botwatch import open_study
    from botwatch.elections.recorded import given_election_file

    fifo = tmp_path / "e.toml"
    os.mkfifo(fifo)
    study = _study(tmp_path, scored_us_sample_path)
    params = json.dumps({"election": "my-us", "election_file": str(fifo), "election_toml": "key = 'my-us'"})
    found: list[object] = []
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('x', 'accounts', ?, '0', now(), now(), 'ok', 0, NULL)", [params])
        looking = threading.Thread(target=lambda: found.append(given_election_file(st, "my-us", "key = 'my-us'")), daemon=True)
        looking.start()
        looking.join(10)
        if looking.is_alive():  # let the blocked open return, so the thread ends
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            looking.join(10)
    assert found == [None], "the look-back opened the FIFO and waited for a writer"
