"""Features of one profile snapshot: counts, growth rates, and the shape of handle and name.

These are the only features the labelled data sets share with a study (they hold profiles, not
the accounts' posts), so the shipped bot model uses exactly these. The same function turns a
study's `accounts` rows and a labelled CSV into model input, which keeps training and scoring
from drifting apart. Missing fields stay NaN: LightGBM routes them down a learned branch rather
than pretending they are zero.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pandas as pd

from botwatch.accounts.profile_text import TextColumn, char_entropies
from botwatch.ingest.fields import opt_str
from botwatch.numeric import sum_left_to_right
from botwatch.platform_names import TWITTER_PLATFORMS

try:  # difflib compiled: the same matcher and values, a third of the time
    from cydifflib import SequenceMatcher
except ImportError:  # pragma: no cover - a platform without its wheel
    from difflib import SequenceMatcher

# In the order the model sees them. Changing this list means retraining the shipped model.
MODEL_FEATURES: list[str] = [
    "log_followers",
    "log_following",
    "log_posts_count",
    "ff_ratio_log10",
    "age_days",
    "posts_per_day_life",
    "followers_per_day",
    "following_per_day",
    "handle_len",
    "handle_digits",
    "handle_digit_share",
    "handle_entropy",
    "handle_upper_share",
    "handle_generated15",
    "name_len",
    "name_digits",
    "name_handle_similarity",
    "description_len",
    "has_location",
    "default_profile",
    "default_image",
    "verified",
]

# Added so the model carries from one archive to another: rates on a log scale, likes and lists (absent
# from some archives: NaN there), the profile's own words and links. `ALL_FEATURES` is every
# column `profile_features` returns; a model picks its subset and stores it in its file.
EXTRA_FEATURES: list[str] = [
    "log_age_days",
    "log_posts_per_day",
    "log_followers_per_day",
    "log_following_per_day",
    "log_likes",
    "log_likes_per_day",
    "likes_per_post_log",
    "log_listed",
    "listed_per_1k_followers_log",
    "handle_underscores",
    "name_words",
    "name_non_ascii_share",
    "description_words",
    "description_has_link",
    "description_mentions",
    "description_hashtags",
    "has_url",
    "self_declared_bot",
    "automation_words",
    "background_image",
]
ALL_FEATURES: list[str] = MODEL_FEATURES + EXTRA_FEATURES

# "bot" as its own word or as a suffix/prefix of a handle or name part (`poetry_bot`, `BotOfBabel`,
# `mcgucket_bot`), but not inside ordinary words (`abbott`, `bottle`, `robotics`).
_BOT_CASE = re.compile(r"(?:^|[_\W\d])[Bb][Oo][Tt][Ss]?(?:$|[_\W\d])|[a-z0-9]Bot(?:s)?(?=$|[A-Z_\W\d])|^[Bb]ot(?=[A-Z_\d])")
# A posting schedule is one automation word: "every hour", "every few …", "hourly", and a number of
# units in the singular or the plural ("every 3 hours", "every 30 minutes", "every 2 days"). Until
# issue 12's fix the units were singular only, and the `\b` after them made "every 3 hours" never
# count (docs/model-card-bot.md, "2026-12-07: a schedule in the plural").
_AUTOMATION = re.compile(
    r"\b(?:automated|automatic(?:ally)?|auto[- ]?(?:post|tweet|generated)|every (?:\d+ )?(?:minutes?|hours?|days?|few)|hourly|"
    r"generated|random(?:ly)?|tweets? (?:every|each|random)|feed|rss|not affiliated|unofficial|updates? from|alerts?|"
    r"created by|made by|run by|maintained by|by @\w+)\b",
    re.I,
)


# Two of `_AUTOMATION`'s words have an everyday sense that people write in their own profiles
# (issue 12, 2026-12-07; docs/model-card-bot.md "'random' said of one's talk, 'by @' said of a
# credit"). "random" is automation when it names how posts are picked ("a random object four times
# a day", "randomly generated"), not when it calls a person's own talk or acts miscellaneous:
# "random thoughts", "random stuff", "random unserious musings", "RANDOM ACTS OF SHAQNESS", nor in
# the publisher's name "Random House". "by @handle" declares who made the account when it stands
# as a signature (opening the description or a part of it: "By @aparrish.", "// by @inky") or
# follows a word for the account as software or for writing it ("a bot by @x", "🤖 by @x", "code by
# @x", "written by @x"; "made by",
# "created by", "run by" and "maintained by" are words of their own); after any other word it
# credits a person for something else: "photos by @friend", "logo by @x", "avi by @x",
# "repped by @x", "hosted by @x". Each list is written from that meaning, not from counts.
_RANDOM_TALK = re.compile(
    r"\s+(?:[a-z'-]+\s+)?(?:thoughts?|musings?|ramblings?|rants?|stuff|things|shit|crap|nonsense|acts|opinions|observations|babble)\b",
    re.I)
_RANDOM_HOUSE = re.compile(r"Random House\b")  # the publisher, as its name is written
_BY_SIGNATURE = re.compile(
    r"(?:^|[.!?|/\\:;,(\[~•·–—-]|bots?|🤖|\b(?:code|script|program|app|generator|written|coded|programmed|built|developed|generated))\s*$",
    re.I)


def _automation(m: re.Match[str]) -> bool:
    """Whether one `_AUTOMATION` match in its description reads as automation: False for the
    everyday senses of "random" and "by @handle" above."""
    text, word = m.string, m.group(0).casefold()
    if word.endswith("random"):
        return not (_RANDOM_TALK.match(text, m.end()) or _RANDOM_HOUSE.match(text, m.end() - len("random")))
    if word.startswith("by @"):
        return _BY_SIGNATURE.search(text, 0, m.start()) is not None
    return True


def automation_count(description: str | None) -> int:
    """The `automation_words` feature of one description: `_AUTOMATION`'s non-overlapping matches
    that read as automation (`_automation`)."""
    return sum(1 for m in _AUTOMATION.finditer(description or "") if _automation(m))


# The literals every match `_automation` can refuse holds: a description without them counts as
# the plain pattern counts (read by Arrow), one with them is read again in Python.
_REFUSABLE = ("random", "by @")


def automation_matches(description: str | None, longest: int = 40) -> list[str]:
    """The distinct automation words (`_AUTOMATION`, read by `_automation`) of a description as
    written, in order, each cut to `longest` characters: what the `automation_words` count counted,
    for its evidence sentence (attacker-written text: shown escaped)."""
    out: list[str] = []
    for m in _AUTOMATION.finditer(description or ""):
        if not _automation(m):
            continue
        word = m.group(0)
        word = word if len(word) <= longest else word[: longest - 1] + "…"
        if word.casefold() not in (w.casefold() for w in out):
            out.append(word)
    return out


_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|org|net|io|co|ly|me)\b", re.I)


# "bot" said of others, not of oneself: refused ("not a bot", "no DMs, no bots", "#NoBots", "I block
# bots", "anti-bot", "bots blocked") or studied ("researching bots", "bot hunter"). People write
# these in their own profiles; counting them as self-declared made a retired scientist's "Bots
# blocked." a 0.98 bot. The context read is narrow on purpose, so that bots naming a cause or a
# topic still declare ("Anti-Brexit bot", "No-nonsense bot posting petitions", "Earthquake bot:
# detection alerts"): a prefix counts only joined to the word ("anti-bot", "#NoBots"), "not" /
# "never" only across an article ("not a bot"), a verb only before the plural ("I block bots",
# "tracking bots": before the singular it describes the account, "a flight tracking bot"), and
# after the word only a refusal ("bots will be blocked") or a hunter's noun ("bot hunter").
_OWN = re.compile(r"(?:^|[^a-z])(?:i am|i'm|im|this is|this account is)\s+(?:a|an)\s+(?:[a-z'-]+\s+){0,2}$")
_PREFIX = re.compile(r"(?:^|[^a-z])(?:anti|non|no)[-_ #]?$")
_NEGATED = re.compile(r"(?:^|[^a-z])(?:not|never|no)\s+(?:(?:a|an|any|one)\s+)?$")
_VERB_BEFORE_PLURAL = re.compile(
    r"(?:^|[^a-z])(?:block(?:s|ed|ing)?|ban(?:s|ned)?|hate[sd]?|report(?:s|ed|ing)?|stud(?:y|ies|ying)|research(?:es|ing)?|"
    r"track(?:s|ing)?|hunt(?:s|ing)?|fight(?:s|ing)?|spot(?:s|ting)?|expos(?:e|es|ing)|detect(?:s|ing)?)(?:\s+[a-z'-]+)?\s+$")
_FILLER = r"(?:[&+,/]|and|or|trolls?|spam(?:mers)?|will|be|get|gets|are|is|always|immediately|instantly)"
_NOT_ME_AFTER = re.compile(
    r"^\s*(?:(?:" + _FILLER + r")\s+){0,5}(?:blocked|banned|reported|not welcome|unwelcome)(?![a-z])"
    r"|^[\s-]*(?:hunter|hunting|spotter|spotting|researcher|sentinel)(?![a-z])")
# "rt bot" (the abbreviation, then a space): stan talk for a person who retweets a lot ("A kpop fan
# acc, ... rt bot", twarc2/kpop; "i'm an rt bot for exo"), read first, before "I am a … bot". No
# labelled account of the shared data writes it; feed bots say "a bot that retweets", "Retweet
# Bot", which still count. A handle's "exo_rt_bot" is not this (no space).
_RT_BEFORE = re.compile(r"(?:^|[^a-z0-9])rt\s+$")
_CONTEXT = 40  # characters read either side of the word


def _declares_bot(text: str) -> bool:
    """Whether `text` calls its own account a bot: some "bot" word in it that the account says
    of itself ("I am a … bot"), or that is neither refused nor studied (the patterns above, read
    in lower case around the word)."""
    for m in _BOT_CASE.finditer(text):
        # The pattern takes up to one character either side of the word: find the word itself.
        found = m.group().lower()
        start = m.start() + found.index("bot")
        plural = found.startswith("bots", found.index("bot"))
        end = start + (4 if plural else 3)
        before = text[max(0, start - _CONTEXT):start].lower()
        after = text[end:end + _CONTEXT].lower()
        if _RT_BEFORE.search(before):
            continue
        if _OWN.search(before):
            return True
        if not (_PREFIX.search(before) or _NEGATED.search(before) or (plural and _VERB_BEFORE_PLURAL.search(before))
                or _NOT_ME_AFTER.search(after)):
            return True
    return False


def self_declared_bot(*texts: str | None) -> bool:
    """True when a handle, name or description calls the account a bot (the self-declared bots
    of botwiki.org and many feeds say so; few people put "bot" as a word in their own profile),
    not when it refuses or studies bots ("not a bot", "bots blocked", "bot researcher")."""
    return any(t is not None and _declares_bot(t) for t in texts)


def _self_declared_column(*cols: TextColumn) -> np.ndarray:
    """`self_declared_bot` over handle, name and description columns: 1.0 / 0.0, NaN where all
    three are empty or missing. Every match of `_BOT_CASE` holds "bot" in some case, so the
    pattern runs only on strings holding it (`TextColumn.where_containing`)."""
    test = _declares_bot
    hit = np.zeros(cols[0].n, dtype=bool)
    known = np.zeros(cols[0].n, dtype=bool)
    for c in cols:
        hit |= c.where_containing("bot", test)
        known |= c.length() > 0  # NaN (None) compares False, as "" does: neither is a text
    return np.where(known, hit.astype("float64"), np.nan)


_GENERATED = re.compile(r"^[A-Za-z0-9]{15}$")
_ALNUM = re.compile(r"[^a-z0-9]")


def char_entropy(s: str) -> float:
    """Shannon entropy (bits per character) of a string; random handles score high."""
    if not s:
        return float("nan")
    counts = Counter(s.lower())
    n = len(s)
    return -sum_left_to_right(c / n * math.log2(c / n) for c in counts.values())  # 3.11's addition (botwatch.numeric)


def is_generated_handle(handle: str | None) -> bool:
    """The seed signal: a 15-character alphanumeric handle with a run of digits, the shape
    Twitter proposed by default (name fragment + digits, cut at the 15-character limit)."""
    if not handle or not _GENERATED.match(handle):
        return False
    return sum(ch.isdigit() for ch in handle) >= 4


def name_handle_similarities(names: list[str | None], handles: list[str | None]) -> np.ndarray:
    """The `name_handle_similarity` feature of each (name, handle) pair, as float64: 0..1, how
    alike display name and handle are, letters and digits only (a mismatch is a signal). NaN
    where either is None or empty, 0 where either has no letter or digit, else difflib's
    `SequenceMatcher.ratio()` of the two lower-cased, letters and digits only (through cydifflib,
    the same algorithm compiled with Cython and identical values, where it is installed).

    Why: per account in Python it was the largest cost of `profile_features`. Here each distinct
    pair is matched once (a study that repeats profiles repeats them), the strings are folded a
    column at a time (`_folded`), and the matcher runs only where neither folded string holds
    the other. The values are the per-pair matcher's (`name_handle_similarity` in
    testsupport/accounts_reference.py, the tests' reference):
    below 200 characters difflib junks nothing, so when one string is inside the other the
    longest block is that whole string, nothing is left on either side of it in the shorter one,
    and the matches are its length."""
    pairs = list(zip(names, handles))
    values: dict[tuple[str | None, str | None], float] = dict.fromkeys(pairs, math.nan)
    todo = [pair for pair in values if pair[0] and pair[1]]  # the rest stay NaN
    for pair, a, b in zip(todo, _folded([p[0] for p in todo]), _folded([p[1] for p in todo]), strict=True):
        if not a or not b:
            values[pair] = 0.0
        elif len(b) >= 200:  # difflib's "popular element" rule may junk characters: the matcher decides
            values[pair] = SequenceMatcher(None, a, b).ratio()
        elif a in b:  # equal strings too: 2 * len / (2 * len) is 1.0
            values[pair] = 2.0 * len(a) / (len(a) + len(b))
        elif b in a:
            values[pair] = 2.0 * len(b) / (len(a) + len(b))
        else:
            values[pair] = SequenceMatcher(None, a, b).ratio()
    return np.fromiter(map(values.__getitem__, pairs), np.float64, len(pairs))


# Every byte but a-z, 0-9 and NUL: what `_folded` deletes from the lower-cased UTF-8.
_NOT_ALNUM_OR_NUL = bytes(c for c in range(256) if not (c == 0 or 0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A))


def _folded(texts: list[str]) -> list[str]:
    """`_ALNUM.sub("", t.lower())` of each text, for the whole list at once: the texts joined by
    NUL, lower-cased, encoded, stripped of every byte but [a-z0-9] and NUL by `bytes.translate`,
    then split at the NULs.

    Exact because every byte of a non-ASCII character's UTF-8 is 0x80 or above (deleted, as the
    pattern deletes the character), the only lower-case mapping that depends on its neighbours
    (a final sigma) gives a non-ASCII letter either way, and nothing maps to or from a NUL; a list
    holding a NUL itself is folded text by text."""
    if not texts:
        return []
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        return [_ALNUM.sub("", t.lower()) for t in texts]
    kept = joined.lower().encode("utf-8", "surrogatepass").translate(None, _NOT_ALNUM_OR_NUL)
    return kept.decode("ascii").split("\x00")


def _num(s: pd.Series) -> pd.Series:
    """Numbers, unknown where unreadable. "inf" or "1e400" in a labels file read as infinity, which
    made that feature's training range NaN (`ood.feature_ranges`): no account was then ever out of
    distribution on it, and the model file held a NaN. It is unknown, as any unreadable count.
    So is a negative count (no platform has one; a hand-made or corrupted profile does): its logs
    were NaN or -inf, numpy printed "RuntimeWarning: divide by zero" on the user's terminal, and a
    negative posts-per-day rate was scored as a real one (out of range, bot probability 0.99)."""
    x = pd.to_numeric(s, errors="coerce").astype("float64")
    return x.where(np.isfinite(x) & (x >= 0))


def _bool(s: pd.Series) -> pd.Series:
    """1.0 / 0.0 by truth value, NaN where missing (None, NaN, NA)."""
    missing = s.isna().to_numpy()
    out = np.full(len(s), np.nan)
    out[~missing] = s.to_numpy(dtype=object)[~missing].astype(bool)  # truth value per object, in C
    return pd.Series(out, index=s.index)


def _texts(s: pd.Series, keep_empty: bool = False) -> list[str | None]:
    """Python strings or None (pandas 3 string columns turn None into NaN on every map)."""
    return [v if isinstance(v, str) and (keep_empty or v) else None for v in s.tolist()]  # tolist: no per-value astype


def profile_features(df: pd.DataFrame, ref_time: pd.Series | None = None) -> pd.DataFrame:
    """Model features for each row of `df` (canonical profile columns; any may be absent).

    `ref_time` is when the snapshot was taken (counts are as of then); age and per-day rates are
    measured up to it. Returns a frame with `MODEL_FEATURES` columns, index aligned with `df`.
    """
    n = len(df)
    col = lambda c: df[c] if c in df.columns else pd.Series([None] * n, index=df.index, dtype="object")  # noqa: E731
    out = pd.DataFrame(index=df.index)
    followers, following, posts = _num(col("followers")), _num(col("following")), _num(col("posts_count"))
    out["log_followers"] = np.log1p(followers)
    out["log_following"] = np.log1p(following)
    out["log_posts_count"] = np.log1p(posts)
    out["ff_ratio_log10"] = np.log10((followers + 1) / (following + 1))
    created = pd.to_datetime(col("created_at"), errors="coerce")
    # A full profile object (creation time and counts known) leaves an empty text field as
    # null; there "null" means "empty", whereas an archive without the field knows nothing.
    full_s = created.notna() & followers.notna()
    if "has_url" in df.columns:
        # A study (`features.with_profile_extra`): only the readers that saw the whole user object
        # (v1.1 where the user object has its `url` field, v2 when the request asked for the
        # profile's fields) record whether it links a website; a user object without the field
        # leaves the link unknown (`v1_fields.USER.absent_told`), never "no website". A CSV mapped with --columns may give counts and a creation time without any
        # location or description column, and Mastodon, Bluesky or Telegram profiles have no
        # location at all: read as "empty", those accounts were told "no profile location: raised
        # the bot score". There the text fields are unknown, as the model's missing values.
        full_s &= df["has_url"].notna().to_numpy()
    full = full_s.tolist()

    def text(c: str) -> list[str | None]:
        return [("" if f else None) if v is None else v for v, f in zip(_texts(col(c), keep_empty=True), full)]

    if ref_time is None:
        age = pd.Series(np.nan, index=df.index)
    else:
        age = (pd.to_datetime(ref_time, errors="coerce") - created).dt.total_seconds() / 86400.0
        age = age.where(age >= 0)
    out["age_days"] = age
    days = age.clip(lower=1.0)
    out["posts_per_day_life"] = posts / days
    out["followers_per_day"] = followers / days
    out["following_per_day"] = following / days
    h = _texts(col("handle"))
    hc = TextColumn(h)  # whole-column text measures (profile_text): the same values as per string
    out["handle_len"] = hc.length()
    out["handle_digits"] = hc.digits()
    out["handle_digit_share"] = out["handle_digits"] / out["handle_len"]
    out["handle_entropy"] = char_entropies(hc, char_entropy)
    out["handle_upper_share"] = hc.uppers() / out["handle_len"].to_numpy()
    shape = hc.matches(r"^[A-Za-z0-9]{15}\n?$", lambda v: float(bool(_GENERATED.match(v))))  # Python's `$` also matches before a final newline
    generated_known = hc.known
    if "platform" in df.columns:
        # The shape is the name Twitter proposed at sign-up, cut at its 15-character limit; Mastodon
        # and Bluesky propose none (and their handles carry an instance or domain), so there the
        # signal is unknown: a Mastodon study's signal table read "known for 60 accounts, showing
        # it 0", and a local Mastodon name such as "johnsmith123456" would have been called auto-suggested.
        plat = df["platform"].astype(object).where(df["platform"].notna(), "twitter").astype(str).str.lower()
        generated_known = generated_known & plat.isin(TWITTER_PLATFORMS).to_numpy()
    out["handle_generated15"] = np.where(generated_known, ((shape == 1.0) & (out["handle_digits"].to_numpy() >= 4)).astype("float64"), np.nan)
    names = text("display_name")
    nc = TextColumn(names)
    out["name_len"] = nc.length()
    out["name_digits"] = nc.digits()
    out["name_handle_similarity"] = name_handle_similarities(names, h)
    desc = text("description")
    dc = TextColumn(desc)
    out["description_len"] = dc.length()
    out["has_location"] = TextColumn(text("location")).not_blank()
    out["default_profile"] = _bool(col("default_profile"))
    out["default_image"] = _bool(col("default_image"))
    out["verified"] = _bool(col("verified"))
    out["log_age_days"] = np.log1p(age)
    out["log_posts_per_day"] = np.log1p(out["posts_per_day_life"])
    out["log_followers_per_day"] = np.log1p(out["followers_per_day"])
    out["log_following_per_day"] = np.log1p(out["following_per_day"])
    likes, listed = _num(col("likes_count")), _num(col("listed_count"))
    out["log_likes"] = np.log1p(likes)
    out["log_likes_per_day"] = np.log1p(likes / days)
    out["likes_per_post_log"] = np.log10((likes + 1) / (posts + 1))
    out["log_listed"] = np.log1p(listed)
    out["listed_per_1k_followers_log"] = np.log10((listed + 1) / (followers / 1000 + 1))
    out["handle_underscores"] = hc.count("_")
    out["name_words"] = nc.words()
    out["name_non_ascii_share"] = nc.non_ascii_share()
    out["description_words"] = dc.words()
    out["description_has_link"] = dc.matches(_LINK.pattern, lambda v: float(bool(_LINK.search(v))), ignore_case=True, word_only=True)
    out["description_mentions"] = dc.count("@")
    out["description_hashtags"] = dc.count("#")
    # The profile link is known only where the source keeps it: a labelled set's v1.1 `url`, or
    # in a study the `has_url` the v1.1 readers put in `extra` (unknown for other formats, and for
    # a user object without its `url` field). A set or archive without the field leaves it NaN, the
    # model's "unknown": the trees learnt that branch from every training account seen again with
    # the link masked (`training.OFTEN_MISSING`), the rank-linear part puts it at the middle rank.
    if "has_url" in df.columns:
        out["has_url"] = _bool(col("has_url"))
    else:
        # `opt_str`, as the study readers take a v1.1 `url`: stclab writes a missing link as the text
        # "None" or "null" (67 accounts), which was read as a website in training only.
        urls = [opt_str(u) if isinstance(u, str) else None for u in col("url").tolist()] if "url" in df.columns else [None] * n
        out["has_url"] = [np.nan if u is None and (not f or "url" not in df.columns) else float(bool(u and u.strip())) for u, f in zip(urls, full)]
    out["self_declared_bot"] = _self_declared_column(hc, nc, dc)
    if "declared_bot" in df.columns:
        # Mastodon's own "this account is automated" flag (`features.with_profile_extra`): the
        # profile says it is a bot though no text does; it was told "does not call itself a bot".
        flagged = np.array([v is True for v in df["declared_bot"].tolist()], dtype=bool)
        out["self_declared_bot"] = np.where(flagged, 1.0, out["self_declared_bot"].to_numpy())
    automation = dc.count_matches(_AUTOMATION.pattern, automation_count, ignore_case=True, word_only=True)
    for literal in _REFUSABLE:
        for i in np.flatnonzero(dc.where_containing(literal, lambda v: True)).tolist():
            automation[i] = automation_count(dc.values[i])
    out["automation_words"] = automation
    out["background_image"] = _bool(col("background_image"))
    return out[ALL_FEATURES]
