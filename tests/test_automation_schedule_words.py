"""A posting schedule counts as an automation word in the plural too (issue 12).

`profile._AUTOMATION`'s schedule part is there to count profiles that say they post on a schedule
(docs/model-card-bot.md, "2026-12-07: a schedule in the plural"). Its units were written singular
only, with a word boundary after them, so "every 3 hours" and "every 30 minutes" never counted while
"every hour" did. The phrases below are the kind the labelled bots write; the boundary still keeps
a unit inside a longer word ("every daydream") and the one-word "everyday" out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.profile import automation_count, automation_matches, profile_features

SCHEDULES = {"A new haiku every 2 hours": ["every 2 hours"], "Updated every 30 minutes": ["every 30 minutes"],
             "Posting a random painting every 6 hours": ["random", "every 6 hours"],
             "Earthquake alerts, checked every 5 minutes": ["alerts", "every 5 minutes"],
             "New photo every 2 days.": ["every 2 days"], "EVERY 12 HOURS a fact about frogs": ["EVERY 12 HOURS"],
             "I post every 1 minute": ["every 1 minute"], "A word every hour": ["every hour"],
             "A new map every day": ["every day"], "Posts every few hours": ["every few"], "hourly weather": ["hourly"],
             # "tweets every" is one word of its own and takes the "every" (as before the fix).
             "Tweets every 3 hours": ["Tweets every"]}
NOT_SCHEDULES = ["Chasing every daydream", "every hourglass runs out", "Everyday life in Leeds", "every 3 hoursago",
                 "every minutemen fan"]


@pytest.mark.parametrize("text", sorted(SCHEDULES))
def test_a_schedule_counts_in_the_singular_and_the_plural(text: str) -> None:
    assert automation_matches(text) == SCHEDULES[text]
    assert automation_count(text) == len(SCHEDULES[text])


@pytest.mark.parametrize("text", NOT_SCHEDULES)
def test_a_unit_inside_a_longer_word_is_no_schedule(text: str) -> None:
    assert automation_count(text) == 0 and automation_matches(text) == []


def test_the_column_path_counts_plural_schedules_as_the_python_rule() -> None:
    """`profile_features` counts with Arrow's RE2 (stand-ins for non-ASCII strings): the plural
    units must count there as in Python, with digits and spaces of other scripts too."""
    texts = [*SCHEDULES, *NOT_SCHEDULES, "é every 3 hours", "every ٣ minutes", "every ３ hours", "every\u00a03 hours",
             "Обновляется every 10 minutes", "every 2 days, every 4 hours", None, ""]
    got = profile_features(pd.DataFrame({"handle": ["a"] * len(texts), "description": texts}))["automation_words"].to_numpy()
    want = np.array([np.nan if t is None else float(automation_count(t)) for t in texts])
    assert np.array_equal(got, want, equal_nan=True), [(t, a, b) for t, a, b in zip(texts, got, want) if a != b]
    assert got[texts.index("é every 3 hours")] == 1 and got[texts.index("every 2 days, every 4 hours")] == 2
