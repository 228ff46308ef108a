"""`--max-posts N` keeps N posts when several streams feed one capture. `collect mastodon` reads
one stream per hashtag at once: the stream that wrote the Nth post stopped the run, but another
stream's post already on its way was written after it, and docs/collect.md's own
`--hashtag GE2017 --hashtag VoteLabour --max-posts 100` kept 101 against a fast server."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.collect import mastodon as md
from botwatch.collect.core import Capture, StopCapture
from botwatch.collect.writer import read_lines


def test_a_post_offered_after_the_last_one_is_not_written(tmp_path: Path) -> None:
    cap = Capture(tmp_path / "c", "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=2).open()
    try:
        cap.post("a", b'{"id": "a"}')
        with pytest.raises(StopCapture):
            cap.post("b", b'{"id": "b"}')
        with pytest.raises(StopCapture):  # the other hashtag stream's post, read before the stop reached it
            cap.post("c", b'{"id": "c"}')
        assert cap.stats.kept == 2
    finally:
        cap.close()
    assert [line for f in (tmp_path / "c").glob("*.jsonl.gz") for line in read_lines(f)] == [b'{"id": "a"}', b'{"id": "b"}']


def test_a_status_not_written_after_the_last_one_leaves_its_streams_cursor_where_it_was(tmp_path: Path) -> None:
    """The next run fetches each hashtag stream from its saved `min_id`: a cursor moved past the
    status the stop refused to write made the resumed capture skip it for good, and `received`
    counted a status that was neither kept nor dropped for any reason the summary names."""
    cap = Capture(tmp_path / "c", "mastodon", "mastodon-fake", keys_of=md.keys_of, max_posts=1).open()
    collector = md.MastodonCollector("https://example.social", None, ["a", "b"])
    try:
        with pytest.raises(StopCapture):
            collector.handle_status(cap, "hashtag:a", b'{"id": "100", "account": {"acct": "x"}}', False)
        with pytest.raises(StopCapture):  # stream b's status, read before the stop reached it
            collector.handle_status(cap, "hashtag:b", b'{"id": "200", "account": {"acct": "y"}}', False)
        assert cap.cursor["min_id"] == {"hashtag:a": "100"}
        assert cap.stats.kept == 1 and cap.stats.received == 1
    finally:
        cap.close()
