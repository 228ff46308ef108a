#!/usr/bin/env python
"""Whether the Russian-language IRA accounts the origin model misses were created together with
accounts it places in Russia, and how often ordinary accounts were (issue 13, "created together").

    PYTHONPATH=src .venv/bin/python scripts/measure_origin_batch.py --work W

W as `measure_origin_dev.py --work W` builds it (the development part's own study, W/apart-dev,
read-only here; there is no option to read the test part). Measured only: nothing here changes
the model.

Why: the misses left on the development part are other-language desk accounts with few posts,
and nothing in their own posts separates them from people writing those languages
(`measure_origin_desk_signals.py`). What could place them is about the desk, and the IRA created
accounts in batches. Twitter user ids grow with creation time: sequential numbers until about
2015 (ids below 5e9 here), then snowflake ids whose top bits are the creation time in
milliseconds. So "created together" is "within N ids" (sequential) or "within T minutes"
(snowflake) of at least k accounts the study places in Russia.

Where the ids come from, and what that limits:

* IRA handles: `external_author_id` of ../shared/data/ira/authors.csv.gz. The tweets CSV the
  study ingests has no user id, so an evidence item could only read ids from input that carries
  them (v1.1/v2 JSON, FiveThirtyEight's own CSV). Ten-digit (sequential) ids are intact; the
  snowflake ones went through a float and are rounded (to 10^12..10^15, i.e. ±2 min to ±33 h of
  creation time), so the intact `congress_2017_id` is used where it rounds to the same value, and
  otherwise the rounding is carried as an interval: an IRA account counts as near only when it is
  near at every point of its interval ("certainly"), an ordinary account when it is near at any
  ("possibly"), so both rates are counted at their side's cautious end.
* Ordinary accounts of the study: brexit-2016's account key is the numeric user id (exact);
  gop-debate-2015 carries none (its accounts are left out and counted).
* Ordinary accounts outside the study, as a second false-alarm source: labelled humans with
  profile ids (stclab humans, verified-2019) and TwiBot-20's 100 unlabelled accounts. They are
  not in the study, so for them the count is "an account from elsewhere whose id falls near the
  study's Russia-placed accounts"; their ids are spread over other years than a Brexit tweeter's
  (verified accounts are old), which the per-source rows show.

Snowflake ids have no honest negative in their era: brexit-2016's accounts posted by 2016-10-01, so
none was created after it, while all the missed snowflake accounts and most of the Russia-run ones
were (the script counts them); a snowflake cell's brexit share is zero by construction there, and
the outside sources hold a few dozen such accounts. Read the snowflake ratios as unmeasured.

Placed in Russia = the stored `origin_country` of the scored study (the shipped model, after
shared-text pooling and the study prior), as an item reading it would see. An account never counts
as its own neighbour. A sequential and a snowflake id are never compared (the two ran side by side
and a sequential number has no clock). Shares carry 95% Wilson intervals; the likelihood ratio a
cell would support is the lower end of the Russia-run share (Russian-language and posing together,
as `measure_origin_cyrillic.py` counts them) over the upper end of the brexit-2016 share.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate_origin as V  # noqa: E402
from measure_origin_desk_signals import extra_item  # noqa: E402

from botwatch.accounts import origin  # noqa: E402
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, GROUP_RU_LANG  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.stats import wilson  # noqa: E402

EPOCH_MS = 1288834974657  # Twitter's snowflake epoch (2010-11-04 01:42:54.657 UTC)
SNOWFLAKE_MIN = 10**12  # sequential user ids stayed below 5e9; snowflake ones start near 7e17
SEQ_RADII = (10**3, 10**4, 10**5, 10**6)  # ids
SNOW_RADII_MIN = (10, 60, 360, 1440)  # minutes
KS = (1, 2, 3, 5)
BATCH_IDS = 1_000_000  # the window of the missed accounts' own batches (printed only)
BREXIT_END = "2016-10-01"  # brexit-2016's archive ends here (shared data README): its accounts were created before
BREXIT_END_MS = int(pd.Timestamp(BREXIT_END, tz="UTC").value // 10**6)
RATE_WINDOW = 50_000_000  # ids over which the sequential creation rate is averaged (docs only)


def snowflake_ms(uid: int) -> int:
    """Creation time (ms since 1970, UTC) a snowflake id carries in its top bits."""
    return (uid >> 22) + EPOCH_MS


def rounded_half_width(digits: str) -> int:
    """Half the rounding step of a long id that went through a float: its trailing zeros are read as
    rounding (the cautious reading: a true zero digit only widens the interval)."""
    z = len(digits) - len(digits.rstrip("0"))
    return 0 if z == 0 else 10**z // 2


def ira_user_id(external: str | None, congress: str | None) -> tuple[int, int] | None:
    """(user id, half-width of its rounding in id units) of an IRA handle, or None without one.

    Ten-digit (sequential) ids are intact. A long (snowflake) `external_author_id` is rounded; the
    `congress_2017_id` is used instead when it is digits and rounds to the same value (it is the
    same account's intact id), otherwise the rounding is kept as an interval."""
    e = (external or "").strip()
    if not e.isdigit():
        return None
    if len(e) < 17:
        return int(e), 0
    half = rounded_half_width(e)
    c = (congress or "").strip()
    if c.isdigit() and half and abs(int(c) - int(e)) <= half:
        return int(c), 0
    return int(e), half


def position(uid: int, half: int) -> tuple[str, int, int]:
    """("seq" or "snow", position, half-width): sequential ids in id units, snowflake ids as
    creation time in ms (the half-width rounded up to whole ms)."""
    if uid < SNOWFLAKE_MIN:
        return "seq", uid, half
    return "snow", snowflake_ms(uid), -(-half // (1 << 22))


def near_counts(q_pos: np.ndarray, q_half: np.ndarray, q_key: np.ndarray,
                p_pos: np.ndarray, p_half: np.ndarray, p_key: np.ndarray,
                radius: int, certain: bool, chunk: int = 2048) -> np.ndarray:
    """For each query, how many placed accounts lie within `radius` of it (never itself, by key).

    With `certain`, a pair counts only when every point of both rounding intervals is within the
    radius (|Δ| + both halves ≤ radius); otherwise when any point is (|Δ| − both halves ≤ radius)."""
    out = np.zeros(len(q_pos), dtype=np.int64)
    for s in range(0, len(q_pos), chunk):
        d = np.abs(q_pos[s:s + chunk, None] - p_pos[None, :])
        h = q_half[s:s + chunk, None] + p_half[None, :]
        ok = (d + h <= radius) if certain else (d - h <= radius)
        ok &= q_key[s:s + chunk, None] != p_key[None, :]
        out[s:s + chunk] = ok.sum(axis=1)
    return out


def study_accounts(study: Path, data: Path) -> pd.DataFrame:
    """The scored development study's accounts: key, posts, placed in Russia, validation row
    (Russian-language placed / missed, posing placed / missed, brexit-2016, gop-debate-2015,
    other IRA) and user id with its rounding."""
    con = duckdb.connect(str(study), read_only=True)
    s = con.sql("SELECT account_id, n_posts, origin_country FROM account_scores").df()
    con.close()
    groups = [g for g, _ in V.groups_and_splits(data, s["account_id"].tolist())]
    authors = pd.read_csv(data / "ira" / "authors.csv.gz", dtype=str, keep_default_na=False)
    ids = {h.strip().lower(): ira_user_id(e, c) for h, e, c in
           zip(authors["author_id"], authors["external_author_id"], authors["congress_2017_id"])}
    s["ru"] = s["origin_country"] == "RU"
    rows, uids, halves = [], [], []
    for a, g, ru in zip(s["account_id"], groups, s["ru"]):
        if a in ids:
            u = ids[a]
            row = {GROUP_RU_LANG: "IRA Russian-language", GROUP_POSING: "IRA posing"}.get(g, "IRA other")
            if row != "IRA other":
                row += ", placed in Russia" if ru else ", missed"
        elif g == GROUP_ORDINARY and a.startswith("gop-"):
            u, row = None, "ordinary gop-debate-2015 (no id)"
        else:
            u, row = ((int(a), 0) if a.isdigit() else None), "ordinary brexit-2016"
        rows.append(row)
        uids.append(None if u is None else u[0])
        halves.append(None if u is None else u[1])
    s["row"], s["uid"], s["half"] = rows, uids, halves
    return s


def outside_humans(data: Path, ira_ids: set[int]) -> pd.DataFrame:
    """Accounts with a profile id from sources outside the study (row, uid): stclab humans,
    verified-2019 and TwiBot-20 (unlabelled); any id that is an IRA handle's is left out."""
    rows = []
    st = pd.read_csv(data / "labelled" / "stclab" / "nonbots_data.csv.gz", dtype=str, keep_default_na=False, usecols=["id_str"])
    rows += [("outside: stclab humans", x) for x in st["id_str"]]
    ve = pd.read_csv(data / "labelled" / "verified2019" / "profiles.csv.gz", dtype=str, keep_default_na=False, usecols=["id", "label"])
    rows += [("outside: verified-2019 humans", x) for x, lab in zip(ve["id"], ve["label"]) if lab == "0"]
    with gzip.open(data / "twibot20" / "TwiBot-20_sample.json.gz", "rt", encoding="utf-8") as f:
        rows += [("outside: TwiBot-20 (unlabelled)", str((u.get("profile") or {}).get("id_str", "")).strip()) for u in json.load(f)]
    out = pd.DataFrame([(r, int(x)) for r, x in rows if x.strip().isdigit() and int(x) not in ira_ids], columns=["row", "uid"])
    out["half"] = 0
    return out.drop_duplicates()


def positions(d: pd.DataFrame) -> pd.DataFrame:
    """`d` (with uid, half) plus kind, pos, pos_half; rows without an id dropped."""
    d = d[d["uid"].notna()].copy()
    p = [position(int(u), int(h)) for u, h in zip(d["uid"], d["half"])]
    d["kind"], d["pos"], d["pos_half"] = [x[0] for x in p], [x[1] for x in p], [x[2] for x in p]
    return d


def share(k: int, n: int) -> str:
    """k/n, the share and its 95% Wilson interval, in fixed width."""
    if not n:
        return "       -        "
    p, lo, hi = wilson(k, n)
    return f"{k:>4}/{n:<6} {p:.3f} [{lo:.3f}, {hi:.3f}]"


def cautious(row: str) -> bool:
    """IRA rows are counted "certainly near", every other row "possibly near"."""
    return row.startswith("IRA")


def table(q: pd.DataFrame, placed: pd.DataFrame, kind: str, radii: tuple[int, ...], unit: float, unit_name: str) -> list[dict]:
    """Print, for one id kind, the share of each row with ≥ k placed accounts within each radius;
    return the cells (for the likelihood-ratio summary)."""
    q, p = q[q["kind"] == kind], placed[placed["kind"] == kind]
    qk, pk = q["key"].to_numpy(), p["key"].to_numpy()
    args = (q["pos"].to_numpy(np.int64), q["pos_half"].to_numpy(np.int64), qk,
            p["pos"].to_numpy(np.int64), p["pos_half"].to_numpy(np.int64), pk)
    print(f"\n## {kind} ids: {len(p):,} accounts placed in Russia to be near; rows with this kind of id")
    print("   " + "  ".join(f"{r}: {int((q['row'] == r).sum()):,}" for r in sorted(q["row"].unique())))
    cells = []
    for radius in radii:
        r_units = int(radius * unit)
        cert = near_counts(*args, r_units, certain=True)
        poss = near_counts(*args, r_units, certain=False)
        n_near = np.where([cautious(r) for r in q["row"]], cert, poss)
        print(f"\n within {radius:,} {unit_name}")
        print(f"   {'row':<40}" + "".join(f"{'k ≥ ' + str(k):<33}" for k in KS))
        for r in sorted(q["row"].unique()):
            m = (q["row"] == r).to_numpy()
            print(f"   {r:<40}" + "".join(f"{share(int((n_near[m] >= k).sum()), int(m.sum())):<33}" for k in KS))
        runs = q["row"].str.startswith("IRA Russian-language") | q["row"].str.startswith("IRA posing")
        brex = (q["row"] == "ordinary brexit-2016").to_numpy()
        miss = (q["row"] == "IRA Russian-language, missed").to_numpy()
        for k in KS:
            cells.append({"kind": kind, "radius": radius, "unit": unit_name, "k": k,
                          "runs": int((n_near[runs.to_numpy()] >= k).sum()), "runs_n": int(runs.sum()),
                          "brexit": int((n_near[brex] >= k).sum()), "brexit_n": int(brex.sum()),
                          "missed": int((n_near[miss] >= k).sum()), "missed_n": int(miss.sum()),
                          "missed_ids": sorted(q.loc[miss & (n_near >= k), "key"].tolist())})
    return cells


def ratio(c: dict) -> float:
    """The likelihood ratio a cell supports at its interval's cautious end: lower end of the
    Russia-run share over the upper end of the brexit-2016 share."""
    lo = wilson(c["runs"], c["runs_n"])[1]
    hi = wilson(c["brexit"], c["brexit_n"])[2]
    return lo / hi if hi > 0 else math.inf


def profile_times(data: Path) -> pd.DataFrame:
    """(uid, created_at ms) of every profile with a sequential id and a creation time in labelled/
    (all classes: only the id clock is read) and twibot20/."""
    rows: list[tuple[str, str]] = []
    for f, idc in (("stclab/bots_data.csv.gz", "id_str"), ("stclab/nonbots_data.csv.gz", "id_str"),
                   ("verified2019/profiles.csv.gz", "id"), ("botwiki2019/profiles.csv.gz", "id")):
        d = pd.read_csv(data / "labelled" / f, dtype=str, keep_default_na=False, usecols=[idc, "created_at"])
        rows += list(zip(d[idc], d["created_at"]))
    with gzip.open(data / "twibot20" / "TwiBot-20_sample.json.gz", "rt", encoding="utf-8") as fh:
        for u in json.load(fh):
            pr = u.get("profile") or {}
            rows.append((str(pr.get("id_str", "")).strip(), str(pr.get("created_at", "")).strip()))
    t = pd.DataFrame(rows, columns=["uid", "created"])
    t = t[t["uid"].str.fullmatch(r"\d{1,12}")]
    t["ms"] = pd.to_datetime(t["created"], format="%a %b %d %H:%M:%S %z %Y", errors="coerce")
    t = t[t["ms"].notna()]
    ms = (t["ms"] - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta(milliseconds=1)
    out = pd.DataFrame({"uid": t["uid"].astype(np.int64), "ms": ms.astype(np.int64)})
    return out[out["uid"] < SNOWFLAKE_MIN].drop_duplicates("uid").sort_values("uid")


def id_minutes(data: Path) -> Callable[[np.ndarray, int], np.ndarray]:
    """A function (ids, radius) -> minutes between the creation times of id − radius and id + radius,
    by linear interpolation over `profile_times` (a unit translation for the docs, nothing more)."""
    t = profile_times(data)
    # creation time grows with the id; a few profiles are out of order (a rolling median over 25
    # neighbours, then the running maximum, keeps one stray time from bending the curve)
    y = np.maximum.accumulate(t["ms"].rolling(25, center=True, min_periods=1).median().to_numpy())
    x = t["uid"].to_numpy().astype(float)

    def span(ids: np.ndarray, radius: int) -> np.ndarray:
        # the creation rate averaged over ±RATE_WINDOW ids (~3,000 profiles are too few to read a
        # rate over a window of a thousand ids), times the window's width
        per_id = (np.interp(ids + RATE_WINDOW, x, y) - np.interp(ids - RATE_WINDOW, x, y)) / (2 * RATE_WINDOW)
        return 2 * radius * per_id / 60_000
    return span


def boost_item(boosted: set[int], factor: float) -> Callable[..., list]:
    """`measure_origin_desk_signals.extra_item` as a "created_together" item (a what-if, never
    part of the model)."""
    return extra_item(boosted, factor, "created_together")


def what_it_would_do(study: Path, data: Path, election_name: str, q: pd.DataFrame, placed: pd.DataFrame, cells: list[dict]) -> None:
    """The study's stages scored again (own evidence, shared-text pooling, study prior, as
    `validate_origin.origin_stages` does) with each cell as an item worth its cautious ratio for the
    accounts it flags ("certainly near" for every account, as an item would read exact ids): the
    development figures R / P / F before and after. The cells are chosen on these same accounts,
    so the "after" is optimistic."""
    election = load_election(election_name)
    loaded = V.load_part(study, data, election)
    ids, keys, inputs, groups, nb = loaded.ids, loaded.keys, loaded.inputs, loaded.groups, loaded.neighbours
    by_key = dict(zip(ids, inputs))
    plain = origin.evidence_vectors

    def figures(final: list) -> str:
        c = {g: [0, 0] for g in (GROUP_RU_LANG, GROUP_POSING, GROUP_ORDINARY)}
        for r, g in zip(final, groups):
            if g in c:
                c[g][0] += r.country == "RU"
                c[g][1] += 1
        return "  ".join(f"{n} {c[g][0]}/{c[g][1]:,}" for n, g in (("R", GROUP_RU_LANG), ("P", GROUP_POSING), ("F", GROUP_ORDINARY)))

    print("\n# What the best cells would do as an item (worth their cautious ratio) on the development study")
    _o, _p, final, _pr = V.origin_stages(inputs, keys, nb, election.country)
    print(f"   none: {figures(final)}")
    for c in cells:
        qq, pp = q[q["kind"] == c["kind"]], placed[placed["kind"] == c["kind"]]
        r_units = int(c["radius"] * (1 if c["kind"] == "seq" else 60_000))
        n = near_counts(qq["pos"].to_numpy(np.int64), qq["pos_half"].to_numpy(np.int64), qq["key"].to_numpy(),
                        pp["pos"].to_numpy(np.int64), pp["pos_half"].to_numpy(np.int64), pp["key"].to_numpy(), r_units, certain=True)
        flagged = {id(by_key[k]) for k, x in zip(qq["key"], n) if x >= c["k"] and k in by_key}
        f = ratio(c)
        origin.evidence_vectors = boost_item(flagged, f)
        try:
            _o, _p, final, _pr = V.origin_stages(inputs, keys, nb, election.country)
        finally:
            origin.evidence_vectors = plain
        print(f"   {c['kind']} within {c['radius']:,} {c['unit']} k ≥ {c['k']} (×{f:.1f}, {len(flagged):,} accounts flagged): {figures(final)}")


def main() -> None:
    ap = V.origin_arguments(__doc__.split("\n\n")[0])
    ap.add_argument("--what-it-would-do", action="store_true",
                    help="score the study's stages again with the best cells as an item (their cautious ratio), ~2 CPU-min each")
    args = ap.parse_args()
    t0 = time.process_time()
    study = args.work / "apart-dev" / "study.duckdb"
    if not study.exists():
        sys.exit(f"no development study at {study}: run scripts/measure_origin_dev.py --work {args.work} first")
    s = study_accounts(study, args.data)
    s["key"] = s["account_id"]
    print("# Development part: accounts, with a user id or not")
    for r, d in s.groupby("row"):
        print(f"   {r:<40} {len(d):>6,}  with id {int(d['uid'].notna().sum()):>6,}  of them rounded {int((d['half'].fillna(0) > 0).sum()):>4,}")
    ira_ids = {int(u) for u in s.loc[s["row"].str.startswith("IRA"), "uid"].dropna()}
    out = outside_humans(args.data, ira_ids)
    out["key"] = "outside:" + out["uid"].astype(str)
    q = positions(pd.concat([s[["key", "row", "uid", "half"]], out[["key", "row", "uid", "half"]]], ignore_index=True))
    placed = positions(s[s["ru"]][["key", "row", "uid", "half"]])
    cells = table(q, placed, "seq", SEQ_RADII, 1, "ids")
    cells += table(q, placed, "snow", SNOW_RADII_MIN, 60_000, "minutes")
    print(f"\n# Snowflake ids created after brexit-2016's last post ({BREXIT_END}): no brexit-2016 account can be near these")
    sn = q[q["kind"] == "snow"]
    for r in sorted(sn["row"].unique()):
        m = sn["row"] == r
        print(f"   {r:<40} {int((sn.loc[m, 'pos'] > BREXIT_END_MS).sum()):>5,} of {int(m.sum()):,}")
    miss = s[s["row"] == "IRA Russian-language, missed"]
    print(f"\n# The {len(miss)} missed Russian-language accounts: nearest accounts placed in Russia (same id kind)")
    qm = positions(miss[["key", "row", "uid", "half"]])
    for r in qm.itertuples():
        p = placed[placed["kind"] == r.kind]
        d = np.sort(np.abs(p["pos"].to_numpy(np.int64) - r.pos) + p["pos_half"].to_numpy(np.int64) + r.pos_half)[:3]
        unit = "ids" if r.kind == "seq" else "minutes"
        shown = d if r.kind == "seq" else np.round(d / 60_000, 1)
        print(f"   {r.key:<20} {r.kind:<4} ±{r.pos_half if r.kind == 'seq' else round(r.pos_half / 60_000, 1)}  nearest 3 ({unit}, at most): {', '.join(str(x) for x in shown)}")
    print(f"\n# The missed ones with sequential ids: other development IRA accounts within {BATCH_IDS:,} ids, by row")
    ira = s[s["row"].str.startswith("IRA") & s["uid"].notna() & (s["uid"] < SNOWFLAKE_MIN)]
    for r in qm[qm["kind"] == "seq"].sort_values("pos").itertuples():
        near = ira[((ira["uid"] - r.pos).abs() <= BATCH_IDS) & (ira["account_id"] != r.key)]
        said = ", ".join(f"{k} {v}" for k, v in near["row"].value_counts().items()) or "none"
        print(f"   {r.key:<20} {r.pos:>11,}  {said}")
    print("\n# Cells with the largest cautious likelihood ratio (Russia-run share low end / brexit-2016 high end)")
    for c in sorted(cells, key=ratio, reverse=True)[:8]:
        print(f"   {c['kind']:<4} within {c['radius']:>6,} {c['unit']:<7} k ≥ {c['k']}: Russia-run {share(c['runs'], c['runs_n'])}  "
              f"brexit {share(c['brexit'], c['brexit_n'])}  LR ≥ {ratio(c):.2f}  missed accounts near: {c['missed']}/{c['missed_n']}")
    print("\n# Sequential id windows as creation time (interpolated over profile ids with created_at from labelled/ and twibot20/)")
    span = id_minutes(args.data)
    ru_ids = q.loc[(q["kind"] == "seq") & q["row"].str.startswith("IRA"), "pos"].to_numpy(np.int64)
    for radius in SEQ_RADII:
        m = span(ru_ids, radius)
        print(f"   ±{radius:>9,} ids ≈ ±{np.median(m) / 2:,.0f} minutes (median over the IRA handles' ids; quartiles "
              f"{np.percentile(m, 25) / 2:,.0f}-{np.percentile(m, 75) / 2:,.0f})")
    if args.what_it_would_do:
        best = sorted(cells, key=ratio, reverse=True)[:3]
        reach = sorted((c for c in cells if c["missed"]), key=ratio, reverse=True)[:1]
        best += [c for c in reach + sorted(cells, key=lambda c: (-c["missed"], -ratio(c)))[:2] if c not in best]
        what_it_would_do(study, args.data, args.election, q, placed, best)
    print(f"\n{time.process_time() - t0:.0f} CPU-s")


if __name__ == "__main__":
    main()
