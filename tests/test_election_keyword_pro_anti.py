"""A slogan listed as both pro and anti for one party is refused, as such a hashtag is: every post
using it was "mixed" (neither support nor opposition) without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.elections import ElectionError, load_election
from tests.test_election_event_dates import WEST


def test_a_slogan_listed_as_both_pro_and_anti_is_refused_as_a_hashtag_is(tmp_path: Path) -> None:
    path = tmp_path / "both.toml"
    path.write_text(WEST.replace('keywords = ["alpha"]', 'keywords = ["alpha"]\nkeywords_pro = ["Vote Alpha"]\nkeywords_anti = ["vote  alpha"]'), encoding="utf-8")
    with pytest.raises(ElectionError, match=r"both\.toml:\d+: parties\[0\]\.keywords_anti: 'vote alpha' listed as both pro and anti"):
        load_election(path)


def test_a_hashtag_spelt_both_ways_as_pro_and_anti_is_refused(tmp_path: Path) -> None:
    """The matcher reads #wähleAlpha and #waehleAlpha as one tag (content rules version 2): listed
    as pro in one spelling and anti in the other, it made every post carrying either "mixed", where
    the check compared them case-folded only and let the file through."""
    path = tmp_path / "both.toml"
    path.write_text(WEST.replace('keywords = ["alpha"]', 'keywords = ["alpha"]\nhashtags_pro = ["wähleAlpha"]\nhashtags_anti = ["WaehleAlpha"]'), encoding="utf-8")
    with pytest.raises(ElectionError, match=r"both\.toml:\d+: parties\[0\]\.hashtags_anti: WaehleAlpha listed as both pro and anti"):
        load_election(path)
