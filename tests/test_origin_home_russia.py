"""Under an election in Russia, the behaviour items state what they did to Russia's odds.

A user's file for the State Duma election of 2016 on the IRA tweets: every office-hours and
language-transfer item read "odds of Russia against RU ×1.0" (Russia against itself), as if 63
articles in 6,054 English words had moved nothing, where they moved Russia's odds against every
other country ×190 and so P(RU); the office-hours sentence, choosing its words by that ×1.0, said
the hours "fit a working day in UTC+3 better" where the measured ratio (÷6.8) said the opposite.
They are now stated against the United States, where the items were measured, as with no home.
"""

from __future__ import annotations

from botwatch.accounts.origin import codes
from botwatch.accounts.origin_behaviour import Behaviour, TransferCounts
from botwatch.accounts.origin_signals import behaviour_items
from botwatch.accounts import origin_shifts


def test_language_transfer_is_not_stated_against_russia_itself() -> None:
    b = Behaviour(shift=None, holidays=None, transfer=TransferCounts(words=6_054, articles=63, mixed_words=3, posts=582))
    ru = [i.sentence for i in behaviour_items(b, codes(), "RU")]
    assert ru and not any("against RU" in s for s in ru), ru
    assert ru == [i.sentence for i in behaviour_items(b, codes(), None)]


def test_office_hours_are_not_stated_against_russia_itself() -> None:
    # A working day on the Moscow clock: 06:00-15:00 UTC, every day alike.
    counts = [0] * 24
    for h in range(6, 15):
        counts[h] = 40
    ru = origin_shifts.item(counts, codes(), "RU")
    assert ru is not None and "against RU" not in ru.sentence, ru.sentence
    assert ru.sentence == origin_shifts.item(counts, codes(), None).sentence
    factor = origin_shifts.russia_factor(ru.log_l, codes(), "RU")
    assert factor is not None and factor != 1.0
