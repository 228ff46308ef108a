"""The per-party tables by account group hold only posts that name a party. Where a group's table
is empty the report said "No election post in the campaign window came from foreign-origin
accounts": a New Zealand study of 30 accounts, all counted foreign, whose 1,800 election posts (by
the election's own hashtag) named no party, read as if none of them had posted in the campaign."""

from __future__ import annotations

from pathlib import Path

from testsupport.report_text import page_text as _text


def test_an_empty_group_table_speaks_of_party_naming_posts_only(tmp_path: Path, nz_hours_study: tuple[str, Path]) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    f, election = nz_hours_study
    study, out, runner = str(tmp_path / "s.duckdb"), tmp_path / "r.html", CliRunner()
    assert runner.invoke(app, ["ingest", study, f, "--columns", "post_id=post_id,account_id=account_id,created_at=created_at,text=text"]).exit_code == 0
    res = runner.invoke(app, ["analyze", study, "--election", str(election), "--only", "estimates", "--with-deps"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", study, "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "Posts by foreign-origin accounts" in text  # every account is counted foreign, and posted
    assert "No election post in the campaign window came from foreign-origin accounts" not in text
    assert "No election post in the campaign window that names a party came from foreign-origin accounts" in text


def test_a_likely_automated_account_posting_no_party_is_not_said_to_be_absent(tmp_path: Path, nz_hours_study: tuple[str, Path]) -> None:
    """The same for the likely automated group, whose empty table (some accounts unscored) read
    "None of the 1 the bot model could score among the 3 posting election posts in the campaign
    window is likely automated" where that one account has bot probability 0.9."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.study import open_study

    f, election = nz_hours_study
    study, out, runner = str(tmp_path / "s.duckdb"), tmp_path / "r.html", CliRunner()
    assert runner.invoke(app, ["ingest", study, f, "--columns", "post_id=post_id,account_id=account_id,created_at=created_at,text=text"]).exit_code == 0
    assert runner.invoke(app, ["analyze", study, "--election", str(election), "--only", "estimates", "--with-deps"]).exit_code == 0
    with open_study(study, read_only=False) as st:  # as if the bot model had scored one account, automated
        st.sql("UPDATE account_scores SET bot_probability = 0.9, likely_automated = true WHERE account_id = 'u0'")
    res = runner.invoke(app, ["analyze", study, "--only", "estimates"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", study, "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "is likely automated (bot probability ≥ 0.5)" not in text, text[text.find("None of the"):][:300]
    assert "No election post in the campaign window that names a party came from likely automated accounts" in text
