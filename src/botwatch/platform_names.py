"""How a platform a reader stores (the `platform` column: "mastodon", "bluesky", ...) is named in
words, for the report and for the stages' notes.

Why its own module: the report's scope and caveats and the creation stage's note each wrote this
map (the stage cannot import `botwatch.report`, whose package import pulls in every section and
Jinja), as `language_names` serves the languages.
"""

from __future__ import annotations

PLATFORM_NAMES = {"bluesky": "Bluesky", "x": "X", "mastodon": "Mastodon"}

# X is Twitter renamed (2023): the X collector and a CSV mapped with `--platform x` store "x", the
# Twitter readers "twitter". Where a platform is compared to the one the shipped models learned from
# (every labelled account is a Twitter one), both are that platform: an X study was told the bot
# model "never saw" its platform and its accounts were never matched to the training accounts.
TWITTER_PLATFORMS = ("twitter", "x")


def platform_name(platform: str) -> str:
    """'mastodon' -> 'Mastodon'; a platform without a name here is written as stored."""
    return PLATFORM_NAMES.get(platform, platform)
