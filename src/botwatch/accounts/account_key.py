"""How a name asked for (`botwatch explain STUDY NAME`, `botwatch.api.account(study, NAME)`) is
read before it is looked up: which platform it is asked on, and a pasted Twitter/X profile link.

Why its own module, shared by the command and the API: `explain` read a twitter.com link as its
handle while `api.account` refused it, though the API is documented to return what `explain
--json` prints; and neither could reach the second of two accounts that share an id on two
platforms (one CSV ingested as twitter and as bluesky). One reading serves both, so they cannot
disagree again.
"""

from __future__ import annotations

import re
from typing import Any

from botwatch.accounts.json_shape import account_match
from botwatch.platform_names import TWITTER_PLATFORMS

# A Twitter/X profile link as a browser's address bar gives it (handles: 1-15 letters, digits, _).
PROFILE_LINK = re.compile(r"(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/@?([A-Za-z0-9_]{1,15})/?(?:[?#].*)?", re.I)


class UnknownPlatform(ValueError):
    """A platform asked for that the study holds no account of. `asked` is the name as given,
    `platforms` the study's own (what to ask for instead)."""

    def __init__(self, asked: str, platforms: list[str]) -> None:
        self.asked, self.platforms = asked, list(platforms)
        have = ", ".join(platforms) if platforms else "none"
        super().__init__(f"platform {asked!r}: the study holds no account of it; its accounts' platforms: {have}")


def study_platforms(study: Any) -> list[str]:
    """The platforms the study's scored accounts are on, as stored ("bluesky", "twitter", ...)."""
    rows = study.sql("SELECT DISTINCT platform FROM accounts_scored WHERE platform IS NOT NULL ORDER BY platform")
    return [str(p) for (p,) in rows]


def platform_asked(study: Any, asked: str) -> str:
    """The stored name of the platform `asked` names (any case, spaces around it aside), checked
    against the study's own: a typo such as "blusky" would otherwise find no account and read as
    if the account were missing. Raises `UnknownPlatform` listing the study's platforms."""
    platforms = study_platforms(study)
    by_lower = {p.lower(): p for p in platforms}
    found = by_lower.get(str(asked).strip().lower())
    if found is None:
        raise UnknownPlatform(str(asked), platforms)
    return found


def answering(study: Any, key: str, platform: str | None = None) -> list[tuple[str, str]]:
    """(platform, account_id) of every account `key` (a handle without its @, or an account id)
    answers to, on `platform` alone when given, most posts first."""
    where, params = account_match(key, platform)
    rows = study.sql(f"SELECT platform, account_id FROM accounts_scored WHERE {where} ORDER BY n_posts DESC NULLS LAST, account_id", params)
    return [(str(p), str(a)) for p, a in rows]


def from_profile_link(study: Any, key: str, platform: str | None = None) -> tuple[str, str | None] | None:
    """(handle, platform) of the Twitter/X account a pasted profile link
    (`https://twitter.com/10_gop`) names, where no account answers to the link as written; else
    None. A desk checking an account opens its profile and pastes the address: that was "no
    account ... in the study" for an account the study holds. A Mastodon account id is its profile
    URL, so the link is taken as written first. The platform comes back with the handle so that
    another platform's namesake is never the one looked up; a Twitter link names no Mastodon or
    Bluesky alice, however many posts hers has, nor anything when another `platform` was asked.
    Where several Twitter/X accounts answer (one CSV ingested as twitter and as x) and nothing
    else does, the platform is None: the one with most posts is shown and the others are named
    as for any shared handle, where "no account" was said of a link two accounts answer to."""
    m = PROFILE_LINK.fullmatch(key)
    if m is None or (platform is not None and platform not in TWITTER_PLATFORMS):
        return None
    if answering(study, key, platform):
        return None
    found = answering(study, m.group(1), platform)
    on_twitter = [p for p, _a in found if p in TWITTER_PLATFORMS]
    if not on_twitter:
        return None
    if len(on_twitter) > 1 and len(on_twitter) == len(found):
        return m.group(1), platform
    return m.group(1), on_twitter[0]
