"""The `accounts_scored` export carries the account JSON's `bot.model_platform_seen`: only
`accounts --json` and `explain --json` said that the shipped bot model never saw a Bluesky or Mastodon account,
and a spreadsheet of the export read its probability as a measured figure."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import open_study

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def _mastodon(path: Path) -> Path:
    """One Mastodon status, so the study holds an account of a platform the shipped model never saw."""
    status = {"id": "11", "uri": "https://example.social/users/a/statuses/11", "created_at": "2024-06-01T12:00:00.000Z",
              "content": "<p>hi there</p>", "account": {"id": "1", "username": "a", "acct": "a", "url": "https://example.social/@a",
                                                        "created_at": "2020-01-01T00:00:00.000Z", "followers_count": 3, "statuses_count": 10}}
    path.write_text(json.dumps({"stream": ["public"], "event": "update", "payload": json.dumps(status)}) + "\n")
    return path


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A study of Twitter and Mastodon accounts scored by the shipped bot model."""
    tmp = tmp_path_factory.mktemp("seen")
    study = tmp / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(study), str(FIX), str(_mastodon(tmp / "masto.jsonl"))]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    return study


def _seen(path: Path) -> dict[str, object]:
    """platform -> the set of `model_platform_seen` values the export holds, and the column's place."""
    con = duckdb.connect()
    try:
        cols = [r[0] for r in con.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall()]
        rows = con.sql(f"SELECT platform, list(DISTINCT model_platform_seen), count(*) FILTER (WHERE bot_probability IS NULL) "
                       f"FROM '{path}' GROUP BY ALL").fetchall()
    finally:
        con.close()
    return {"last": cols[-1], **{p: (sorted(v, key=str), unscored) for p, v, unscored in rows}}


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_the_export_says_whether_the_shipped_model_saw_the_platform(scored: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"scores{suffix}"
    res = CliRunner().invoke(app, ["export", str(scored), "accounts_scored", "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = _seen(out)
    assert got["last"] == "model_platform_seen"  # added last, so every earlier column keeps its place
    assert got["twitter"] == ([True], 0) and got["mastodon"] == ([False], 0), got


def test_the_export_matches_the_account_json(scored: Path) -> None:
    """One rule (`platform_names.shipped_bot_model_saw`): the export and `accounts --json` agree."""
    res = CliRunner().invoke(app, ["accounts", str(scored), "--json", "--top", "1000"])
    assert res.exit_code == 0, res.output
    said = {(a["platform"], a["account_id"]): a["bot"]["model_platform_seen"] for a in json.loads(res.stdout)}
    from botwatch.table_export import source_query

    with open_study(scored) as st:
        rows = st.sql(f"SELECT platform, account_id, model_platform_seen FROM ({source_query(st, 'accounts_scored')})")
    assert said and {(p, a): s for p, a, s in rows if (p, a) in said} == said


def test_a_study_scored_before_the_hash_was_recorded_says_what_its_json_says(scored: Path, tmp_path: Path) -> None:
    """No hash recorded: the current shipped model is the best guess for the export as for the
    account JSON (`study_bot_training_meta`), so the two never disagree on one study."""
    study = tmp_path / "old.duckdb"
    study.write_bytes(scored.read_bytes())
    with open_study(study, read_only=False) as st:
        st.sql("UPDATE runs SET params = NULL WHERE stage = 'accounts'")
    out = tmp_path / "scores.parquet"
    assert CliRunner().invoke(app, ["export", str(study), "accounts_scored", "-o", str(out)]).exit_code == 0
    got = _seen(out)
    assert got["twitter"] == ([True], 0) and got["mastodon"] == ([False], 0), got
    res = CliRunner().invoke(app, ["accounts", str(study), "--json", "--top", "1000"])
    said = {a["platform"]: a["bot"]["model_platform_seen"] for a in json.loads(res.stdout)}
    assert said == {"twitter": True, "mastodon": False}, said


def test_the_reports_accounts_file_carries_the_column_too(scored: Path) -> None:
    """The accounts file written beside the report (`report.exports.accounts_query`) says what
    `botwatch export … accounts_scored` says: a spreadsheet of either reads a Mastodon account's
    probability as a figure the model never measured otherwise."""
    from botwatch.report.exports import accounts_query
    from botwatch.table_export import source_query

    with open_study(scored) as st:
        tables = set(st.tables())
        report = st.sql(f"SELECT platform, account_id, model_platform_seen FROM ({accounts_query(st, tables)})")
        export = st.sql(f"SELECT platform, account_id, model_platform_seen FROM ({source_query(st, 'accounts_scored')})")
    assert sorted(report) == sorted(export) and {p for p, _, s in report if s is False} == {"mastodon"}
