"""External check of stance and sentiment on ordinary tweets: the first GOP primary debate (2015).

Why: every figure of docs/methods.md's stance rounds is measured on IRA posts, the source the
model was trained on. A per-party base rate learned there (most Republican mentions in IRA text
were pro-Trump trolls) would look like skill on IRA posts and would turn "mentions the party"
into "supports the party" on a researcher's own archive. The CrowdFlower "First GOP Debate"
tweets carry crowd-worker sentiment labels of each tweet; they are not stance labels (a tweet can
be negative about a moderator and for the party), so nothing is tuned on them and they are read
only as a check:

- among (post, Republican) pairs, the share the study labels "support" among crowd-Negative,
  -Neutral and -Positive posts (Wilson 95% intervals): a model that reads the post should label
  support less often in negative posts than in positive ones; a model that answers the party's
  base rate labels most pairs support whatever the post says;
- how many "support" pairs name "which party it is" in their evidence (the party-identity
  feature was among the three strongest pushes toward the answer, or toward the tree blend's), and
  how the pairs matched only by a topic hashtag (`#GOPDebate`: signal `topic_tag`) are labelled,
  per crowd label beside the pairs matched otherwise, and how many of them the tone gate
  (`features.topic_tone_gate`) turned neutral: a tweet the crowd calls neutral or positive
  rarely opposes the party, so an "oppose" share that does not fall with the crowd's tone is a
  lean of the model, not of the tweets;
- post sentiment (`post_labels.sentiment` cut at VADER's ±0.05) against the crowd label:
  macro-F1 with a 95% bootstrap interval over posts (the same measure as `botwatch content
  evaluate`).

Posts are joined to the CSV by (lower-cased handle, time to the second); keys that two rows share
on either side are left out and counted.

Usage: python scripts/gop_crowd_check.py STUDY.duckdb TWEETS.csv.gz
with STUDY made by
    botwatch ingest STUDY TWEETS.csv.gz --columns account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet,location=user_location,time_zone=user_time_zone
    botwatch analyze STUDY --election us-2016
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from botwatch.content.score import agreement  # noqa: E402
from botwatch.study import Study  # noqa: E402

CROWD = ("Negative", "Neutral", "Positive")
PARTY_WORDS = "which party it is"  # how evidence_words says the `party=` feature
TONE_GATED = "the party is found only inside a topic hashtag"  # how a tone-gated answer's evidence opens


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a share k / n (statsmodels' `proportion_confint(method="wilson")`)."""
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return float("nan"), float("nan")
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return float(lo), float(hi)


def support_share_text(by_crowd: dict) -> str:
    """"3.6% [2.1%–6.2%]", or "no pairs" where the crowd gave that label to none of the party's
    posts: the share and its interval are undefined there, and were printed "nan% [nan%–nan%]"."""
    if not by_crowd["n"]:
        return "no pairs"
    lo, hi = by_crowd["support_ci"]
    return f"{by_crowd['support_share']:.1%} [{lo:.1%}–{hi:.1%}]"


def _key(handle: str, when: datetime) -> tuple[str, str]:
    return handle.lstrip("@").lower(), when.strftime("%Y-%m-%dT%H:%M:%S")


def crowd_labels(path: Path) -> tuple[dict[tuple[str, str], str], int]:
    """(handle, second) -> crowd sentiment, and how many rows were dropped as shared keys."""
    seen: Counter = Counter()
    got: dict[tuple[str, str], str] = {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r.get("sentiment") not in CROWD:
                continue
            when = datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")).astimezone(timezone.utc)
            k = _key(r["author"], when)
            seen[k] += 1
            got[k] = r["sentiment"]
    dup = {k for k, n in seen.items() if n > 1}
    return {k: v for k, v in got.items() if k not in dup}, sum(seen[k] for k in dup)


def study_rows(study: Study) -> tuple[dict[tuple[str, str], str], set[str]]:
    """(handle, second) -> post_id for the study's posts, and the post ids that share a key."""
    seen: dict[tuple[str, str], list[str]] = {}
    for pid, acc, when in study.sql("select post_id, account_id, created_at from posts"):
        seen.setdefault(_key(acc, when), []).append(pid)
    shared = {p for ids in seen.values() if len(ids) > 1 for p in ids}
    return {k: ids[0] for k, ids in seen.items() if len(ids) == 1}, shared


def check(study_path: Path, csv_path: Path, boot: int = 1000) -> dict:
    """Every figure the script prints, as a dict (the test reads it)."""
    crowd, dropped_csv = crowd_labels(csv_path)
    with Study(study_path, read_only=True) as st:
        post_of, shared = study_rows(st)
        pairs = st.sql("select post_id, party, stance, coalesce(stance_evidence, ''), signals from post_party")
        sent = dict(st.sql("select post_id, sentiment from post_labels"))
    label_of = {post_of[k]: v for k, v in crowd.items() if k in post_of}
    out: dict = {"joined_posts": len(label_of), "crowd_rows_shared_key": dropped_csv, "study_posts_shared_key": len(shared), "parties": {}}
    for party in sorted({p for _pid, p, *_ in pairs}):
        mine = [(pid, s, ev, sig) for pid, p, s, ev, sig in pairs if p == party and pid in label_of]
        by = {c: Counter(s for pid, s, _e, _g in mine if label_of[pid] == c) for c in CROWD}
        support = [(ev, sig) for _pid, s, ev, sig in mine if s == "support"]
        out["parties"][party] = {
            "pairs": len(mine),
            "stance": dict(Counter(s for _p, s, _e, _g in mine)),
            "by_crowd": {c: {"n": sum(by[c].values()), **by[c],
                             "support_share": by[c]["support"] / sum(by[c].values()) if by[c] else float("nan"),
                             "support_ci": wilson(by[c]["support"], sum(by[c].values()))} for c in CROWD},
            "support_party_feature": sum(PARTY_WORDS in ev for ev, _s in support),
            "support_topic_tag_only": sum(list(sig or []) == ["topic_tag"] for _e, sig in support),
            "topic_tag_only": dict(Counter(s for _p, s, _e, sig in mine if list(sig or []) == ["topic_tag"])),
            "topic_tag_only_party_feature": sum(PARTY_WORDS in ev for _p, _s, ev, sig in mine if list(sig or []) == ["topic_tag"]),
            "topic_tag_only_by_crowd": {c: dict(Counter(s for pid, s, _e, sig in mine if list(sig or []) == ["topic_tag"] and label_of[pid] == c))
                                        for c in CROWD},
            "named_by_crowd": {c: dict(Counter(s for pid, s, _e, sig in mine if list(sig or []) != ["topic_tag"] and label_of[pid] == c))
                               for c in CROWD},
            "tone_gated": sum(ev.startswith(TONE_GATED) for _p, _s, ev, _g in mine),
        }
    labels = [{"post_id": pid, "party": "", "stance": "", "sentiment": c.lower()} for pid, c in label_of.items()]
    ag = agreement(labels, {}, {p: sent.get(p) for p in label_of}, n_boot=boot)
    fig = ag.sentiment
    out["sentiment"] = {"n": fig.n, "macro_f1": fig.macro_f1, "ci": fig.ci, "accuracy": fig.accuracy, "majority": fig.majority}
    # The shares a report would count (posts given a sentiment), beside the crowd's on the same posts.
    sh = ag.shares
    out["sentiment_shares"] = {"n": sh.sentiment_n, **{c: (sh.reader[c], sh.botwatch[c]) for c in ("positive", "negative")}} if sh else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study", type=Path)
    ap.add_argument("tweets", type=Path)
    ap.add_argument("--boot", type=int, default=1000)
    a = ap.parse_args()
    r = check(a.study, a.tweets, a.boot)
    print(f"joined {r['joined_posts']:,} posts to crowd labels ({r['crowd_rows_shared_key']} CSV rows and "
          f"{r['study_posts_shared_key']} study posts left out: handle and second shared)")
    for party, p in r["parties"].items():
        st = p["stance"]
        print(f"\n{party}: {p['pairs']:,} pairs; support {st.get('support', 0):,}, oppose {st.get('oppose', 0):,}, neutral {st.get('neutral', 0):,}")
        for c in CROWD:
            b = p["by_crowd"][c]
            print(f"  crowd {c:8s}: {b['n']:5,} pairs, support {b.get('support', 0):5,} ({support_share_text(b)}), "
                  f"oppose {b.get('oppose', 0):5,}, neutral {b.get('neutral', 0):5,}")
        print(f"  support pairs whose evidence names '{PARTY_WORDS}': {p['support_party_feature']:,}; "
              f"matched by a topic hashtag only: {p['support_topic_tag_only']:,}")
        t = p["topic_tag_only"]
        print(f"  pairs matched by a topic hashtag only: {sum(t.values()):,} (support {t.get('support', 0):,}, oppose {t.get('oppose', 0):,}, "
              f"neutral {t.get('neutral', 0):,}); their evidence names '{PARTY_WORDS}' in {p['topic_tag_only_party_feature']:,}; "
              f"turned neutral by the tone gate: {p['tone_gated']:,}")
        for what, key in (("matched by a topic hashtag only", "topic_tag_only_by_crowd"), ("matched otherwise", "named_by_crowd")):
            for c in CROWD:
                b = p[key][c]
                n = sum(b.values())
                if n:
                    print(f"    {what}, crowd {c:8s}: {n:5,} pairs, support {b.get('support', 0):5,}, oppose {b.get('oppose', 0):5,} "
                          f"({b.get('oppose', 0) / n:.0%}), neutral {b.get('neutral', 0):5,}")
    s = r["sentiment"]
    print(f"\npost sentiment (±0.05) vs crowd: macro-F1 {s['macro_f1']:.3f} [{s['ci'][0]:.3f}–{s['ci'][1]:.3f}], "
          f"accuracy {s['accuracy']:.3f} (majority {s['majority']:.3f}), {s['n']:,} posts")
    sh = r.get("sentiment_shares")
    if sh:
        print(f"shares over the {sh['n']:,} posts given a sentiment: positive {sh['positive'][1]:.1%} (crowd {sh['positive'][0]:.1%}), "
              f"negative {sh['negative'][1]:.1%} (crowd {sh['negative'][0]:.1%})")


if __name__ == "__main__":
    main()
