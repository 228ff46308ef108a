"""`content evaluate`'s shares table gives botwatch's share less the reader's with a 95% interval.

"+8.9 points on 90 pairs" stood as firm as on 9,000: the difference now has a percentile
bootstrap interval over posts, drawn as the macro-F1's intervals are (a post's pairs move
together, the same seed), in the table and in `--json`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from botwatch.content.score import agreement
from testsupport.content_evaluate import ira_content_study, run_evaluate
from testsupport.terminal import wide_consoles


def _labels() -> tuple[list[dict[str, str]], dict[tuple[str, str], str], dict[str, float | None]]:
    """40 posts naming party a, every third also party b; the reader and botwatch differ on some."""
    labels, predicted, sentiment = [], {}, {}
    for i in range(40):
        post = f"p{i:02d}"
        for party in ("a", "b") if i % 3 == 0 else ("a",):
            labels.append({"post_id": post, "party": party, "stance": "support" if i % 4 else "oppose", "sentiment": "positive" if i % 2 else "negative"})
            predicted[(post, party)] = "support" if i % 5 else "neutral"
        sentiment[post] = 0.5 if i % 3 else -0.5
    return labels, predicted, sentiment


def _direct(labels: list[dict[str, str]], predicted: dict[tuple[str, str], str], party: str | None, n_boot: int) -> tuple[float, float]:
    """The support difference's interval written out row by row: resample the sorted post ids
    with the seed `content evaluate` uses, take each drawn post's pairs (of `party`, or all), and
    count the two shares."""
    posts = sorted({r["post_id"] for r in labels})
    rows = {p: [r for r in labels if r["post_id"] == p and (party is None or r["party"] == party)] for p in posts}
    rng = np.random.default_rng(14)
    diffs = []
    for _ in range(n_boot):
        drawn = [r for i in rng.integers(0, len(posts), len(posts)) for r in rows[posts[i]]]
        if drawn:
            diffs.append(sum(predicted[(r["post_id"], r["party"])] == "support" for r in drawn) / len(drawn)
                         - sum(r["stance"] == "support" for r in drawn) / len(drawn))
    return tuple(np.percentile(diffs, [2.5, 97.5]))  # type: ignore[return-value]


def test_the_difference_interval_is_a_bootstrap_over_posts_computed_directly() -> None:
    labels, predicted, sentiment = _labels()
    sh = agreement(labels, predicted, sentiment, n_boot=300).shares
    assert sh is not None
    assert sh.difference_ci["support"] == pytest.approx(_direct(labels, predicted, None, 300), abs=1e-12)
    assert sh.party_difference_ci["b"]["support"] == pytest.approx(_direct(labels, predicted, "b", 300), abs=1e-12)
    d = sh.botwatch["support"] - sh.reader["support"]
    assert sh.difference_ci["support"][0] < d < sh.difference_ci["support"][1]
    lo, hi = sh.difference_ci["positive"]  # sentiment: one item a post
    assert lo <= sh.botwatch["positive"] - sh.reader["positive"] <= hi


def test_posts_that_all_agree_give_no_interval_only_the_difference() -> None:
    """Four posts botwatch and the reader both call support: every resample gives +0.0, which is no interval."""
    labels = [{"post_id": f"p{i}", "party": "a", "stance": "support", "sentiment": ""} for i in range(4)]
    sh = agreement(labels, {(f"p{i}", "a"): "support" for i in range(4)}, {}, n_boot=50).shares
    assert sh is not None and sh.difference_ci["support"] == (0.0, 0.0)
    from botwatch.cli.content import _difference_said

    assert _difference_said(1.0, 1.0, sh.difference_ci["support"]) == "+0.0 points (no interval: every resample gave +0.0)"
    assert _difference_said(0.5, 0.6, (0.02, 0.15)) == "+10.0 points [+2.0, +15.0]"
    assert _difference_said(0.5, 0.6, None) == "+10.0 points"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str, str]]]:
    db, pairs = ira_content_study(tmp_path_factory.mktemp("ev"), 60)
    assert len(pairs) >= 4
    return db, pairs


def test_the_table_and_json_give_the_interval(study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    wide_consoles(monkeypatch)
    db, pairs = study
    # The reader calls every other pair support: botwatch's shares differ from theirs.
    text = "post_id,party,stance,sentiment\n" + "".join(f"{p},{q},{'support' if i % 2 else 'oppose'},\n" for i, (p, q, _s) in enumerate(pairs))
    res, out = run_evaluate(db, tmp_path, text, "--no-record")
    assert res.exit_code == 0, out
    assert "difference [95% interval]" in out
    import re

    assert re.search(r"support: all parties │ [\d,]+ │ [\d.]+% │ [\d.]+% │ [+-]\d+\.\d points (\[[+-]\d+\.\d, [+-]\d+\.\d\]|\(no interval)", out), out
    res, _ = run_evaluate(db, tmp_path, text, "--no-record", "--json")
    assert res.exit_code == 0, res.output
    shares = json.loads(res.stdout)["shares"]
    lo, hi = shares["difference_ci"]["support"]
    yours, ours = shares["support"]
    assert lo - 1e-4 <= ours - yours <= hi + 1e-4
    assert set(shares["parties_difference_ci"]) <= set(shares["parties"])
