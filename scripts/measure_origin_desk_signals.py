#!/usr/bin/env python
"""What in an account's own posts could tell an IRA other-language desk (German, French, Spanish,
Arabic...) from an ordinary account posting in that language: candidate signals counted on the
development part, with the ordinary accounts that really post in another language reported apart.

    PYTHONPATH=src .venv/bin/python scripts/measure_origin_desk_signals.py --work W

W as `measure_origin_dev.py --work W` builds it (the development part's own study, W/apart-dev,
read-only here; there is no option to read the test part). Measured only: nothing here changes the
model. Why it exists (issue 13): 25 of the 28 Russian-language development accounts the model
misses post mostly in another language, and their evidence points to the language's countries.
An item that helped them must separate them from *people who write that language*, and the
ordinary archives are British and American: a false-alarm rate over them says little about a
German or Arabic writer. So every signal is counted over

* the Russian-language IRA accounts that post mostly in another language (the desks), placed in
  Russia or not by the shipped model (the stored `origin_country`), and the other Russia-run groups;
* the ordinary accounts, all of them, and those whose own posts py3langid reads as mostly not
  English (the honest negatives for a desk: Europeans and others writing about Brexit in their
  language), by that language;
* TwiBot-20's 100 unlabelled accounts (texts only, no times: only the text signals).

Signals (each counted where the account has enough posts for it, so the eligibility is printed too):
* `weekday`: an office in St Petersburg works Monday to Friday; a person posts any day, and in
  the Arab countries the week-end is Friday (and Saturday). Active Moscow dates on Sundays and on
  Fridays, for accounts active on at least 5 dates.
* `eu_dst`: posts within six weeks of an EU clock change on each side (≥ 10 a side): the accounts
  for which a daylight-saving shift against Germany, France or Spain could be read at all; for
  those, the shift estimated as `dst_shift` estimates it (`origin_behaviour.shift_from_bins`), but
  with the posts split at the EU change instead of the US one (the item splits at US dates, two to
  three weeks off for a European account), beside the item's own US-date estimate.
* `cyrillic_minority`: at least one post with Cyrillic letters while fewer than half have them (the
  `post_cyrillic` item reads the half and more).
* `mixed_any`: a word mixing Latin and Cyrillic letters in any post, in any Latin-script language
  (`mixed_letters` reads the account's own English posts only).
* `office_hours`: at least 20 posts over at least 5 clock hours (the existing item's own rule).
* `translit`: a common Russian word written in Latin letters (privet, spasibo, davai, khorosho...)
  in any post.

With `--what-it-takes` it also scores the study's stages again (own evidence, shared-text pooling,
study prior, as `validate_origin.origin_stages` does) with one extra item that multiplies Russia's
likelihood by F for every other-language Russian-language account and no other: how strong an
honest item would have to be, for these accounts, to place them (a bar, not a model).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402

from botwatch.accounts import origin  # noqa: E402
from botwatch.accounts.origin_behaviour import BINS, MIN_SIDE_POSTS, eu_changes, shift_estimate, shift_from_bins  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG, mostly_russian, post_bin  # noqa: E402
from botwatch.content.language import detect_many  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.stats import wilson  # noqa: E402

CYR = re.compile("[\u0400-\u04ff]")
LAT = re.compile("[A-Za-z]")
WORD = re.compile(r"[^\W\d_]+")
TRANSLIT = re.compile(r"\b(privet|spasibo|davai|davay|blin|khorosho|horosho|pozhaluysta|pozhalujsta|tovarisch|tovarishch|"
                      r"nichego|konechno|nu\s+vot|zdravstvuyte|do\s+svidaniya)\b", re.IGNORECASE)
MSK = pd.Timedelta(hours=3)
MIN_DATES = 5
WINDOW_DAYS = 42
MIN_SIDE = 10


def eu_summer(t: datetime) -> bool:
    """Whether EU summer time is in force at the naive UTC instant t (clocks move at 01:00 UTC)."""
    a, b = eu_changes(t.year)
    return datetime(a.year, a.month, a.day, 1) <= t < datetime(b.year, b.month, b.day, 1)


def eu_bins(times: list[datetime]) -> tuple[np.ndarray, np.ndarray]:
    """Quarter-hour bins of the posts within `WINDOW_DAYS` of an EU change: (winter side, summer side)."""
    w, s = [], []
    for t in times:
        d = t.date()
        if any(abs((d - c).days) <= WINDOW_DAYS for y in (d.year - 1, d.year, d.year + 1) for c in eu_changes(y)):
            (s if eu_summer(t) else w).append((t.hour * 60 + t.minute) * BINS // 1440)
    return np.asarray(w, np.int64), np.asarray(s, np.int64)


def mixed_words(text: str) -> int:
    return sum(1 for w in WORD.findall(text) if CYR.search(w) and LAT.search(w))


def eu_sides(times: pd.Series) -> tuple[int, int]:
    """Posts before and after the EU change that has the most on its thinner side, each within
    `WINDOW_DAYS` of it (the change day counts as after: clocks move at 01:00 UTC)."""
    best = (0, 0)
    days = times.dt.date
    for y in sorted({t.year for t in days}):
        for c in eu_changes(y):
            before = int(((days < c) & (days >= c - timedelta(days=WINDOW_DAYS))).sum())
            after = int(((days >= c) & (days <= c + timedelta(days=WINDOW_DAYS))).sum())
            if min(before, after) > min(best):
                best = (before, after)
    return best


def account_table(study: Path, data: Path) -> pd.DataFrame:
    con = duckdb.connect(str(study), read_only=True)
    scores = con.sql("SELECT s.account_id, s.n_posts, s.origin_country, a.handle FROM account_scores s "
                     "JOIN accounts a USING (platform, account_id)").df()
    posts = con.sql("SELECT account_id, created_at, coalesce(text, '') AS text, lang FROM posts").df()
    con.close()
    gs = V.groups_and_splits(data, scores["account_id"].tolist())
    scores["group"] = [g for g, _ in gs]
    posts["cyr"] = posts["text"].map(lambda t: bool(CYR.search(t)))
    posts["mixed"] = posts["text"].map(mixed_words)
    posts["translit"] = posts["text"].map(lambda t: bool(TRANSLIT.search(t)))
    posts["msk"] = posts["created_at"] + MSK
    rows = []
    for a, d in posts.groupby("account_id", sort=False):
        dated = d[d["created_at"].notna()]
        n_dates, fri, sat, sun = weekday_dates(dated["msk"])
        times = [x.to_pydatetime() for x in dated["created_at"]]
        w, su = eu_bins(times)
        eu = shift_from_bins(w, su) if min(len(w), len(su)) >= MIN_SIDE_POSTS else None
        us = shift_estimate(times)
        langs = Counter(t for t in d["lang"].fillna("") if t)
        rows.append({"account_id": a, "n": len(d), "cyr": int(d["cyr"].sum()), "mixed": int(d["mixed"].sum()),
                     "translit": int(d["translit"].sum()), "dates": n_dates, "sun": sun, "fri": fri, "sat": sat,
                     "clock_hours": dated["created_at"].dt.floor("h").nunique(),
                     "eu_side": min(eu_sides(dated["created_at"])) if len(dated) else 0,
                     "eu_shift": None if eu is None else eu.shift_h, "eu_sd": None if eu is None else eu.sd_h,
                     "us_shift": None if us is None else us.shift_h,
                     "mostly_ru": mostly_russian(dict(langs)), "main_tag": langs.most_common(1)[0][0] if langs else ""})
    t = pd.DataFrame(rows).merge(scores, on="account_id", how="left")
    return t


def ordinary_languages(study: Path, ids: set[str]) -> dict[str, str]:
    """Each ordinary account's most common py3langid language over its posts."""
    con = duckdb.connect(str(study), read_only=True)
    p = con.sql("SELECT account_id, coalesce(text, '') AS text FROM posts").df()
    con.close()
    p = p[p["account_id"].isin(ids)]
    p["det"] = [lang for lang, _ in detect_many(p["text"].tolist())]
    out = {}
    for a, d in p.groupby("account_id"):
        c = Counter(x for x in d["det"] if x)
        out[a] = c.most_common(1)[0][0] if c else ""
    return out


def twibot(data: Path) -> pd.DataFrame:
    users = json.loads(gzip.open(data / "twibot20" / "TwiBot-20_sample.json.gz", "rt", encoding="utf-8").read())
    rows = []
    for u in users:
        tw = [t or "" for t in (u.get("tweet") or [])]
        rows.append({"n": len(tw), "cyr": sum(bool(CYR.search(t)) for t in tw), "mixed": sum(mixed_words(t) for t in tw)})
    return pd.DataFrame(rows)


def share(k: int, n: int) -> str:
    if not n:
        return "    -    "
    p, lo, hi = wilson(k, n)
    return f"{k:>4}/{n:<6} {p:.3f} [{lo:.3f}, {hi:.3f}]"


def weekday_dates(msk_times: pd.Series) -> tuple[int, int, int, int]:
    """(distinct Moscow dates, of them Fridays, Saturdays, Sundays) of posts at these Moscow times:
    dates, not posts, since one busy day of a person is not a working week."""
    dates = pd.Series(msk_times.dt.date.unique())
    dow = [x.weekday() for x in dates]
    return len(dates), dow.count(4), dow.count(5), dow.count(6)


def report(name: str, d: pd.DataFrame, times: bool = True) -> None:
    print(f"\n## {name}: {len(d):,} accounts")
    if times:
        wk = d[d["dates"] >= MIN_DATES]
        print(f"  weekday: active on ≥ {MIN_DATES} Moscow dates            {share(len(wk), len(d))}")
        print(f"    of them no Sunday date                        {share(int((wk['sun'] == 0).sum()), len(wk))}")
        print(f"    of them no Sunday date and a Friday date      {share(int(((wk['sun'] == 0) & (wk['fri'] > 0)).sum()), len(wk))}")
        n = int(wk["dates"].sum())
        print(f"    dates on a Sunday (pooled)                    {share(int(wk['sun'].sum()), n)}")
        print(f"    dates on a Friday (pooled)                    {share(int(wk['fri'].sum()), n)}")
        print(f"  eu_dst: ≥ {MIN_SIDE} posts each side of an EU change      {share(int((d['eu_side'] >= MIN_SIDE).sum()), len(d))}")
        for col, label in (("eu_shift", "EU-date split"), ("us_shift", "US-date split (dst_shift)")):
            e = d[col].dropna()
            if len(e):
                print(f"    shift, {label:26s} {len(e):4d} accounts: about +1 h (±0.5) {share(int(((e - 1).abs() <= 0.5).sum()), len(e))}, "
                      f"about 0 (±0.25) {share(int((e.abs() <= 0.25).sum()), len(e))}"
                      + (f", median bootstrap sd {d['eu_sd'].dropna().median():.2f} h" if col == "eu_shift" else ""))
        print(f"  office_hours: ≥ 20 posts over ≥ 5 clock hours    {share(int(((d['n'] >= 20) & (d['clock_hours'] >= 5)).sum()), len(d))}")
    nm = d[2 * d["cyr"] < d["n"]]
    print(f"  cyrillic_minority (of the not mostly Cyrillic)   {share(int((nm['cyr'] > 0).sum()), len(nm))}")
    print(f"  mixed_any                                        {share(int((d['mixed'] > 0).sum()), len(d))}")
    if "translit" in d:
        print(f"  translit                                         {share(int((d['translit'] > 0).sum()), len(d))}")


def extra_item(boosted: set[int], factor: float, name: str = "extra") -> Callable[..., list]:
    """An `origin.evidence_vectors` that adds one item `name` multiplying Russia's likelihood by
    `factor` against every other country for the inputs whose id() is in `boosted` (a what-if:
    the bar of `--what-it-takes` here, `measure_origin_batch.py --what-it-would-do`; never part
    of the model)."""
    plain = origin.evidence_vectors
    ru = origin.codes().index("RU")

    def vectors(inp: Any, exclude: frozenset[str] = frozenset(), home: str | None = None) -> list:
        out = plain(inp, exclude, home)
        if id(inp) in boosted and factor > 1:
            v = np.full(len(origin.codes()), 1.0 / factor)
            v[ru] = 1.0
            out = out + [(name, v, f"{name.replace('_', ' ')} ×{factor:g}")]
        return out
    return vectors


def what_it_takes(study: Path, data: Path, election_name: str, factors: tuple[float, ...] = (1, 3, 10, 30, 100, 1000)) -> None:
    """Other-language Russian-language accounts (and ordinary ones) placed in Russia with an extra
    item of each factor for those accounts only (`extra_item`)."""
    election = load_election(election_name)
    loaded = V.load_part(study, data, election)
    keys, inputs, gs, nb = loaded.keys, loaded.inputs, loaded.groups_splits, loaded.neighbours
    other = [g == GROUP_RU_LANG and not mostly_russian(i.post_langs) for i, (g, _) in zip(inputs, gs)]
    boosted = {id(i) for i, o in zip(inputs, other) if o}
    print("\n## what it takes: an extra item ×F for Russia on every other-language Russian-language account only")
    plain = origin.evidence_vectors
    for f in factors:
        origin.evidence_vectors = extra_item(boosted, f)
        try:
            _own, _pooled, final, prior = V.origin_stages(inputs, keys, nb, election.country)
        finally:
            origin.evidence_vectors = plain
        by: dict[str, list[int]] = {}
        for o, r, i in zip(other, final, inputs):
            if o:
                c = by.setdefault(post_bin(i.n_posts), [0, 0])
                c[0] += r.country == "RU"
                c[1] += 1
        placed = sum(c[0] for c in by.values())
        ordinary = sum(r.country == "RU" for r, (g, _) in zip(final, gs) if g == GROUP_ORDINARY)
        bins = ", ".join(f"{b} {k}/{n}" for b, (k, n) in sorted(by.items(), key=lambda kv: int(kv[0].split("-")[0].rstrip("+"))))
        print(f"  ×{f:<6g} placed {placed}/{sum(c[1] for c in by.values())} ({bins}); ordinary {ordinary}; study prior "
              f"{'-' if prior is None else f'{prior.share:.4f}'}")


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    ap.add_argument("--what-it-takes", action="store_true", help="also score the stages with an extra item for the desks (≈ 1 CPU-min)")
    args = ap.parse_args()
    ira_cut, ordinary = V.prepare_inputs(args.data, args.work)
    study = V.prepare_part(ira_cut, ordinary, args.work, "dev")
    t = account_table(study, args.data)
    ordn = t[t["group"] == GROUP_ORDINARY]
    det = ordinary_languages(study, set(ordn["account_id"]))
    t["detected"] = t["account_id"].map(det)
    desk = t[(t["group"] == GROUP_RU_LANG) & ~t["mostly_ru"]]
    report("IRA Russian-language, mostly another language (the desks)", desk)
    report("  ... of them placed in Russia by the shipped model", desk[desk["origin_country"] == "RU"])
    missed = desk[desk["origin_country"] != "RU"]
    report("  ... of them not placed in Russia (the misses)", missed)
    report("IRA Russian-language, mostly Russian", t[(t["group"] == GROUP_RU_LANG) & t["mostly_ru"]])
    report("IRA posing as locals", t[t["group"] == GROUP_POSING])
    ordn = t[t["group"] == GROUP_ORDINARY]
    report("ordinary, all", ordn)
    other = ordn[ordn["detected"].notna() & ~ordn["detected"].isin(["en", ""])]
    report("ordinary whose posts py3langid reads as mostly not English (honest negatives for a desk)", other)
    for lang in ("de", "fr", "es", "it", "nl", "ar"):
        report(f"  ... mostly {lang}", other[other["detected"] == lang])
    print("\n  ordinary accounts by detected main language (top 15):",
          ", ".join(f"{k} {v}" for k, v in Counter(ordn["detected"]).most_common(15)))
    report("TwiBot-20 sample (texts only)", twibot(args.data), times=False)
    print("\n## the misses, one by one (Moscow dates: Fridays / Sundays of all)")
    for r in missed.sort_values("n").itertuples():
        print(f"  {r.handle:18s} {r.n:4d} posts ({post_bin(r.n)}), main tag {r.main_tag:3s}, {r.dates:3d} dates: Fri {r.fri}, Sat {r.sat}, Sun {r.sun}; "
              f"Cyrillic posts {r.cyr}, mixed words {r.mixed}, EU-change side {r.eu_side}, clock hours {r.clock_hours}")
    if args.what_it_takes:
        what_it_takes(study, args.data, args.election)


if __name__ == "__main__":
    main()
