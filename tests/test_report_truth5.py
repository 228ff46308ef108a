"""Report truth, fifth pass: the demo report (the bundled sample, us-2016) read sentence by
sentence for figures that say more than the data behind them.

- The seed-signal table read "acting in unison (coordination cluster) | 160 | 12 | 0" and
  "80%+ retweets | 55 | 19 | 0": none of those 12 or 19 accounts has a bot probability (the IRA
  release carries no profile facts), so "0 of which bot p ≥ 0.5" was a zero of nothing, quotable as
  "no coordinated account was automated"."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from botwatch import open_study
from botwatch.report.section_accounts import accounts_section

UNISON = "acting in unison (coordination cluster)"
HANDLE = "15-character generated-looking handle"


def _words(markup: object) -> str:
    return " ".join(html.unescape(re.sub("<[^>]+>", " ", str(markup))).split())


def test_a_signal_whose_accounts_the_bot_model_could_not_score_reads_unknown_not_zero(analysed_sample_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path, read_only=False) as st:
        members, scored = st.sql("SELECT count(*), count(s.bot_probability) FROM (SELECT DISTINCT platform, account_id FROM cluster_members) "
                                 "JOIN account_scores s USING (platform, account_id)")[0]
        # Two of the generated-looking handles lose their probability: the rest are counted of those scored.
        st.sql("UPDATE account_scores SET bot_probability = NULL WHERE account_id IN (SELECT account_id FROM account_features "
               "WHERE handle_generated15 = 1 ORDER BY account_id LIMIT 2)")
        shown, left, bots = st.sql("SELECT count(*), count(s.bot_probability), count(*) FILTER (WHERE s.bot_probability >= 0.5) "
                                   "FROM account_features f JOIN account_scores s USING (platform, account_id) WHERE handle_generated15 = 1")[0]
        words = _words(accounts_section(st, {}).html)  # type: ignore[union-attr]
    assert members > 0 and scored == 0  # the sample's clusters are IRA accounts, none scored
    assert f"{UNISON} 160 {members} unknown (none scored)" in words, words
    assert shown > left > 0
    assert f"{HANDLE} 262 {shown} {bots} of {left} scored" in words
    assert re.search(r"more than 72 posts a day \(Three A's: activity\) [\d,]+ 0 0 ", words)  # nothing showing it: 0, as before
