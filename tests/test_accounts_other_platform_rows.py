"""`botwatch accounts` marks, row by row, the bot probabilities of accounts from a platform the
shipped bot model never learned from. A Mastodon account topped the table at 0.99 with nothing in
its row to tell it from the Twitter ones; the caveat was one study-wide line under the table."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _mastodon(path: Path) -> Path:
    acct = {"id": "7", "username": "alice", "acct": "alice@example.social", "url": "https://example.social/@alice",
            "created_at": "2017-04-01T00:00:00.000Z", "followers_count": 2, "following_count": 500, "statuses_count": 9000}
    with path.open("w") as f:
        for i in range(3):
            f.write(json.dumps({"id": str(10 + i), "uri": f"https://example.social/users/alice/statuses/{10 + i}",
                                "created_at": f"2017-06-0{i + 1}T10:00:00.000Z", "content": f"<p>Vote #GE2017 {i}</p>", "account": acct}) + "\n")
    return path


def test_each_row_of_an_unseen_platform_is_starred_and_the_star_is_said(tmp_path: Path) -> None:
    from botwatch.cli import app

    study = tmp_path / "s.duckdb"
    tweets = tmp_path / "tweets.jsonl.gz"
    shutil.copy(FIX / "twarc2_two_tweets.jsonl.gz", tweets)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(study), str(_mastodon(tmp_path / "masto.jsonl")), str(tweets)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    res = runner.invoke(app, ["accounts", str(study), "--top", "100"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    rows = {m.group(1): m.group(2) for m in re.finditer(r"│ @(\S+)\s+│\s+(\S+) │", res.output)}
    assert rows["alice@example.social"].endswith("*")
    twitter = [cell for handle, cell in rows.items() if handle != "alice@example.social" and cell != "—"]
    assert twitter and not any(cell.endswith("*") for cell in twitter)  # the model's own platform: no mark
    said = " ".join(res.output.split())
    assert "* 1 account shown: The bot model learned from Twitter accounts only" in said
