"""X's rules and Mastodon's hashtag streams ask the server for every spelling of a tag's umlauts
and ß that analysis counts as the same tag. The content stage and the Bluesky filter read #Grüne
and #Gruene as one tag, but X and Mastodon match tags on the server and send only the spelling
asked for: a capture listing #Grüne kept no post tagged #Gruene, and nothing said so."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote

import orjson
from typer.testing import CliRunner

from botwatch.collect.filters import PostFilter, short_spellings_line, x_rules
from botwatch.collect import mastodon as md
from botwatch.collect.core import Capture
from botwatch.collect.mastodon import cursor_name, hashtag_streams
from botwatch.collect.run import run_capture
from botwatch.collect.state import meta_dir
from botwatch.collect.writer import read_lines
from botwatch.content.normalize import norm_tag
from botwatch.tag_spellings import MOST_SPELLINGS, spellings
from testsupport.collect_fakes import FakeHttp, HttpRequest, HttpWriter, x_rules_server


def test_every_spelling_asked_is_one_tag_to_analysis() -> None:
    for tag in ("Grüne", "Gruene", "ZeitFürGrün", "gehtwaehlen", "Straße", "Schlussstrich", "Gru\u0308ne", "ÄÖÜ"):
        forms, total = spellings(tag)
        assert forms[0] == tag and len(set(forms)) == len(forms) == total, (tag, forms)
        assert {norm_tag(f) for f in forms} == {norm_tag(tag)}, (tag, forms)
    assert spellings("ZeitFürGrün")[0][:2] == ["ZeitFürGrün", "ZeitFuerGruen"]  # written either way first, mixed ones after
    assert spellings("GE2017") == (["GE2017"], 1)
    many, total = spellings("ae" * 30)  # bounded: a tag of many pairs is no million spellings
    assert len(many) == MOST_SPELLINGS < total and "ä" * 30 in many


def test_the_x_rules_hold_each_spelling_of_a_listed_tag() -> None:
    assert x_rules(PostFilter(hashtags=("Grüne", "GE2017", "gruene"))).rules == [("#Grüne OR #GE2017 OR #gruene", "botwatch:1")]
    assert x_rules(PostFilter(hashtags=("Grüne", "GE2017"))).rules == [("#Grüne OR #GE2017 OR #Gruene", "botwatch:1")]
    assert x_rules(PostFilter(hashtags=("Straße",))).rules == [("#Straße OR #Strasse", "botwatch:1")]  # X takes ß as written
    # a rule too short for both spellings splits them, as it splits any terms: none is left out
    split = x_rules(PostFilter(hashtags=("Grüne",)), max_len=10)
    assert split.rules == [("#Grüne", "botwatch:1"), ("#Gruene", "botwatch:2")] and split.left_out == []
    assert x_rules(PostFilter(hashtags=("ae" * 30,))).short == ["ae" * 30]


def test_where_the_x_rules_run_out_a_spelling_botwatch_added_is_left_out_before_a_listed_term() -> None:
    """Packed after the tag they spell, the other spellings pushed a listed keyword and handle out
    of a tier's last rule: a filter that fitted before kept #Podestämails, which hardly anyone
    writes, and lost "wahl" and @cdu."""
    packed = x_rules(PostFilter(hashtags=("Grüne", "PodestaEmails"), keywords=("wahl",), handles=("cdu",)), max_rules=1, max_len=60)
    assert packed.rules == [("#Grüne OR #PodestaEmails OR wahl OR (from:cdu OR @cdu)", "botwatch:1")]
    assert packed.left_out == ["#Gruene OR #Podestämails"]


def test_a_stream_capture_sends_x_both_spellings_and_records_the_listed_one(tmp_path: Path) -> None:
    from botwatch.cli import app

    added: list[dict] = []
    route = x_rules_server(added, "#Gruene vorn")

    with FakeHttp(route) as srv:
        res = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "cap"), "--stream", "--hashtag", "Grüne", "--base-url", srv.url,
                                       "--max-posts", "1", "--duration", "5s", "--no-progress"], env={"X_BEARER_TOKEN": "t"})
    assert res.exit_code == 0, res.output
    assert added == [{"add": [{"value": "#Grüne OR #Gruene", "tag": "botwatch:1"}]}]
    m = orjson.loads((tmp_path / "cap" / ".botwatch" / "capture.json").read_bytes())
    assert m["runs"][0]["filter"]["hashtags"] == ["Grüne"]  # the filter as the user listed it


def _status(sid: int, tag: str) -> dict:
    author = {"id": "1", "username": "u1", "acct": "u1", "url": "https://fake.social/@u1"}
    return {"id": str(sid), "uri": f"https://fake.social/s/{sid}", "created_at": "2026-11-30T05:00:00.000Z",
            "content": f"<p>#{tag}</p>", "tags": [{"name": tag.lower()}], "account": author, "mentions": []}


def test_mastodon_reads_a_stream_for_each_spelling_and_a_resume_sees_no_new_filter(tmp_path: Path) -> None:
    from botwatch.cli import app

    asked: list[str] = []

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if "streaming" not in req.path:
            await w.respond(404 if req.path == "/api/v2/instance" else 200, b"{}" if req.path == "/api/v2/instance" else b"[]")
            return
        asked.append(req.query.get("tag", ""))
        await w.start_stream("text/event-stream")
        if req.query.get("tag") == "Gruene":  # only the other spelling's stream has a status; the listed one's is quiet
            await w.chunk(f"event: update\ndata: {orjson.dumps(_status(100 + n, 'Gruene')).decode()}\n\n".encode())

    folder = tmp_path / "cap"
    runs = []
    with FakeHttp(route) as srv:
        for _ in range(2):
            runs.append(CliRunner().invoke(app, ["collect", "mastodon", str(folder), "--server", srv.url, "--hashtag", "Grüne",
                                                 "--max-posts", "1", "--duration", "10s", "--no-progress", "--backoff-scale", "0.01"]))
    assert [r.exit_code for r in runs] == [0, 0], [r.output for r in runs]
    assert sorted(set(asked)) == ["Gruene", "Grüne"]
    kept = [orjson.loads(line)["uri"] for f in sorted(folder.glob("*.jsonl.gz")) for line in read_lines(f)]
    assert len(kept) == 2, kept
    m = orjson.loads((folder / ".botwatch" / "capture.json").read_bytes())
    assert [r["filter"]["hashtags"] for r in m["runs"]] == [["Grüne"], ["Grüne"]]
    assert m["runs"][0]["streams"] == ["hashtag:Grüne", "hashtag:Gruene"]
    assert "filter is not the one" not in runs[1].output, runs[1].output  # the user changed nothing


def test_mastodon_reads_a_stream_for_each_spelling_of_sharp_s() -> None:
    """Mastodon lower-cases a tag and drops its accents but keeps ß (its `HashtagNormalizer`), so
    #Straße and #Strasse are two streams, each with its own cursor; taken as one (ß folded to ss),
    a capture listing #Straße kept no #Strasse. Case alone is one stream, read once."""
    assert hashtag_streams(["Straße"]).tags == ["Straße", "Strasse"]
    assert hashtag_streams(["Grüne", "gruene", "GE2017", "STRASSE"]).tags == ["Grüne", "Gruene", "GE2017", "STRASSE", "STRAßE"]
    assert cursor_name("Straße") != cursor_name("Strasse") and cursor_name("STRAẞE") == cursor_name("straße")
    assert cursor_name("GE2017") == "tag:ge2017" and cursor_name(None) == "public"  # keys of captures begun before, unchanged


def test_a_capture_begun_before_resumes_its_sharp_s_stream_from_its_cursor(tmp_path: Path) -> None:
    """Its #Straße cursor was saved as "tag:strasse": the stream pages the time since from there,
    and the two streams keep a cursor each."""
    asked: dict[str, str | None] = {}

    async def route(req: HttpRequest, w: HttpWriter, n: int) -> None:
        if req.path.startswith("/api/v1/timelines/tag/"):
            tag = unquote(req.path.rsplit("/", 1)[1])
            asked.setdefault(tag, req.query.get("min_id"))
            sid = {"Straße": "131", "Strasse": "132"}[tag]
            await w.respond(200, orjson.dumps([{**_status(int(sid), tag), "id": sid}] if req.query.get("min_id") != sid else []))
            return
        if "streaming" not in req.path:
            await w.respond(404, b"{}")
            return
        await w.start_stream("text/event-stream")
        await asyncio.sleep(30)

    folder = tmp_path / "cap"
    meta_dir(folder).mkdir(parents=True)
    (meta_dir(folder) / "mastodon-fake.state.json").write_bytes(orjson.dumps({"cursor": {"min_id": {"tag:strasse": "129"}}}))
    with FakeHttp(route) as srv:
        cap = Capture(folder, "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=2)
        collector = md.MastodonCollector(srv.url, None, hashtag_streams(["Straße"]).tags, backoff_scale=0.01)
        code = asyncio.run(run_capture(cap, collector, duration=10.0, log=lambda m: None, install_signals=False))
    assert code == 0
    assert asked == {"Straße": "129", "Strasse": "129"}
    saved = orjson.loads((meta_dir(folder) / "mastodon-fake.state.json").read_bytes())["cursor"]["min_id"]
    assert saved[cursor_name("Straße")] == "131" and saved[cursor_name("Strasse")] == "132"


def test_a_tag_of_more_spellings_than_are_asked_says_so_in_one_line_for_x_and_mastodon(tmp_path: Path) -> None:
    """A tag with more than four places written either way has more than 16 spellings: the rest are
    not asked for, and a capture says so rather than missing them in silence. X and Mastodon said
    it in two lines of their own, with different nouns, both naming "umlauts and ß" for a Russian
    tag whose spellings are "ё" and "е"; now both say the one line, naming every letter asked."""
    from botwatch.cli import app

    tag = "ЕлкаЕлкаЕлкаЕлкаЕлка"  # five words, each with an "Е" that may be "Ё": 32 spellings
    line = short_spellings_line([tag])
    assert line.startswith("1 hashtag(s) have more spellings (") and "ё/е" in line and "ß/ss" in line and line.endswith(tag)
    assert "umlaut" not in line

    async def refuse(req: HttpRequest, w: HttpWriter, n: int) -> None:
        await w.respond(401, b'{"error": "The access token is invalid"}')  # the run ends at its first stream: the line is said before

    with FakeHttp(refuse) as srv:
        mastodon = CliRunner().invoke(app, ["collect", "mastodon", str(tmp_path / "m"), "--server", srv.url, "--hashtag", tag,
                                            "--duration", "5s", "--no-progress"], env={"COLUMNS": "400"})
    with FakeHttp(x_rules_server([], f"#{tag}")) as srv:
        x = CliRunner().invoke(app, ["collect", "x", str(tmp_path / "x"), "--stream", "--hashtag", tag, "--base-url", srv.url,
                                     "--max-posts", "1", "--duration", "5s", "--no-progress"], env={"X_BEARER_TOKEN": "t", "COLUMNS": "400"})
    for res, code in ((mastodon, 3), (x, 0)):
        said = " ".join(res.output.split())
        assert res.exit_code == code and "Traceback" not in said, said
        assert line in said and "umlauts and ß" not in said, said
