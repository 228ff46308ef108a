"""The creation stage's note on accounts without a creation date names the reason their platform
has: a Bluesky study read "(the IRA/FiveThirtyEight files carry none; Twitter v1.1 and v2 data
do)", when Bluesky's posts and events carry no account creation date at all."""

from __future__ import annotations

from pathlib import Path

from botwatch.study import open_study
from botwatch.timeline.stages import _undated_why


def test_the_undated_note_names_each_platforms_reason(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TEMP TABLE _tl_pop (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, created_late BOOLEAN DEFAULT false, day_unknown BOOLEAN DEFAULT false)")
        st.sql("INSERT INTO _tl_pop (platform, account_id, created_at) VALUES ('bluesky', 'did:plc:a', NULL), ('mastodon', 'https://m/@b', TIMESTAMP '2017-01-01')")
        assert _undated_why(st) == "Bluesky's posts and events carry no account creation date"
        st.sql("INSERT INTO _tl_pop (platform, account_id, created_at) VALUES ('twitter', '1', NULL)")
        st.sql("INSERT INTO _tl_pop VALUES ('x', '2', NULL, true, false)")  # a creation date that cannot be right: not said to be missing
        said = _undated_why(st)
        assert said.startswith("Bluesky's posts and events carry no account creation date; the IRA/FiveThirtyEight files carry none")
        assert said.count("IRA/FiveThirtyEight") == 1


def test_accounts_of_a_mapped_csv_are_told_the_column_it_lacks(tmp_path: Path) -> None:
    """A user's own CSV layout without an `account_created_at` column read "the IRA/FiveThirtyEight
    files carry none; Twitter v1.1 and v2 data do": files they never read."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TEMP TABLE _tl_pop (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, created_late BOOLEAN DEFAULT false, day_unknown BOOLEAN DEFAULT false)")
        st.sql("INSERT INTO _tl_pop (platform, account_id, created_at) VALUES ('twitter', '1', NULL)")
        st.sql("INSERT INTO posts (platform, post_id, account_id, source_format) VALUES ('twitter', 'p1', '1', 'csv-mapped')")
        assert _undated_why(st) == "the CSV files read with --columns map no account_created_at column for these accounts"
        st.sql("INSERT INTO _tl_pop (platform, account_id, created_at) VALUES ('twitter', '2', NULL)")
        st.sql("INSERT INTO posts (platform, post_id, account_id, source_format) VALUES ('twitter', 'p2', '2', 'ira-538-tweets')")
        assert _undated_why(st) == ("the IRA/FiveThirtyEight files carry none, nor do the CSV files read with --columns without an "
                                    "account_created_at column")


def test_a_mastodon_creation_day_holding_the_call_is_neither_before_nor_after_it(tmp_path: Path) -> None:
    """Mastodon gives the day an account was made, as midnight UTC. us-2016 was called on
    2015-06-16, whose New York midnight is 04:00 UTC: an account made that UTC day (20 of its 24
    hours after the call) read "not created after the election was called", in its signal and in
    the creation shares. Such an account is unknown, left out of the shares and said so."""
    import json

    import duckdb
    from typer.testing import CliRunner

    from botwatch.cli import app

    lines = []
    for i, (user, made) in enumerate({"a": "2015-06-16", "b": "2015-06-17", "c": "2015-06-15"}.items()):
        acct = {"id": str(i), "username": user, "acct": user, "url": f"https://ex.social/@{user}", "created_at": f"{made}T00:00:00.000Z",
                "followers_count": 10, "following_count": 3, "statuses_count": 99}
        lines += [{"id": f"{i}{k}", "uri": f"https://ex.social/users/{user}/statuses/{i}{k}", "created_at": f"2016-10-2{k}T15:00:00.000Z",
                   "content": "<p>Vote Trump #Election2016</p>", "language": "en", "account": acct, "reblog": None, "tags": [{"name": "election2016"}]}
                  for k in range(3)]
    src, study = tmp_path / "m.jsonl", tmp_path / "m.duckdb"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(study), str(src)]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "-e", "us-2016", "--only", "content", "--only", "accounts", "--only", "creation"])
    assert res.exit_code == 0, res.output
    with duckdb.connect(str(study), read_only=True) as db:
        signal = dict(db.sql("SELECT a.handle, f.created_after_trigger FROM accounts a JOIN account_features f USING (platform, account_id)").fetchall())
        after, dated = db.sql("SELECT group_after, group_n FROM creation WHERE dimension = 'all'").fetchall()[0]
        notes = [n for (n,) in db.sql("SELECT note FROM timeline_notes WHERE stage = 'creation'").fetchall()]
    assert signal == {"a": None, "b": True, "c": False}
    assert (after, dated) == (1, 2)
    assert len(notes) == 1 and notes[0].startswith("1 of 3 accounts posting in the window is a Mastodon account made on 2015-06-16 (a UTC day)"), notes
    assert "before or after the call is unknown" in notes[0]


def test_the_creation_headline_counts_a_mastodon_day_holding_the_call_as_the_stage_does(tmp_path: Path) -> None:
    """The creation stage leaves a Mastodon creation day holding the call out of the shares
    (`DAY_HOLDS_TRIGGER`), but the headline's count of undated accounts read it as dated: "1 of
    the 4 likely automated accounts … have no creation date" beside shares of 2 dated accounts,
    one account in neither. Dated and undated now add up to the accounts the headline names."""
    from datetime import datetime

    import pyarrow as pa

    from botwatch.pipeline import Context, analyze
    from botwatch.report.sections import render
    from botwatch.timeline.groups import AUTOMATED, GROUPS_TABLE, NOT_AUTOMATED
    from botwatch.timeline.report import creation_block
    from tests.test_timeline import election, write_posts

    el = election()  # Europe/London, called 2017-04-18: the call's day starts 2017-04-17 23:00 UTC
    accounts = [("a1", datetime(2017, 4, 17), AUTOMATED), ("a2", datetime(2017, 5, 1), AUTOMATED), ("a3", datetime(2016, 1, 1), AUTOMATED),
                ("a4", None, AUTOMATED), ("h1", datetime(2015, 1, 1), NOT_AUTOMATED), ("h2", datetime(2017, 4, 25), NOT_AUTOMATED)]
    with open_study(tmp_path / "m.duckdb", read_only=False) as st:
        write_posts(st, [dict(post_id=f"p{a}", platform="mastodon", account_id=a, created_at=datetime(2017, 5, 2), kind="original") for a, _, _ in accounts])
        st.con.register("_a", pa.Table.from_pylist([dict(account_id=a, platform="mastodon", created_at=c) for a, c, _ in accounts]))
        st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT * FROM _a")
        st.con.unregister("_a")
        st.sql(f"CREATE TABLE {GROUPS_TABLE} (platform VARCHAR, account_id VARCHAR, dimension VARCHAR, value VARCHAR)")
        st.sql(f"INSERT INTO {GROUPS_TABLE} VALUES " + ", ".join(f"('mastodon', '{a}', 'automated', '{g}')" for a, _, g in accounts))
        analyze(st, Context(election=el, log=lambda m: None), only=["creation"])
        block = creation_block(st, el)
    row = next(r for r in block["rows"] if r[0] == "automated" and r[1] == AUTOMATED)
    undated = block["undated_automated"]
    assert row[2] == 2 and undated == (2, 4, 0, 1)
    assert row[2] + undated[0] == undated[1]
    text = " ".join(str(render("time_headline.html.j2", kind="creation", r=row, trigger=block["trigger"], population=block["population"], undated=undated)).split())
    assert ("2 of the 4 likely automated accounts that posted in the window (50%) have no creation date, or only a Mastodon creation day "
            "that holds the start of the day the election was called (1), so made before or after the call is unknown, and are not in these shares.") in text, text
