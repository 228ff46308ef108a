"""`collect mastodon --election` on the public stream (a preset without hashtags): a listed handle
is a term only where it names a Mastodon account, matched on the status's author and mentions
(a Mastodon server shows a mention as "@name" in the text, never "@name@server"). A Twitter
`@RedParty` matched Mastodon text, though `analyze` counts no Mastodon post as naming it."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from botwatch.collect.writer import read_lines
from testsupport.collect_fakes import THREE_PLATFORMS_ELECTION, FakeHttp, HttpRequest, HttpWriter

_NO_TAGS = THREE_PLATFORMS_ELECTION.replace('hashtags_pro = ["#VoteRed"]\n', "")


def _acct(name: str, host: str) -> dict:
    return {"id": name, "username": name, "acct": name if host == "fake.social" else f"{name}@{host}", "url": f"https://{host}/@{name}"}


def _status(i: int, body: str, author: dict, mentions: list[dict]) -> dict:
    return {"id": str(100 + i), "uri": f"https://fake.social/s/{100 + i}", "created_at": "2026-11-30T05:00:00.000Z",
            "content": body, "tags": [], "account": author, "mentions": mentions}


def _collect(tmp_path: Path, election_text: str, statuses: list[dict], max_posts: int, *more: str):  # type: ignore[no-untyped-def]
    from botwatch.cli import app

    election = tmp_path / "toy.toml"
    election.write_text(election_text, encoding="utf-8")

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if "streaming" not in req.path:
            await w.respond(404 if req.path == "/api/v2/instance" else 200, b"[]" if req.path != "/api/v2/instance" else b"{}")
            return
        await w.start_stream("text/event-stream")
        for s in statuses:
            await w.chunk(f"event: update\ndata: {orjson.dumps(s).decode()}\n\n".encode())

    with FakeHttp(route) as srv:
        return CliRunner().invoke(app, ["collect", "mastodon", str(tmp_path / "cap"), "--server", srv.url, "--election", str(election),
                                        *more, "--max-posts", str(max_posts), "--duration", "10s", "--no-progress", "--backoff-scale", "0.01"])


def test_only_mastodon_handles_are_terms_matched_on_author_and_mentions(tmp_path: Path) -> None:
    u, red = _acct("u1", "fake.social"), _acct("red", "server.social")
    statuses = [_status(0, "<p>@RedParty is great</p>", u, []),
                _status(1, "<p>hi red.bsky.social</p>", u, []),
                _status(2, '<p><a href="https://server.social/@red" class="u-url mention">@<span>red</span></a> yes</p>', u, [red]),
                _status(3, "<p>our manifesto</p>", red, [])]
    res = _collect(tmp_path, _NO_TAGS, statuses, 2)
    said = " ".join(res.output.split())
    assert res.exit_code == 0, said
    assert "2 handle(s) not applied, as they name no Mastodon account (a Mastodon handle is name@server): RedParty, red.bsky.social" in said
    kept = [orjson.loads(line)["id"] for f in sorted((tmp_path / "cap").glob("*.jsonl.gz")) for line in read_lines(f)]
    assert kept == ["102", "103"]
    m = orjson.loads((tmp_path / "cap" / ".botwatch" / "capture.json").read_bytes())
    assert m["runs"][0]["filter"]["handles"] == ["red@server.social"]  # what was applied, not what was listed


def test_a_public_stream_filter_of_other_platforms_handles_only_is_refused(tmp_path: Path) -> None:
    res = _collect(tmp_path, _NO_TAGS.replace(', "@red@server.social"', ""), [], 1)
    said = " ".join(res.output.split())
    assert res.exit_code == 2, said
    assert "the filter's handles name no Mastodon account (RedParty, red.bsky.social)" in said and "Traceback" not in said


def test_a_keyword_given_with_a_preset_without_hashtags_filters_the_public_stream_too(tmp_path: Path) -> None:
    """`--keyword` beside `--election` was dropped whenever an election was given, though a preset
    without hashtags reads the public stream, which keywords filter: "uk politics" kept nothing."""
    u = _acct("u1", "fake.social")
    res = _collect(tmp_path, _NO_TAGS, [_status(0, "<p>cats</p>", u, []), _status(1, "<p>UK politics today</p>", u, [])], 1, "--keyword", "uk politics")
    assert res.exit_code == 0, res.output
    kept = [orjson.loads(line)["id"] for f in sorted((tmp_path / "cap").glob("*.jsonl.gz")) for line in read_lines(f)]
    assert kept == ["101"]
    m = orjson.loads((tmp_path / "cap" / ".botwatch" / "capture.json").read_bytes())
    assert m["runs"][0]["filter"]["keywords"] == ["uk politics"]


def test_keywords_and_handles_that_hashtag_streams_do_not_apply_are_said(tmp_path: Path) -> None:
    """With hashtags the server filters by hashtag alone: the preset's handles and a `--keyword`
    were not applied, and only capture.json said so; the run said nothing."""
    res = _collect(tmp_path, THREE_PLATFORMS_ELECTION, [_status(0, "<p>#VoteRed</p>", _acct("u1", "fake.social"), [])], 1,
                   "--keyword", "uk politics")
    said = " ".join(res.output.split())
    assert res.exit_code == 0, said
    assert "1 keyword(s) and 3 handle(s) not applied: with hashtags, Mastodon's hashtag streams are read" in said
