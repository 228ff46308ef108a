"""Arrow schemas of the tables the content stage writes (the contract other issues read)."""

from __future__ import annotations

import pyarrow as pa

from botwatch.schema import STR_LIST, TS, register_output

POST_LABELS = pa.schema(
    [
        ("platform", pa.string()),
        ("post_id", pa.string()),
        ("account_id", pa.string()),
        ("created_at", TS),
        ("in_election", pa.bool_()),  # topic_match AND inside the election's window
        ("parties", STR_LIST),  # party keys the post names (any signal), in preset order
        ("lang", pa.string()),
        ("lang_source", pa.string()),  # 'post' | 'py3langid' | NULL (no text)
        ("sentiment", pa.float64()),  # VADER compound; NULL unless lang = 'en'
        ("election", pa.string()),
        ("topic_match", pa.bool_()),  # election hashtag/keyword or any party signal, at any time
        ("in_window", pa.bool_()),
        ("match_via", STR_LIST),  # election_hashtag, election_keyword, party_hashtag, party_keyword, party_account
        ("lang_probability", pa.float64()),  # detector's probability when lang_source = 'py3langid'
        ("kind", pa.string()),
    ]
)

POST_PARTY = pa.schema(
    [
        ("platform", pa.string()),
        ("post_id", pa.string()),
        ("account_id", pa.string()),
        ("created_at", TS),
        ("party", pa.string()),
        ("stance", pa.string()),  # support | oppose | neutral
        ("stance_rule", pa.string()),  # see botwatch.content.stance.STANCE_RULES
        ("sentiment", pa.float64()),
        ("election", pa.string()),
        ("in_election", pa.bool_()),
        ("kind", pa.string()),
        ("lang", pa.string()),
        ("signals", STR_LIST),  # how the post named the party (pro_tag, topic_kw, retweet_account, ...)
        ("stance_evidence", pa.string()),  # the cue rule, or the trained model's strongest features
    ]
)
register_output("post_labels", POST_LABELS)
register_output("post_party", POST_PARTY)

# Columns the labeller reads from posts (plus the author's handle from accounts).
INPUT_COLUMNS = ["platform", "post_id", "account_id", "created_at", "text", "lang", "kind", "ref_handle", "ref_account_id", "hashtags", "mentions"]
