#!/usr/bin/env python
"""Write the digests of the shipped models' training accounts (accounts/training_accounts.py).

    PYTHONPATH=src .venv/bin/python scripts/build_training_accounts.py [--data ../shared/data] [--botbehav-work /tmp/botbehav]

Which accounts, exactly as the fitting scripts select them (each checked against the counts the
shipped files record, and the script stops if one differs):

* origin (`scripts/fit_origin_behaviour.py`, `scripts/fit_origin_shifts.py`, `scripts/choose_desk_bound.py`):
  the development part (`validation.split_of` == 'dev') of the IRA handles of ira/tweets.csv.gz that
  fall in a validation group (Clemson category Russian-language or posing; `validation.group_of`), and
  of every account of ordinary/brexit-2016 (user id) and ordinary/gop-debate-2015 (handle). Checked:
  the dev IRA handles and gop-debate accounts equal `profile.home_claim_counts` of
  origin_behaviour_lr.json (1,042 and 3,888).
* bot: the labelled sets as `scripts/train_bot_model.py` loads them (stclab, Gilani 2017 less stclab's
  handles, botwiki-2019 + verified-2019 less stclab's accounts; checked against the model's
  `meta.trained_on`), and the accounts behind `bot_behaviour.json` (`scripts/fit_bot_behaviour.py`): the
  fit part of its study with at least `bot_behaviour.MIN_POSTS` posts (the rates count no account
  below that; checked against the pattern cells' account counts). That study is built in
  --botbehav-work by the fitting script's own `prepare` (a few minutes the first time).

Keys digested per account: its id and its handle as a study would hold them (an IRA handle also under
the archive's numeric `external_author_id` and `congress_2017_id`, which a capture of the same account
would key it by; gop-debate handles also as the validation's "gop-" key). Writes
src/botwatch/accounts/data/training_accounts.tsv.gz: '#' header lines saying how it was made and the
counts, then "digest<TAB>models" sorted by digest; the same bytes for the same inputs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from botwatch.accounts.training_accounts import DIGITS, FILE, SALT, key_digest  # noqa: E402
from botwatch.accounts.validation import group_of, split_of  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "src" / "botwatch" / "accounts" / "data"


def _ids(*values: object) -> list[str]:
    """The non-empty keys among `values` (numbers as the archive writes them, digits only)."""
    out = []
    for v in values:
        s = "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
        if s and s.lower() != "nan":
            out.append(s)
    return out


def origin_accounts(data: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Training account -> its keys, for the origin model; and counts by source."""
    authors = pd.read_csv(data / "ira" / "authors.csv.gz", dtype=str, keep_default_na=False)
    tweets = pd.read_csv(data / "ira" / "tweets.csv.gz", dtype=str, usecols=["author_id"], keep_default_na=False)
    posted = set(tweets["author_id"].str.strip().str.lower())
    acc: dict[str, list[str]] = {}
    counts = defaultdict(int)
    for r in authors.itertuples(index=False):
        h = r.author_id.strip().lower()
        if h in posted and split_of(h) == "dev" and group_of(r.account_category, "ira") is not None:
            acc[f"ira:{h}"] = _ids(h, r.author, r.external_author_id, r.congress_2017_id)
            counts["ira"] += 1
    b = pd.read_csv(data / "ordinary" / "brexit-2016" / "tweets.csv.gz", dtype=str, usecols=["user_id"], keep_default_na=False)
    for u in sorted(set(b["user_id"].str.strip())):
        if split_of(u) == "dev":
            acc[f"brexit:{u}"] = [u]
            counts["brexit-2016"] += 1
    g = pd.read_csv(data / "ordinary" / "gop-debate-2015" / "tweets.csv.gz", dtype=str, usecols=["author"], keep_default_na=False)
    for h in sorted(set(g["author"].str.strip().str.lower())):
        if split_of("gop-" + h) == "dev":
            acc[f"gop:{h}"] = [h, "gop-" + h]
            counts["gop-debate-2015"] += 1
    return acc, dict(counts)


def check_origin(counts: dict[str, int]) -> None:
    lr = json.loads((DATA_DIR / "origin_behaviour_lr.json").read_text(encoding="utf-8"))
    want = lr["profile"]["home_claim_counts"]
    got = (counts["ira"], counts["gop-debate-2015"])
    if got != (want["russia_run"][1], want["local_us"][1]):
        raise SystemExit(f"origin: dev IRA / gop-debate accounts {got} differ from the fit's {want}: the split or the keys changed")


def bot_model_accounts(data: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Training account -> its keys, for the bot (profile) model, as train_bot_model.py loads them."""
    import gzip as gz

    from train_bot_model import load_sources

    frames = load_sources(data / "labelled")
    meta = json.loads(gz.open(REPO / "src" / "botwatch" / "accounts" / "models" / "bot_model.json.gz").read())["meta"]["trained_on"]
    acc: dict[str, list[str]] = {}
    counts = {}
    for f in frames:
        src = str(f["source"].iloc[0])
        counts[src] = len(f)
        for i, (aid, h) in enumerate(zip(f.get("account_id", pd.Series([None] * len(f))), f["handle"])):
            acc[f"{src}:{i}"] = _ids(aid, h)
    if counts != meta:
        raise SystemExit(f"bot model: loaded {counts}, the shipped model was trained on {meta}")
    return acc, counts


def bot_behaviour_accounts(data: Path, work: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Training account -> its keys, for the behaviour ratios: the fit part with enough posts.
    Checked: every pattern's cells count exactly the fit IRA accounts with enough posts (the
    organised side of each cell is all IRA accounts of its posts bin), and the patterns read on both
    ordinary archives exactly the fit ordinary accounts with enough posts."""
    from fit_bot_behaviour import GROUP_IRA, labelled_groups, prepare

    from botwatch.accounts import bot_behaviour as bb

    df = labelled_groups(pd.read_parquet(prepare(data, work)), data)
    fit = df[(df["part"] == "fit") & (df["n_posts"] >= bb.MIN_POSTS)]
    ira = int((fit["group"] == GROUP_IRA).sum())
    shipped = json.loads((DATA_DIR / "bot_behaviour.json").read_text(encoding="utf-8"))["patterns"]
    want = {sum(c["organised"][1] for c in p["bins"].values()) for p in shipped.values()}
    if want != {ira}:
        raise SystemExit(f"bot behaviour: {ira} fit IRA accounts with >= {bb.MIN_POSTS} posts; the shipped cells count {sorted(want)}")
    both = {sum(c["ordinary"][1] for c in p["bins"].values()) for p in shipped.values() if len(p.get("ordinary_sources", [])) == 2}
    if both != {len(fit) - ira}:
        raise SystemExit(f"bot behaviour: {len(fit) - ira} fit ordinary accounts with >= {bb.MIN_POSTS} posts; the shipped cells count {sorted(both)}")
    acc = {f"bb:{a}": _ids(a, h) for a, h in zip(fit["account_id"], fit["handle"])}
    return acc, {"ira": ira, "ordinary": len(fit) - ira}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--botbehav-work", type=Path, default=Path("/tmp/botbehav"))
    ap.add_argument("--out", type=Path, default=DATA_DIR / FILE)
    args = ap.parse_args()
    origin, oc = origin_accounts(args.data)
    check_origin(oc)
    bot, bc = bot_model_accounts(args.data)
    behav, hc = bot_behaviour_accounts(args.data, args.botbehav_work)
    models: dict[str, set[str]] = defaultdict(set)
    for name, group in (("origin", origin), ("bot", bot), ("bot", behav)):
        for keys in group.values():
            for k in keys:
                models[key_digest(k)].add(name)
    header = [
        f"# botwatch training accounts: md5('{SALT}' + lower-cased key)[:{DIGITS}] and the models each trained; written by scripts/build_training_accounts.py",
        f"# origin (dev part of validation.split_of): {json.dumps(oc, sort_keys=True)}",
        f"# bot profile model (meta.trained_on): {json.dumps(bc, sort_keys=True)}; bot behaviour (fit part, >= 10 posts): {json.dumps(hc, sort_keys=True)}",
        f"# digests: {len(models):,}",
    ]
    lines = header + [f"{d}\t{','.join(sorted(m, key=['origin', 'bot'].index))}" for d, m in sorted(models.items())]
    args.out.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("ascii"), mtime=0))
    print("\n".join(header))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
