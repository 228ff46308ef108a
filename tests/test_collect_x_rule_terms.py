"""X stream rules: a user's keyword or hashtag is one term of the rule, whatever it holds. A
keyword that reads as rule syntax (`OR`, `-brexit`, `lang:en`, a parenthesis, a backslash before a
quote) is sent as a quoted phrase, so it cannot negate, join, group or end the terms around it."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from botwatch.collect.filters import PostFilter, x_rules
from testsupport.collect_fakes import THREE_PLATFORMS_ELECTION, FakeHttp, HttpRequest, HttpWriter, x_rules_server


def _terms(rule: str) -> list[str]:
    """The rule's top-level terms as X reads them: a quoted phrase ends at a quote not escaped by a
    backslash; `OR` between terms joins them. Raises on an unterminated phrase or a bare group."""
    terms, i = [], 0
    while i < len(rule):
        if rule[i] == " ":
            i += 1
            continue
        if rule[i] == '"':
            j = i + 1
            while j < len(rule) and rule[j] != '"':
                j += 2 if rule[j] == "\\" else 1
            assert j < len(rule), f"unterminated phrase in {rule!r}"
            terms.append(rule[i:j + 1])
            i = j + 1
        else:
            m = re.match(r"[^\s\"]+", rule[i:])
            assert m is not None
            terms.append(m.group(0))
            i += m.end()
    return terms


@pytest.mark.parametrize("keyword", ["OR", "AND", "NOT", "-brexit", "lang:en", "from:someone", "(vote", "vote)", "a\\b", "back\\",
                                     'x\\" OR y', "say \\"])
def test_a_keyword_is_one_term_of_the_rule(keyword: str) -> None:
    (rule, _), = x_rules(PostFilter(keywords=("labour", keyword, "tories"))).rules
    terms = _terms(rule)
    # three terms joined by OR: none of them an operator, a negation or a group
    assert terms[1::2] == ["OR", "OR"] and len(terms) == 5, rule
    assert all((re.fullmatch(r"\w+", t) and t not in ("OR", "AND", "NOT")) or (t.startswith('"') and t.endswith('"')) for t in terms[::2]), rule
    # a backslash only ever escapes a quote: read either way (escaping only quotes, or any
    # character), the phrases are the same
    assert not re.search(r'\\(?!")', rule), rule


def test_plain_words_hashtags_and_phrases_keep_their_rules() -> None:
    packed = x_rules(PostFilter(hashtags=("GE2017",), keywords=("vote", "theresa may", "#ukip", "@UKLabour")))
    assert packed.rules == [('#GE2017 OR vote OR "theresa may" OR #ukip OR @UKLabour', "botwatch:1")]


def test_a_hashtag_that_reads_as_syntax_is_one_term() -> None:
    (rule, _), = x_rules(PostFilter(hashtags=("GE2017)", 'a"b'), keywords=("x",))).rules
    assert _terms(rule)[1::2] == ["OR", "OR"] and len(_terms(rule)) == 5, rule


def test_the_rules_sent_to_the_server_hold_each_keyword_as_a_phrase(tmp_path: Path) -> None:
    """Through the CLI to a fake X on 127.0.0.1: `--keyword OR --keyword -brexit` was sent as the
    rule `labour OR OR OR -brexit`."""
    from botwatch.cli import app

    added: list[dict] = []
    route = x_rules_server(added, "labour")

    res = None
    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "cap"), "--stream", "--keyword", "labour", "--keyword", "OR", "--keyword", "-brexit",
                                       "--base-url", srv.url, "--max-posts", "1", "--duration", "5s", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 0, res.output
    assert added == [{"add": [{"value": 'labour OR "OR" OR "-brexit"', "tag": "botwatch:1"}]}]




def test_handles_of_other_platforms_are_left_out_of_the_x_rules_and_said_so(tmp_path: Path) -> None:
    """An election file's Bluesky and Mastodon handles became `(from:red.bsky.social OR
    @red.bsky.social)`, a rule X does not take; they are left out, with their own reason (not the
    "did not fit" line, which would have the user raise --max-rule-length)."""
    from botwatch.cli import app

    added: list[dict] = []
    route = x_rules_server(added, "#VoteRed")

    election = tmp_path / "toy.toml"
    election.write_text(THREE_PLATFORMS_ELECTION, encoding="utf-8")
    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "cap"), "--stream", "--election", str(election),
                                       "--base-url", srv.url, "--max-posts", "1", "--duration", "5s", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 0, res.output
    assert added == [{"add": [{"value": "#VoteRed OR (from:RedParty OR @RedParty)", "tag": "botwatch:1"}]}]
    assert "2 handle(s) left out of the X rules as they name no X account" in res.output, res.output
    assert "red.bsky.social, red@server.social" in res.output and "did not fit" not in res.output
    assert x_rules(PostFilter(handles=("some-name", "ok_1"))).not_x == ["some-name"]


def test_an_election_naming_only_accounts_of_other_platforms_is_no_x_filter(tmp_path: Path) -> None:
    """With its handles left out, such an election left no rule: the stream would send nothing."""
    from botwatch.cli import app

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(200, b'{"data": []}' if req.method == "GET" else b'{"meta": {}}')

    election = tmp_path / "toy.toml"
    election.write_text(THREE_PLATFORMS_ELECTION.replace('hashtags_pro = ["#VoteRed"]\n', "").replace('"@RedParty", ', ""), encoding="utf-8")
    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "cap"), "--stream", "--election", str(election),
                                       "--base-url", srv.url, "--max-posts", "1", "--duration", "5s", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 2, res.output
    assert "no term of the filter can be an X rule" in res.output and "Traceback" not in res.output


def test_terms_that_only_did_not_fit_say_to_raise_the_limits(tmp_path: Path) -> None:
    """`--max-rule-length 5` fits no hashtag: the run ended with "give X handles, --hashtag or
    --keyword" to a user who had given --hashtag; the limits are what to change."""
    from botwatch.cli import app

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(200, b'{"data": []}' if req.method == "GET" else b'{"meta": {}}')

    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "cap"), "--stream", "--hashtag", "GE2017", "--max-rule-length", "5",
                                       "--base-url", srv.url, "--duration", "5s", "--no-progress"], env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
    assert res.exit_code == 2, res.output
    said = " ".join(res.output.split())
    assert "did not fit in 1000 rules of 5 characters: #GE2017" in said
    assert "raise --max-rule-length (5) or --max-rules (1000)" in said and "give X handles" not in said


def test_a_rule_the_app_already_has_under_another_tag_is_not_added_again(tmp_path: Path) -> None:
    """X takes a rule value once per app (DuplicateRule): a rule `#GE2017` the user made in the
    developer portal made botwatch's add of `#GE2017` fail, and the run ended (exit 2) though the
    stream sends that rule's matches anyway."""
    from botwatch.cli import app

    posted: list[dict] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path.endswith("/rules") and req.method == "GET":
            await w.respond(200, orjson.dumps({"data": [{"id": "9", "value": "#GE2017", "tag": "mine"}], "meta": {"result_count": 1}}))
        elif req.path.endswith("/rules"):
            posted.append(orjson.loads(req.body))
            dup = [{"value": r["value"], "id": "9", "title": "DuplicateRule", "type": "https://api.twitter.com/2/problems/duplicate-rules"}
                   for r in posted[-1].get("add", []) if r["value"] == "#GE2017"]
            made = len(posted[-1].get("add", [])) - len(dup)
            await w.respond(201, orjson.dumps({"meta": {"summary": {"created": made, "not_created": len(dup)}}, **({"errors": dup} if dup else {})}))
        else:
            await w.start_stream("application/json")
            await w.chunk(orjson.dumps({"data": {"id": "1", "text": "#GE2017 x"}, "matching_rules": [{"id": "9", "tag": "mine"}]}) + b"\r\n")
            await w.chunk(b"")

    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "cap"), "--stream", "--hashtag", "GE2017",
                                       "--base-url", srv.url, "--max-posts", "1", "--duration", "5s", "--no-progress"],
                                 env={"X_BEARER_TOKEN": "t", "COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert [r["value"] for p in posted for r in p.get("add", [])] == []
    assert "kept 1 post" in res.output
    said = " ".join(res.output.split())
    assert "1 rule(s) of the filter are already rules of the app not made by botwatch, so not added again" in said and "#GE2017" in said
