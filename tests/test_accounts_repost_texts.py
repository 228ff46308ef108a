"""A Bluesky repost is stored with the text "" (the event carries no words of its own), and the
repeated-text share counted that empty text: an account of 12 reposts of 12 different posts read
"92% repeated text" in `botwatch explain` (11 of 12 "repeating" the empty one)."""

from __future__ import annotations

import json
from pathlib import Path

from botwatch.accounts.features import build
from botwatch.ingest.runner import ingest
from botwatch.study import open_study


def _event(did: str, rkey: str, sec: int, collection: str, record: dict) -> str:
    return json.dumps({"did": did, "time_us": (1495274400 + sec) * 1_000_000, "kind": "commit",
                       "commit": {"operation": "create", "collection": collection, "rkey": rkey, "record": record}})


def test_reposts_without_text_repeat_nothing(tmp_path: Path) -> None:
    lines = []
    for k in range(12):
        when = f"2017-05-20T10:{k:02d}:00Z"
        lines.append(_event("did:plc:author", f"p{k}", 60 * k, "app.bsky.feed.post", {"text": f"Vote #GE2017 number {k}", "createdAt": when}))
        lines.append(_event("did:plc:sharer", f"r{k}", 60 * k + 5, "app.bsky.feed.repost",
                            {"subject": {"uri": f"at://did:plc:author/app.bsky.feed.post/p{k}"}, "createdAt": when}))
        # one that says the same words twice in a row, and an empty post between them
        lines.append(_event("did:plc:parrot", f"q{k}", 60 * k + 9, "app.bsky.feed.post",
                            {"text": "" if k == 11 else f"same words {k // 2}", "createdAt": when}))
    f = tmp_path / "bsky.jsonl"
    f.write_text("\n".join(lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        feats = build(st, None, with_clusters=False).features.set_index("account_id")
    assert feats.loc["did:plc:sharer", "retweet_share"] == 1.0
    assert feats["dup_text_share"].isna()["did:plc:sharer"]  # no text of its own: nothing repeated (was 11/12)
    assert feats.loc["did:plc:author", "dup_text_share"] == 0.0
    assert abs(feats.loc["did:plc:parrot", "dup_text_share"] - 5 / 11) < 1e-9  # 11 texts, 6 distinct; the empty post is no text

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.pipeline import Context, analyze

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        analyze(st, Context(election=None, log=lambda m: None), only=["accounts"])
    res = CliRunner().invoke(app, ["explain", str(tmp_path / "s.duckdb"), "did:plc:sharer"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "100% reposts" in said and "repeated text" not in said, said
