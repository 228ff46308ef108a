"""The study argument reaches the commands as typed: a lake URL keeps its slashes without anyone
reading sys.argv (a test runner, a script calling the command's function), and a plain path works
as before (relative, absolute, with spaces)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import StudyError

runner = CliRunner()
FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
URLS = ["file:///data/lake", "s3a://bucket/x", "hdfs:///lake"]


def _commands(tmp: Path) -> list[list[str]]:
    """Every command that takes a study argument that may be a lake, with what it needs besides."""
    return [
        ["status"], ["export", "posts", "-o", str(tmp / "p.csv")], ["analyze"], ["report", "-o", str(tmp / "r.html")],
        ["report", "--reproduce"], ["accounts"], ["explain", "@someone"], ["estimate", "-e", "uk-ge2017"],
        ["impact", "-p", "labour", "-e", "uk-ge2017"], ["timeline"], ["coordination"],
        ["evaluate-accounts", str(_labels(tmp))], ["content", "evaluate", str(tmp / "labels.csv")], ["elections", "show"],
    ]


def _labels(tmp: Path) -> Path:
    path = tmp / "accounts.csv"
    path.write_text("account_id,bot\na,1\nb,0\n", encoding="utf-8")
    return path


@pytest.fixture()
def fake_lake(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """LakeStudy replaced by one that records where it was asked to open and refuses (no Spark)."""
    opened: list[str] = []

    def refuse(where: str, **kwargs: object) -> None:
        opened.append(where)
        raise StudyError(f"fake lake opened at {where}")

    monkeypatch.setattr("botwatch.engines.lake.LakeStudy", refuse)
    return opened


@pytest.mark.parametrize("url", URLS)
def test_every_study_command_opens_a_url_as_typed(url: str, fake_lake: list[str], tmp_path: Path) -> None:
    for cmd in _commands(tmp_path):
        fake_lake.clear()
        at = 2 if cmd[0] in ("content", "elections") else 1  # after the group's command
        res = runner.invoke(app, [*cmd[:at], url, *cmd[at:]])
        assert res.exit_code == 2 and "Traceback" not in res.output, (cmd, res.output)
        assert fake_lake == [url], (cmd, fake_lake, res.output)
        assert f"fake lake opened at {url}" in res.output, (cmd, res.output)


def test_a_command_called_from_python_opens_a_url_as_given(fake_lake: list[str]) -> None:
    """`demo` and scripts call the command functions: a string is opened as given (no sys.argv)."""
    from botwatch.cli.study import status

    with pytest.raises(typer.Exit):
        status("hdfs:///lake")
    assert fake_lake == ["hdfs:///lake"]


def test_follow_mode_hands_each_batch_the_study_url_as_typed(tmp_path: Path) -> None:
    """`collect --study hdfs:///lake` went through Path: each batch ran `botwatch ingest hdfs:/lake`."""
    from types import SimpleNamespace

    from botwatch.collect.follow import Follower

    capture = SimpleNamespace(folder=tmp_path, stream="s")
    assert str(Follower(capture, "hdfs:///lake", 60.0, print).study) == "hdfs:///lake"  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("study_argument") / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(path), str(FIX / "ira_tweets.csv")])
    assert res.exit_code == 0, res.output
    return path


@pytest.mark.parametrize("name", ["s.duckdb", "my study.duckdb", "sub dir/a b.duckdb"])
def test_plain_paths_relative_absolute_and_with_spaces(name: str, ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ingested, path)
    monkeypatch.chdir(tmp_path)
    for given in (name, str(path), f"./{name}"):
        res = runner.invoke(app, ["status", given])
        assert res.exit_code == 0 and "35" in res.output, (given, res.output)
        res = runner.invoke(app, ["export", given, "posts", "-o", "-"])
        assert res.exit_code == 0 and "wrote 35 rows of posts" in res.output, (given, res.output[-300:])
    res = runner.invoke(app, ["status", "missing dir/x.duckdb"])
    assert res.exit_code == 2 and "no study at missing dir/x.duckdb" in res.output, res.output


def test_content_evaluate_and_elections_show_take_engine_and_spark_master(ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The two study commands without `--engine`/`--spark-master`: "No such option" where every other
    study command takes them (docs/spark.md: the same commands run on a lake), and a lake on a
    cluster could be reached only through SPARK_MASTER."""
    masters: list[object] = []

    def refuse(where: str, **kwargs: object) -> None:
        masters.append(kwargs.get("master"))
        raise StudyError(f"fake lake opened at {where}")

    monkeypatch.setattr("botwatch.engines.lake.LakeStudy", refuse)
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    labels = tmp_path / "labels.csv"
    labels.write_text("post_id,party,stance,sentiment\nx,labour,pro,positive\n", encoding="utf-8")
    study = str(ingested)
    for cmd in (["content", "evaluate", study, str(labels)], ["elections", "show", study]):
        res = runner.invoke(app, [*cmd, "--engine", "spark"])
        assert res.exit_code == 2 and "is a file (a DuckDB study?), not a lake folder" in res.output, (cmd, res.output)
        res = runner.invoke(app, [*cmd, "--engine", "duckdb"])
        said = "has no content labels yet" if cmd[0] == "content" else "was not analysed with an election"
        assert said in res.output, (cmd, res.output)  # opened as a DuckDB study, as without --engine
        lake = [("s3a://bucket/x" if part == study else part) for part in cmd]
        res = runner.invoke(app, [*lake, "--spark-master", "spark://master:7077"])
        assert "fake lake opened at s3a://bucket/x" in res.output, (cmd, res.output)
    assert masters == ["spark://master:7077"] * 2
    res = runner.invoke(app, ["elections", "show", "uk-ge2017", "--engine", "duckdb"])
    assert res.exit_code == 2 and "--engine goes with a study" in res.output, res.output


def test_an_empty_study_path_is_said_as_such(capsys: pytest.CaptureFixture[str]) -> None:
    """`botwatch status "$STUDY"` with the variable unset said ". is a folder: a DuckDB study is a
    file", as `ingest` did before it said what was wrong."""
    for cmd in (["status", ""], ["accounts", ""], ["report", "", "--reproduce"]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 2 and "the study path is empty (an unset shell variable?)" in res.output, (cmd, res.output)
    from botwatch.cli.collect import study_or_fail

    with pytest.raises(typer.Exit):
        study_or_fail("")
    assert "--study is empty (an unset shell variable?)" in capsys.readouterr().err
