"""How much an origin resting on few posts has been worth, measured: the origin validation's frozen
test part (`scripts/validate_origin.py`, docs/figures/origin-validation.json, "shares" → "test"),
by posts per account. Why: `explain` read "US 0.99" for an account with 2 posts and no word that 2
posts is little to go on, and the origin model stores no interval (docs/model-card-bot.md). No
interval is made up here: the figures are those the validation measured, quoted for the band of
posts the account falls in.

The constant is the file's figures; `tests/test_origin_few_posts.py` fails when the two part, so a
re-run of the validation must update both. The figures file is under docs/, not in the package,
hence a constant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botwatch.prob_text import fixed


@dataclass(frozen=True)
class Measured:
    """One group's figure in one band: `placed` of `n` accounts placed in Russia, with the file's
    95% interval (`low`, `high`) for that share."""

    group: str  # the key's group in the figures file, before " | "
    placed: int
    n: int
    low: float
    high: float


# The bands the validation reports (posts per account) below 20: the IRA handles' share placed in
# Russia climbs from 55% (Russian-language) and 33% (posing as locals) at 1-4 posts to 91% and 86%
# at 20-99, so below 20 posts an origin rests on little. (band key, first, last) → figures.
_IRA_LANG = "IRA Russian-language"
_IRA_LOCAL = "IRA posing as locals"
_ORDINARY = "ordinary (brexit-2016 + gop-debate-2015)"
FEW_POSTS_BANDS: dict[tuple[str, int, int], tuple[Measured, ...]] = {
    ("1-4", 1, 4): (Measured(_IRA_LANG, 11, 20, 0.3421, 0.7418), Measured(_IRA_LOCAL, 3, 9, 0.1206, 0.6458),
                    Measured(_ORDINARY, 12, 12278, 0.0006, 0.0017)),
    ("5-19", 5, 19): (Measured(_IRA_LANG, 31, 36, 0.7134, 0.9392), Measured(_IRA_LOCAL, 18, 36, 0.3447, 0.6553),
                      Measured(_ORDINARY, 1, 743, 0.0002, 0.0076)),
}
FEW_POSTS = max(last for _, _, last in FEW_POSTS_BANDS) + 1  # 20: from here an origin is not "few posts"


def _band(n_posts: int | None) -> tuple[str, int, int] | None:
    """The band of `FEW_POSTS_BANDS` that `n_posts` falls in, None for 0 (profile alone: the
    validation measured no such band), unknown, or `FEW_POSTS` and more."""
    if n_posts is None:
        return None
    return next((b for b in FEW_POSTS_BANDS if b[1] <= n_posts <= b[2]), None)


def _pct(x: float) -> str:
    return f"{fixed(x, 0, 100)}%"


def few_posts_lead(n_posts: int) -> str:
    """The sentence's start, also written by the report's explorer (explorer.js) before `band_reference`."""
    return f"Based on {n_posts} post{'' if n_posts == 1 else 's'} only, little to go on: "


def few_posts_sentence(n_posts: int | None) -> str | None:
    """The sentence `explain` gives under an origin resting on fewer than `FEW_POSTS` posts (and
    the report's account explorer, from the same parts), else None."""
    band = _band(n_posts)
    return None if band is None or n_posts is None else few_posts_lead(n_posts) + band_reference(band)


def band_reference(band: tuple[str, int, int]) -> str:
    """How often the validation placed accounts with posts in `band` in Russia: IRA handles
    (rightly) and ordinary ones (wrongly), with the file's intervals."""
    lang, local, ordinary = FEW_POSTS_BANDS[band]
    return ("on the held-out test part of the origin validation, accounts with "
            f"{band[1]}–{band[2]} posts were placed in Russia {lang.placed} of {lang.n} Russian-language IRA accounts "
            f"[{_pct(lang.low)}, {_pct(lang.high)}], {local.placed} of {local.n} IRA accounts posing as locals "
            f"[{_pct(local.low)}, {_pct(local.high)}], and, wrongly, {ordinary.placed:,} of {ordinary.n:,} ordinary accounts "
            "(docs/figures/origin-validation.json, \"shares\" → \"test\").")


def few_posts_json(n_posts: int | None) -> dict[str, Any] | None:
    """`few_posts_sentence` as `explain --json`'s `origin.few_posts` (null at `FEW_POSTS` posts or
    more, or none): the band and each group's measured figures, so a script need not parse words."""
    band = _band(n_posts)
    if band is None:
        return None
    return {
        "posts_from": band[1], "posts_to": band[2], "said": few_posts_sentence(n_posts),
        "measured": [{"group": m.group, "placed_in_russia": m.placed, "accounts": m.n, "low": m.low, "high": m.high}
                     for m in FEW_POSTS_BANDS[band]],
    }
