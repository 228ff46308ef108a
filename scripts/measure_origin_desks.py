#!/usr/bin/env python
"""The other-language desks: why the Russian-language IRA accounts that post mostly in another
language are not placed in Russia, what a change would cost (docs/methods.md, "Fifth pass"), and
what the shipped desk hours (`origin_desk`, "Sixth pass") changed.

    PYTHONPATH=src .venv/bin/python scripts/validate_origin.py --work W      # builds W once
    PYTHONPATH=src .venv/bin/python scripts/measure_origin_desks.py --work W

Development part only: there is no option to read the test part (it is scored once, by
`validate_origin.py`). Reads the study `validate_origin.py` built in W and scores each account
as the accounts stage does (own evidence, calibration map, shared-text pooling, study prior).

1. The development Russian-language accounts (Clemson `NonEnglish`) whose tagged posts are
   mostly not Russian, by posts per account: how many are placed in Russia, and which evidence
   items each band has (a signal that is absent cannot help).
2. Each of those not placed in Russia: main languages, posts, share of retweets, where it is
   placed, the gap (ln of the leading country's P over P(Russia): what evidence would have to
   add to flip it), each item's log-ratio of Russia against the leading country, and the
   behavioural items' log-ratio of Russia against the best country that speaks the account's
   main language (the alternative the language points to: France for French, the Gulf for Arabic).
3. What it would take (each a change scored on the development part, shares with Russia most
   likely for Russian-language / posing / ordinary accounts): the behavioural items counted
   ×1.5, ×2, ×3; Russia's likelihood for a post language it does not speak raised from the
   stated floor; post languages read from the account's own posts only (not its retweets).
4. Desk hours (`origin_desk`, shipped in the sixth pass): the `office_hours` item of a short
   account read on the posts of its desk-mates (shared-text neighbours posting in the same clock
   hours) and its own together. Shares without it (each account's own hours: the model before),
   with it, and, as a stress test of its false alarms, with the desk read under the looser
   neighbour rule (one shared text), which gives many ordinary accounts neighbours; and how many
   development accounts of each group read their desk's hours.

Prints only; writes nothing. About 1-2 minutes, under 1.5 GiB.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from botwatch.accounts import origin, origin_desk, origin_prior, origin_shifts, origin_textpool  # noqa: E402
from botwatch.accounts.gazetteer import countries  # noqa: E402
from botwatch.accounts.origin import IGNORED_LANGS, OriginInput, OriginResult, evidence_vectors, origin_posterior  # noqa: E402
from botwatch.accounts.origin_signals import parameters  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG, mostly_russian, post_bin  # noqa: E402

# Items read from the account's own posts (the behaviour of the account, not what it says).
BEHAVIOUR = ("office_hours", "hours", "dst_shift", "holidays_ru", "articles", "mixed_letters")
ITEMS = ("post_langs", "region", "location", *BEHAVIOUR)
def main_languages(post_langs: Mapping[str, int], k: int = 3) -> list[tuple[str, float]]:
    """The account's most common post-language tags with their shares (tags meaning "unknown"
    left out), most common first."""
    tagged = {t.lower(): n for t, n in post_langs.items() if t and t.lower() not in IGNORED_LANGS and n > 0}
    total = sum(tagged.values())
    return [(t, n / total) for t, n in sorted(tagged.items(), key=lambda kv: (-kv[1], kv[0]))[:k]] if total else []


def speakers(lang: str, codes: Sequence[str]) -> list[int]:
    """Indices (in `codes`) of the countries other than Russia where `lang` is spoken."""
    base = lang.split("-")[0]
    return [i for i, c in enumerate(codes) if c != "RU" and base in countries()[c].languages]


def log_ratio_against(v: np.ndarray, codes: Sequence[str], against: Sequence[int]) -> float | None:
    """ln L(Russia) − ln max L over the countries `against`: what an item says for Russia against
    the best of those alternatives (None without alternatives)."""
    if not against:
        return None
    return float(math.log(v[codes.index("RU")]) - math.log(max(v[i] for i in against)))


def gap(result: OriginResult) -> float:
    """ln(P(leading country) / P(Russia)): the evidence Russia lacks to lead (0 when it leads)."""
    p_ru = max(result.p_russia or 0.0, 1e-12)
    return max(0.0, math.log(max(result.probability or 0.0, p_ru) / p_ru))


def score(inputs: Sequence[OriginInput], keys: list[tuple[str, str]], pairs: origin_textpool.Neighbours, home: str) -> list[OriginResult]:
    """Own evidence, calibration, shared-text pooling and the study prior, as the stage does."""
    own = [origin_posterior(inp, home=home) for inp in inputs]
    final, _ = origin_prior.apply_study_prior(origin_textpool.apply(own, keys, pairs), home)
    return final


def shares(final: Sequence[OriginResult], groups: Sequence[tuple[str | None, str]], inputs: Sequence[OriginInput]) -> str:
    """Development shares with Russia most likely, per group (ordinary 20-99 posts in brackets)."""
    hit, tot = Counter(), Counter()
    o20 = 0
    for r, (g, s), inp in zip(final, groups, inputs):
        if s != "dev" or g is None:
            continue
        tot[g] += 1
        if r.country == "RU":
            hit[g] += 1
            o20 += int(g == GROUP_ORDINARY and 20 <= inp.n_posts <= 99)
    return (f"RU-lang {hit[GROUP_RU_LANG]}/{tot[GROUP_RU_LANG]}  posing {hit[GROUP_POSING]}/{tot[GROUP_POSING]}  "
            f"ordinary {hit[GROUP_ORDINARY]}/{tot[GROUP_ORDINARY]:,} (20-99 posts {o20})")


@contextlib.contextmanager
def behaviour_counted(factor: float) -> Iterator[None]:
    """The behavioural items' fitted slopes multiplied by `factor`, restored afterwards."""
    slopes = parameters()["slopes"]
    saved = dict(slopes)
    try:
        for k in saved:
            slopes[k] = saved[k] * factor
        yield
    finally:
        slopes.update(saved)


@contextlib.contextmanager
def russia_language_floor(floor: float) -> Iterator[None]:
    """Russia's likelihood for any post language at least `floor` (the stated floor is 0.01, English
    0.3): "a Russia-run account posts in French as readily as ×floor a French one". Restored after."""
    saved = origin._post_lang_log
    ru = origin.codes().index("RU")

    @functools.lru_cache(maxsize=4096)
    def raised(lang: str) -> np.ndarray | None:
        v = saved(lang)
        if v is None:
            return None
        v = v.copy()
        v[ru] = max(v[ru], math.log(floor))
        return v

    origin._post_lang_log = raised
    origin._post_langs_item.cache_clear()
    try:
        yield
    finally:
        origin._post_lang_log = saved
        origin._post_langs_item.cache_clear()


def desk_bound(posts: int) -> contextlib.AbstractContextManager[None]:
    """Score with the desk's hours counted at most `posts` posts' worth (`origin_desk.bound`)."""
    return origin_desk.bound(posts)


def main() -> None:
    import validate_origin as vo

    from botwatch import open_study
    from botwatch.accounts.features import _hour_rows, build
    from botwatch.accounts.scoring import origin_inputs
    from botwatch.elections import load_election

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    ap.add_argument("--election", default="us-2016")
    args = ap.parse_args()
    study_path = args.work / "study.duckdb"
    if not study_path.exists():
        sys.exit(f"no study in {args.work}: run scripts/validate_origin.py --work {args.work} first")
    election = load_election(args.election)
    home = election.country
    with open_study(study_path, read_only=True) as st:
        d = build(st, election)
        pairs = origin_textpool.neighbours(st)
        own_langs: dict[str, dict[str, int]] = {}
        for a, lang, n in st.con.execute("SELECT account_id, lower(lang), count(*) FROM posts WHERE lang IS NOT NULL "
                                         "AND coalesce(kind, '') <> 'retweet' GROUP BY ALL").fetchall():
            own_langs.setdefault(a, {})[lang] = int(n)
        own_shift = origin_shifts.shift_counts(st)  # each account's own hours (no desk)
        st.write_expr("_measure_pairs", origin_textpool.neighbours_expr(st), temp=True)
        mt = st.query_arrow(origin_desk.desk_sql("_measure_pairs", mates=True))
        desk_mates = set(zip(mt.column("account_id").to_pylist(), mt.column("other_id").to_pylist()))
        st.write_expr("_measure_loose_pairs", origin_textpool.neighbours_expr(st, min_shared=1), temp=True)
        loose_tbl = st.query_arrow(origin_desk.desk_sql("_measure_loose_pairs"))
        loose_desk = _hour_rows(list(zip(loose_tbl.column("platform").to_pylist(), loose_tbl.column("account_id").to_pylist())), loose_tbl.column("shift"))
        retweets = dict(st.con.execute("SELECT account_id, avg(CASE WHEN kind = 'retweet' THEN 1.0 ELSE 0.0 END) FROM posts GROUP BY ALL").fetchall())
    ids = d.features["account_id"].tolist()
    keys = list(zip(d.features["platform"].tolist(), ids))
    inputs = origin_inputs(d)
    groups = vo.groups_and_splits(args.data, ids)
    codes = origin.codes()
    final = score(inputs, keys, pairs, home)
    n_nb = Counter(pairs.account_id) if pairs is not None else Counter()

    desk = [i for i, (g, s) in enumerate(groups) if g == GROUP_RU_LANG and s == "dev" and not mostly_russian(inputs[i].post_langs)]
    print(f"# 1. development Russian-language accounts posting mostly another language: {len(desk)}")
    print("posts     n  placed  " + "  ".join(f"{k:>12s}" for k in (*ITEMS, "neighbours")))
    for band in ("1-4", "5-19", "20-99", "100-299", "300+"):
        rows = [i for i in desk if post_bin(inputs[i].n_posts) == band]
        if not rows:
            continue
        has = Counter(k for i in rows for k in {kind for kind, _, _ in evidence_vectors(inputs[i], home=home)})
        nb = sum(1 for i in rows if n_nb.get(ids[i], 0) > 0)
        placed = sum(1 for i in rows if final[i].country == "RU")
        print(f"{band:7s} {len(rows):4d}  {placed:6d}  " + "  ".join(f"{has.get(k, 0):12d}" for k in ITEMS) + f"  {nb:12d}")

    print("\n# 2. those not placed in Russia (log-ratios: ln L(RU) - ln L(other))")
    misses = [i for i in desk if final[i].country != "RU"]
    by_lang = Counter()
    for i in misses:
        inp, r = inputs[i], final[i]
        langs = main_languages(inp.post_langs)
        main = langs[0][0] if langs else "?"
        by_lang[(main, r.country)] += 1
        alts = speakers(main, codes)
        lead = codes.index(r.country) if r.country in codes else None
        parts, beh = [], 0.0
        for kind, v, _ in evidence_vectors(inp, home=home):
            vs_lead = math.log(v[codes.index("RU")] / v[lead]) if lead is not None else float("nan")
            vs_lang = log_ratio_against(v, codes, alts)
            if kind in BEHAVIOUR and vs_lang is not None:
                beh += vs_lang
            parts.append(f"{kind} {vs_lead:+.1f}" + (f" (vs {main} speakers {vs_lang:+.1f})" if kind in BEHAVIOUR and vs_lang is not None else ""))
        print(f"- {ids[i]}: {inp.n_posts} posts, {100 * retweets.get(ids[i], 0):.0f}% retweets, "
              f"{', '.join(f'{t} {100 * s:.0f}%' for t, s in langs)}; placed {r.country} (P {r.probability:.2f}), "
              f"P(Russia) {r.p_russia:.3f}, gap {gap(r):.1f}; neighbours {n_nb.get(ids[i], 0)}; behaviour vs {main} speakers {beh:+.1f}")
        print("    " + "; ".join(parts))
    print("by main language -> placed: " + ", ".join(f"{lang} -> {c} {n}" for (lang, c), n in by_lang.most_common()))
    gaps = sorted(gap(final[i]) for i in misses)
    if gaps:
        print(f"gap ln(P lead / P Russia): median {np.median(gaps):.1f}, range {gaps[0]:.1f}-{gaps[-1]:.1f}")

    print("\n# 3. what it would take (development part; shipped first)")
    print(f"{'shipped':58s} {shares(final, groups, inputs)}")
    for factor in (1.5, 2.0, 3.0):
        with behaviour_counted(factor):
            print(f"{f'behavioural items counted x{factor}':58s} {shares(score(inputs, keys, pairs, home), groups, inputs)}")
    for floor in (0.03, 0.1, 0.3, 1.0):
        with russia_language_floor(floor):
            print(f"{f'Russia likelihood for any post language >= {floor}':58s} {shares(score(inputs, keys, pairs, home), groups, inputs)}")
    own_only = [replace(inp, post_langs=own_langs.get(a, {})) for inp, a in zip(inputs, ids)]
    print(f"{'post languages of own posts only (not retweets)':58s} {shares(score(own_only, keys, pairs, home), groups, inputs)}")

    print("\n# 4. desk hours (origin_desk): office_hours of a short account read on its desk")
    dev_ord = np.array([s == "dev" and g == GROUP_ORDINARY for g, s in groups])
    by_group = Counter(g for (g, s), k in zip(groups, keys) if s == "dev" and g is not None and k in d.desk_shift)
    print("development accounts reading their desk's hours: " + ", ".join(f"{g} {n}" for g, n in sorted(by_group.items())))
    own_hours = [replace(inp, shift_counts=own_shift.get(k), shift_from_desk=False) for inp, k in zip(inputs, keys)]
    before = score(own_hours, keys, pairs, home)
    print(f"{'each account its own hours only (before)':58s} {shares(before, groups, inputs)}")
    print_reliability(before, groups, ids, "before")
    print(f"{f'desk hours as shipped (>= 2 shared texts, <= {origin_desk.BOUND_POSTS} posts worth)':58s} {shares(final, groups, inputs)}")
    print_reliability(final, groups, ids, "shipped")
    for bound in (10, 30, 40, 50, 60, 100, 10**9):  # the bound on the desk's worth in posts (origin_desk.weight)
        with desk_bound(bound):
            print(f"{f'desk hours counted at most {bound} posts worth':58s} {shares(score(inputs, keys, pairs, home), groups, inputs)}")
    if pairs is not None:  # the same hours counted once: desk-mates out of the pooled neighbour mean of a desk reader
        keep = [i for i, (a, o) in enumerate(zip(pairs.account_id, pairs.other_id)) if (a, o) not in desk_mates]
        unpooled = origin_textpool.Neighbours(*([col[i] for i in keep] for col in (pairs.platform, pairs.account_id, pairs.other_id, pairs.shared)))
        print(f"{'desk-mates left out of a desk reader pooled mean':58s} {shares(score(inputs, keys, unpooled, home), groups, inputs)}"
              f"  ({len(pairs.account_id) - len(keep)} pairs left out)")
    stressed = [replace(inp, shift_counts=loose_desk[k], shift_from_desk=True) if k in loose_desk else o
                for inp, o, k in zip(inputs, own_hours, keys)]
    cand = score(stressed, keys, pairs, home)
    has = np.array([k in loose_desk for k in keys])
    moved = sum(1 for i in np.flatnonzero(dev_ord & has) if cand[i].country == "RU" and before[i].country != "RU")
    print(f"{'desk read under the looser rule (1 shared text), stress':58s} {shares(cand, groups, inputs)}")
    print(f"    development ordinary accounts reading a desk's hours {int((dev_ord & has).sum())}, moved to Russia by it {moved}")
    gained = [ids[i] for i in desk if final[i].country == "RU" and before[i].country != "RU"]
    print(f"other-language desk accounts gained by desk hours (shipped): {len(gained)}: {', '.join(gained)}")


def print_reliability(final: Sequence[OriginResult], groups: Sequence[tuple[str | None, str]], ids: Sequence[str], name: str = "") -> None:
    """Development reliability of P(Russia) (mean P -> share run from Russia, accounts), all groups."""
    edges = (0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001)
    m = [(r.p_russia, g != GROUP_ORDINARY) for r, (g, s) in zip(final, groups) if s == "dev" and g is not None and r.p_russia is not None]
    p, y = np.array([a for a, _ in m]), np.array([b for _, b in m], float)
    b = np.digitize(p, edges) - 1
    cells = [f"{p[b == k].mean():.2f}->{y[b == k].mean():.2f} ({int((b == k).sum())})" for k in range(len(edges) - 1) if (b == k).any()]
    print(f"    reliability {name}: " + "  ".join(cells))


if __name__ == "__main__":
    main()
