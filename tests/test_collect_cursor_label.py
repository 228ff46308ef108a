"""The collect summary's "last cursor": cut at 60 characters, an X search's cursor showed its ids
and pushed out the `next_token` an interrupted sweep resumes from."""

from __future__ import annotations

from pathlib import Path

from botwatch.collect.core import Capture
from botwatch.collect.progress import Stats, summary


def test_the_last_cursor_shows_the_next_token_whole(tmp_path: Path) -> None:
    cap = Capture(tmp_path / "cap", "x", "x-search-0123456789")
    token = "b26v89c19zqg8o3fr5qzdgs4zelvgd4jd2kr3m8ny0ip"
    cap.cursor = {"newest_id": "1798765432109876543", "sweep_newest_id": "1798765432109876999",
                  "sweep_since_id": "1798765432109876543", "next_token": token}
    label = cap._cursor_label()
    assert label.startswith(f"next_token={token},") and "sweep_since_id=1798765432109876543" in label, label
    said = summary(Stats(cursor=label), 0, 0, "cap")
    assert f"last cursor next_token={token}" in said, said


def test_a_huge_cursor_value_is_cut_and_said_so(tmp_path: Path) -> None:
    cap = Capture(tmp_path / "cap", "x", "x-search-0123456789")
    cap.cursor = {"next_token": "t" * 5000}
    label = cap._cursor_label()
    assert len(label) == 501 and label.endswith("…")


def test_a_cursor_per_stream_says_how_many_streams(tmp_path: Path) -> None:
    """Mastodon keeps `{"min_id": {stream: id}}`: three hashtag streams read "1 streams"."""
    cap = Capture(tmp_path / "cap", "mastodon", "mastodon-fake.social")
    cap.cursor = {"min_id": {"tag:a": "1", "tag:b": "2", "tag:c": "3"}}
    assert cap._cursor_label() == "3 streams"
    cap.cursor = {"min_id": {"public": "1"}}
    assert cap._cursor_label() == "1 stream"
