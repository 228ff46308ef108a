"""`botwatch explain` as a new user reads it: an account with one post says "1 post", not "1 posts"."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app


def test_explain_counts_one_post_in_the_singular(analysed_sample_path: Path) -> None:
    with open_study(analysed_sample_path) as st:
        rows = st.sql("SELECT coalesce(handle, account_id), n_posts FROM accounts_scored WHERE n_posts IN (1, 2) ORDER BY n_posts, 1")
    one = next(h for h, n in rows if n == 1)
    res = CliRunner().invoke(app, ["explain", str(analysed_sample_path), f"@{one}"])
    assert res.exit_code == 0, res.output
    assert "; 1 post in the study" in res.output and "1 posts" not in res.output, res.output
    two = next((h for h, n in rows if n == 2), None)
    if two is not None:
        assert "; 2 posts in the study" in CliRunner().invoke(app, ["explain", str(analysed_sample_path), f"@{two}"]).output
