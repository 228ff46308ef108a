"""Office shifts in Moscow time against a human day: the `office_hours` origin evidence item.

Why: accounts run from an office in St Petersburg that pose as Americans keep American-looking
hours, but not a human day. Their desks work in shifts set by the Moscow clock, so their posting
hours, read in Moscow time, have a shape no person's day has: the development IRA handles posing
as Americans are nearly silent from about 07:00 to 11:00 Moscow time (23:00-03:00 in New York,
when a New Yorker is still up; a 09:00 shift change would fall there), post a little from 12:00 to 16:00
(04:00-08:00 in New York, when a New Yorker sleeps) and jump to their busiest hours at 17:00
Moscow time. Since 2014 Moscow keeps UTC+3 all year, so an office's hours are fixed in UTC.

The item reads an account's posts by UTC hour of day (`shift_counts`: only accounts with at
least `MIN_POSTS` posts over at least `MIN_HOURS` distinct clock hours, so that one burst is not
read as a day) and compares two families of hour-of-day profiles:

* office in Moscow: a mixture of profiles fixed in UTC, learned from the development IRA handles
  (Russian-language and posing alike; a mixture of multinomials fitted by EM);
* a human day in country c: a mixture of local-time day shapes learned from ordinary accounts
  whose profile names the United Kingdom (their posts by London clock hour), placed at each of
  c's time zones in winter and in summer (`origin.ZONE_WEIGHTS` weigh the zones).

L(c) is the human family at c's zones; L(Russia) is the office family or, with a stated share
`HUMAN_SHARE_RUSSIA`, a human day at Russia's zones (people in Russia are people too). Each
profile enters as a Dirichlet-multinomial whose concentration is fitted on the development part
per family: posts come in bursts and habits change, so the evidence grows with the number of
posts only up to what real accounts of that family vary by (shrinkage by the number of posts).

What the item counts is not the two families' own ratio: that ratio compares fitted profiles,
grows with the posts (300 posts of a hard-edged night shift moved the odds by over a million) and
was never checked against real accounts. The raw ratio only says which band of real accounts an
account's hours resemble; the item counts the ratio measured in that band on the development part,
Russia-run accounts against ordinary ones (`measured_log_ratio`, `office_hours_lr` in
`data/origin_behaviour_lr.json`), at most the largest band's, for Russia against every other
country alike.

This item supersedes the circadian `hours` item where both exist (see `origin.evidence_vectors`):
it carries the same offset information with learned shapes, so counting both would count the
hours twice. Its log-ratio is scaled by the slope fitted with the other behavioural items
(`origin_signals`), which discounts what it shares with the daylight-saving shift and the holiday
calendar. Parameters: `data/origin_shifts.json`, written by `scripts/fit_origin_shifts.py` (which
`scripts/fit_origin_behaviour.py` runs first) from the development part only. Without that file
the item is left out and the circadian `hours` item stands.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from scipy.special import gammaln, logsumexp

from botwatch.accounts.circadian import whole_offsets
from botwatch.accounts.gazetteer import countries
from botwatch.count_text import two_figures

KIND = "office_hours"
PARAM_FILE = "origin_shifts.json"
MIN_POSTS = 20
MIN_HOURS = 5  # distinct clock hours (an hour of one date) with posts: one burst is not a day (`shift_counts`)
# Distinct UTC dates an account's own posts must fall on before its hours count (`days_readable`):
# one evening's event covers at most two UTC dates (an American evening crosses UTC midnight), so
# thirty posts live-tweeting one debate over five clock hours are still not a day. Not the
# circadian stage's 20 (date, hour) cells (`circadian.MIN_ACTIVE_CELLS`, the `hours` item's rule):
# on the development part that rule took the item from accounts posing as Americans that post in
# shorter runs on many days (posing placed in Russia 351 -> 292 of 467; docs/model-card-origin.md).
MIN_DAYS = 3
HUMAN_SHARE_RUSSIA = 0.5  # stated, not fitted: of accounts run from Russia, those keeping a human day there
# The most the item may count *against* Russia (L(RU) >= this × the best country's L). The person's day
# is learned from British accounts only, so "a person in Russia" is a British day moved to Moscow
# time: Russian-writing accounts that post late into the Moscow night (or Siberian news feeds on
# UTC+7) fitted a person in Britain, Brazil or Japan by ×70-×7,000 better, which outweighed
# their Russian posts. Evidence *for* Russia is not bounded. Chosen on the development part only
# (docs/methods.md: floors 0.3, 0.1, 0.05, 0.03, 0.01, 0.001; 0.05 is the largest that leaves the
# development ordinary accounts placed in Russia where they were).
FLOOR_AGAINST_RUSSIA = 0.05
# The other countries a log-ratio of Russia is taken against are weighed by the stated prior with this
# election, as when the ratios were measured (`scripts/fit_origin_behaviour.py`, home US).
REFERENCE_HOME = "US"
MSK_UTC = 3  # Moscow's offset since October 2014 (UTC+4 from 2011 to 2014: those posts read an hour off)
_YEAR = 2016  # the offsets of each zone in January and July of this year (zone rules of the data's years)


@lru_cache(maxsize=1)
def parameters() -> dict[str, Any] | None:
    """The fitted templates, or None when the file is absent (the item is then left out)."""
    f = resources.files("botwatch.accounts").joinpath("data", PARAM_FILE)
    if not f.is_file():
        return None
    return json.loads(f.read_text(encoding="utf-8"))


def _offset(tz: str, month: int) -> tuple[tuple[int, float], ...]:
    """The zone's offset that month as (whole offset mod 24, share): one offset for a whole-hour
    zone; a zone off the whole hour shared between the two around it by nearness (India's +5:30
    half at +5, half at +6; rounded, halves to even, it sat at +6 alone and Iran's +3:30 at +4)."""
    from botwatch.accounts.origin import _tz_offset_minutes  # (origin imports this module)

    return tuple((o % 24, share) for o, share in whole_offsets(_tz_offset_minutes(tz, _YEAR, month)))


@lru_cache(maxsize=8)
def offset_weights(codes: tuple[str, ...]) -> np.ndarray:
    """(countries × 24) weight of each UTC offset (mod 24) for a person in that country: its
    zones (weighted as `origin.ZONE_WEIGHTS`, else equally), half in January and half in July."""
    from botwatch.accounts.origin import ZONE_WEIGHTS

    w = np.zeros((len(codes), 24))
    for i, c in enumerate(codes):
        tzs = countries()[c].time_zones
        zw = ZONE_WEIGHTS.get(c, ())
        if len(zw) != len(tzs):
            zw = tuple([1.0 / len(tzs)] * len(tzs))
        for tz, z in zip(tzs, zw):
            for month in (1, 7):
                for o, share in _offset(tz, month):
                    w[i, o] += z / 2 * share
    return w / w.sum(1, keepdims=True)


def dm_log_likelihood(x: np.ndarray, shapes: np.ndarray, alpha: float) -> np.ndarray:
    """Dirichlet-multinomial log-likelihood (without the multinomial coefficient, which is the
    same for every profile) of each row of counts `x` (accounts × 24) under each profile of
    `shapes` (profiles × 24, rows summing to 1) with concentration `alpha`: (accounts × profiles)."""
    a = alpha * shapes
    n = x.sum(1)
    return ((gammaln(alpha) - gammaln(n + alpha))[:, None]
            + (gammaln(x[:, None, :] + a[None]) - gammaln(a)[None]).sum(-1))


def utc_shapes(local: np.ndarray) -> np.ndarray:
    """Local-time shapes (K × 24) placed at every UTC offset o = 0..23: out[k, o, u] = local[k, (u + o) % 24]."""
    idx = (np.arange(24)[None, :] + np.arange(24)[:, None]) % 24  # [o, u]
    return local[:, idx]


def office_log_likelihood(x: np.ndarray, par: dict[str, Any]) -> np.ndarray:
    """log P(counts | office in Moscow) per account."""
    o = par["office"]
    ll = dm_log_likelihood(x, np.asarray(o["templates"], float), float(o["alpha"])) + np.log(np.asarray(o["weights"], float))[None]
    return logsumexp(ll, axis=1)


def human_log_likelihood_by_offset(x: np.ndarray, par: dict[str, Any]) -> np.ndarray:
    """log P(counts | a human day at UTC offset o) per account and offset o = 0..23 (accounts × 24)."""
    h = par["human"]
    shapes = utc_shapes(np.asarray(h["templates"], float))  # K, 24 offsets, 24 hours
    k = shapes.shape[0]
    ll = dm_log_likelihood(x, shapes.reshape(k * 24, 24), float(h["alpha"])).reshape(len(x), k, 24)
    return logsumexp(ll + np.log(np.asarray(h["weights"], float))[None, :, None], axis=1)


def log_likelihoods(counts: np.ndarray, codes: tuple[str, ...]) -> np.ndarray:
    """(accounts × countries) log-likelihood of each account's 24 UTC hour counts, all at once."""
    par = parameters()
    if par is None:
        raise ValueError(f"{PARAM_FILE} is missing")
    x = np.asarray(counts, float).reshape(-1, 24)
    human = human_log_likelihood_by_offset(x, par)
    w = offset_weights(codes)
    with np.errstate(divide="ignore"):
        lw = np.log(w)
    out = logsumexp(human[:, None, :] + lw[None], axis=2)
    if "RU" in codes:
        i = codes.index("RU")
        out[:, i] = np.logaddexp(np.log1p(-HUMAN_SHARE_RUSSIA) + office_log_likelihood(x, par), np.log(HUMAN_SHARE_RUSSIA) + out[:, i])
    return out




# `hourly`: posts per (account, UTC hour of day) for the accounts `shift_counts` keeps (its
# docstring says which). One text for both readers of it: `shift_counts` here and the accounts
# stage's engine-side table (`features.SHIFT_SQL`).
HOURLY_CTE = (
    "WITH slot AS ("
    " SELECT platform, account_id, date_trunc('hour', created_at) AS s, count(*) AS posts FROM posts"
    " WHERE created_at IS NOT NULL AND created_at >= TIMESTAMP '1990-01-01 00:00:00' AND created_at < TIMESTAMP '2101-01-01 00:00:00'"
    " GROUP BY platform, account_id, date_trunc('hour', created_at)),"
    " kept AS (SELECT platform, account_id FROM slot GROUP BY platform, account_id"
    f"  HAVING sum(posts) >= {MIN_POSTS} AND count(*) >= {MIN_HOURS}),"
    " hourly AS (SELECT slot.platform, slot.account_id, CAST(hour(slot.s) AS INTEGER) AS h, sum(slot.posts) AS posts FROM slot"
    "  JOIN kept ON slot.platform = kept.platform AND slot.account_id = kept.account_id"
    "  GROUP BY slot.platform, slot.account_id, CAST(hour(slot.s) AS INTEGER))"
)


def days_readable(active_days: int | None) -> bool:
    """Whether an account's own posts fall on at least `MIN_DAYS` distinct UTC dates, so its hours
    may be read as an office's or a person's day (None: not counted, not gated)."""
    return active_days is None or int(active_days) >= MIN_DAYS


def shift_counts(study: Any) -> dict[tuple[str, str], list[int]]:
    """Posts per UTC hour of day, for each account with at least `MIN_POSTS` posts spread over at
    least `MIN_HOURS` distinct clock hours (an hour of one date); other accounts are left out.

    Why the second condition: posts come in bursts, and thirty posts live-tweeting one debate
    fill three clock hours of one night, which says nothing about the account's daily rhythm.
    One SQL pass and one numpy scatter for all accounts; times outside 1990-2100 are corrupt and
    left out, as the calendar features leave them out."""
    tbl = study.query_arrow(HOURLY_CTE + " SELECT dense_rank() OVER (ORDER BY platform, account_id) - 1 AS k, platform, account_id, h, posts FROM hourly")
    if tbl.num_rows == 0:
        return {}
    k = tbl.column("k").to_numpy()
    out = np.zeros((int(k.max()) + 1, 24), np.int64)
    np.add.at(out, (k, tbl.column("h").to_numpy()), tbl.column("posts").to_numpy())
    _, at = np.unique(k, return_index=True)
    plat, acc = tbl.column("platform").take(at).to_pylist(), tbl.column("account_id").take(at).to_pylist()
    return dict(zip(zip(plat, acc), out.tolist()))


# Log-likelihood rows of a whole study, computed at once by `precompute` and keyed by the hour
# counts (accounts with equal counts share a row). Read by `raw_item`.
_MEMO: dict[tuple[int, ...], np.ndarray] = {}
_MEMO_CODES: list[tuple[str, ...]] = []


def _key(counts: Sequence[int] | None) -> tuple[int, ...] | None:
    if counts is None or len(counts) != 24:
        return None
    k = tuple(int(c) for c in counts)
    return k if sum(k) >= MIN_POSTS else None


def precompute(counts: Iterable[Sequence[int] | None], codes: tuple[str, ...]) -> None:
    """Fill the memo for a study's accounts in one vectorised pass (replacing the last study's)."""
    _MEMO.clear()
    _MEMO_CODES[:] = [codes]
    if parameters() is None:
        return
    keys = sorted({k for k in map(_key, counts) if k is not None})
    for s in range(0, len(keys), 2000):
        chunk = keys[s:s + 2000]
        _MEMO.update(zip(chunk, log_likelihoods(np.array(chunk, float), codes)))


def raw_item(counts: Sequence[int] | None, codes: tuple[str, ...]) -> np.ndarray | None:
    """Unscaled log-likelihood per country, or None (too few posts, or no parameters)."""
    k = _key(counts)
    if k is None or parameters() is None:
        return None
    hit = _MEMO.get(k) if _MEMO_CODES and _MEMO_CODES[0] == codes else None
    return hit if hit is not None else log_likelihoods(np.array([k], float), codes)[0]


@lru_cache(maxsize=8)
def _others_log_weights(codes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(indices of the countries other than Russia in `codes`, their log prior weights with the
    reference election, normalised): what `russia_log_ratio` weighs them by."""
    from botwatch.accounts.origin import codes as all_codes
    from botwatch.accounts.origin import prior

    p = prior(REFERENCE_HOME)
    at = all_codes()
    idx = np.array([i for i, c in enumerate(codes) if c != "RU"], np.int64)
    w = np.array([p[at.index(codes[i])] if codes[i] in at else 0.0 for i in idx.tolist()], float)
    with np.errstate(divide="ignore"):
        return idx, np.log(w / w.sum())


def russia_log_ratio(raw: np.ndarray, codes: tuple[str, ...]) -> float:
    """The item's raw log-ratio of Russia (office or a person there) against a person's day in the
    other countries as the reference prior weighs them: what its measured ratio is looked up by."""
    idx, lw = _others_log_weights(codes)
    return float(raw[codes.index("RU")] - logsumexp(raw[idx] + lw))


def measured_log_ratio(raw_ratio: float) -> float | None:
    """The log-likelihood ratio of Russia against ordinary accounts measured on the development part
    for hours whose raw log-ratio (`russia_log_ratio`) is `raw_ratio` (`office_hours_lr` in
    `origin_behaviour_lr.json`: the isotonic log-ratio per band of the raw one, interpolated between
    the bands' medians and held at the end bands, so never beyond what was measured); None when
    the file has no such measurement.

    Why: the raw ratio compares two fitted families of profiles (an office in Moscow against a
    British person's day) and grows with the number of posts: 300 posts of a hard-edged night shift
    moved the odds by over a million, a ratio never checked against real accounts of either kind.
    Ordinary accounts whose hours fit a Moscow office (British office and afternoon posters) exist,
    and how often they do is what the item may count: the share of development Russia-run accounts
    with such hours over the share of ordinary ones."""
    from botwatch.accounts.origin_signals import parameters as lr_parameters

    m = lr_parameters().get("office_hours_lr")
    if not m:
        return None
    return float(np.interp(raw_ratio, m["raw"], m["log_ratio"]))


def _hours_words(hours: Sequence[int]) -> str:
    """'07:00-11:00' style runs of whole hours (Moscow time)."""
    hs = sorted(set(hours))
    runs: list[list[int]] = []
    for h in hs:
        if runs and h == runs[-1][-1] + 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 23:
        runs[0] = runs.pop() + runs[0]
    return ", ".join(f"{r[0]:02d}:00-{(r[-1] + 1) % 24:02d}:00" for r in runs)


def sentence(counts: Sequence[int], move: str, ref: str) -> str:
    """Evidence in words: where the account's posts fall in Moscow time and what that did to the odds."""
    x = np.roll(np.asarray(counts, float), MSK_UTC)  # Moscow hour h holds UTC hour h - 3
    n = int(x.sum())
    share = x / max(n, 1)
    quiet = [h for h in range(24) if share[h] < 0.25 / 24]
    busy = [int(h) for h in np.argsort(-share)[:4]]
    # (No silent hour: "the account is no silent hours" read as nonsense in every evidence list.)
    hours = (f"the busiest hours are {_hours_words(busy)} and the account is nearly silent {_hours_words(quiet)} Moscow time" if quiet
             else f"the busiest hours are {_hours_words(busy)} Moscow time and the account has no silent hour")
    if move.startswith("÷"):  # the measured ratio says these hours are commoner among ordinary accounts
        fit = ("the hours fit a person's day at home as well as or better than a working day in UTC+3 (measured "
               "against the development IRA handles and ordinary accounts), a pattern of hours, not a place")
    else:
        fit = ("the hours fit a working day in UTC+3 (as the development IRA handles' did) better than "
               "a person's day in each country's own zones, a pattern of hours, not a place")
    return f"office shifts: of {n:,} posts, {hours}; {fit}: odds of Russia against {ref} {move}"


MOVE_CAP = 1e6  # factors beyond it are said as a bound: their last digits measure nothing
# Relative distance from MOVE_CAP within which a factor is the cap itself: exp(log(1e6)) is
# 999,999.9999999995, and read "nearly ×1,000,000". Far above the few ulps exp and a log-ratio's
# sums lose, far below any factor rounding matters for (999,999.999 is 1e-9 from the cap).
CAP_TOLERANCE = 1e-12


def move_words(log_ratio: float) -> str:
    """'×2.4', '÷4.1', '×55,000', 'nearly ×1,000,000', 'over ×1,000,000': how far the item moved the
    odds, to two significant figures (`count_text.two_figures`); the stored factor keeps every digit.

    Near the cap the words never claim more than the figure: 999,999 rounds to two figures as
    "1,000,000", which read as the cap reached, so a factor that only rounding lifts to the cap is
    "nearly" it, and "over" is kept for factors above it. 1,000,000 itself, to `CAP_TOLERANCE`
    (floating point gives it back a hair off), is said as it is."""
    f = math.exp(min(abs(log_ratio), 700.0))
    sign = "×" if log_ratio >= 0 else "÷"
    if math.isclose(f, MOVE_CAP, rel_tol=CAP_TOLERANCE):
        return f"{sign}1,000,000"
    if f > MOVE_CAP:
        return f"over {sign}1,000,000"
    words = two_figures(f)
    if f < MOVE_CAP <= float(words.replace(",", "")):
        return f"nearly {sign}1,000,000"
    return f"{sign}{words}"


def reference(codes: tuple[str, ...], home: str | None) -> int:
    """The country the item's sentence states Russia's odds against: home, else (no home, one the
    model cannot name, or Russia itself) the United States, where the items were measured. Against
    a Russian home every item read "odds of Russia against RU ×1.0" under a Duma 2016 file, as if
    hours that fit a Moscow office had moved nothing, where they raised P(RU) like any other item."""
    return codes.index(home) if home in codes and home != "RU" else codes.index("US")


def russia_factor(log_l: np.ndarray, codes: tuple[str, ...], home: str | None) -> float | None:
    """The factor the item moved the odds of Russia against `reference` by (> 1 towards Russia):
    the number its sentence words as "odds of Russia against XX ×N" or "÷N", unrounded, so a reader
    of `account_evidence.value` need not parse the sentence. None without Russia among `codes`."""
    if "RU" not in codes:
        return None
    return float(math.exp(float(log_l[codes.index("RU")] - log_l[reference(codes, home)])))


def item(counts: Sequence[int] | None, codes: tuple[str, ...], home: str | None, weight: float = 1.0) -> Any:  # origin_signals.Item | None
    """The scaled evidence item (log-likelihood × the fitted slope × `weight`) with its sentence, or
    None. `weight` < 1 counts hours that are not all the account's own at part of their worth
    (`origin_desk.weight`).

    Russia's entry counts by the ratio measured on the development part against ordinary accounts
    for such hours (`measured_log_ratio`), not by the raw ratio of the two families of profiles,
    and against every other country alike."""
    if counts is None:  # most accounts (too few clock hours): nothing to import or look up
        return None
    from botwatch.accounts.origin_signals import Item
    from botwatch.accounts.origin_signals import parameters as lr_parameters

    k = float(lr_parameters().get("slopes", {}).get(KIND, 0.0))
    raw = raw_item(counts, codes) if k > 0 else None
    if raw is None or counts is None:
        return None
    measured = None
    if "RU" in codes:
        raw_ratio = russia_log_ratio(raw, codes)
        measured = measured_log_ratio(raw_ratio)
    if measured is None:
        v = weight * k * (raw - raw.max())
    else:
        # Russia against every other country alike, by the measured ratio: the item says "an office in
        # Moscow or not", as far as real accounts showed. (Keeping the person's day's spread between the
        # other countries as well, tried on the development part, let Russia count up to ×9 more
        # against a country whose people's hours fit worse than the best one's: 54 ordinary false
        # alarms instead of 46; docs/methods.md.)
        v = np.zeros(len(codes))
        v[codes.index("RU")] = measured
        v = weight * k * v
        v = v - v.max()
    ref = reference(codes, home)
    note = ""
    if measured is not None:
        cap = float(np.exp(max(lr_parameters()["office_hours_lr"]["log_ratio"])))
        note += (f" (counted as measured on development accounts with such hours: Russia-run against ordinary {move_words(measured)}"
                 f"{'' if weight * k == 1 else f', weighted ×{two_figures(weight * k)}'}; the most it counts is ×{two_figures(cap)})")
    if "RU" in codes:
        ru = codes.index("RU")
        if v[ru] < math.log(FLOOR_AGAINST_RUSSIA):
            v = v.copy()
            v[ru] = math.log(FLOOR_AGAINST_RUSSIA)
            note += (f" (counted at most ÷{two_figures(1 / FLOOR_AGAINST_RUSSIA)} against Russia: the person's day was learned from British "
                     "accounts, so a Russian person's later hours are not known to it)")
        move = move_words(float(v[ru] - v[ref]))
    else:
        move = "×1.00"
    return Item(KIND, v, sentence(counts, move, codes[ref]) + note)
