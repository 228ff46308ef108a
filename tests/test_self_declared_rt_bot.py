"""A k-pop fan's "rt bot" is no self-declared bot. In stan talk "rt bot" is a person who retweets a
lot: the one profile in the shared data that says it (twarc2/kpop.jsonl.gz) is "A kpop fan acc, bp,
gwsn, tri•be rt bot", and "i'm an rt bot for exo" read as "I am a … bot", so the profile counted as
calling itself a bot. No labelled account of the shared data (stclab, botwiki-2019, verified-2019,
TwiBot-20) writes "rt bot", so the feature the model was fitted on is unchanged; feed bots say it
otherwise ("I am a bot that retweets #art", "Random Retweet Bot"), and still count."""

from __future__ import annotations

import pytest

from botwatch.accounts.profile import _self_declared_column, self_declared_bot
from botwatch.accounts.profile_text import TextColumn


@pytest.mark.parametrize("text", ["i'm an rt bot for exo", "A kpop fan acc, bp, gwsn, tri•be rt bot", "fan account & RT bot",
                                  "just an rt bot for seventeen lol"])
def test_a_fans_rt_bot_is_not_read_as_a_self_declared_bot(text: str) -> None:
    assert self_declared_bot(text) is False
    col = TextColumn([text])  # the stage's column path says the same
    assert _self_declared_column(col, col, col)[0] == 0.0


@pytest.mark.parametrize("text", ["I am a bot that retweets #art", "Random Retweet Bot", "retweet bot for #art",
                                  "I'm a Bot; I randomly retweet a tweet from the public timeline",
                                  "exo rt bot. I am a bot: automated retweets of #EXO"])
def test_a_feed_bot_that_retweets_still_declares_itself(text: str) -> None:
    assert self_declared_bot(text) is True
    col = TextColumn([text])
    assert _self_declared_column(col, col, col)[0] == 1.0
