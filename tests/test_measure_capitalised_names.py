"""scripts/measure_capitalised_names.py: the capitalisation rule for a bare "Cameron" that the
seventeenth round measured on the labelled UK dev posts (docs/methods.md, issue 14). Small
inputs only: real dev texts the matcher misses, and the other Camerons the rule must leave."""

from __future__ import annotations

import pytest

from testsupport.scripts import load_script


@pytest.mark.parametrize(("text", "named"), [
    ("Cameron prepares to send more troops to Iraq and Syria http://t.co/qiDGRnMXye", True),  # dev, reader: Conservatives
    ("Paddy Ashdown describes Cameron as 'one of the most dangerous Prime Ministers I can remember'", True),  # dev
    ("@nytimesworld good Mr.Cameron see who are your Saudi allies", True),  # dev
    ("Harriet Harman tells David Cameron to 'show a bit more class'", True),
    ("Cameron Diaz stuns at the premiere", False),  # a surname follows
    ("Titanic director James Cameron is back", False),  # a first name precedes
    ("watch cameron dallas live", False),  # not written as a name
    ("#Cameron #Brexit", False),  # a hashtag is the matcher's own business
])
def test_the_rule_reads_capitals_around_the_name(text: str, named: bool) -> None:
    assert load_script("measure_capitalised_names").capitalised_cameron(text) is named
