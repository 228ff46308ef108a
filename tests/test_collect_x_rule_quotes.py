"""X rules: a keyword holding a double quote becomes a quoted phrase with that quote escaped."""

from __future__ import annotations

from botwatch.collect.filters import PostFilter, x_rules


def test_a_double_quote_in_a_keyword_is_escaped_in_the_rule() -> None:
    """'say "no"' was sent as "say "no"" (and 5" bare): X rejects such a rule, and the run ended."""
    packed = x_rules(PostFilter(keywords=('say "no"', '5"', "vote", "two words")))
    assert packed.rules == [(r'"say \"no\"" OR "5\"" OR vote OR "two words"', "botwatch:1")]
    assert not packed.left_out


def test_the_escapes_count_towards_the_rule_length() -> None:
    packed = x_rules(PostFilter(keywords=('a"b', "cd")), max_len=len(r'"a\"b"'))
    assert packed.rules == [(r'"a\"b"', "botwatch:1"), ("cd", "botwatch:2")]
