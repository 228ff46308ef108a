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
