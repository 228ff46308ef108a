"""Two platforms holding the same account id (one CSV ingested as twitter and as bluesky, the
author column mapped to the id as docs/python-api.md's example maps it): `explain STUDY ID` and
`api.account(study, ID)` said "ask by account id for another", and asking by that id returned the
same account again. `--platform` / `platform=` reach each; the warning gives the exact command or
call, and pasting it works. `api.account` reads a twitter.com profile link as `explain` does."""

from __future__ import annotations

import re
import shlex
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import api
from botwatch.cli import app

runner = CliRunner()
COLS = "account_id=author,handle=author,created_at=posted,text=body"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alice on twitter (2 posts) and on bluesky (1 post), both with account id "alice"."""
    tmp = tmp_path_factory.mktemp("two_platforms")
    (tmp / "tw.csv").write_text("author,posted,body\nalice,2017-05-20T09:15:00Z,hello there\nalice,2017-05-21T09:15:00Z,hi again\n")
    (tmp / "bs.csv").write_text("author,posted,body\nalice,2017-05-22T09:15:00Z,sky post\n")
    path = tmp / "s.duckdb"
    for name, platform in (("tw.csv", "twitter"), ("bs.csv", "bluesky")):
        res = runner.invoke(app, ["ingest", str(path), str(tmp / name), "--columns", COLS, "--platform", platform])
        assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["analyze", str(path), "--only", "accounts"]).exit_code == 0
    return path


def _said(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("as_json", [False, True])
def test_the_warning_gives_a_command_that_reaches_the_other_account(study: Path, as_json: bool) -> None:
    extra = ["--json"] if as_json else []
    res = runner.invoke(app, ["explain", str(study), "alice", *extra], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    said = _said(res.stderr)
    assert "2 accounts answer to 'alice'" in said and "shown is twitter alice" in said, said
    command = re.search(r"`(botwatch explain [^`]*)`", said)
    assert command is not None and "--platform bluesky" in command[1], said
    pasted = runner.invoke(app, shlex.split(command[1])[1:], env={"COLUMNS": "400"})
    assert pasted.exit_code == 0, pasted.output
    if as_json:
        import json

        assert json.loads(pasted.stdout)["platform"] == "bluesky"
    else:
        assert "(bluesky alice); 1 post in the study" in pasted.stdout, pasted.output
    assert "accounts answer to" not in pasted.stderr  # asked on one platform: no other


def test_platform_is_read_in_any_case_and_an_unknown_one_is_refused_with_the_list(study: Path) -> None:
    res = runner.invoke(app, ["explain", str(study), "@alice", "--platform", "Twitter"])
    assert res.exit_code == 0 and "(twitter alice)" in res.stdout and "answer to" not in res.stderr, res.output
    res = runner.invoke(app, ["explain", str(study), "@alice", "--platform", "mastodon"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "holds no account on that platform; its accounts' platforms: bluesky, twitter" in _said(res.stderr), res.output


def test_a_name_asked_on_the_wrong_platform_says_where_it_answers(study: Path) -> None:
    with api.open_study(study, read_only=False) as st:  # bob on twitter alone
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES ('bob', 'twitter', 'bob')")
    # (no posts: `accounts_scored` joins accounts, so bob answers with no scores)
    res = runner.invoke(app, ["explain", str(study), "bob", "--platform", "bluesky"], env={"COLUMNS": "400"})
    assert res.exit_code == 2, res.output
    said = _said(res.stderr)
    assert "no account 'bob' (as handle or account id) on bluesky" in said and f"`botwatch explain {study} bob --platform twitter`" in said, said


def test_api_account_reaches_each_platform_and_its_warning_gives_the_call(study: Path) -> None:
    with pytest.warns(api.AmbiguousAccountWarning) as caught:
        got = api.account(study, "alice")
    w = caught[0].message
    assert got["platform"] == "twitter" and w.others == [("bluesky", "alice")]
    assert "account(study, 'alice', platform='bluesky')" in str(w), str(w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # asked on one platform: one account, no warning
        assert api.account(study, "alice", platform="bluesky")["platform"] == "bluesky"
        assert api.account(study, "@alice", platform="TWITTER")["n_posts"] == 2
    with pytest.raises(ValueError, match=r"platform 'blusky': .*platforms: bluesky, twitter"):
        api.account(study, "alice", platform="blusky")


def test_api_account_reads_a_profile_link_as_explain_json_does(study: Path) -> None:
    import json

    link = "https://twitter.com/alice"
    res = runner.invoke(app, ["explain", str(study), link, "--json"])
    assert res.exit_code == 0 and "read the profile link as @alice" in res.stderr, res.output
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the link names the twitter alice: the bluesky one is not meant
        assert api.account(study, link) == json.loads(res.stdout)
    assert json.loads(res.stdout)["platform"] == "twitter"


def test_an_x_profile_link_names_an_account_stored_as_platform_x() -> None:
    """The X collector stores "x"; a pasted x.com link named only a "twitter" account."""
    from botwatch.accounts.account_key import from_profile_link

    from testsupport.account_rows import AccountRows as Study

    assert from_profile_link(Study([("x", "42", "alice"), ("bluesky", "alice.bsky.social", "alice")]), "https://x.com/alice") == ("alice", "x")


def test_a_profile_link_both_twitter_and_x_accounts_answer_to(tmp_path: Path) -> None:
    """One CSV ingested as twitter and as x: the pasted link's handle answers on both. It said "no
    account 'https://x.com/alice'" (`explain` and `api.account`); now the one with most posts is
    shown and the other named with the command that reaches it."""
    (tmp_path / "tw.csv").write_text("author,posted,body\nalice,2017-05-20T09:15:00Z,hello there\nalice,2017-05-21T09:15:00Z,hi again\n")
    (tmp_path / "x.csv").write_text("author,posted,body\nalice,2017-05-22T09:15:00Z,x post\n")
    path = tmp_path / "s.duckdb"
    for name, platform in (("tw.csv", "twitter"), ("x.csv", "x")):
        assert runner.invoke(app, ["ingest", str(path), str(tmp_path / name), "--columns", COLS, "--platform", platform]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(path), "--only", "accounts"]).exit_code == 0
    res = runner.invoke(app, ["explain", str(path), "https://x.com/alice"], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert "(twitter alice); 2 posts" in res.stdout and "--platform x" in _said(res.stderr), res.output
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert api.account(path, "https://x.com/alice")["platform"] == "twitter"
    assert any("platform='x'" in str(w.message) for w in caught), [str(w.message) for w in caught]
