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


def _real_descriptions(data: Path) -> list[str | None]:
    """Every description of the labelled sources (stclab, botwiki-2019, verified-2019) and of the
    unlabelled samples (the twarc2 pages' `includes.users`, TwiBot-20's profiles), as written."""
    import gzip
    import json

    out: list[str | None] = []
    for name in ("stclab/bots_data.csv.gz", "stclab/nonbots_data.csv.gz", "botwiki2019/profiles.csv.gz", "verified2019/profiles.csv.gz"):
        col = pd.read_csv(data / "labelled" / name, dtype=str, usecols=["description"])["description"]
        out += [v if isinstance(v, str) else None for v in col]
    for name in ("brexit", "kpop"):
        with gzip.open(data / "twarc2" / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
            out += [u.get("description") for line in fh for u in json.loads(line).get("includes", {}).get("users", [])]
    with gzip.open(data / "twibot20" / "TwiBot-20_sample.json.gz", "rt", encoding="utf-8") as fh:
        out += [r["profile"].get("description") for r in json.load(fh)]
    return out


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# Rewritings of every real description that move it across the column path's branches: the case
# of "random" / "by @" (Arrow's search ignores case, as the pattern does), a non-ASCII character
# that sends the string through the stand-ins, "by @" spaced or joined so the pattern no longer
# fires, and fullwidth letters that neither the pattern nor the search reads as ASCII.
REWRITES = {"as written": lambda t: t, "upper": str.upper, "swapped case": str.swapcase, "title": str.title,
            "non-ASCII, upper": lambda t: "é " + t.upper(), "by  @": lambda t: t.replace("by @", "by  @"),
            "by newline @": lambda t: t.replace("by @", "by\n@"), "by@": lambda t: t.replace("by @", "by@"),
            "By @ after an emoji": lambda t: "📷 " + t.replace("by @", "By @"), "fullwidth": _fullwidth}


@pytest.mark.shared_data
def test_the_column_path_counts_as_the_python_rule_on_every_real_description(shared_data: Path) -> None:
    """The stage's column (Arrow count, Python re-read of the descriptions holding "random" or
    "by @") equals `automation_count` row by row on the real descriptions, as written and
    rewritten (`REWRITES`): a row the re-read missed would keep the plain pattern's count."""
    texts = _real_descriptions(shared_data)
    assert sum(1 for t in texts if t and "by @" in t.casefold()) > 300  # the branch is exercised
    for name, rewrite in REWRITES.items():
        rows = [None if t is None else rewrite(t) for t in texts]
        got = profile_features(pd.DataFrame({"handle": ["a"] * len(rows), "description": rows}))["automation_words"].to_numpy()
        want = np.array([np.nan if t is None else float(automation_count(t)) for t in rows])
        wrong = [(t, a, b) for t, a, b in zip(rows, got, want) if not (a == b or (np.isnan(a) and np.isnan(b)))]
        assert not wrong, (name, len(wrong), wrong[:3])
