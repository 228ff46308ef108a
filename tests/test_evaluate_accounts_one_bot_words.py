"""One labelled bot is "1 bot": `evaluate-accounts` printed "Bot probability against your labels
(1 accounts, 1 bots)" and "0 (your labels: 1 bots)", and the report "where your labels name 1 bots"."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from testsupport.csv_files import write_rows
from testsupport.study_copies import copy_study


def test_one_labelled_bot_is_said_in_the_singular(scored_us_sample_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    study = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, study)
    with open_study(study, read_only=True) as st:
        (aid,), = st.sql("SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL ORDER BY account_id LIMIT 1")
    labels = write_rows(tmp_path / "one.csv", ["account_id", "bot"], [[aid, 1]])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels), "--boot", "20"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "(1 account, 1 bot)" in text and "(your labels: 1 bot)" in text and "1 bots" not in text, text
    with open_study(study, read_only=False) as st:
        sec = accounts_section(st, {})
    head = " ".join(str(h) for h in sec.headline)
    html = " ".join(str(sec.html).split())
    assert "where your labels name 1 bot." in head and "1 bots" not in head, head
    assert "(1 bot)" in html and "where your labels name 1 bot" in html and "1 bots" not in html


def test_one_account_labelled_with_a_country_is_one_account(scored_us_sample_path: Path, tmp_path: Path) -> None:
    """"Most likely origin against your labels (1 accounts)"."""
    from botwatch import open_study

    study = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, study)
    with open_study(study, read_only=True) as st:
        (aid,), = st.sql("SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL ORDER BY account_id LIMIT 1")
    labels = write_rows(tmp_path / "one.csv", ["account_id", "country"], [[aid, "RU"]])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels), "--no-record"])
    text = " ".join(r.output.split())
    assert r.exit_code == 0 and "Most likely origin against your labels (1 account)" in text, text
