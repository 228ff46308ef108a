"""`elections show STUDY` on a study of any name, and the advice its errors give.

`botwatch elections show /path/study` (a DuckDB study not named *.duckdb, which every other
command accepts) was read as a TOML file: "too large for a election file" or a TOML parse error.
Every recorded-election error had "pass --election" rewritten to "pass --stage", though only the
"different elections in different stages" error is answered by --stage."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


def _study(tmp_path: Path, sample_study_path: Path, *elections: tuple[str, str]) -> Path:
    from botwatch import open_study

    dst = tmp_path / "study"  # no .duckdb suffix
    shutil.copy(sample_study_path, dst)
    with open_study(dst, read_only=False) as st:  # as `analyze --only STAGE --election KEY` records it
        for i, (stage, key) in enumerate(elections):
            st.sql(f"INSERT INTO runs VALUES ('x{i}', '{stage}', '{{\"election\": \"{key}\"}}', '0', now(), now(), 'ok', 0, NULL)")
    return dst


def test_a_study_without_the_duckdb_suffix_is_shown_as_a_study(tmp_path: Path, sample_study_path: Path) -> None:
    study = _study(tmp_path, sample_study_path, ("accounts", "us-2016"))
    res = runner.invoke(app, ["elections", "show", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "us-2016" in res.output
    staged = runner.invoke(app, ["elections", "show", str(study), "--stage", "accounts"], env={"COLUMNS": "300"})
    assert staged.exit_code == 0, staged.output


def test_only_the_different_elections_error_advises_stage(tmp_path: Path, sample_study_path: Path) -> None:
    mixed = _study(tmp_path, sample_study_path, ("accounts", "us-2016"), ("bursts", "uk-ge2017"))
    res = runner.invoke(app, ["elections", "show", str(mixed)], env={"COLUMNS": "300"})
    assert res.exit_code != 0 and "different elections" in res.output and "pass --stage" in res.output
    (tmp_path / "b").mkdir()
    gone = _study(tmp_path / "b", sample_study_path, ("accounts", "no-such-election"))
    res = runner.invoke(app, ["elections", "show", str(gone)], env={"COLUMNS": "300"})
    assert res.exit_code != 0 and "cannot be loaded here" in res.output
    assert "--stage" not in res.output  # --stage picks among stages; it cannot load a missing election
    assert "Traceback" not in res.output
