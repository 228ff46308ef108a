""""Amplified @x most" is not said when most of the cluster's shares name no author.

On the IRA tweets of 4-7 October 2016 (20,300 posts; us-2016) the headline read "the largest, 9
accounts around @FinnaGlo, amplified @herc_omega most (2 shares)": 2,070 of the members' 2,077
retweets carry no "RT @handle:" in that release, so whom the cluster amplified cannot be read
from the data, and the account named came from 7 shares.
"""

from __future__ import annotations

import re
from html import unescape
import shutil
from pathlib import Path

from botwatch import open_study
from botwatch.elections import load_election
from botwatch.report.section_coordination import coordination_facts, coordination_section, shares_named, unnamed_words


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_clause_only_where_most_shares_name_no_author() -> None:
    assert unnamed_words(7, 2_077) == "whom its members amplified most cannot be read from the data: only 7 of their 2,077 retweets and quotes name the account shared"
    assert unnamed_words(50, 100) == ""  # half or more named: the ranking reads the cluster's shares
    assert unnamed_words(0, 0) == ""


def test_headline_says_it_when_the_largest_clusters_retweets_name_no_one(analysed_sample_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    election = load_election("us-2016")
    with open_study(path, read_only=False) as st:
        big = coordination_facts(st)["clusters"][0]["cluster_id"]  # the cluster the headline names
        # As the IRA release: the bundled sample's retweets name no author, so nothing is ranked and
        # the headline names no one amplified.
        known, total = shares_named(st, big)
        assert total > 0 and known == 0
        assert "amplified" not in _text(" ".join(str(h) for h in coordination_section(st, {"election": election}).headline))
        # One retweet names its author, and the stage's ranking (rebuilt here as it would store it) names that one account.
        st.sql(
            "UPDATE posts SET ref_handle = 'herc_omega' WHERE post_id = "
            "(SELECT min(p.post_id) FROM posts p JOIN cluster_members m ON m.platform = p.platform AND m.account_id = p.account_id "
            f" WHERE m.cluster_id = {int(big)} AND p.kind IN ('retweet', 'quote'))"
        )
        entry = '[{"account":"herc_omega","handle":"herc_omega","account_id":null,"shares":1}]'
        st.sql(f"UPDATE clusters SET top_amplified = '{entry}' WHERE cluster_id = {int(big)}")
        assert shares_named(st, big) == (1, total)
        sec = coordination_section(st, {"election": election})
    assert sec is not None
    head = _text(" ".join(str(h) for h in sec.headline))
    # A ranking read from 1 share of them all is not said: "amplified @herc_omega most (1 share), but
    # only 1 of ..." (the first 100,000 IRA tweets: @ukrfootball, 1 of 4,887) put the ranking first.
    assert (f"(whom its members amplified most cannot be read from the data: only 1 of their {total:,} retweets and quotes "
            "names the account shared), co-acting") in head, head
    assert "herc_omega" not in head
