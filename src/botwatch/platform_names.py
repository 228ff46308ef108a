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


def shipped_bot_model_saw(platform: object) -> bool:
    """Whether the shipped bot model learned from accounts of `platform` (its labelled accounts are
    all Twitter's, docs/model-card-bot.md "Data"). One rule for the report's and `explain`'s
    sentence and the account JSON's `bot.model_platform_seen`, so they cannot disagree."""
    return platform in TWITTER_PLATFORMS


def shipped_bot_model_saw_sql(column: str) -> str:
    """`shipped_bot_model_saw` as a SQL condition on the platform column `column`, for the export
    of `accounts_scored`: one list of platforms, so the export and the account JSON cannot disagree."""
    return f"{column} IN ({', '.join(repr(p) for p in TWITTER_PLATFORMS)})"


def platform_name(platform: str) -> str:
    """'mastodon' -> 'Mastodon'; a platform without a name here is written as stored."""
    return PLATFORM_NAMES.get(platform, platform)
