#!/usr/bin/env python
"""Reproduce the origin-model validation figures in docs/methods.md (## accounts, origin).

    PYTHONPATH=src .venv/bin/python scripts/validate_origin.py [--work /tmp/origin-val] [--fresh]

1. Inputs as the maintainers' hidden test sees them: the IRA tweets CSV cut to at most 300 posts
   per handle (a fixed pseudo-random choice: the lowest md5 of author, time and text), and the
   ordinary accounts of ../shared/data/ordinary written out as Twitter v1.1 statuses (no reader
   takes those CSVs as they are; v1.1 carries every field they have: time, text, profile
   location and, for gop-debate-2015, the profile time zone). Post languages are not invented
   for them: the ordinary archives carry none.
2. `botwatch ingest` of those files into a study, then the accounts stage itself
   (`run_accounts`), so the figures come from exactly the code users run.
3. For each group (Russian-language IRA, IRA posing as locals, ordinary) and each part of the
   frozen split (`validation.split_of`: dev, where likelihood ratios were measured, and test,
   never tuned on) the share of accounts whose most likely origin is Russia, by posts per
   account, with 95% Wilson intervals; and a reliability table of P(Russia).
4. Study designs (`origin_prior`: P(Russia) re-weighted by the study's own estimated share of
   Russia-run accounts, the accounts near Russia on a share of their own, `apply_stratified`): the same per-account evidence with the study prior estimated on (a) the
   IRA handles alone, (b) the ordinary accounts alone, (c) both together, and (d) mixes of IRA
   handles in ordinary accounts from 1% to 80% (fixed-seed subsamples), each part separately;
   shares as above, the estimated share against the true one, and reliability. The figures in
   step 3 are design (c) over both parts, as `run_accounts` writes them.
5. Ordinary accounts are also reported by archive: British (brexit-2016) and American
   (gop-debate-2015), since the office-hours person's day was fitted on British accounts only;
   and split by whether their own profile names a place in Russia (`origin_labels`): for those
   the label "not run from Russia" is only "not an IRA handle", so the reliability table is
   printed again with them set apart (truth unknown: counted neither way).
6. `--pool`: the designs again with origin evidence pooled over coordination clusters as well
   (`origin_pool`; the coordination stage run once on a copy of the study).
7. Pooling over accounts posting the same texts (`origin_textpool`, which the accounts stage runs):
   the per-account results of steps 4-6 are pooled as the stage pools them; `--ablation` also
   gives the shares without it, and every run prints how often it moves an ordinary account to
   Russia, with the shipped rule and with a looser one (one shared text is enough).
8. `--apart`: each part of the frozen split ingested as a study of its own (the test part's IRA
   handles with the same at most 300 posts each and its ordinary accounts; then the development
   part the same way) and scored by `run_accounts` with the shipped model, as the maintainers
   will score their kept-back handles: shared-text pooling, desk hours and the study prior then
   see only that part's accounts. Same tables as step 3, the study prior's estimate against the
   true share, and each account's own evidence without pooling. Nothing is fitted or chosen on
   it. Adds `part_studies` to the figures file; every other key is unchanged by the flag.

Writes docs/figures/origin-validation.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from botwatch import open_study
from botwatch.accounts import origin_textpool
from botwatch.accounts.features import AccountData, build
from botwatch.accounts.ordinary_archives import ordinary_as_v1, ordinary_posters
from botwatch.accounts.origin import OriginInput, origin_posterior
from botwatch.accounts.origin_labels import profile_names_russia
from botwatch.accounts.origin_prior import NEAR_MIN, apply_stratified, apply_study_prior
from botwatch.accounts.scoring import origin_inputs
from botwatch.accounts.stage import run_accounts
from botwatch.accounts.validation import (
    GROUP_ORDINARY, GROUP_RU_LANG, calibration, confusion, group_of, mostly_russian, share_table, split_of, summary,
)
from botwatch.elections import load_election
from botwatch.ingest.runner import ingest

REPO = Path(__file__).resolve().parents[1]
MAX_POSTS = 300
MIXES = (0.01, 0.03, 0.07, 0.2, 0.5, 0.8)


def cut_ira(src: Path, dst: Path) -> None:
    """The IRA tweets with at most MAX_POSTS per handle, same columns, same CSV dialect."""
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * EXCLUDE (rk) FROM (SELECT *, row_number() OVER (PARTITION BY author_id ORDER BY md5(concat_ws(chr(31), author_id, publish_date, content))) AS rk "
        f"FROM read_csv('{src}', all_varchar=true, header=true)) WHERE rk <= {MAX_POSTS}) TO '{dst}' (HEADER, COMPRESSION gzip)"
    )


def input_files(work: Path) -> tuple[Path, Path]:
    """Where `prepare` writes the cut IRA file and the ordinary v1.1 file under `work`."""
    return work / "ira-tweets-300.csv.gz", work / "ordinary-v1.jsonl.gz"


def forget_built(work: Path) -> None:
    """Remove the inputs, the study and the markers of everything built from them under `work`:
    the part studies (`prepare_part`) and the coordination copy (`clusters_of`) would otherwise be
    reused, cut from the older inputs, by a later run with `--apart` or `--pool`."""
    ira_cut, ordinary = input_files(work)
    study_path = work / "study.duckdb"
    for p in (ira_cut, ordinary, study_path, study_path.with_suffix(".ingested"), work / "study-coordination.done",
              *work.glob("apart-*/study.ingested")):
        p.unlink(missing_ok=True)


# What the inputs under a work folder were built as; a folder built otherwise is built again, so
# no figure is read from a study of older inputs. (2026-12-04: gop-debate retweets marked.)
INPUTS_VERSION = "2026-12-04 ordinary retweets marked"


def prepare_inputs(data: Path, work: Path) -> tuple[Path, Path]:
    """Build (once) the cut IRA file and the ordinary v1.1 file under `work`; their paths. Apart
    from `prepare` for a caller that ingests only a part study (`scripts/choose_desk_bound.py`).
    Inputs (and the studies built from them) of another `INPUTS_VERSION` are removed first."""
    work.mkdir(parents=True, exist_ok=True)
    version = work / "inputs-version"
    if not version.exists() or version.read_text(encoding="utf-8").strip() != INPUTS_VERSION:
        forget_built(work)
        version.write_text(INPUTS_VERSION + "\n", encoding="utf-8")
    ira_cut, ordinary = input_files(work)
    if not ira_cut.exists():
        cut_ira(data / "ira" / "tweets.csv.gz", ira_cut)
    if not ordinary.exists():
        ordinary_as_v1(data, ordinary)
    return ira_cut, ordinary


def ira_handles(data: Path) -> set[str]:
    """Every IRA handle of the release, as the ingest keys them (stripped, lower-cased)."""
    return set(pd.read_csv(data / "ira" / "authors.csv.gz", dtype=str)["author_id"].str.strip().str.lower())


def prepare(data: Path, work: Path, fresh: bool = False) -> Path:
    """Build (once) the cut IRA file, the ordinary v1.1 file and a study holding both; its path."""
    work.mkdir(parents=True, exist_ok=True)
    if fresh:
        forget_built(work)
    ira_cut, ordinary = prepare_inputs(data, work)
    study_path = work / "study.duckdb"
    done = study_path.with_suffix(".ingested")
    if not done.exists():
        with open_study(study_path, read_only=False) as st:
            ingest(st, [str(ira_cut), str(ordinary)])
        done.touch()
    return study_path


def ira_part(src: Path, dst: Path, part: str) -> int:
    """Write to `dst` (gzip CSV, same columns) the rows of the IRA tweets file `src` whose handle
    (`author_id`, the key the ingest gives the account) falls in `part` of the frozen split; the
    number of handles kept. Cut from the file of at most MAX_POSTS per handle, each handle keeps
    exactly the posts it has in the mixed study."""
    con = duckdb.connect()
    read = f"read_csv('{src}', all_varchar=true, header=true)"
    handles = [h for (h,) in con.execute(f"SELECT DISTINCT author_id FROM {read} WHERE author_id IS NOT NULL").fetchall() if split_of(h) == part]
    con.register("keep", pd.DataFrame({"author_id": pd.Series(handles, dtype=str)}))
    con.execute(f"COPY (SELECT * FROM {read} WHERE author_id IN (SELECT author_id FROM keep)) TO '{dst}' (HEADER, COMPRESSION gzip)")
    return len(handles)


def v1_part(src: Path, dst: Path, part: str) -> int:
    """Write to `dst` (gzip) the v1.1 statuses of `src` (JSON lines, gzip or plain) whose author
    (`user.id_str`, the account key of the ingest) falls in `part` of the frozen split, each line
    as it was; the number of lines kept."""
    n = 0
    opener = gzip.open if src.suffix == ".gz" else open
    with opener(src, "rb") as f, gzip.open(dst, "wb") as out:
        for line in f:
            if line.strip() and split_of(str(json.loads(line)["user"]["id_str"])) == part:
                out.write(line if line.endswith(b"\n") else line + b"\n")
                n += 1
    return n


def scored_study(study_path: Path, election: Any, log: Callable[[str], None]) -> tuple[pd.DataFrame, AccountData, Any]:
    """Run the accounts stage on the study at `study_path` (as `botwatch analyze` does) and read
    back what every validation reads: the stored scores, the per-account features (`build`) and the
    shared-text neighbours. One place for the mixed study and each part study, so both are scored
    and read the same way."""
    with open_study(study_path, read_only=False) as st:
        run_accounts(st, election, log=log)
        scores = st.con.execute("SELECT account_id, n_posts, origin_country, origin_probabilities FROM account_scores").df()
        data = build(st, election)
        neighbours = origin_textpool.neighbours(st)
    return scores, data, neighbours


@dataclass
class LoadedStudy:
    """What the origin measurement scripts read from a validation study, read the same way by all
    of them: the per-account features, the shared-text neighbours, and per account (in the order of
    `features.features`) its id, its (platform, id) key, its origin inputs and its (group, part)."""

    features: AccountData
    neighbours: Any
    ids: list[str]
    keys: list[tuple[str, str]]
    inputs: list[OriginInput]
    groups_splits: list[tuple[str | None, str]]

    @property
    def groups(self) -> list[str | None]:
        """Each account's validation group (None: not an account of the validation)."""
        return [g for g, _s in self.groups_splits]


def load_part(study_path: Path, data: Path, election: Any, part: str | None = "dev") -> LoadedStudy:
    """Read a study read-only (`prepare_part`'s part study, or with `part=None` the mixed study) as
    every origin measurement script reads it. With `part`, stops (`check_part`) if the study holds an
    account of another part: its figures would not be that part's. One place, so that the scripts
    that compare their figures with each other read the same accounts in the same order."""
    with open_study(study_path, read_only=True) as st:
        feats = build(st, election)
        neighbours = origin_textpool.neighbours(st)
    ids = feats.features["account_id"].tolist()
    gs = groups_and_splits(data, ids)
    if part is not None:
        gs = check_part(study_path, ids, gs, part, feats.features["n_posts"].tolist())
    return LoadedStudy(feats, neighbours, ids, list(zip(feats.features["platform"].tolist(), ids)), origin_inputs(feats), gs)


def prepare_part(ira_cut: Path, ordinary: Path, work: Path, part: str, fresh: bool = False) -> Path:
    """Build (once, or again with `fresh`) a study holding only the accounts of one part of the
    frozen split: the IRA handles with the posts they have in `ira_cut` and the ordinary accounts of
    `ordinary`, ingested as a user would ingest them, with no post of the other part in it. Its path.
    (A handle the part's gop-debate retweets name becomes a profile-only account of either part, as
    in any study; it wrote nothing, so it is in no validation group: `groups_and_splits`.)"""
    d = work / f"apart-{part}"
    d.mkdir(parents=True, exist_ok=True)
    study_path = d / "study.duckdb"
    done = study_path.with_suffix(".ingested")
    if fresh or not done.exists():
        done.unlink(missing_ok=True)
        study_path.unlink(missing_ok=True)
        ira_p, ord_p = d / f"ira-tweets-{MAX_POSTS}-{part}.csv.gz", d / f"ordinary-v1-{part}.jsonl.gz"
        ira_part(ira_cut, ira_p, part)
        v1_part(ordinary, ord_p, part)
        with open_study(study_path, read_only=False) as st:
            ingest(st, [str(ira_p), str(ord_p)])
        done.touch()
    return study_path


def clusters_of(study_path: Path, election: str, ids: list[str]) -> list[int]:
    """Coordination cluster index per account id (-1: none), from the coordination stage run
    (once, default options) on a copy of the validation study, so the main figures are untouched."""
    import shutil

    from botwatch.coordination.network import NetworkOptions
    from botwatch.coordination.stage import run_coordination

    copy = study_path.with_name("study-coordination.duckdb")
    done = copy.with_suffix(".done")
    if not done.exists():
        shutil.copy(study_path, copy)
        with open_study(copy, read_only=False) as st:
            run_coordination(st, NetworkOptions.from_options({}), country=load_election(election).country, log=print)
        done.touch()
    with open_study(copy, read_only=True) as st:
        members = st.query_pandas("SELECT account_id, min(CAST(cluster_id AS VARCHAR)) AS c FROM cluster_members GROUP BY account_id")
    code = {c: i for i, c in enumerate(sorted(set(members["c"])))}
    of = {a: code[c] for a, c in zip(members["account_id"], members["c"])}
    return [of.get(a, -1) for a in ids]


def groups_and_splits(data: Path, account_ids: list[str]) -> list[tuple[str | None, str]]:
    """(validation group, split) per account id; the Clemson category is read for grouping only.
    An account that wrote no row of either archive (a handle the gop-debate archive's retweets name,
    `ordinary_posters`) is in no group."""
    authors = pd.read_csv(data / "ira" / "authors.csv.gz", dtype=str)
    category = dict(zip(authors["author_id"].str.strip().str.lower(), authors["account_category"]))
    posters = ordinary_posters(data)

    def group(a: str) -> str | None:
        if a in category:
            return group_of(category.get(a), "ira")
        return GROUP_ORDINARY if a in posters else None

    return [(group(a), split_of(a)) for a in account_ids]


ORDINARY_UK = "ordinary UK (brexit-2016)"
ORDINARY_US = "ordinary US (gop-debate-2015)"


def ordinary_source(account_id: str) -> str:
    """Which archive an ordinary account comes from (`ordinary_as_v1` prefixes gop-debate keys with
    'gop-'): the British and the American false-alarm rates are reported apart, because the
    office-hours profiles of a person's day were fitted on British accounts only."""
    return ORDINARY_US if account_id.startswith("gop-") else ORDINARY_UK


RU_LANG_RU = "IRA Russian-language, posts mostly tagged Russian"
RU_LANG_OTHER = "IRA Russian-language, posts mostly in another language"
ORDINARY_NAMES_RU = "ordinary, own profile names Russia"
ORDINARY_REST = "ordinary, profile does not name Russia"


def profile_rows(rows: list[tuple[str, str, int, bool]], ids: list[str], names_ru: dict[str, bool]) -> list[tuple[str, str, int, bool]]:
    """Each ordinary account of `rows` again, under whether its own profile names a place in Russia
    (`origin_labels`): a "false alarm" among the first is not known to be one."""
    return [(s, ORDINARY_NAMES_RU if names_ru.get(a) else ORDINARY_REST, n, ru) for (s, g, n, ru), a in zip(rows, ids) if g == GROUP_ORDINARY]


def language_rows(rows: list[tuple[str, str, int, bool]], ids: list[str], mostly_ru: dict[str, bool]) -> list[tuple[str, str, int, bool]]:
    """Each Russian-language IRA account of `rows` again, under whether most of its tagged posts
    are in Russian: the Clemson `NonEnglish` category also holds the IRA's German, Arabic, French,
    Italian and Spanish desks, whose posts point away from Russia."""
    return [(s, RU_LANG_RU if mostly_ru.get(a) else RU_LANG_OTHER, n, ru) for (s, g, n, ru), a in zip(rows, ids) if g == GROUP_RU_LANG]


def with_sources(rows: list[tuple[str, str, int, bool]], ids: list[str]) -> list[tuple[str, str, int, bool]]:
    """`rows` (split, group, n_posts, russia_top) plus each ordinary account again under its archive."""
    extra = [(s, ordinary_source(a), n, ru) for (s, g, n, ru), a in zip(rows, ids) if g == GROUP_ORDINARY]
    return rows + extra


def with_text_neighbours(own: list, keys: list[tuple[str, str]], pairs: origin_textpool.Neighbours) -> set[str]:
    """Account ids with at least one shared-text neighbour that has origin evidence: the accounts
    whose P(Russia) the stage pools (`origin_textpool.apply`)."""
    has = {k for k, r in zip(keys, own) if r.country is not None}
    return {a for p, a, b in zip(pairs.platform, pairs.account_id, pairs.other_id) if (p, a) in has and (p, b) in has}


def stored_rows(scores: pd.DataFrame, gs: list[tuple[str | None, str]], names_ru: dict[str, bool], pooled_ids: set[str]) -> dict:
    """The stored answers of `run_accounts` (account_scores: account_id, n_posts, origin_country,
    origin_probabilities) as the report's rows: (split, group, n_posts, russia_top) and their ids,
    (group, country) pairs for the confusion table, and (P(Russia), Russia-run) for the reliability
    tables (all accounts with origin evidence; with those whose own profile names Russia set apart;
    and those again by whether they have shared-text neighbours). `gs`: (group, split) per row of
    `scores`; accounts outside the three groups are left out. One function for the mixed study and
    the studies of one part each, so both are read the same way."""
    out: dict = {"rows": [], "ids": [], "pairs": defaultdict(list), "calib": defaultdict(list), "calib_apart": defaultdict(list),
                 "calib_nb": defaultdict(lambda: {"with": [], "without": []})}
    for (aid, n_posts, country, probs), (group, split) in zip(scores.itertuples(index=False), gs):
        if group is None:
            continue
        country = country if isinstance(country, str) else None  # pandas gives NaN for NULL
        p_ru = json.loads(probs).get("RU", 0.0) if isinstance(probs, str) else 0.0
        n = 0 if pd.isna(n_posts) else int(n_posts)
        out["rows"].append((split, group, n, country == "RU"))
        out["ids"].append(aid)
        out["pairs"][split].append((group, country))
        if country is not None:  # an unknown origin is no prediction, not P(Russia) = 0
            out["calib"][split].append((p_ru, group != GROUP_ORDINARY))
            if not names_ru.get(aid):
                out["calib_apart"][split].append((p_ru, group != GROUP_ORDINARY))
                out["calib_nb"][split]["with" if aid in pooled_ids else "without"].append((p_ru, group != GROUP_ORDINARY))
    return out


def _calibration_print(title: str, table: list[dict[str, float]]) -> None:
    print(f"\n## {title}")
    for c in table:
        print(f"  P in [{c['p_from']:.2f}, {c['p_to']:.2f}): n={c['n']:6d}  mean P={c['mean_p']:.3f}  observed={c['observed']:.3f} [{c['lo']:.3f}, {c['hi']:.3f}]")


def _table(title: str, cells: dict[str, dict[str, float]]) -> None:
    print(f"\n## {title}")
    print("group | posts per account".ljust(58) + "n".rjust(7) + "Russia".rjust(8) + "share".rjust(8) + "  95% interval")
    for k, c in cells.items():
        print(k.ljust(58) + f"{c['n']:7d}{c['russia']:8d}{c['share']:8.3f}  [{c['lo']:.3f}, {c['hi']:.3f}]")


def base_mix() -> float:
    """The Russia-run share of the calibration data (development part)."""
    from botwatch.accounts.origin_signals import parameters

    return float(parameters()["calibration"]["russia_share"])


def designs(results: list, meta: list[tuple[str | None, str, bool, int]], home: str, ids: list[str],
            own: list | None = None, keys: list | None = None, neighbours: origin_textpool.Neighbours | None = None) -> dict:
    """Shares, estimated vs true Russia-run share and reliability for each study design.

    results: OriginResult per account (calibrated, no study prior); meta: (group, split, is_ira,
    n_posts) per account; ids: the account keys. The study prior is estimated on each design's accounts only.
    With `own` (each account's own results), `keys` and `neighbours` the accounts near Russia within
    the design's accounts get a share of their own, as `run_accounts` gives them (`origin_prior.apply_stratified`).
    """
    import numpy as np

    out: dict = {}
    for split in ("dev", "test"):
        ira = [i for i, m in enumerate(meta) if m[1] == split and m[2]]
        # The ordinary accounts: a handle only retweeted in the archives (no group) is no one's
        # sample, and counting it would change every mix's size and draw.
        od = [i for i, m in enumerate(meta) if m[1] == split and not m[2] and m[0] is not None]
        plans: dict[str, list[int]] = {"IRA handles alone": ira, "ordinary accounts alone": od, "IRA and ordinary together": ira + od}
        rng = np.random.default_rng(13)
        for mix in MIXES:
            n_ira = round(mix * len(od) / (1 - mix))
            if n_ira <= len(ira):
                plans[f"mix {mix:.0%} IRA"] = sorted(rng.choice(ira, n_ira, replace=False).tolist()) + od
            else:
                plans[f"mix {mix:.0%} IRA"] = ira + sorted(rng.choice(od, round(len(ira) * (1 - mix) / mix), replace=False).tolist())
        for name, idx in plans.items():
            near = (origin_textpool.near_russia([own[i] for i in idx], [keys[i] for i in idx], neighbours, NEAR_MIN)
                    if own is not None and keys is not None else None)
            adj, prior = apply_stratified([results[i] for i in idx], home, near)
            nears = [False] * len(idx) if near is None else [bool(x) for x in near]
            kept = [(i, r) for i, r in zip(idx, adj) if meta[i][0] is not None]
            rows = with_sources([(split, meta[i][0], meta[i][3], r.country == "RU") for i, r in kept], [ids[i] for i, _ in kept])
            cal = calibration([(r.p_russia or 0.0, meta[i][2]) for i, r in zip(idx, adj) if r.country is not None])
            n_ev = sum(r.country is not None for r in adj)
            true = sum(meta[i][2] for i, r in zip(idx, adj) if r.country is not None) / max(n_ev, 1)
            out.setdefault(split, {})[name] = {
                "accounts": len(idx), "with_evidence": n_ev, "true_russia_share": round(true, 4),
                "estimated_share": None if prior is None else [round(prior.share, 4), round(prior.lo, 4), round(prior.hi, 4)],
                "strata": strata(prior, [(bool(meta[i][2]), nr) for i, r, nr in zip(idx, adj, nears) if r.country is not None]),
                "shares": share_table(rows).get(split, {}), "calibration": cal,
            }
    return out


def textpool_false_alarms(own: list, keys: list, meta: list, shipped: object, loose: object, home: str) -> dict:
    """How often pooling over shared texts moves an ordinary account to Russia, per part: with the shipped
    rule and with a looser one (one shared text), which puts many more ordinary accounts next to each
    other and some next to IRA handles: the nearest this data comes to measuring the pooling's false alarms."""
    out: dict = {}
    for split in ("dev", "test"):
        idx = [i for i, m in enumerate(meta) if m[1] == split]
        sub_keys = [keys[i] for i in idx]
        ira = {keys[i][1] for i in idx if meta[i][2]}
        before, _ = apply_study_prior([own[i] for i in idx], home)
        for rule, nb in (("shipped", shipped), ("loose", loose)):
            after, _ = apply_study_prior(origin_textpool.apply([own[i] for i in idx], sub_keys, nb), home)
            mine = {k[1] for k in sub_keys}
            has, has_ira = set(), set()
            for a, b in zip(nb.account_id, nb.other_id):
                if a in mine and b in mine:
                    has.add(a)
                    if b in ira:
                        has_ira.add(a)
            ordinary = [j for j, i in enumerate(idx) if not meta[i][2] and meta[i][0] is not None]
            out.setdefault(split, {})[rule] = {
                "with_neighbours": sum(sub_keys[j][1] in has for j in ordinary),
                "with_ira_neighbour": sum(sub_keys[j][1] in has_ira for j in ordinary),
                "moved_to_russia": sum(before[j].country != "RU" and after[j].country == "RU" for j in ordinary),
                "moved_away": sum(before[j].country == "RU" and after[j].country != "RU" for j in ordinary),
                "posing_gained": sum(before[j].country != "RU" and after[j].country == "RU" for j, i in enumerate(idx) if meta[i][0] == "IRA posing as locals"),
            }
    return out


def strata(prior: Any, truth: list[tuple[bool, bool]]) -> dict | None:
    """The study prior's estimate against the truth *over the same accounts*: `estimated_share` is
    the far stratum's (accounts sharing no text with one placed in Russia, `apply_stratified`), and
    it used to be printed beside the true share of all accounts, near ones included. `truth`:
    (run from Russia, near Russia) per account with origin evidence. Per stratum: accounts, true
    share, estimate [95%]; and the overall estimate (`StudyPrior.overall`) against the overall truth."""
    if prior is None:
        return None

    def one(rows: list[bool], est: Any) -> dict:
        return {"accounts": len(rows), "true_russia_share": round(sum(rows) / max(len(rows), 1), 4),
                "estimated_share": None if est is None else [round(est.share, 4), round(est.lo, 4), round(est.hi, 4)]}

    far = [t for t, n in truth if not n]
    near = [t for t, n in truth if n]
    return {"far": one(far, prior), "near": one(near, prior.near) if near else None,
            "overall": {"accounts": len(truth), "true_russia_share": round(sum(t for t, _ in truth) / max(len(truth), 1), 4),
                        "estimated_share": round(prior.overall(), 4)}}


def _estimate(e: list[float] | None) -> str:
    """A stored `estimated_share` ([share, lo, hi]) as the tables print it, "-" when there is none."""
    return "-" if e is None else f"{e[0]:.3f} [{e[1]:.3f}, {e[2]:.3f}]"


def _strata_words(st: dict | None) -> str:
    if not st:
        return ""
    f, n, o = st["far"], st["near"], st["overall"]
    out = f"; far stratum ({f['accounts']:,}): true {f['true_russia_share']:.3f}, estimated {_estimate(f['estimated_share'])}"
    if n and n["estimated_share"]:
        out += f"; near stratum ({n['accounts']:,}): true {n['true_russia_share']:.3f}, estimated {_estimate(n['estimated_share'])}"
    return out + f"; overall: true {o['true_russia_share']:.3f}, estimated {o['estimated_share']:.3f}"


def check_part(study_path: Path, ids: list[str], gs: list[tuple[str | None, str]], part: str,
               n_posts: list[Any]) -> list[tuple[str | None, str]]:
    """Stop (SystemExit, one line: how many, examples, the likely cause) if a study of one part holds
    posts of accounts of another: its figures would not be that part's. `n_posts`: each account's
    posts in the study (None or NaN: none). An account of the other part without posts here is a
    handle the part's gop-debate retweets name, a profile-only account as in any study: returned
    `gs` puts it in no group, so no figure of this part counts it."""
    posted = [n is not None and not pd.isna(n) and n > 0 for n in n_posts]
    strays = sorted(a for a, (g, s), p in zip(ids, gs, posted) if s != part and g is not None and p)
    if strays:
        raise SystemExit(f"{study_path}: {len(strays)} accounts of the other part with posts, e.g. {strays[:3]}: the part files are "
                         "cut on a different key than the split")
    return [(g if s == part else None, s) for g, s in gs]


def origin_stages(inputs: list, keys: list[tuple[str, str]], neighbours: origin_textpool.Neighbours, home: str | None) -> tuple[list, list, list, Any]:
    """Each account's origin result after each stage as `run_accounts` computes them (own evidence,
    shared-text pooling, the study prior over these accounts), unrounded P(Russia) in `.p_russia`,
    and the study prior's estimate (None if not applied)."""
    own = [origin_posterior(inp, home=home) for inp in inputs]
    pooled = origin_textpool.apply(own, keys, neighbours)
    final, prior = apply_stratified(pooled, home, origin_textpool.near_russia(own, keys, neighbours, NEAR_MIN))
    return own, pooled, final, prior


def true_home_share(ids: list[str], own: list, gs: list[tuple[str | None, str]]) -> dict:
    """The share of American accounts among the ordinary accounts with origin evidence, taking the
    archive as the truth (gop-debate-2015 accounts American, brexit-2016 ones British: a proxy; some
    brexit-2016 profiles name American places), over all of them and over those no profile place
    puts outside the US (whom the study home share was estimated over before 2026-12-03); and with
    the brexit-2016 accounts whose own profile location names an American place counted American."""
    from botwatch.accounts.origin_prior import places_elsewhere

    rows = [(ordinary_source(a) == ORDINARY_US, places_elsewhere(r.evidence), any("' names US (" in e for e in r.evidence))
            for a, r, (g, _s) in zip(ids, own, gs) if g == GROUP_ORDINARY and r.country is not None]
    inside = [us for us, out, _named in rows if not out]
    named = sum(named and not us for us, _out, named in rows)
    return {"ordinary": len(rows), "us": round(sum(us for us, _o, _n in rows) / max(len(rows), 1), 4),
            "not_placed_outside": len(inside), "us_not_placed_outside": round(sum(inside) / max(len(inside), 1), 4),
            "brexit_naming_us": named, "us_or_naming_us": round(sum(us or n for us, _o, n in rows) / max(len(rows), 1), 4)}


def score_part_study(study_path: Path, data: Path, election_name: str, part: str, ira_ids: set[str]) -> dict:
    """Score a study of one part (`prepare_part`) with the shipped model, as `run_accounts` does for
    any user (shared-text pooling and the study prior over this study's accounts only), and read it
    as the mixed study is read. Nothing is fitted or chosen here. Returns the figures: shares by
    group and posts per account, reliability tables, the study prior's estimate against the true
    Russia-run share, and the shares from each account's own evidence (no pooling, no prior)."""
    election = load_election(election_name)
    said: list[str] = []

    def log(msg: str) -> None:
        print(msg)
        said.append(msg)

    scores, feats, neighbours = scored_study(study_path, election, log)
    ids = feats.features["account_id"].tolist()
    keys = list(zip(feats.features["platform"].tolist(), ids))
    gs_b = check_part(study_path, ids, groups_and_splits(data, ids), part, feats.features["n_posts"].tolist())
    inputs = origin_inputs(feats)
    own, pooled, _adj, prior = origin_stages(inputs, keys, neighbours, election.country)
    mostly_ru = {a: mostly_russian(inp.post_langs) for a, inp in zip(ids, inputs)}
    names_ru = {a: g == GROUP_ORDINARY and profile_names_russia(inp.location, inp.time_zone) for a, inp, (g, _s) in zip(ids, inputs, gs_b)}
    got = stored_rows(scores, groups_and_splits(data, scores["account_id"].tolist()), names_ru, with_text_neighbours(own, keys, neighbours))
    rows, row_ids = got["rows"], got["ids"]
    with_ev = [a in ira_ids for a, r in zip(ids, pooled) if r.country is not None]
    near = origin_textpool.near_russia(own, keys, neighbours, NEAR_MIN)
    kept = [(a, r, g, inp.n_posts) for a, r, inp, (g, _s) in zip(ids, own, inputs, gs_b) if g is not None]
    return {
        "accounts": len(ids), "ira_handles": sum(a in ira_ids for a in ids), "with_evidence": len(with_ev),
        "true_russia_share": round(sum(with_ev) / max(len(with_ev), 1), 4),
        "estimated_share": None if prior is None else [round(prior.share, 4), round(prior.lo, 4), round(prior.hi, 4)],
        "strata": strata(prior, [(a in ira_ids, bool(n)) for a, r, n in zip(ids, pooled, near) if r.country is not None]),
        "stage_log": [m for m in said if "study prior" in m or "study home share" in m],
        "true_home_share": true_home_share(ids, own, gs_b),
        "accounts_with_text_neighbours": len(with_text_neighbours(own, keys, neighbours)),
        "shares": share_table(with_sources(rows, row_ids) + language_rows(rows, row_ids, mostly_ru) + profile_rows(rows, row_ids, names_ru)).get(part, {}),
        "confusion": summary(confusion(got["pairs"][part])),
        "calibration": calibration(got["calib"][part]),
        "calibration_set_apart": calibration(got["calib_apart"][part]),
        "calibration_by_text_neighbours": {k: calibration(v) for k, v in got["calib_nb"][part].items()},
        "own_evidence_only": share_table(with_sources([(part, g, n, r.country == "RU") for _a, r, g, n in kept], [a for a, *_ in kept])).get(part, {}),
    }


def _part_study_print(part: str, c: dict) -> None:
    e = c["estimated_share"]
    est = _estimate(e)
    _table(f"{part} part AS ITS OWN STUDY ({c['accounts']:,} accounts, {c['ira_handles']:,} IRA handles; study prior: true Russia-run share "
           f"{c['true_russia_share']:.3f}, estimated {est}{_strata_words(c.get('strata'))}): share with Russia as most likely origin", c["shares"])
    _calibration_print(f"{part} part as its own study: reliability of P(Russia) (accounts with origin evidence)", c["calibration"])
    _calibration_print(f"{part} part as its own study: the same, accounts whose own profile names Russia set apart", c["calibration_set_apart"])
    for k, table in c["calibration_by_text_neighbours"].items():
        _calibration_print(f"{part} part as its own study: the same (set apart), accounts {k} shared-text neighbours "
                           f"({c['accounts_with_text_neighbours']:,} accounts have one)" if k == "with" else
                           f"{part} part as its own study: the same (set apart), accounts {k} shared-text neighbours", table)
    _table(f"{part} part as its own study, each account's own evidence only (no pooling, no study prior)",
           {k: v for k, v in c["own_evidence_only"].items() if k.endswith("| all")})


def _designs_print(d: dict) -> None:
    for split, plans in d.items():
        print(f"\n## {split} part: study designs (P(Russia) under the study's own estimated share of Russia-run accounts)")
        print("design".ljust(28) + "accounts".rjust(9) + "  true  estimated [95%]".ljust(34) + "RU-lang  posing  ordinary  UK      US  (share with Russia most likely)")
        for name, c in plans.items():
            e = c["estimated_share"]
            cells = []
            for g in ("IRA Russian-language", "IRA posing as locals", GROUP_ORDINARY, ORDINARY_UK, ORDINARY_US):
                x = c["shares"].get(f"{g} | all")
                cells.append("   -   " if x is None else f"{x['share']:.3f}")
            est = _estimate(e)
            print(name.ljust(28) + f"{c['accounts']:9d}  {c['true_russia_share']:.3f}  {est}".ljust(43) + "  ".join(cells))
            if c.get("strata"):
                print(" " * 30 + "study prior by stratum" + _strata_words(c["strata"]))
            worst = max((abs(b["mean_p"] - b["observed"]) for b in c["calibration"] if b["n"] >= 30), default=0.0)
            print(" " * 30 + "reliability (bins with >= 30 accounts): " + "; ".join(
                f"{b['p_from']:.2f}-{b['p_to']:.2f}: P {b['mean_p']:.2f} obs {b['observed']:.2f} (n={b['n']})" for b in c["calibration"] if b["n"] >= 30)
                + f"; largest gap {worst:.2f}")


def origin_arguments(description: str, **parser_kwargs: Any) -> argparse.ArgumentParser:
    """A parser with the options every origin validation script shares (--data, --work,
    --election), with one set of defaults: the scripts read each other's work folder, so a
    default changed in one place must change for all of them."""
    ap = argparse.ArgumentParser(description=description, **parser_kwargs)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    ap.add_argument("--election", default="us-2016")
    return ap


def main() -> None:
    ap = origin_arguments(__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fresh", action="store_true", help="rebuild the inputs and the study")
    ap.add_argument("--ablation", action="store_true", help="also score without the behavioural items, and without office_hours alone (same inputs and code)")
    ap.add_argument("--pool", action="store_true", help="also pool origin evidence over coordination clusters (runs the coordination stage on a copy of the study once, ~1 min)")
    ap.add_argument("--apart", action="store_true",
                    help="also ingest each part of the frozen split (test, then dev) as a study of its own, with no account of the other part, "
                         "and score it with the shipped model as a user would (the maintainers' kept-back handles are scored that way)")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "figures" / "origin-validation.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    study_path = prepare(args.data, args.work, args.fresh)
    print(f"inputs ready: {time.perf_counter() - t0:.0f} s")
    election = load_election(args.election)
    scores, data, neighbours = scored_study(study_path, election, print)
    # Per-account results before any study prior, for the study designs and the ablation; pooled
    # over accounts posting the same texts as the stage pools them (`origin_textpool`).
    ids = data.features["account_id"].tolist()
    keys = list(zip(data.features["platform"].tolist(), ids))
    inputs = origin_inputs(data)
    own = [origin_posterior(inp, home=election.country) for inp in inputs]
    base = origin_textpool.apply(own, keys, neighbours)
    gs_b = groups_and_splits(args.data, ids)
    ira_ids = ira_handles(args.data)
    meta = [(g, s, a in ira_ids, inp.n_posts) for a, inp, (g, s) in zip(ids, inputs, gs_b)]
    mostly_ru = {a: mostly_russian(inp.post_langs) for a, inp in zip(ids, inputs)}
    names_ru = {a: g == GROUP_ORDINARY and profile_names_russia(inp.location, inp.time_zone) for a, inp, (g, _s) in zip(ids, inputs, gs_b)}
    design = designs(base, meta, election.country, ids, own, keys, neighbours)
    if args.pool:
        from botwatch.accounts.origin_pool import apply_pool

        pooled = apply_pool(base, clusters_of(study_path, args.election, ids), base_mix())
        design_pooled = designs(pooled, meta, election.country, ids, own, keys, neighbours)
    with open_study(study_path, read_only=True) as st:
        loose = origin_textpool.neighbours(st, min_shared=1)
    pool_check = textpool_false_alarms(own, keys, meta, neighbours, loose, election.country)
    kept = [(a, r, m) for a, r, m in zip(ids, base, meta) if m[0] is not None]
    fixed = share_table(with_sources([(m[1], m[0], m[3], r.country == "RU") for _, r, m in kept], [a for a, _, _ in kept]))
    ablation: dict[str, dict] = {}
    if args.ablation:
        # Without pooling over shared texts: each account's own evidence only.
        ablation["without_shared_texts"] = share_table(with_sources(
            [(m[1], m[0], m[3], r.country == "RU") for r, m in zip(own, meta) if m[0] is not None], [a for a, m in zip(ids, meta) if m[0] is not None]))
        # Same inputs and code, items left out: all behavioural items (the circadian `hours` item
        # returns where `office_hours` supersedes it), and `office_hours` alone (no pooling).
        behaviour = frozenset({"dst_shift", "holidays_ru", "articles", "mixed_letters", "office_hours"})
        for name, leave_out in (("without_behaviour_items", behaviour), ("without_office_hours", frozenset({"office_hours"}))):
            ab_rows, ab_ids = [], []
            for a, inp, (group, split) in zip(ids, inputs, gs_b):
                if group is not None:
                    ab_rows.append((split, group, inp.n_posts, origin_posterior(inp, home=election.country, exclude=leave_out).country == "RU"))
                    ab_ids.append(a)
            ablation[name] = share_table(with_sources(ab_rows, ab_ids))
    print(f"accounts stage done: {time.perf_counter() - t0:.0f} s")
    # The same, apart for accounts with and without shared-text neighbours (set-apart accounts left
    # out): the pooled table's middle bins average two groups that are off in opposite directions
    # (docs/methods.md, "Fourth pass"). Reported, never read by the model.
    pooled_ids = with_text_neighbours(own, keys, neighbours)
    got = stored_rows(scores, groups_and_splits(args.data, scores["account_id"].tolist()), names_ru, pooled_ids)
    rows, row_ids, pairs, calib, calib_apart, calib_nb = (got[k] for k in ("rows", "ids", "pairs", "calib", "calib_apart", "calib_nb"))
    shares = share_table(with_sources(rows, row_ids) + language_rows(rows, row_ids, mostly_ru) + profile_rows(rows, row_ids, names_ru))
    results: dict = {"election": args.election, "max_posts_per_ira_handle": MAX_POSTS, "shares": shares, "confusion": {}, "calibration": {},
                     "calibration_set_apart": {}, "calibration_by_text_neighbours": {}}
    for split in ("dev", "test"):
        _table(f"{split} part: share with Russia as most likely origin", shares.get(split, {}))
        table = confusion(pairs[split])
        results["confusion"][split] = {"table": table, "summary": summary(table)}
        results["calibration"][split] = calibration(calib[split])
        _calibration_print(f"{split} part: reliability of P(Russia) (all three groups pooled, accounts with origin evidence; 'observed' = share run from Russia)",
                           results["calibration"][split])
        results["calibration_set_apart"][split] = calibration(calib_apart[split])
        n_apart = len(calib[split]) - len(calib_apart[split])
        _calibration_print(f"{split} part: the same, with the {n_apart} accounts with origin evidence whose own profile names a place in Russia set apart (ordinary ones: truth unknown)",
                           results["calibration_set_apart"][split])
        results["calibration_by_text_neighbours"][split] = {k: calibration(v) for k, v in calib_nb[split].items()}
        for k, table in results["calibration_by_text_neighbours"][split].items():
            _calibration_print(f"{split} part: the same (set apart as above), accounts {k} shared-text neighbours", table)
    results["study_designs"] = design
    results["shared_texts_false_alarms"] = pool_check
    print("\n## shared-text pooling and ordinary accounts (mixed study, study prior on the part's accounts): ordinary accounts with text")
    print("## neighbours, with a neighbour that is an IRA handle, and placed in Russia only because of the pooling; 'loose' = one shared text is enough")
    for split, rows in pool_check.items():
        for rule, c in rows.items():
            print(f"  {split} {rule:8s} ordinary with neighbours {c['with_neighbours']:6d}; with an IRA neighbour {c['with_ira_neighbour']:4d}; "
                  f"moved to Russia by pooling {c['moved_to_russia']:3d}; moved away {c['moved_away']:3d}; posing accounts gained {c['posing_gained']:4d}")
    results["without_study_prior"] = fixed
    _designs_print(design)
    if args.pool:
        results["study_designs_cluster_pool"] = design_pooled
        print("\n# WITH ORIGIN EVIDENCE POOLED OVER COORDINATION CLUSTERS (origin_pool)")
        _designs_print(design_pooled)
    for split in ("dev", "test"):
        _table(f"{split} part WITHOUT the study prior (calibration mix {base_mix():.1%} for every study)",
               {k: v for k, v in fixed.get(split, {}).items() if k.endswith("| all")})
    for name, table in ablation.items():
        results[name] = table
        for split in ("dev", "test"):
            _table(f"{split} part {name.upper().replace('_', ' ')} (no study prior; the behavioural items are dst_shift, holidays_ru, "
                   "articles, mixed_letters, office_hours)", table.get(split, {}))
    if args.apart:
        results["part_studies"] = {}
        for part in ("test", "dev"):
            part_path = prepare_part(*input_files(args.work), args.work, part, fresh=args.fresh)
            print(f"\n# THE {part.upper()} PART AS A STUDY OF ITS OWN ({part_path})")
            results["part_studies"][part] = score_part_study(part_path, args.data, args.election, part, ira_ids)
            _part_study_print(part, results["part_studies"][part])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    print(f"\nwrote {args.out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
