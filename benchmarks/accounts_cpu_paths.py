#!/usr/bin/env python
"""CPU-seconds of the accounts-stage paths of the 2026-12-02 CPU round against the references
they replaced (kept for the tests in testsupport/accounts_reference.py), alternately in one process:

- `one-offs`: what a process pays once: gender-guesser's name list (`signals._name_list` against
  the package's `Detector`), the code points behind `transfer_sql.patterns` (`_code_points`
  against joining a million `chr` calls), the holiday day tables of `origin_behaviour_batch`
  (`_day_tables` against `_day_tables_per_day`).
- `similarity S.duckdb`: `profile.name_handle_similarities` against `name_handle_similarity` per
  pair, on the study's (display name, handle) pairs as they are and with each pair made distinct
  (a suffix per copy), since a study that repeats profiles flatters the distinct-pair path.
- `prior`: `origin_prior._chunk_log_likelihood` against the whole-grid expression on 17,740
  random P(Russia) (the one-status study's batch size).
- `profile-values S.duckdb` (round 20): on the study's distinct profile values, the location
  evidence (`gazetteer.countries_in_location` by words, and `origin._place_item`'s vector per list
  of countries, against the pattern at every character and a vector per location), the `extra`
  cells (`json_text.loads` and `region_of` against `json.loads`), `signals.first_name` against
  its filter per character, and, where the stage has run on S (its `account_evidence`), the
  evidence heads (`botmodel._heads` against `_head(describe_value(...))` per value).

    PYTHONPATH=src .venv/bin/python benchmarks/accounts_cpu_paths.py one-offs
    PYTHONPATH=src .venv/bin/python benchmarks/accounts_cpu_paths.py similarity S.duckdb
    PYTHONPATH=src .venv/bin/python benchmarks/accounts_cpu_paths.py prior
    PYTHONPATH=src .venv/bin/python benchmarks/accounts_cpu_paths.py profile-values S.duckdb

Prints the minimum and median CPU-seconds (`time.process_time`) of each side over the rounds,
the sides alternating so a busy neighbour weighs on both.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not shipped)


def _rounds(sides: dict[str, Callable[[], Any]], rounds: int) -> None:
    got: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, run in sides.items():
            t = time.process_time()
            run()
            got[name].append(time.process_time() - t)
    print("  " + "; ".join(f"{name}: min {min(v):.4f}, median {statistics.median(v):.4f} CPU-s" for name, v in got.items()))


def one_offs(rounds: int) -> None:
    import gender_guesser.detector as gg

    from botwatch.accounts import origin_behaviour_batch as obb
    from botwatch.accounts import signals, transfer_sql
    from testsupport.accounts_reference import day_tables_per_day

    print("gender-guesser's name list")
    _rounds({"Detector()": lambda: gg.Detector(case_sensitive=False), "_name_list": signals._name_list.__wrapped__}, rounds)
    print("code points of transfer_sql._ranges (both spans, once; patterns() reads them three times)")
    _rounds({"join(map(chr))": lambda: ["".join(map(chr, range(lo, hi))) for lo, hi in transfer_sql._SPANS],
             "_code_points": lambda: [transfer_sql._code_points(lo, hi) for lo, hi in transfer_sql._SPANS]}, rounds)
    print("holiday day tables")
    _rounds({"per day": day_tables_per_day, "_day_tables": obb._day_tables}, rounds)


def similarity(study: str, rounds: int) -> None:
    import duckdb

    from botwatch.accounts.profile import name_handle_similarities
    from testsupport.accounts_reference import name_handle_similarity

    con = duckdb.connect(study, read_only=True)
    pairs = con.sql("SELECT display_name, handle FROM accounts ORDER BY platform, account_id").fetchall()
    con.close()
    names, handles = [a for a, _ in pairs], [b for _, b in pairs]
    distinct = sorted(set(pairs), key=str)
    copies = max(1, len(pairs) // max(1, len(distinct)))
    sets = {"as stored": (names, handles),
            "each pair distinct": ([None if a is None else f"{a} {i}" for i in range(copies) for a, _ in distinct],
                                   [None if b is None else f"{b}_{i}" for i in range(copies) for _, b in distinct])}
    for label, (ns, hs) in sets.items():
        print(f"{label}: {len(ns):,} pairs, {len(set(zip(ns, hs))):,} distinct")
        _rounds({"per pair": lambda: [name_handle_similarity(a, b) if a is not None and b is not None else np.nan for a, b in zip(ns, hs)],
                 "name_handle_similarities": lambda: name_handle_similarities(ns, hs)}, rounds)


def prior(rounds: int) -> None:
    from botwatch.accounts import origin_prior as op
    from testsupport.accounts_reference import chunk_log_likelihood_whole

    p = np.clip(np.random.default_rng(0).random(17_740), op.EPS, 1 - op.EPS)
    lam = op._odds(p) / op._odds(np.float64(0.12))
    print(f"log-likelihood of {len(lam):,} accounts at {len(op.GRID)} grid points")
    _rounds({"whole grid": lambda: chunk_log_likelihood_whole(lam), "blocks": lambda: op._chunk_log_likelihood(lam)}, rounds)


def profile_values(study: str, rounds: int) -> None:
    import json
    import unicodedata

    import duckdb

    from botwatch.accounts import botmodel, gazetteer, json_text, origin, signals
    from testsupport.accounts_reference import countries_in_location_pattern

    con = duckdb.connect(study, read_only=True)

    def distinct(col: str) -> list[Any]:
        return [v for (v,) in con.sql(f"SELECT DISTINCT {col} FROM accounts WHERE {col} IS NOT NULL ORDER BY 1").fetchall()]

    locations, extras, names = distinct("location"), distinct("extra"), distinct("display_name")
    evidence = []
    if "account_evidence" in {t for (t,) in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}:
        evidence = con.sql("SELECT DISTINCT feature, value FROM account_evidence WHERE kind = 'bot' AND feature IS NOT NULL "
                           "AND feature <> 'behaviour' ORDER BY 1, 2").fetchall()
    con.close()
    gazetteer._matcher(), gazetteer._by_first_word()

    def old_fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.lower())
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

    def old_place(value: str) -> Any:  # the per-location path before the round: pattern, vector, sentence
        found = countries_in_location_pattern(value)
        if not found:
            return None
        v, note = origin._place_vector(found, origin.FLOOR_LOCATION, "US")
        return v, f"profile location {value!r} names {origin._names(sorted(found))} (×{v.max() / origin.FLOOR_LOCATION:.1f} for it{note})"

    def new_place() -> list[Any]:
        origin._places.cache_clear()  # (the names each location matched: cached per process too)
        origin._place_vector_of.cache_clear()
        return [origin._place_item.__wrapped__(v, "profile location", origin.FLOOR_LOCATION, "US") for v in locations]

    def old_object(value: str) -> dict[str, Any]:
        try:
            obj = json.loads(value)
        except ValueError:
            return {}
        return obj if isinstance(obj, dict) else {}

    def old_first(display_name: str) -> str | None:
        for word in display_name.replace(".", " ").replace("_", " ").split():
            w = "".join(ch for ch in word if ch.isalpha())
            if len(w) >= 2:
                return w
        return None

    print(f"{len(locations):,} distinct locations, {len(extras):,} distinct extra cells, {len(names):,} distinct display names, "
          f"{len(evidence):,} distinct (feature, value) evidence pairs")
    print("fold (distinct locations)")
    _rounds({"per character": lambda: [old_fold(v) for v in locations], "fold": lambda: [gazetteer.fold(v) for v in locations]}, rounds)
    print("countries named (distinct locations)")
    _rounds({"pattern": lambda: [countries_in_location_pattern(v) for v in locations],
             "by words": lambda: [gazetteer.countries_in_location(v) for v in locations]}, rounds)
    print("location evidence items (distinct locations; names matched, vector, sentence)")
    _rounds({"per location": lambda: [old_place(v) for v in locations], "_place_item": new_place}, rounds)
    print("extra cells decoded (distinct cells)")
    _rounds({"json.loads": lambda: [old_object(v) for v in extras], "json_text.loads": lambda: [json_text.object_of(v) for v in extras]}, rounds)
    print("extra cells' region (distinct cells)")
    _rounds({"decoded": lambda: [old_object(v).get("region") for v in extras], "region_of": lambda: [json_text.region_of(v) for v in extras]}, rounds)
    print("first names (distinct display names)")
    _rounds({"per character": lambda: [old_first(v) for v in names], "first_name": lambda: [signals.first_name(v) for v in names]}, rounds)
    if evidence:
        by_feature: dict[str, list[float]] = {}
        for f, v in evidence:
            by_feature.setdefault(f, []).append(float("nan") if v is None else float(v))
        labels = {f: botmodel._DESCRIBE.get(f, (f, "float"))[0] for f in by_feature}
        print("evidence heads (distinct (feature, value) pairs of the stored evidence)")
        _rounds({"per value": lambda: [[botmodel._head(labels[f], botmodel.describe_value(f, x)) for x in xs] for f, xs in by_feature.items()],
                 "_heads": lambda: [botmodel._heads(f, xs) for f, xs in by_feature.items()]}, rounds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["one-offs", "similarity", "prior", "profile-values"])
    ap.add_argument("study", nargs="?")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    if args.what == "one-offs":
        one_offs(args.rounds)
    elif args.what == "similarity":
        if not args.study:
            ap.error("similarity needs a study")
        similarity(args.study, args.rounds)
    elif args.what == "profile-values":
        if not args.study:
            ap.error("profile-values needs a study")
        profile_values(args.study, args.rounds)
    else:
        prior(args.rounds)


if __name__ == "__main__":
    main()
