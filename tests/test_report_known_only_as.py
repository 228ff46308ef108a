"""The Overview said the study knew accounts "only retweeted or looked up" while the key numbers
said "retweeted, mentioned or looked up": on the bundled sample 10 of the 102 accounts that never
posted are known only as the author of a quoted post, and 27 only as mentioned. Both now say
"retweeted, quoted, mentioned or looked up" (`Reshare.known_only_as`)."""

from __future__ import annotations

from pathlib import Path

from botwatch.report.context import report_context
from botwatch.report.headlines import key_numbers
from botwatch.report.section_overview import overview
from botwatch.study import open_study

# accounts that never posted, by how the posts name them (a retweet or quote's author, a mention)
_SEEN = """
WITH np AS (SELECT platform, account_id, lower(handle) AS h FROM accounts a
            WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.platform = a.platform AND p.account_id = a.account_id))
SELECT count(*) FILTER (WHERE q AND NOT rt AND NOT men), count(*) FILTER (WHERE men AND NOT rt AND NOT q) FROM (
  SELECT np.*,
    EXISTS (SELECT 1 FROM posts p WHERE p.kind = 'retweet' AND p.platform = np.platform AND (p.ref_account_id = np.account_id OR lower(p.ref_handle) = np.h)) AS rt,
    EXISTS (SELECT 1 FROM posts p WHERE p.kind = 'quote' AND p.platform = np.platform AND (p.ref_account_id = np.account_id OR lower(p.ref_handle) = np.h)) AS q,
    EXISTS (SELECT 1 FROM posts p WHERE p.platform = np.platform AND list_contains(list_transform(p.mentions, lambda m: lower(m)), np.h)) AS men
  FROM np)
"""


def test_overview_and_key_numbers_say_the_same_true_thing(sample_study_path: Path) -> None:
    with open_study(sample_study_path) as st:
        only_quoted, only_mentioned = st.sql(_SEEN)[0]
        ctx = report_context(st, {"election": None})
        said = " ".join(str(overview(st, ctx).html).split())
        detail = {k.label: k for k in key_numbers(st, ctx, set())}["accounts posting"].detail
    assert only_quoted > 0 and only_mentioned > 0  # neither "retweeted or looked up" nor "retweeted, mentioned or looked up" is all
    assert "including those only retweeted, quoted, mentioned or looked up)" in said, said[:300]
    assert "only as retweeted, quoted, mentioned or looked up;" in detail, detail
