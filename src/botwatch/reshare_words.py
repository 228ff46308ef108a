"""What a study's platform(s) call passing on another account's post.

Every reader stores such a post with the kind "retweet" (a Mastodon boost and a Bluesky repost
included), and the report said "retweet" for all of them: a Mastodon study read "80%+ retweets"
and "accounts only retweeted or looked up", words its users and readers do not use. The report
and `explain` say the platform's own word; a study of several platforms names each ("retweet/
boost"), and a platform botwatch has no word for (a CSV's own `--platform`) gets the neutral
"repost".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reshare:
    noun: str  # "retweet"
    nouns: str  # "retweets"
    done: str  # "retweeted"

    @property
    def known_only_as(self) -> str:
        """How an account the study knows but that never posted in it came to be known: another
        account's post passed it on, quoted it or mentioned it (a reply names whom it answers), or
        a users file looked it up. The Overview said "only retweeted or looked up" and the key
        numbers "retweeted, mentioned or looked up"; on the bundled sample 10 of the 102 such
        accounts are known only as quoted and 27 only as mentioned."""
        return f"{self.done}, quoted, mentioned or looked up"


_TWITTER = Reshare("retweet", "retweets", "retweeted")
_NEUTRAL = Reshare("repost", "reposts", "reposted")
_BY_PLATFORM = {"twitter": _TWITTER, "x": _TWITTER, "mastodon": Reshare("boost", "boosts", "boosted"), "bluesky": _NEUTRAL}
_ORDER = ("retweet", "boost", "repost")


def reshare_words(platforms: Iterable[str | None]) -> Reshare:
    """The words for these platforms (a post's `platform` values); none known reads as Twitter,
    the default of every reader that does not name one."""
    found = {_BY_PLATFORM.get((p or "").strip().lower(), _NEUTRAL) if p else _TWITTER for p in platforms}
    if not found:
        return _TWITTER
    if len(found) == 1:
        return next(iter(found))
    ordered = sorted(found, key=lambda r: _ORDER.index(r.noun))
    return Reshare(*("/".join(getattr(r, f) for r in ordered) for f in ("noun", "nouns", "done")))


def study_reshare(study: Any) -> Reshare:
    """The words for the platforms of a study's posts."""
    if "posts" not in set(study.tables()):
        return _TWITTER
    return reshare_words(p for (p,) in study.sql("SELECT DISTINCT platform FROM posts"))


def report_reshare(study: Any, ctx: dict[str, Any]) -> Reshare:
    """The report's words: `ctx["reshare"]` (filled by `report_context`), else the study's."""
    rs = ctx.get("reshare")
    return rs if isinstance(rs, Reshare) else study_reshare(study)


def behaviour_words(name: str, rs: Reshare) -> str:
    """A coordination behaviour as the study's platform says it: 'co-retweet' is 'co-boost' in a
    Mastodon study and 'co-repost' in a Bluesky one (the stage and `--behaviour` keep the one
    name); the behaviours that are no reshare ('co-post', 'co-link', ...) read as named."""
    return name.replace("retweet", rs.noun) if "retweet" in name else name


_TWITTER_WORDS = re.compile(r"\bretweet(s|ed)?\b")


def in_reshare_words(text: str, rs: Reshare) -> str:
    """A fixed text of botwatch's own (a stance rule's meaning) with "retweet", "retweets" and
    "retweeted" said in the study's words; never for a post's or a profile's text."""
    return _TWITTER_WORDS.sub(lambda m: {"s": rs.nouns, "ed": rs.done}.get(m[1] or "", rs.noun), text)
