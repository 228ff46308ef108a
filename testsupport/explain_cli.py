"""`botwatch explain` on the first scored account of a study, for the tests that check what it
says about the bot model that scored the study.

Why one helper: `tests/test_report_bot_model_used.py` and `tests/test_bot_model_quality.py` each
wrote the same lookup (the first handle with a bot probability) and the same invocation."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result


def explain_first_scored(study: Path) -> Result:
    """`botwatch explain STUDY HANDLE` for the first handle (in sort order) with a bot probability;
    fails the test when the command does not exit 0. Callers read `.output` (stdout and stderr as
    a terminal shows them) or `.stdout`."""
    from botwatch.cli import app
    from botwatch.study import open_study

    with open_study(study) as st:
        handle = st.sql("SELECT a.handle FROM account_scores s JOIN accounts a USING (platform, account_id) "
                        "WHERE s.bot_probability IS NOT NULL ORDER BY 1 LIMIT 1")[0][0]
    res = CliRunner().invoke(app, ["explain", str(study), handle])
    assert res.exit_code == 0, res.output
    return res


def words(text: str) -> str:
    """`text` with every run of white space as one space (terminal line wrapping taken out)."""
    return " ".join(text.split())
