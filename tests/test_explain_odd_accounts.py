"""`botwatch explain` and `botwatch accounts` on odd accounts of a small mapped-CSV study: a
creation date after the account's posts, one in the future, a profile with no fields, an account
seen only as the author of posts others retweeted."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()
FIELDS = ("post_id", "account_id", "handle", "created_at", "text", "kind", "ref_post_id", "ref_account_id", "ref_handle",
          "display_name", "location", "account_created_at", "followers", "following", "posts_count", "lang")
START = datetime(2017, 5, 20, 9)  # inside uk-ge2017's window, called on 2017-04-18


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    full = dict(display_name="Alice A", location="London", followers="120", following="300", posts_count="5000", lang="en")

    def add(aid: str, handle: str, n: int, created: str, **kw: str) -> None:
        for i in range(n):
            rows.append({"post_id": f"p{aid}-{i}", "account_id": aid, "handle": handle,
                         "created_at": (START + timedelta(hours=9 * i)).isoformat() + "Z", "text": f"{handle} says {i}",
                         "kind": "original", "account_created_at": created, **full, **kw})

    add("100", "alice", 4, "2015-03-01T10:00:00Z")
    add("500", "latecomer", 4, "2017-06-01T00:00:00Z")  # created days after its last post here
    add("600", "futurist", 4, "2031-01-01T00:00:00Z")
    add("800", "midway", 4, "2017-05-20T20:00:00Z")  # created between its first and its second post
    add("700", "bare", 4, "", display_name="", location="", followers="", following="", posts_count="")
    add("200", "rtonly", 4, "2015-03-01T10:00:00Z", kind="retweet", ref_post_id="c1", ref_account_id="300", ref_handle="CarolRT")
    return rows


@pytest.fixture(scope="module")
def odd_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("odd")
    src, study = d / "odd.csv", d / "odd.duckdb"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, restval="")
        w.writeheader()
        w.writerows(_rows())
    res = runner.invoke(app, ["ingest", str(study), str(src), "--columns", ",".join(f"{f}={f}" for f in FIELDS)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["analyze", str(study), "-e", "uk-ge2017", "--only", "accounts", "--only", "creation"])
    assert res.exit_code == 0, res.output
    return study


def _explain(study: Path, who: str, *more: str) -> str:
    res = runner.invoke(app, ["explain", str(study), who, *more], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    return res.stdout


def test_a_creation_date_after_the_posts_is_said_not_called_missing(odd_study: Path) -> None:
    """@latecomer's export gives a creation date days after its posts: its age is unknown, and the
    bot probability with it, but explain said "no profile facts the model reads (account age, ...)
    in the data", as of an account whose export gives none (@bare, which keeps that sentence)."""
    for who in ("latecomer", "futurist", "midway"):
        said = _explain(odd_study, who)
        assert "Bot probability: unknown" in said
        assert "creation date is later than the study first saw the account" in said, said
        assert "no profile facts the model reads" not in said, said
    said = _explain(odd_study, "bare")
    assert "no profile facts the model reads" in said and "creation date" not in said


def test_a_creation_date_after_the_posts_is_no_creation_after_the_call(odd_study: Path) -> None:
    """@futurist (created 2031) and @latecomer (created after its posts) were "created after the
    election was called" in explain's signals and in the report's creation shares: a date that
    cannot be right is left out of both, and the creation note says how many and why."""
    from botwatch.study import open_study

    for who in ("latecomer", "futurist", "midway"):
        got = json.loads(_explain(odd_study, who, "--json"))
        assert not any("created after the election was called" in s for s in got["signals"] + got["bot"]["evidence"]), got
    with open_study(odd_study, read_only=True) as st:
        n, after = st.sql("SELECT group_n, group_after FROM creation WHERE dimension = 'all'")[0]
        notes = [r[0] for r in st.sql("SELECT note FROM timeline_notes WHERE stage = 'creation'")]
        flagged = st.sql("SELECT count(*) FILTER (WHERE created_after_trigger), count(created_after_trigger) FROM account_features")[0]
    assert (n, after) == (2, 0)  # alice and rtonly, both created in 2015
    assert tuple(flagged) == (0, 2)
    assert any(note.startswith("1 of 6 accounts") and "no creation date" in note for note in notes), notes  # bare
    assert any(note.startswith("3 of 6 accounts") and "later than the study first saw them" in note for note in notes), notes


def test_the_creation_headline_counts_impossible_creation_dates_as_left_out() -> None:
    """The headline's count of likely automated accounts left out of the shares named only those
    without a creation date: one whose date is later than the study first saw it is left out too."""
    from botwatch.report.sections import render

    r = ("automated", "likely_automated", 7, 2, 0.28, 0.1, 0.6, 30, 0.5, 0.33, 0.67, -0.2, -0.5, 0.1)
    text = " ".join(str(render("time_headline.html.j2", kind="creation", r=r, trigger="2017-04-18", population="posted in the election window",
                                undated=(3, 10, 1))).split())
    assert ("3 of the 10 likely automated accounts that posted in the window (30%) have no creation date, or one later than the study "
            "first saw them (1), which cannot be right, and are not in these shares.") in text, text


def test_an_account_ingested_after_the_accounts_stage_is_said_not_scored(odd_study: Path, tmp_path: Path) -> None:
    """An account whose posts were ingested after `analyze` was explained as "0 posts in the study",
    bot and origin "unknown", and `--json` gave "n_posts": 0 (documented as an account that posted
    nothing), though it had posts: it is not scored yet, and the commands say so."""
    import shutil

    study = tmp_path / "s.duckdb"
    shutil.copy(odd_study, study)
    new = tmp_path / "new.csv"
    new.write_text("post_id,account_id,handle,created_at,text\nn1,1000,newbie,2017-05-22T10:00:00Z,hello\n"
                   "n2,1000,newbie,2017-05-22T11:00:00Z,again\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(study), str(new), "--columns", "post_id=post_id,account_id=account_id,handle=handle,created_at=created_at,text=text"])
    assert res.exit_code == 0, res.output
    said = " ".join(_explain(study, "@newbie").split())
    assert "2 posts in the study" in said and "Not scored: the accounts stage last ran before this account was ingested" in said, said
    res = runner.invoke(app, ["explain", str(study), "newbie", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["n_posts"] == 2 and "no scores" in res.stderr
    res = runner.invoke(app, ["accounts", str(study), "--json"])
    assert {a["handle"]: a["n_posts"] for a in json.loads(res.stdout)}["newbie"] == 2
    res = runner.invoke(app, ["accounts", str(study), "--sort", "handle"], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert any(line.startswith("│ @newbie") and "│     2 │" in line for line in res.stdout.splitlines()), res.stdout
    assert "1 account shown has no scores" in " ".join(res.stderr.split())
    # A scored account is told as before.
    assert "Not scored" not in _explain(study, "alice")


@pytest.mark.parametrize("as_json", [False, True])
def test_an_account_only_retweeted_is_said_to_appear_only_in_others_posts(odd_study: Path, as_json: bool) -> None:
    """@CarolRT has no posts or profile of its own, only 4 retweets of its posts by @rtonly: explain
    said "no account @CarolRT", as of a name the study never saw; asked by its id it said
    "no account @300", naming a handle no one has."""
    more = ["--json"] if as_json else []
    for who, name in (("@CarolRT", "@CarolRT"), ("carolrt", "'carolrt' (as handle or account id)"), ("300", "'300' (as handle or account id)")):
        res = runner.invoke(app, ["explain", str(odd_study), who, *more], env={"COLUMNS": "400"})
        assert res.exit_code == 2, res.output
        said = " ".join(res.output.split())
        assert f"no account {name} in" in said and "it appears only in other accounts' posts" in said and "(4 retweets)" in said, said
        assert "Traceback" not in said
    res = runner.invoke(app, ["explain", str(odd_study), "@nobody", *more])
    assert res.exit_code == 2 and "no account @nobody in" in res.output and "appears only" not in res.output


def test_no_such_account_with_json_prints_the_close_handles_as_json(tmp_path: Path) -> None:
    """`explain @ten_gop1 --json` left stdout empty: a script had only the error line's text to find
    the close handles in. Stdout is now one object with them raw (JSON escapes a handle's ESC or
    U+202E), stderr the error line with them escaped; exit 2 as before."""
    study = _handmade(tmp_path, "('twitter', '1', 'TEN_GOP', NULL, NULL, NULL, NULL, NULL, NULL, 5), "
                                "('twitter', '2', e'ten_gop\\x1b', NULL, NULL, NULL, NULL, NULL, NULL, 3), "
                                "('twitter', '3', 'alice', NULL, NULL, NULL, NULL, NULL, NULL, 1)")
    res = runner.invoke(app, ["explain", str(study), "@ten_gop1", "--json"], env={"COLUMNS": "400"})
    assert res.exit_code == 2, res.output
    assert json.loads(res.stdout) == {"shape": "botwatch-no-account/1", "error": "no account", "asked": "@ten_gop1",
                                      "close_handles": ["TEN_GOP", "ten_gop\x1b"]}
    assert "\x1b" not in res.stdout and "\\u001b" in res.stdout
    said = " ".join(res.stderr.split())
    assert "\x1b" not in res.stderr and "no account @ten_gop1 in" in said and "did you mean @TEN_GOP, @ten_gop\\x1b?" in said, said
    res = runner.invoke(app, ["explain", str(study), "@zzzzzzzz", "--json"])
    assert res.exit_code == 2 and json.loads(res.stdout)["close_handles"] == [], res.output


def test_no_such_account_with_json_looks_up_the_close_handles_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`explain @ten_gop1 --json` ran the close-handle query (every handle of the study) twice: once
    for the JSON object, once for the error line. It runs once, and both still name them."""
    import botwatch.cli.accounts as accounts_cli

    study = _handmade(tmp_path, "('twitter', '1', 'TEN_GOP', NULL, NULL, NULL, NULL, NULL, NULL, 5)")
    asked: list[str] = []
    real = accounts_cli.close_handles

    def counted(st: object, key: str, *args: object) -> list[str]:
        asked.append(key)
        return real(st, key, *args)

    monkeypatch.setattr(accounts_cli, "close_handles", counted)
    res = runner.invoke(app, ["explain", str(study), "@ten_gop1", "--json"], env={"COLUMNS": "400"})
    assert res.exit_code == 2 and json.loads(res.stdout)["close_handles"] == ["TEN_GOP"], res.output
    assert "did you mean @TEN_GOP?" in " ".join(res.stderr.split()) and asked == ["ten_gop1"], (asked, res.output)

def test_no_such_account_with_json_lists_only_the_handles_the_error_line_offers(tmp_path: Path) -> None:
    """Where the error line names Mastodon accounts the name may mean (and no "did you mean"), the
    JSON object listed close handles all the same, as none of the error line's, unlike
    `api.account`'s `NoSuchAccount`: it lists what the line offers, here none."""
    study = _handmade(tmp_path, "('mastodon', 'https://b.social/@alice', 'alice@b.social', NULL, NULL, NULL, NULL, NULL, NULL, 5), "
                                "('twitter', '2', 'alicex', NULL, NULL, NULL, NULL, NULL, NULL, 3)")
    res = runner.invoke(app, ["explain", str(study), "@alice", "--json"], env={"COLUMNS": "400"})
    said = " ".join(res.stderr.split())
    assert res.exit_code == 2 and "Mastodon accounts it may mean" in said and "did you mean" not in said, said
    assert json.loads(res.stdout)["close_handles"] == []


def _handmade(tmp_path: Path, rows: str) -> Path:
    """A study holding only an `accounts_scored` table of `rows` (SQL VALUES)."""
    from botwatch.study import Study

    study = tmp_path / "m.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT * FROM (VALUES " + rows + ") t(platform, account_id, handle, bot_probability, bot_evidence, "
               "origin_country, origin_probability, origin_probabilities, origin_evidence, n_posts)")
    return study


@pytest.mark.parametrize("as_json", [False, True])
def test_a_mastodon_account_is_found_by_its_handle_with_its_instance(tmp_path: Path, as_json: bool) -> None:
    """Collected from mastodon.social, its own accounts' handles (`acct`) carry no domain: "alice".
    Asked as "@alice@mastodon.social", as the fediverse writes it, explain found no account; the
    "alice" of another instance is not that account."""
    study = _handmade(tmp_path, "('mastodon', 'https://mastodon.social/@alice', 'alice', 0.2::DOUBLE, NULL, NULL, NULL, NULL, NULL, 3), "
                                "('mastodon', 'https://other.example/@alice', 'alice', 0.3::DOUBLE, NULL, NULL, NULL, NULL, NULL, 9), "
                                "('mastodon', 'https://fosstodon.org/@bob', 'bob@fosstodon.org', 0.4::DOUBLE, NULL, NULL, NULL, NULL, NULL, 2)")
    more = ["--json"] if as_json else []
    for who, aid in (("@alice@mastodon.social", "https://mastodon.social/@alice"), ("alice@Mastodon.Social", "https://mastodon.social/@alice"),
                     ("@bob@fosstodon.org", "https://fosstodon.org/@bob"), ("https://other.example/@alice", "https://other.example/@alice")):
        res = runner.invoke(app, ["explain", str(study), who, *more], env={"COLUMNS": "400"})
        assert res.exit_code == 0, res.output
        assert (json.loads(res.stdout)["account_id"] if as_json else res.stdout.split("\n")[0].split(" ")[2].rstrip(");")) == aid, res.stdout
        assert "accounts answer to" not in res.output  # the other instance's alice is not asked for
    res = runner.invoke(app, ["explain", str(study), "@alice@elsewhere.example", *more])
    assert res.exit_code == 2 and "no account @alice@elsewhere.example" in res.output


@pytest.mark.parametrize("as_json", [False, True])
def test_a_bare_mastodon_name_of_several_instances_is_said_ambiguous_with_its_candidates(tmp_path: Path, as_json: bool) -> None:
    """`explain @alice` showed the study's local alice with no word of alice@b.social beside it, and
    in a study holding only alice@a.social and alice@b.social said "no account @alice"; asked as
    @alice@a.social, a local alice whose id names no instance was not mentioned either."""
    more = ["--json"] if as_json else []

    def ask(study: Path, who: str) -> Any:
        return runner.invoke(app, ["explain", str(study), who, *more], env={"COLUMNS": "400"})

    local = _handmade(tmp_path, "('mastodon', 'https://a.social/@alice', 'alice', 0.2::DOUBLE, NULL, NULL, NULL, NULL, NULL, 3), "
                                "('mastodon', 'https://b.social/@alice', 'alice@b.social', 0.3::DOUBLE, NULL, NULL, NULL, NULL, NULL, 9)")
    res = ask(local, "@alice")
    assert res.exit_code == 0 and "https://a.social/@alice" in res.stdout, res.output  # the exact handle, as before
    assert "'alice' is ambiguous on Mastodon" in res.stderr and "@alice@b.social (https://b.social/@alice)" in res.stderr, res.stderr
    assert "ambiguous" not in ask(local, "@alice@b.social").stderr  # named with its instance: one account

    (tmp_path / "two").mkdir()
    remote = _handmade(tmp_path / "two", "('mastodon', 'https://a.social/@alice', 'alice@a.social', 0.2::DOUBLE, NULL, NULL, NULL, NULL, NULL, 3), "
                                         "('mastodon', 'https://b.social/@alice', 'alice@b.social', 0.3::DOUBLE, NULL, NULL, NULL, NULL, NULL, 9)")
    res = ask(remote, "@alice")
    assert res.exit_code == 2 and "no account @alice in" in res.output, res.output
    assert "Mastodon accounts it may mean: @alice@b.social (https://b.social/@alice), @alice@a.social (https://a.social/@alice)" in res.output

    (tmp_path / "three").mkdir()
    no_url = _handmade(tmp_path / "three", "('mastodon', '1093', 'alice', 0.2::DOUBLE, NULL, NULL, NULL, NULL, NULL, 3)")
    res = ask(no_url, "@alice@a.social")
    assert res.exit_code == 2 and "@alice (account id 1093, its instance not recorded)" in res.output, res.output


def test_the_listing_names_a_local_mastodon_handle_with_its_instance(tmp_path: Path) -> None:
    """A study of captures from two instances holds each one's local alice as "alice": `accounts`
    listed two rows of "@alice", which no reader could tell apart nor ask `explain` for."""
    study = _handmade(tmp_path, "('mastodon', 'https://a.social/@alice', 'alice', 0.2::DOUBLE, NULL, NULL, NULL, NULL, NULL, 3), "
                                "('mastodon', 'https://b.social/@alice', 'alice', 0.3::DOUBLE, NULL, NULL, NULL, NULL, NULL, 9), "
                                "('mastodon', '77', 'bob', 0.1::DOUBLE, NULL, NULL, NULL, NULL, NULL, 2), "
                                "('twitter', '5', 'carol', 0.05::DOUBLE, NULL, NULL, NULL, NULL, NULL, 2)")
    res = runner.invoke(app, ["accounts", str(study)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    shown = [line.split("│")[1].strip() for line in res.stdout.splitlines() if line.startswith("│")]
    assert shown == ["@alice@b.social", "@alice@a.social", "@bob", "@carol"], shown  # no URL, no instance to name
    for who in shown[:2]:
        res = runner.invoke(app, ["explain", str(study), who], env={"COLUMNS": "400"})
        assert res.exit_code == 0  # each one asked as listed
        # and named as listed: both were "@alice (mastodon https://...)", the listing's "@alice@a.social" nowhere
        assert res.stdout.startswith(f"{who} (mastodon https://{who.split('@')[2]}/@alice)"), res.stdout


def test_sort_by_handle_ignores_case(tmp_path: Path) -> None:
    """`--sort handle` listed "@Bob", "@Zed" before "@alice": upper case first, as bytes sort."""
    study = _handmade(tmp_path, "('twitter', '1', 'alice', 0.2::DOUBLE, NULL, NULL, NULL, NULL, NULL, 3), "
                                "('twitter', '2', 'Zed', 0.3::DOUBLE, NULL, NULL, NULL, NULL, NULL, 9), "
                                "('twitter', '3', 'Bob', 0.4::DOUBLE, NULL, NULL, NULL, NULL, NULL, 2), "
                                "('bluesky', 'did:plc:x', NULL, 0.4::DOUBLE, NULL, NULL, NULL, NULL, NULL, 2)")
    res = runner.invoke(app, ["accounts", str(study), "--sort", "handle"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    shown = [line.split("│")[1].strip() for line in res.stdout.splitlines() if line.startswith("│")]
    assert shown == ["@alice", "@Bob", "@Zed", "did:plc:x"], shown
    res = runner.invoke(app, ["accounts", str(study), "--sort", "handle", "--json"])
    assert [a["handle"] for a in json.loads(res.stdout)] == ["alice", "Bob", "Zed", None]


def test_the_python_api_counts_the_posts_of_an_account_not_scored_yet(odd_study: Path, tmp_path: Path) -> None:
    """`botwatch.account` gave "n_posts": 0 for an account ingested after the accounts stage, as
    `explain --json` did."""
    import shutil

    from botwatch import api

    study = tmp_path / "s.duckdb"
    shutil.copy(odd_study, study)
    new = tmp_path / "new.csv"
    new.write_text("post_id,account_id,handle,created_at,text\nn1,1000,newbie,2017-05-22T10:00:00Z,hello\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(study), str(new), "--columns", "post_id=post_id,account_id=account_id,handle=handle,created_at=created_at,text=text"])
    assert res.exit_code == 0, res.output
    got = api.account(study, "@newbie")
    assert got["n_posts"] == 1 and got["bot"]["probability"] is None


def test_a_handle_written_with_its_at_is_stored_without_it(tmp_path: Path) -> None:
    """A listening tool's export writes handles as "@AtAlice": the handle was stored so, listed as
    "@@AtAlice", and `explain STUDY @AtAlice` found no account, though the mentions and the account
    key of the same export drop the "@"."""
    from botwatch.study import open_study

    src, study = tmp_path / "at.csv", tmp_path / "at.duckdb"
    src.write_text("post_id,account_id,handle,created_at,text,ref_handle,kind\n"
                   "z1,5000,@AtAlice,2017-05-22T10:00:00Z,hello,,original\n"
                   "z2,5001,bob,2017-05-22T10:00:00Z,well said,@AtAlice,retweet\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(study), str(src), "--columns",
                              "post_id=post_id,account_id=account_id,handle=handle,created_at=created_at,text=text,ref_handle=ref_handle,kind=kind"])
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        assert st.sql("SELECT handle FROM accounts WHERE account_id = '5000'")[0][0] == "AtAlice"
        assert st.sql("SELECT ref_handle FROM posts WHERE post_id = 'z2'")[0][0] == "AtAlice"
    assert runner.invoke(app, ["analyze", str(study), "--no-election", "--only", "accounts"]).exit_code == 0
    assert _explain(study, "@AtAlice").startswith("@AtAlice (twitter 5000)")


def test_scores_older_than_the_posts_are_said_to_be(odd_study: Path, tmp_path: Path) -> None:
    """Posts ingested after `analyze`: `status` and `report` warn that the analysis is stale, but
    explain and accounts showed the old scores and post counts without a word (@alice "4 posts in
    the study" beside an "In the study" line counted from 5)."""
    import shutil

    fresh = " ".join(runner.invoke(app, ["explain", str(odd_study), "alice"]).output.split())
    assert "after the accounts stage last ran" not in fresh
    study = tmp_path / "s.duckdb"
    shutil.copy(odd_study, study)
    new = tmp_path / "more.csv"
    new.write_text("post_id,account_id,handle,created_at,text\nm1,100,alice,2017-05-25T10:00:00Z,one more\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(study), str(new), "--columns", "post_id=post_id,account_id=account_id,handle=handle,created_at=created_at,text=text"])
    assert res.exit_code == 0, res.output
    for args in (["explain", str(study), "alice"], ["explain", str(study), "alice", "--json"], ["accounts", str(study)], ["accounts", str(study), "--json"]):
        res = runner.invoke(app, args, env={"COLUMNS": "300"})
        assert res.exit_code == 0, res.output
        said = " ".join(res.stderr.split())
        assert "1 post was ingested" in said and "after the accounts stage last ran: the scores and counts shown do not include them" in said, said
    json.loads(runner.invoke(app, ["explain", str(study), "alice", "--json"]).stdout)  # stdout stays the JSON


def test_explain_measures_foreign_origin_against_the_country_the_scores_were_made_for(odd_study: Path, tmp_path: Path) -> None:
    """Scored for uk-ge2017, then `analyze -e us-2016 --only coordination`: `explain` measured
    P(outside US) on distributions made with GB's prior (its `--json` kept GB), so the text and
    the JSON of one account disagreed on its home and its foreign verdict."""
    import shutil

    study = tmp_path / "s.duckdb"
    shutil.copy(odd_study, study)
    res = runner.invoke(app, ["analyze", str(study), "-e", "us-2016", "--only", "coordination"])
    assert res.exit_code == 0, res.output
    said = " ".join(_explain(study, "alice").split())
    res = runner.invoke(app, ["explain", str(study), "alice", "--json"])
    assert res.exit_code == 0, res.output
    origin = json.loads(res.stdout)["origin"]
    assert origin["home_country"] == "GB"
    assert f"Probability of being run from outside GB: {origin['outside_home_probability']:.2f}" in said, said
    assert "outside US" not in said


def test_no_such_account_says_what_to_try(tmp_path: Path) -> None:
    """`explain STUDY @nosuchhandle` said only "no account @nosuchhandle in STUDY": now it names
    close handles the study holds, or else the command listing its accounts; the handle asked
    for is the user's text, so its control characters are escaped, not sent to the terminal."""
    study = _handmade(tmp_path, "('twitter', '1', 'TEN_GOP', NULL, NULL, NULL, NULL, NULL, NULL, 5), "
                                "('twitter', '2', 'ten_gop2', NULL, NULL, NULL, NULL, NULL, NULL, 3), "
                                "('twitter', '3', 'alice', NULL, NULL, NULL, NULL, NULL, NULL, 1)")
    res = runner.invoke(app, ["explain", str(study), "@ten_go"], env={"COLUMNS": "400"})
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "no account @ten_go in" in said and "did you mean @TEN_GOP, @ten_gop2?" in said, said
    res = runner.invoke(app, ["explain", str(study), "@zzzz\x1b[31m"], env={"COLUMNS": "400"})
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "\x1b" not in res.output and "no account @zzzz\\x1b[31m in" in said, said
    assert "did you mean" not in said and f"List the study's accounts with `botwatch accounts {study} --sort handle`" in said, said
