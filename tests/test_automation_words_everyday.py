"""Two automation words in their everyday sense are not automation (issue 12, 2026-12-07).

"random" counted in a person's "random thoughts" or "RANDOM ACTS OF SHAQNESS" and in the
publisher's "Penguin Random House"; "by @handle" counted in every credit a person gives: "photos
by @friend", "logo by @x", "Repped by @agent", "Hosted by @host" (24 of verified-2019's 1,983
humans). "random" still counts where it says how posts are picked, and "by @handle" where it signs
the account ("By @aparrish.", "// by @inky") or follows a word for it as software ("a bot by
@x", "code by @x"). docs/model-card-bot.md, "2026-12-07: 'random' said of one's talk, 'by @'
said of a credit", gives the counts on each labelled set and the LOSO table before and after."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.profile import _AUTOMATION, automation_count, automation_matches, profile_features

EVERYDAY = ["random thoughts", "Random stuff, mostly football", "VERY QUOTATIOUS, I PERFORM RANDOM ACTS OF SHAQNESS",
            "Navy vet. Tweets on Navy + random unserious musings.", "Tweets random thoughts about life",
            "Penguin Random House Audio's marketing team", "photos by @friend", "Views my own, logo by @x",
            "Writing a book. Repped by @monogramdp.", "Hosted by @ShannonBream.", "(Avi by @alyssa)", "📷 by @JennyKay",
            "Record Label founded by @wavves", "Inspired by @congressedits", "Tweets by @keithellison staff"]
AUTOMATION = {"a random object four times a day": ["random"], "Randomly generated poems": ["Randomly", "generated"],
              "Picked at random from the archive": ["random"], "Random word definitions in joke format": ["Random"],
              "By @aparrish.": ["By @aparrish"], "micropoetry // a bot by @inky": ["by @inky"], "A #bot by @Boo": ["by @Boo"],
              "Twitterbot by @x": ["by @x"], "Code by @jehosafet": ["by @jehosafet"], "(🤖 by @zaccolley)": ["by @zaccolley"],
              "Coded by @c. random flags": ["by @c", "random"], "by @x": ["by @x"],
              "Generates a random wizard every day. | Bot by @THEWA": ["random", "every day", "by @THEWA"]}


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_random_and_credits_are_no_automation(text: str) -> None:
    assert _AUTOMATION.search(text)  # the plain pattern, as counted until 2026-12-07, fires
    assert automation_count(text) == 0 and automation_matches(text) == []


@pytest.mark.parametrize("text", sorted(AUTOMATION))
def test_random_picking_and_a_makers_signature_still_count(text: str) -> None:
    assert automation_matches(text) == AUTOMATION[text]
    assert automation_count(text) == len(AUTOMATION[text])


def test_the_column_path_counts_as_the_python_rule() -> None:
    """`profile_features` counts a column through Arrow and reads again in Python only the
    descriptions holding "random" or "by @": both must give `automation_count`, ASCII or not."""
    texts = [*EVERYDAY, *AUTOMATION, "автоматически random thoughts", "é photos by @ж", "é // by @ж", "made by @me, random stuff",
             "feed by @x feed", "RANDOM HOUSE random", "by @x by @y", "random", "", None, "tweets every hour ✨ by @suisea"]
    got = profile_features(pd.DataFrame({"handle": ["a"] * len(texts), "description": texts}))["automation_words"].to_numpy()
    want = np.array([np.nan if t is None else float(automation_count(t)) for t in texts])
    assert np.array_equal(got, want, equal_nan=True), [(t, a, b) for t, a, b in zip(texts, got, want) if a != b]


@pytest.mark.shared_data
def test_no_verified_human_credit_counts_and_bots_keep_their_signatures(shared_data: Path) -> None:
    """On verified-2019's humans the 22 "by @handle" credits no longer count; botwiki-2019's bots
    keep most of theirs (224 of 375 descriptions)."""
    def by_handle(folder: str) -> int:
        desc = pd.read_csv(shared_data / "labelled" / folder / "profiles.csv.gz", dtype=str)["description"].dropna()
        return sum(any(w.casefold().startswith("by @") for w in automation_matches(d, longest=1000)) for d in desc)

    assert by_handle("verified2019") == 0
    assert by_handle("botwiki2019") == 224
