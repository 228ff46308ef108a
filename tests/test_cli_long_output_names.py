"""An output name too long for the file system (`-o` with a part over 255 bytes) ended in
"OSError: [Errno 36] File name too long: '<the whole name>'. This is a bug in botwatch" from the
first look at it. The guard says it in one line, exit 2, the name cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def _botwatch(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from botwatch.cli import app

    with pytest.raises(SystemExit) as done:
        app(args)  # the entry point's call, guard included (CliRunner's invoke passes it by)
    return done.value.code, capsys.readouterr().err


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOTWATCH_DEBUG", raising=False)


def _said_plainly(code: int, err: str, long: str) -> None:
    line = " ".join(err.split())
    assert code == 2, err
    assert "File name too long" in line and "This is a bug" not in line and "OSError" not in line, line
    assert long not in line and "characters)" in line, line  # cut short, its length said


@pytest.mark.parametrize("suffix, command", [
    (".html", lambda study, out: ["report", str(study), "-o", out]),
    (".graphml", lambda study, out: ["coordination", str(study), "--graphml", out]),
])
def test_report_and_coordination_name_a_too_long_output_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str, command) -> None:  # noqa: ANN001
    study = tmp_path / "s.duckdb"
    code, _ = _botwatch(["ingest", str(study), str(FIX)], capsys)
    assert code == 0
    long = str(tmp_path / ("a" * 300 + suffix))
    _said_plainly(*_botwatch(command(study, long), capsys), long)


def test_train_bot_model_names_a_too_long_output_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("screen_name,bot,created_at,observed_at\nx,1,2015-01-01,2017-01-01\n", encoding="utf-8")
    long = str(tmp_path / ("m" * 300 + ".json.gz"))
    _said_plainly(*_botwatch(["train-bot-model", str(labels), "-o", long], capsys), long)
