"""How many hand-labelled development (post, party) pairs carry pro cues for two rival parties, and
what the reader labelled them. Issue 14 (2026-12-07): the referendum walk found a party's pro
hashtag read as support even beside a rival's pro cue; this counts whether the labels can choose
a rule for such pairs. The frozen test part is never read.

A pair counts where the party's own pro hashtag or slogan matched and another party of the same
election has a pro hashtag or slogan in the post ("tags"), or also a post by or a retweet of its
account ("any"); and "quotes": the pairs the quote rule of 2026-12-07 reaches, a quote of the party's
account beside any rival pro cue, or the party's pro cue beside a quote of a rival's account (the
stage's `rival_any` in `content.stance.decide_stances`). Printed per election:
the matched dev pairs, those with a pro cue of their own, the two counts with the reader's labels,
and the cue rule the stage gives each pair now.

Usage: python scripts/measure_rival_pro_cues.py
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_content_model as T  # noqa: E402

from botwatch.content.modelrun import ContentModelInputs  # noqa: E402
from botwatch.content.relational import label_input  # noqa: E402
from botwatch.content.stance import decide_stances  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from botwatch.study import Study  # noqa: E402

PRO = {"pro_tag", "pro_kw"}
ACCOUNT = {"own_account", "retweet_account"}
QUOTE = {"quote_account"}


def main() -> None:
    labels: list[dict[str, str]] = []
    for _posts, lab in T.LABELLED_SETS:
        with open(lab, encoding="utf-8") as fh:
            labels.extend(r for r in csv.DictReader(fh) if r["part"] == "dev" and r["party"])
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.duckdb"
        subprocess.run([sys.executable, "-m", "botwatch.cli", "ingest", str(db), *[str(p) for p, _ in T.LABELLED_SETS]], check=True, capture_output=True)
        with Study(db, read_only=True) as st:
            table = label_input(st.table("posts"), st.table("accounts")).to_pyarrow()
    for key in ("uk-ge2017", "us-2016"):
        inputs = ContentModelInputs.build(load_election(key), table)
        n = len(inputs.texts)
        decided = decide_stances(inputs.matcher, inputs.hits, np.full(n, np.nan), np.zeros(n, dtype=bool))
        counts: Counter[str] = Counter()
        tags: Counter[tuple[str, str]] = Counter()
        anyc: Counter[tuple[str, str]] = Counter()
        quotes: Counter[tuple[str, str]] = Counter()
        for r in (r for r in labels if r["election"] == key):
            row, party = inputs.row_of.get(r["post_id"]), r["party"]
            if row is None or party not in inputs.named_parties(row):
                continue
            counts["matched dev pairs"] += 1
            own = set(inputs.signals(row, party))
            rivals = [set(inputs.signals(row, q)) for q in inputs.matcher.parties if q != party]
            rule = str(decided[party][1][row])
            if (own & QUOTE and any(s & (PRO | ACCOUNT | QUOTE) for s in rivals)) or (own & PRO and any(s & QUOTE for s in rivals)):
                quotes[(r["stance"], rule)] += 1
            if not own & PRO:
                continue
            counts["with a pro cue of their own"] += 1
            if any(s & PRO for s in rivals):
                tags[(r["stance"], rule)] += 1
            if any(s & (PRO | ACCOUNT) for s in rivals):
                anyc[(r["stance"], rule)] += 1
        print(f"{key}: {dict(counts)}; and a rival's pro tag or slogan: {sum(tags.values())} {dict(tags)}; "
              f"or a rival's account: {sum(anyc.values())} {dict(anyc)}; a quoted account with a rival's pro cue: {sum(quotes.values())} {dict(quotes)}")


if __name__ == "__main__":
    main()
