"""The Methods section describes the coordination null the stage runs by default.

It said links beat "chance ... with their own timing shuffled": that is the `day-shuffle` null
(each account's times shuffled within its day), not the default `account-swap`, which keeps every
post's time and every account's daily activity and shuffles who acted when (docs/methods.md,
"Against chance"). On the GOP debate tweets at a 1 h window the kept pairs were two fans of one
account retweeting her posts half an hour apart: whether timing or identity is shuffled is what
a reader needs to judge such a pair.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from botwatch import open_study
from botwatch.elections import load_election
from botwatch.report.section_methods import methods


def test_methods_names_the_account_swap_null(analysed_sample_path: Path) -> None:
    with open_study(analysed_sample_path) as st:
        sec = methods(st, {"election": load_election("us-2016"), "tables": set(st.tables())})
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", str(sec.html))).split())
    assert "with their own timing shuffled" not in text
    assert "by default with who acted when shuffled within each day, while every post keeps its time and every account its daily activity" in text
