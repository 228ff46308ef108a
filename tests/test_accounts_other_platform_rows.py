"""`botwatch accounts` marks, row by row, the bot probabilities of accounts from a platform the
shipped bot model never learned from. A Mastodon account topped the table at 0.99 with nothing in
its row to tell it from the Twitter ones; the caveat was one study-wide line under the table.
The origin model learned from (and was measured on) Twitter accounts alone too: the same Mastodon
account read "GB 0.93" in `accounts`, `explain`, the JSON and the explorer with no such word."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _mastodon(path: Path) -> Path:
    acct = {"id": "7", "username": "alice", "acct": "alice@example.social", "url": "https://example.social/@alice",
            "created_at": "2017-04-01T00:00:00.000Z", "followers_count": 2, "following_count": 500, "statuses_count": 9000}
    with path.open("w") as f:
        for i in range(3):
            # English prose enough for origin evidence (its articles): an origin to mark.
            f.write(json.dumps({"id": str(10 + i), "uri": f"https://example.social/users/alice/statuses/{10 + i}",
                                "created_at": f"2017-06-0{i + 1}T10:00:00.000Z", "content": f"<p>Vote for the party in the general election, the vote is on Thursday #GE2017 {i}</p>", "account": acct}) + "\n")
    return path


def _tweets(path: Path) -> Path:
    """A Twitter account with origin evidence (the twarc2 fixture's two accounts have none)."""
    user = {"id_str": "42", "screen_name": "bob", "created_at": "Mon Apr 03 00:00:00 +0000 2017", "followers_count": 20,
            "friends_count": 50, "statuses_count": 300}
    with path.open("w") as f:
        for i in range(3):
            f.write(json.dumps({"id_str": str(900 + i), "created_at": f"Thu Jun 0{i + 1} 10:00:00 +0000 2017", "lang": "en",
                                "text": f"Vote for the party in the general election, the vote is on Thursday #GE2017 {i}", "user": user}) + "\n")
    return path


@pytest.fixture(scope="module")
def mixed_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Mastodon account beside two Twitter ones, scored (generated records: code paths and words only)."""
    from botwatch.cli import app

    tmp = tmp_path_factory.mktemp("mixed")
    study = tmp / "s.duckdb"
    tweets = tmp / "tweets.jsonl.gz"
    shutil.copy(FIX / "twarc2_two_tweets.jsonl.gz", tweets)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(study), str(_mastodon(tmp / "masto.jsonl")), str(tweets), str(_tweets(tmp / "v11.jsonl"))]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    return study


def _table(output: str) -> dict[str, list[str]]:
    """Each row's cells by handle."""
    return {m.group(1): [c.strip() for c in m.group(2).split("│")] for m in re.finditer(r"│ @(\S+)\s+│(.*)│", output)}


def test_each_row_of_an_unseen_platform_is_starred_and_the_star_is_said(mixed_study: Path) -> None:
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["accounts", str(mixed_study), "--top", "100"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    rows = {handle: cells[0] for handle, cells in _table(res.output).items()}
    assert rows["alice@example.social"].endswith("*")
    twitter = [cell for handle, cell in rows.items() if handle != "alice@example.social" and cell != "—"]
    assert twitter and not any(cell.endswith("*") for cell in twitter)  # the model's own platform: no mark
    said = " ".join(res.output.split())
    assert "* 1 account shown: The bot model learned from Twitter accounts only" in said


def test_the_origin_of_an_unseen_platform_is_marked_in_accounts_explain_json_and_explorer(mixed_study: Path) -> None:
    from botwatch.cli import app
    from botwatch.report.section_explorer import explorer, explorer_data
    from botwatch.study import open_study

    runner = CliRunner()
    res = runner.invoke(app, ["accounts", str(mixed_study), "--top", "100"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    origin_p = {handle: cells[2] for handle, cells in _table(res.output).items()}
    assert origin_p["alice@example.social"].endswith("†")
    twitter = [cell for handle, cell in origin_p.items() if handle != "alice@example.social" and cell != "—"]
    assert twitter and not any(cell.endswith("†") for cell in twitter)
    said = " ".join(res.output.split())
    assert ("† 1 account shown: The origin model learned from Twitter accounts only; 1 Mastodon account with origin evidence here "
            "comes from a platform it never saw") in said

    out = runner.invoke(app, ["explain", str(mixed_study), "@alice@example.social"], env={"COLUMNS": "400"}).output
    assert ("The origin model learned from Twitter accounts only; this Mastodon account comes from a platform it never saw, whose "
            "accounts' languages, words and posting hours it reads as Twitter's, so this origin probability is not a measured figure.") in " ".join(out.split())

    listed = json.loads(runner.invoke(app, ["accounts", str(mixed_study), "--json", "--top", "100"]).stdout)
    seen = {a["platform"]: a["origin"]["model_platform_seen"] for a in listed if a["origin"]["country"] is not None}
    assert seen == {"mastodon": False, "twitter": True}
    assert all(a["origin"]["model_platform_seen"] is None for a in listed if a["origin"]["country"] is None)

    with open_study(mixed_study) as st:
        data = explorer_data(st, {})
        html = str(explorer(st, {}).html)  # type: ignore[union-attr]
    assert set(data["origin_unseen"]) == {"mastodon"}  # the per-account sentence the evidence panel adds, by platform
    assert "The origin model learned from Twitter accounts only; 1 Mastodon account with origin evidence here comes" in " ".join(html.split())


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_export_carries_the_origin_models_platform_seen_as_the_json_does(mixed_study: Path, tmp_path: Path, suffix: str) -> None:
    """The `accounts_scored` export (and the accounts file beside the report) said `model_platform_seen`
    of the bot model only: a spreadsheet of it read the Mastodon account's origin as a measured figure.
    `origin_model_platform_seen`, last, is the account JSON's `origin.model_platform_seen`."""
    import duckdb

    from botwatch.cli import app
    from botwatch.report.exports import accounts_query
    from botwatch.study import open_study

    runner = CliRunner()
    out = tmp_path / f"scores{suffix}"
    res = runner.invoke(app, ["export", str(mixed_study), "accounts_scored", "-o", str(out)])
    assert res.exit_code == 0, res.output
    con = duckdb.connect()
    try:
        cols = [r[0] for r in con.sql(f"DESCRIBE SELECT * FROM '{out}'").fetchall()]
        exported = {(p, str(a)): s for p, a, s in con.sql(f"SELECT platform, account_id, origin_model_platform_seen FROM '{out}'").fetchall()}
    finally:
        con.close()
    assert cols[-2:] == ["model_platform_seen", "origin_model_platform_seen"]
    res = runner.invoke(app, ["accounts", str(mixed_study), "--json", "--top", "1000"])
    assert res.exit_code == 0, res.output
    said = {(a["platform"], a["account_id"]): a["origin"]["model_platform_seen"] for a in json.loads(res.stdout)}
    assert {k: exported[k] for k in said} == said and set(said.values()) == {True, False, None}
    with open_study(mixed_study) as st:
        report = {(p, a): s for p, a, s in st.sql(f"SELECT platform, account_id, origin_model_platform_seen FROM ({accounts_query(st, set(st.tables()))})")}
    assert {k: report[k] for k in said} == said
