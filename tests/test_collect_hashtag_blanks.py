"""A `--hashtag " #GE2017"` (a blank before the '#') is the hashtag GE2017, as `--hashtag GE2017`."""

from __future__ import annotations

from botwatch.collect.filters import PostFilter, x_rules


def test_a_blank_before_the_hash_sign_does_not_keep_the_hash_sign() -> None:
    """The '#' was stripped before the blank: the filter held "#GE2017", which became the X rule
    `##GE2017`, and on Bluesky matched no post (neither its text nor its facets)."""
    f = PostFilter.build(None, [" #GE2017", "GE2017"], [])
    assert f.hashtags == ("GE2017",)
    alone = PostFilter.build(None, [" #GE2017 "], [])
    assert alone.hashtags == ("GE2017",)
    assert alone.match("vote #GE2017 today") and alone.match("", ["ge2017"])
    assert x_rules(alone).rules == [("#GE2017", "botwatch:1")]
