"""`bot.model_platform_seen` of the account JSON (`explain --json`, `accounts --json`,
`botwatch.account`): the shipped bot model learned from Twitter accounts only, which `explain` and
the report said of a Bluesky or Mastodon account's probability while the JSON carried nothing."""

from __future__ import annotations

from typing import Any

import pytest

from botwatch.accounts.json_shape import COLUMNS, account_json
from botwatch.report.caveats import other_platform_account


def _row(platform: str, probability: float | None) -> list[Any]:
    """An accounts_scored row (in `COLUMNS` order) of one account with that bot probability."""
    r: dict[str, Any] = dict.fromkeys(COLUMNS)
    r.update(platform=platform, account_id="did:plc:abc" if platform == "bluesky" else "12345", handle="voter", n_posts=3,
             bot_probability=probability)
    return [r[c] for c in COLUMNS]


@pytest.mark.parametrize(("platform", "seen"), [("bluesky", False), ("mastodon", False), ("twitter", True), ("x", True)])
def test_the_json_says_whether_the_shipped_model_saw_the_platform_as_explain_does(platform: str, seen: bool) -> None:
    bot = account_json(_row(platform, 0.91))["bot"]
    assert bot["model_platform_seen"] is seen
    assert (other_platform_account(platform) is None) is seen  # the sentence `explain` prints: one rule


def test_no_probability_or_a_users_own_model_leaves_it_unknown() -> None:
    assert account_json(_row("bluesky", None))["bot"]["model_platform_seen"] is None
    assert account_json(_row("bluesky", 0.91), own_bot_model={})["bot"]["model_platform_seen"] is None  # may have learned from Bluesky


def test_the_key_comes_last_in_bot_so_earlier_keys_keep_their_places() -> None:
    assert list(account_json(_row("bluesky", 0.5))["bot"])[-2:] == ["training_account", "model_platform_seen"]


@pytest.mark.parametrize("scored_by", ["own", "unrecorded"])
def test_a_study_not_scored_by_the_shipped_model_leaves_it_unknown(scored_by: str) -> None:
    """A user's model may have learned from Bluesky; a study that does not record its model cannot say."""
    assert account_json(_row("bluesky", 0.91), scored_by=scored_by)["bot"]["model_platform_seen"] is None
    assert account_json(_row("twitter", 0.91), scored_by=scored_by)["bot"]["model_platform_seen"] is None


def test_runs_that_cannot_be_read_record_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """`bot_model_scored_by` answers every reader, the export included: a `runs` it cannot read is
    "unrecorded" (unknown, said as such), never a traceback."""
    from botwatch import model_used

    def broken(_study: object) -> None:
        raise RuntimeError("runs unreadable")

    monkeypatch.setattr(model_used, "bot_model_used", broken)
    assert model_used.bot_model_scored_by(object()) == "unrecorded"  # type: ignore[arg-type]
