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
  for which a daylight-saving shift against Germany, France or Spain could be read at all.
* `cyrillic_minority`: at least one post with Cyrillic letters while fewer than half have them (the
  `post_cyrillic` item reads the half and more).
* `mixed_any`: a word mixing Latin and Cyrillic letters in any post, in any Latin-script language
  (`mixed_letters` reads the account's own English posts only).
* `office_hours`: at least 20 posts over at least 5 clock hours (the existing item's own rule).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402

from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG, mostly_russian, post_bin  # noqa: E402
from botwatch.content.language import detect_many  # noqa: E402
from botwatch.stats import wilson  # noqa: E402

CYR = re.compile("[\u0400-\u04ff]")
LAT = re.compile("[A-Za-z]")
WORD = re.compile(r"[^\W\d_]+")
MSK = pd.Timedelta(hours=3)
MIN_DATES = 5
WINDOW_DAYS = 42
MIN_SIDE = 10


def eu_changes(year: int) -> tuple[date, date]:
    """EU clock-change days: last Sunday of March and of October."""
    def last_sunday(m: int) -> date:
        d = date(year, m, 31)
        return d - timedelta(days=(d.weekday() + 1) % 7)
    return last_sunday(3), last_sunday(10)


def mixed_words(text: str) -> int:
    return sum(1 for w in WORD.findall(text) if CYR.search(w) and LAT.search(w))


def eu_sides(times: pd.Series) -> tuple[int, int]:
    """Most posts before and after one EU change within the window, over the changes spanned."""
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
    posts["msk"] = posts["created_at"] + MSK
    rows = []
    for a, d in posts.groupby("account_id", sort=False):
        dated = d[d["created_at"].notna()]
        dates = pd.Series(dated["msk"].dt.date.unique())
        dow = pd.Series([x.weekday() for x in dates], dtype=int)
        langs = Counter(t for t in d["lang"].fillna("") if t)
        rows.append({"account_id": a, "n": len(d), "cyr": int(d["cyr"].sum()), "mixed": int(d["mixed"].sum()),
                     "dates": len(dates), "sun": int((dow == 6).sum()), "fri": int((dow == 4).sum()), "sat": int((dow == 5).sum()),
                     "clock_hours": dated["created_at"].dt.floor("h").nunique(),
                     "eu_side": min(eu_sides(dated["created_at"])) if len(dated) else 0,
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


def report(name: str, d: pd.DataFrame, times: bool = True) -> None:
    print(f"\n## {name}: {len(d):,} accounts")
    if times:
        wk = d[d["dates"] >= MIN_DATES]
        print(f"  weekday: active on ≥ {MIN_DATES} Moscow dates            {share(len(wk), len(d))}")
        print(f"    of them no Sunday date                        {share(int((wk['sun'] == 0).sum()), len(wk))}")
        print(f"    of them no Sunday date and a Friday date      {share(int(((wk['sun'] == 0) & (wk['fri'] > 0)).sum()), len(wk))}")
        print(f"    Sunday dates / Friday dates (pooled)          {int(wk['sun'].sum())} / {int(wk['fri'].sum())} of {int(wk['dates'].sum())}")
        print(f"  eu_dst: ≥ {MIN_SIDE} posts each side of an EU change      {share(int((d['eu_side'] >= MIN_SIDE).sum()), len(d))}")
        print(f"  office_hours: ≥ 20 posts over ≥ 5 clock hours    {share(int(((d['n'] >= 20) & (d['clock_hours'] >= 5)).sum()), len(d))}")
    nm = d[2 * d["cyr"] < d["n"]]
    print(f"  cyrillic_minority (of the not mostly Cyrillic)   {share(int((nm['cyr'] > 0).sum()), len(nm))}")
    print(f"  mixed_any                                        {share(int((d['mixed'] > 0).sum()), len(d))}")


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
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
    for lang in ("de", "fr", "es", "it", "ar"):
        report(f"  ... mostly {lang}", other[other["detected"] == lang])
    print("\n  ordinary accounts by detected main language (top 15):",
          ", ".join(f"{k} {v}" for k, v in Counter(ordn["detected"]).most_common(15)))
    report("TwiBot-20 sample (texts only)", twibot(args.data), times=False)
    print("\n## the misses, one by one (Moscow dates: Fridays / Sundays of all)")
    for r in missed.sort_values("n").itertuples():
        print(f"  {r.handle:18s} {r.n:4d} posts ({post_bin(r.n)}), main tag {r.main_tag:3s}, {r.dates:3d} dates: Fri {r.fri}, Sat {r.sat}, Sun {r.sun}; "
              f"Cyrillic posts {r.cyr}, mixed words {r.mixed}, EU-change side {r.eu_side}, clock hours {r.clock_hours}")


if __name__ == "__main__":
    main()
