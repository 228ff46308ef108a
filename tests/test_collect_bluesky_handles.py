"""`collect bluesky --election`: a listed handle is a term on Bluesky only where it names a Bluesky
account. A Twitter `@RedParty` (or a Mastodon `red@server.social`) matched Bluesky post text,
though `analyze` counts no Bluesky post as naming it and docs/collect.md says Twitter handles do
not carry over to Bluesky."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from botwatch.collect.writer import read_lines
from testsupport.collect_fakes import THREE_PLATFORMS_ELECTION, FakeJetstream, jetstream_event



def _collect(tmp_path: Path, election_text: str, texts: list[str], max_posts: int):  # type: ignore[no-untyped-def]
    from botwatch.cli import app

    election = tmp_path / "toy.toml"
    election.write_text(election_text, encoding="utf-8")
    events = [jetstream_event(i, text=t) for i, t in enumerate(texts)]
    with FakeJetstream(events, [{"then": "hold"}]) as srv:
        return CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path / "cap"), "--endpoint", srv.url, "--election", str(election),
                                        "--max-posts", str(max_posts), "--duration", "10s", "--no-progress", "--backoff-scale", "0.01"])


def test_handles_of_other_platforms_are_no_bluesky_terms(tmp_path: Path) -> None:
    texts = ["@RedParty is great", "see @red@server.social", "hi @red.bsky.social", "#VoteRed now"]
    res = _collect(tmp_path, THREE_PLATFORMS_ELECTION, texts, 2)
    said = " ".join(res.output.split())
    assert res.exit_code == 0, said
    assert "2 handle(s) not applied, as they name no Bluesky account (a Bluesky handle has a dot): RedParty, red@server.social" in said
    kept = [orjson.loads(line)["commit"]["record"]["text"] for f in sorted((tmp_path / "cap").glob("*.jsonl.gz")) for line in read_lines(f)]
    assert kept == ["hi @red.bsky.social", "#VoteRed now"]
    m = orjson.loads((tmp_path / "cap" / ".botwatch" / "capture.json").read_bytes())
    assert m["runs"][0]["filter"]["handles"] == ["red.bsky.social"]  # what was applied, not what was listed


def test_a_filter_of_other_platforms_handles_only_is_refused_not_the_whole_firehose(tmp_path: Path) -> None:
    res = _collect(tmp_path, THREE_PLATFORMS_ELECTION.replace('hashtags_pro = ["#VoteRed"]\n', "").replace('"red.bsky.social", ', ""), ["anything"], 1)
    said = " ".join(res.output.split())
    assert res.exit_code == 2, said
    assert "the filter's handles name no Bluesky account (RedParty, red@server.social)" in said and "Traceback" not in said


def test_a_long_list_of_handles_not_applied_names_whole_handles_and_counts_the_rest(tmp_path: Path) -> None:
    """docs/collect.md's `collect bluesky --election uk-ge2017`: the line listing the 29 Twitter
    handles was cut at 300 characters, mid-handle ("Nigel_Far"), and left out the rest unsaid."""
    from botwatch.cli import app
    from botwatch.collect.filters import PostFilter
    from botwatch.elections import load_election

    _, elsewhere = PostFilter.build(load_election("uk-ge2017"), (), ()).handles_of("bluesky")
    events = [jetstream_event(0, text="#GE2017 today")]
    with FakeJetstream(events, [{"then": "hold"}]) as srv:
        res = CliRunner().invoke(app, ["collect", "bluesky", str(tmp_path / "cap"), "--endpoint", srv.url, "--election", "uk-ge2017",
                                       "--max-posts", "1", "--duration", "10s", "--no-progress", "--no-profiles", "--backoff-scale", "0.01"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0, said
    line = said.split("(a Bluesky handle has a dot): ")[1].split(" kept ")[0]
    names, more = line.split(" and ")
    assert names.split(", ") == list(elsewhere[:10]) and more == f"{len(elsewhere) - 10} more"
