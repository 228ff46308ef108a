"""Likelihood ratios for the behavioural origin features, with values measured on real data.

Each feature of `origin_behaviour` becomes one evidence item for the origin model: a likelihood
vector over countries and a sentence saying what was seen and how much it moved the odds of
Russia. The numbers come from `data/origin_behaviour_lr.json`, written by
`scripts/fit_origin_behaviour.py` from the *development* part of the IRA handles (run from
St Petersburg) and of the ordinary election accounts (brexit-2016, gop-debate-2015); the test
part is never read there. What each item assumes:

* `dst_shift`: the estimated shift δ (hours) is drawn, for an account in country c, from
  (1 − ε) N(μ_c, sd² + τ²) + ε U(−3, 3), where μ_c is how far c's clocks move between January
  and July (US, UK, EU: 1; Russia since 2014 and most of Asia: 0; southern hemisphere: −1), sd is
  the account's own bootstrap uncertainty, τ the spread of real accounts around μ and ε the share
  whose schedule jumps for other reasons. τ and ε are measured twice: on Russia-run accounts
  (used for RU) and on ordinary accounts (used for every other country).
* `holidays_ru`: posts on Russian public holidays are negative-binomial with mean ρ × expected,
  where ρ is the pooled observed/expected ratio measured on Russia-run accounts (for RU) or on
  ordinary ones, and the dispersion k is measured on each group too (posts come in bursts: a
  Russian-language account may post more on Victory Day, not less, so a Poisson count would
  turn one busy holiday into strong evidence).
* language transfer, two items: `articles` — articles per English word follow a beta-binomial
  whose mean and spread are measured on Russia-run accounts (for Russian-speaking countries) and
  on ordinary accounts; `mixed_letters` — words that mix Latin and Cyrillic look-alike letters
  carry the measured ratio of how often any such word appears (only when one is seen: their
  absence is near-universal in both groups and says nothing).

Posts are not independent (bursts, copied texts), so raw log-ratios are over-confident. Each
item's log-ratio is multiplied by a slope fitted on the development part (a logistic regression of
"run from Russia" on the raw log-ratios of all items together, with an intercept for the mix),
which both calibrates it and discounts what two items share.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from botwatch.accounts.gazetteer import countries
from botwatch.accounts.origin_behaviour import Behaviour, HolidayCounts, ShiftEstimate, TransferCounts
from botwatch.count_text import counted, two_figures

RUSSIAN_SPEAKING = ("RU", "UA", "BY", "KZ")
SHIFT_RANGE_H = 6.25  # width of the uniform part: the estimate lives on -3..+3 h in quarter hours
MIN_ARTICLE_WORDS = 30
LR_FILE = "origin_behaviour_lr.json"


@lru_cache(maxsize=1)
def parameters() -> dict[str, Any]:
    """The measured parameters (see `scripts/fit_origin_behaviour.py`)."""
    return json.loads(resources.files("botwatch.accounts").joinpath("data", LR_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=256)
def dst_swing(iso2: str) -> int:
    """Hours a country's main time zone moves between mid-January and mid-July 2016."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(countries()[iso2].time_zones[0])
    jan, jul = datetime(2016, 1, 15, 12, tzinfo=tz).utcoffset(), datetime(2016, 7, 15, 12, tzinfo=tz).utcoffset()
    if jan is None or jul is None:
        return 0
    return int(round((jul - jan).total_seconds() / 3600))


@dataclass(frozen=True)
class Item:
    kind: str
    log_l: np.ndarray  # log likelihood per country (already scaled by the fitted slope)
    sentence: str


def _shift_density(d: float, sd: float, mu: float, p: dict[str, float]) -> float:
    scale = math.sqrt(sd * sd + p["tau"] ** 2)
    pdf = _MEMO.get(("norm", d, scale, mu, 0.0))
    if pdf is None:
        pdf = float(_dists().norm.pdf(d, mu, scale))
    return (1 - p["eps"]) * pdf + p["eps"] / SHIFT_RANGE_H


def raw_dst(s: ShiftEstimate, codes: tuple[str, ...]) -> np.ndarray:
    """Unscaled log-likelihood per country of the observed shift."""
    par = parameters()["dst_shift"]
    # Countries share a handful of (swing, group) pairs: each density is computed once (same value).
    seen: dict[tuple[int, str], float] = {}
    out = []
    for c in codes:
        key = (dst_swing(c), "russia" if c == "RU" else "ordinary")
        if key not in seen:
            seen[key] = math.log(_shift_density(s.shift_h, s.sd_h, float(key[0]), par[key[1]]))
        out.append(seen[key])
    return np.array(out)


def _dists() -> Any:
    """scipy.stats, imported at first use: importing it costs about 0.7 CPU-s, and every `botwatch`
    command imports this module (`botwatch.cli` says why). The accounts stage's pool imports it
    before it forks (`accounts.pool.preload`), so its workers share it."""
    import scipy.stats

    return scipy.stats


# Log-probabilities (and the normal densities of `raw_dst`) computed ahead for a whole study
# (`precompute`), keyed by their arguments:
# one vectorised scipy call per distribution instead of four scalar calls per account (scipy's
# per-call overhead was most of the behaviour items' cost). The values are the same numbers.
_MEMO: dict[tuple[str, float, float, float, float], float] = {}


def _nb(k: int, mean: float, size: float) -> float:
    """log P(k) for a negative binomial with this mean and dispersion (variance mean + mean²/size)."""
    hit = _MEMO.get(("nb", k, mean, size, 0.0))
    if hit is not None:
        return hit
    return float(_dists().nbinom.logpmf(k, size, size / (size + mean)))


def raw_holidays(h: HolidayCounts, codes: tuple[str, ...]) -> np.ndarray | None:
    if h.ru_expected <= 0:
        return None
    par = parameters()["holidays_ru"]
    l_ru = _nb(h.ru_observed, par["rho_russia"] * h.ru_expected, par["k_russia"])
    l_other = _nb(h.ru_observed, par["rho_ordinary"] * h.ru_expected, par["k_ordinary"])
    return np.array([l_ru if c == "RU" else l_other for c in codes])


def _bb(k: int, n: int, p: dict[str, float]) -> float:
    m, rho = p["mean"], p["rho"]  # rho: intra-account correlation; a + b = 1/rho - 1
    hit = _MEMO.get(("bb", k, float(n), m, rho))
    if hit is not None:
        return hit
    s = 1 / rho - 1
    return float(_dists().betabinom.logpmf(k, n, m * s, (1 - m) * s))


def precompute(behaviours: Iterable[Behaviour | None]) -> None:
    """Fill the memo for these accounts' holiday and article items (replacing the last study's)."""
    _MEMO.clear()
    behaviours = list(behaviours)
    shifts = [b.shift for b in behaviours if b is not None and b.shift is not None]
    if shifts:
        # The normal densities of `raw_dst`: one call per (swing, group) pair over all accounts.
        par = parameters()["dst_shift"]
        d = np.array([s.shift_h for s in shifts], float)
        for mu, group in sorted({(float(dst_swing(c)), "russia" if c == "RU" else "ordinary") for c in countries()}):
            scales = [math.sqrt(s.sd_h * s.sd_h + par[group]["tau"] ** 2) for s in shifts]
            vals = _dists().norm.pdf(d, mu, np.array(scales, float))
            _MEMO.update(((("norm", s.shift_h, sc, mu, 0.0), float(v)) for s, sc, v in zip(shifts, scales, vals.tolist())))
    hol = [b.holidays for b in behaviours if b is not None and b.holidays is not None and b.holidays.ru_expected > 0]
    arts = [b.transfer for b in behaviours if b is not None and b.transfer.words >= MIN_ARTICLE_WORDS]
    if hol:
        par = parameters()["holidays_ru"]
        k = np.array([h.ru_observed for h in hol], np.int64)
        for rho, size in ((par["rho_russia"], par["k_russia"]), (par["rho_ordinary"], par["k_ordinary"])):
            means = [rho * h.ru_expected for h in hol]
            m = np.array(means, float)
            vals = _dists().nbinom.logpmf(k, size, size / (size + m))
            _MEMO.update(((("nb", int(a), b, size, 0.0), float(v)) for a, b, v in zip(k.tolist(), means, vals.tolist())))
    if arts:
        k, n = np.array([t.articles for t in arts], np.int64), np.array([t.words for t in arts], np.int64)
        for p in (parameters()["articles"]["russia"], parameters()["articles"]["ordinary"]):
            m, rho = p["mean"], p["rho"]
            s = 1 / rho - 1
            vals = _dists().betabinom.logpmf(k, n, m * s, (1 - m) * s)
            _MEMO.update(((("bb", int(a), float(b), m, rho), float(v)) for a, b, v in zip(k.tolist(), n.tolist(), vals.tolist())))


def raw_articles(t: TransferCounts, codes: tuple[str, ...]) -> np.ndarray | None:
    if t.words < MIN_ARTICLE_WORDS:
        return None
    par = parameters()["articles"]
    l_ru, l_other = _bb(t.articles, t.words, par["russia"]), _bb(t.articles, t.words, par["ordinary"])
    return np.array([l_ru if c in RUSSIAN_SPEAKING else l_other for c in codes])


def raw_mixed(t: TransferCounts, codes: tuple[str, ...]) -> np.ndarray | None:
    if t.mixed_words == 0:
        return None
    par = parameters()["mixed_letters"]
    lr = math.log(par["share_russia"] / par["share_ordinary"])
    return np.array([lr if c in RUSSIAN_SPEAKING else 0.0 for c in codes])


def raw_items(b: Behaviour, codes: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The unscaled log-likelihood vectors of each behavioural item the account offers."""
    out: dict[str, np.ndarray] = {}
    if b.shift is not None:
        out["dst_shift"] = raw_dst(b.shift, codes)
    if b.holidays is not None:
        v = raw_holidays(b.holidays, codes)
        if v is not None:
            out["holidays_ru"] = v
    v = raw_articles(b.transfer, codes)
    if v is not None:
        out["articles"] = v
    v = raw_mixed(b.transfer, codes)
    if v is not None:
        out["mixed_letters"] = v
    return out


def _odds_words(x: float) -> str:
    f = math.exp(x)
    return f"×{two_figures(f)}" if f >= 1 else f"÷{two_figures(1 / f)}"


def offers_nothing(b: Behaviour) -> bool:
    """Whether `raw_items` offers nothing for `b` (most accounts of a study of one status each):
    no shift estimate, no holiday counts, too few English words and no mixed-script word.
    `origin_behaviour_groups.offering` is the same test on the stored rows' columns."""
    t = b.transfer
    return b.shift is None and b.holidays is None and t.words < MIN_ARTICLE_WORDS and t.mixed_words == 0


def behaviour_items(b: Behaviour | None, codes: tuple[str, ...], home: str | None) -> list[Item]:
    """Scaled evidence items with sentences naming what moved the odds of Russia, and by how much."""
    if b is None or offers_nothing(b):
        return []
    slopes = parameters()["slopes"]
    from botwatch.accounts.origin_shifts import reference

    ref = reference(codes, home)  # not Russia itself, against which every move reads ×1.0
    ru = codes.index("RU")
    items = []
    for kind, raw in raw_items(b, codes).items():
        k = float(slopes.get(kind, 0.0))
        if k == 0.0:
            continue
        v = k * (raw - raw.max())
        move = _odds_words(float(v[ru] - v[ref]))
        if kind == "dst_shift":
            s = b.shift
            assert s is not None
            text = (f"daylight saving: posting hours move {s.shift_h:+.2f} h (±{s.sd_h:.2f}) in UTC between winter and summer time, "
                    f"the days US and European clocks disagree left out ({s.n_winter:,} and {s.n_summer:,} posts); a person keeping local clock time in the US or Europe moves about +1 h, "
                    f"Moscow none: odds of Russia against {codes[ref]} {move}")
        elif kind == "holidays_ru":
            h = b.holidays
            assert h is not None
            text = (f"working calendar: {counted(h.ru_observed, 'post')} on Russian public holidays where {h.ru_expected:.1f} were expected "
                    f"from the account's own daily rate: odds of Russia against {codes[ref]} {move}")
        elif kind == "articles":
            t = b.transfer
            text = (f"language transfer: {counted(t.articles, 'article')} (a/an/the) in {t.words:,} English words of {counted(t.posts, 'own post')} "
                    f"({1000 * t.articles / t.words:.0f} per 1,000; Russian has no articles): odds of Russia against {codes[ref]} {move}")
        else:
            t = b.transfer
            text = (f"language transfer: {counted(t.mixed_words, 'word')} mixing Latin and Cyrillic look-alike letters in the account's English posts: "
                    f"odds of Russia against {codes[ref]} {move}")
        items.append(Item(kind, v, text))
    return items
