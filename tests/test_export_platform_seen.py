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
    assert got["last"] == "origin_model_platform_seen"  # added last, with `model_platform_seen` before it: earlier columns keep their places
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


# How each case is made from the shipped-model study: no params at all is a study scored before the
# hash was recorded; another hash with a file name not at hand is a user's model ("missing": "own").
_RECORDS = {"shipped": None, "own": json.dumps({"bot_model_sha256": "0" * 64, "bot_model_file": "mine.json.gz"}), "unrecorded": "NULL"}
_UNKNOWN = "does not record which bot model scored it"
_NEVER_SAW = "from a platform it never saw"


def _as_scored_by(scored: Path, tmp_path: Path, case: str) -> Path:
    """A copy of `scored` whose accounts run records the model of `case` (`_RECORDS`)."""
    study = tmp_path / f"{case}.duckdb"
    study.write_bytes(scored.read_bytes())
    if _RECORDS[case] is not None:
        with open_study(study, read_only=False) as st:
            if _RECORDS[case] == "NULL":
                st.sql("UPDATE runs SET params = NULL WHERE stage = 'accounts'")
            else:
                st.sql("UPDATE runs SET params = ? WHERE stage = 'accounts'", [_RECORDS[case]])
    return study


@pytest.mark.parametrize(("case", "seen"), [("shipped", {"twitter": True, "mastodon": False}),
                                            ("own", {"twitter": None, "mastodon": None}),
                                            ("unrecorded", {"twitter": None, "mastodon": None})])
def test_every_reader_says_the_same_of_who_scored_the_study(scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            case: str, seen: dict[str, bool | None]) -> None:
    """One rule (`model_used.bot_model_scored_by`) for the export, the report's accounts file, the
    account JSON (`accounts --json`, `explain --json`), the explorer, `explain` and `accounts`: the
    explorer said "shipped only" while the export and the JSON took a study that does not record its
    model for the shipped one, asserting "never seen" of its Mastodon accounts. Such a study is now
    unknown everywhere: null in the files, a sentence saying so in the text."""
    from botwatch import account
    from botwatch.model_used import bot_model_scored_by
    from botwatch.report.exports import accounts_query
    from botwatch.report.headlines import _bot_caveat
    from botwatch.report.section_explorer import explorer_data
    from testsupport.terminal import flat, wide_consoles

    wide_consoles(monkeypatch)
    study = _as_scored_by(scored, tmp_path, case)
    out = tmp_path / "scores.parquet"
    runner = CliRunner()
    assert runner.invoke(app, ["export", str(study), "accounts_scored", "-o", str(out)]).exit_code == 0
    got = _seen(out)
    assert {p: got[p][0] for p in seen} == {p: [v] for p, v in seen.items()}, got
    res = runner.invoke(app, ["accounts", str(study), "--json", "--top", "1000"])
    assert res.exit_code == 0, res.output
    accounts = json.loads(res.stdout)
    assert {a["platform"]: a["bot"]["model_platform_seen"] for a in accounts} == seen
    masto = next(a["account_id"] for a in accounts if a["platform"] == "mastodon")
    res = runner.invoke(app, ["explain", str(study), masto, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["bot"]["model_platform_seen"] is seen["mastodon"]
    with open_study(study) as st:
        assert bot_model_scored_by(st) == case
        report = {(p, s) for p, _a, s in st.sql(f"SELECT platform, account_id, model_platform_seen FROM ({accounts_query(st, set(st.tables()))})")}
        note = explorer_data(st, {})["other_platform"] or ""
        caveat = _bot_caveat(st)  # the automation headline's caveat
        api = account(st, masto)["bot"]["model_platform_seen"]  # `botwatch.account`, the JSON from Python
    assert report == set(seen.items()) and api is seen["mastodon"]
    text = flat(runner.invoke(app, ["explain", str(study), masto]).output)
    table = flat(runner.invoke(app, ["accounts", str(study)]).output)
    for said in (note, caveat, text, table):  # the explorer, the headline, `explain` and `accounts`: what the files say, in words
        assert (_NEVER_SAW in said) is (case == "shipped") and (_UNKNOWN in said) is (case == "unrecorded"), said


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


_ANALYZE_AGAIN = "`botwatch analyze` again records it"
_NOT_AT_HAND = "is not at hand as it was"


@pytest.mark.parametrize("case", ["shipped", "own", "unrecorded"])
def test_every_reader_says_the_same_of_the_training_flag(scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """`training_account` follows the same three cases as `model_platform_seen`: the shipped list
    for the shipped model, unknown for a user's model whose file is not at hand, and unknown for a
    study that does not record its model. Such a study was flagged from the current shipped list,
    true or false, though an earlier shipped model or a user's own may have scored it. The account
    JSON, `botwatch.account`, the report's accounts table and explorer, and `explain` agree, and
    `explain` says why it is unknown, in words that tell the two unknown cases apart."""
    from botwatch import account
    from botwatch.accounts.training_accounts import account_training
    from botwatch.report.section_accounts import _top_accounts
    from botwatch.report.section_explorer import explorer_data
    from testsupport.terminal import flat, wide_consoles

    wide_consoles(monkeypatch)
    study = _as_scored_by(scored, tmp_path, case)
    runner = CliRunner()
    res = runner.invoke(app, ["accounts", str(study), "--json", "--top", "1000"])
    assert res.exit_code == 0, res.output
    accounts = [a for a in json.loads(res.stdout) if a["bot"]["probability"] is not None]
    assert accounts
    shipped = {a["account_id"]: account_training(a["platform"], a["account_id"], a["handle"])["bot"] for a in accounts}
    want = shipped if case == "shipped" else {a: None for a in shipped}
    assert {a["account_id"]: a["bot"]["training_account"] for a in accounts} == want
    assert all(isinstance(v, bool) for v in shipped.values()) and any(shipped.values())  # @UKLabour trained the shipped model
    aid = next(a for a, v in shipped.items() if v)
    res = runner.invoke(app, ["explain", str(study), aid, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["bot"]["training_account"] is want[aid]
    with open_study(study) as st:
        api = account(st, aid)["bot"]["training_account"]
        top = {r["id"]: r["trained"]["bot"] for r in _top_accounts(st)}
        data = explorer_data(st, {})
    assert api is want[aid] and {a: t for a, t in top.items() if a in want} == {a: want[a] for a in top if a in want}
    cols = data["cols"]
    marks = {r[cols.index("id")]: bool(r[cols.index("trained")] & 1) for r in data["rows"]}
    assert {a: m for a, m in marks.items() if a in want} == {a: bool(want[a]) for a in marks if a in want}
    text = flat(runner.invoke(app, ["explain", str(study), aid]).output)
    assert (_ANALYZE_AGAIN in text) is (case == "unrecorded") and (_NOT_AT_HAND in text) is (case == "own"), text
    assert ("This account was among the bot model's training accounts" in text) is (case == "shipped"), text


@pytest.mark.parametrize("case", ["own", "unrecorded"])
def test_evaluate_accounts_says_why_the_training_flags_are_unknown(scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """`evaluate-accounts` took a study that does not record its model for the shipped one, and
    once its flags were unknown it would have blamed a model file not at hand: each cause in its own words."""
    from testsupport.terminal import flat, wide_consoles

    wide_consoles(monkeypatch)
    study = _as_scored_by(scored, tmp_path, case)
    labels = tmp_path / "labels.csv"
    labels.write_text("account_id,bot\n14291684,0\n547953114,1\n19397942,0\n")
    res = CliRunner().invoke(app, ["evaluate-accounts", str(study), str(labels)])
    text = flat(res.output)
    assert "is unknown" in text and (_ANALYZE_AGAIN in text) is (case == "unrecorded") and (_NOT_AT_HAND in text) is (case == "own"), text
