"""The stance model's features as a reader can check them in the post.

Why: `post_party.stance_evidence` lists the features that pushed a pair most toward its stance
(`LinearModel.predict`). Their names are the model's keys (`w=crooked`, `hb=tgt_won`,
`lex_clause_neg`, `sig=anti_tag`), which a journalist quoting a label cannot read and a researcher
has to look up in the code. Each family is said here in words, naming the word, hashtag or cue
the reader will find in the post, with the party placeholders said as "[party]" (the party of the
pair) and "[other party]" (another party the post names). A key of no known family is kept as it
is, so nothing is hidden. The vector blocks name no word at all (`embed.in_words`).
"""

from __future__ import annotations

from functools import lru_cache

_HOLDERS = {"tgt": "[party]", "oth": "[other party]"}

_SIGNALS = {
    "pro_tag": "a hashtag for the party",
    "anti_tag": "a hashtag against the party",
    "topic_tag": "a hashtag naming the party",
    "pro_kw": "a slogan for the party",
    "anti_kw": "a phrase against the party",
    "topic_kw": "a phrase naming the party",
    "own_account": "posted by the party's own account",
    "retweet_account": "a retweet of the party's account",
    "quote_account": "a quote of the party's account",
    "reply_account": "a reply to the party's account",
    "mention_account": "mentions the party's account",
}

_STYLE = {
    "shout": "words in capitals",
    "titlecase": "headline capitals",
    "link": "a link",
    "alert": "a news-alert opening",
    "sarcasm": "sarcasm markers",
    "question": "a question",
    "exclaim": "an exclamation mark",
    "quoted": "a quotation",
}

_KINDS = {"original": "an original post", "retweet": "a retweet", "reply": "a reply", "quote": "a quote"}

_LEXICON = {
    "lex_post": "the tone of the whole post",
    "lex_post_pos": "positive words in the post",
    "lex_post_neg": "negative words in the post",
    "lex_clause": "the tone of the clause naming the party",
    "lex_clause_pos": "positive words in the clause naming the party",
    "lex_clause_neg": "negative words in the clause naming the party",
}


def _tokens(joined: str, sep: str) -> str:
    return " ".join(_HOLDERS.get(t, t) for t in joined.split(sep))


@lru_cache(maxsize=65536)
def feature_in_words(feature: str) -> str:
    """One model feature key as words (a key of no known family: the key itself)."""
    if feature in _LEXICON:
        return _LEXICON[feature]
    family, eq, value = feature.partition("=")
    if not eq or not value:
        return feature
    if family == "w":
        return f"“{_HOLDERS.get(value, value)}”"
    if family == "b":
        return f"“{_tokens(value, '_')}”"
    if family == "hw":
        return f"the hashtag word “{_HOLDERS.get(value, value)}”"
    if family == "hb":
        return f"the hashtag words “{_tokens(value, '_')}”"
    if family == "c":
        return f"the letters “{value.strip()}”"
    if family == "party":
        return f"which party it is ({value})"
    if family == "sig" and value in _SIGNALS:
        return _SIGNALS[value]
    if family == "rival" and value in _SIGNALS:
        return f"another party's signal: {_SIGNALS[value].replace('the party', 'that party')}"
    if family == "named" and value.isdigit():
        return "parties named: " + (f"{value} or more" if value == "3" else value)
    if family == "kind":
        return _KINDS.get(value, f"the post's kind: {value}")
    if family == "style" and value in _STYLE:
        return _STYLE[value]
    return feature
