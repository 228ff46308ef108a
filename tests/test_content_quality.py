"""Stance and sentiment against the hand labels (tests/fixtures/content/ira_stance_*).

The `test` part was frozen before any rule or model was tuned and never used for fitting or for
choosing settings. The floors sit below the measured values so that a change that makes agreement
clearly worse fails.

Two studies: the committed posts alone (runs anywhere; a regression check), and the evaluation
study of scripts/build_stance_eval_study.py (the test posts with their accounts' other posts from
../shared/data; the figures the report quotes, content.stance.MEASURED_BY_ELECTION). In the first,
a test post's account prior is built partly from the dev posts of the same account, which the
model was trained on, so its test figures are not a measurement.
"""

from __future__ import annotations

from pathlib import Path

import shutil

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.content.score import agreement, load_labels, study_predictions, unmeasured_pairs
from botwatch.content.stance import MEASURED_BY_ELECTION, MEASURED_MODEL
from botwatch.study import Study

from testsupport.scripts import load_script

FIX = Path(__file__).resolve().parent / "fixtures" / "content"
LABELS = FIX / "ira_stance_labels.csv"

# The committed posts alone, test part (pairs, stance macro-F1, sentiment macro-F1, stance accuracy).
# Fourth training draw (retrained model): from (117, 0.504, 0.564, 0.590) and (159, 0.710, 0.560, 0.711).
# Word vectors and the fifth training draw (eighth round): from (117, 0.493, 0.612, 0.581) and (159, 0.720, 0.602, 0.723).
# The gated tree blend (thirteenth round): from (117, 0.526, 0.585, 0.607) and (159, 0.722, 0.634, 0.730).
# The party term out of topic-hashtag pairs and out of sentiment: from (117, 0.535, 0.609, 0.607) and (159, 0.734, 0.620, 0.736).
# The IRA reader's fix of 2026-12-04 (quotes, "RT name: " copies; files refitted): from (117, 0.520, 0.598, 0.590) and (159, 0.747, 0.615, 0.748).
# FiveThirtyEight's spreadsheet quotes taken off ('@user …' read as @user …; 33 of the committed posts; files refitted): from (117, 0.528, 0.594, 0.598) and (159, 0.741, 0.613, 0.742).
FIXTURE_ONLY = {"uk-ge2017": (117, 0.521, 0.604, 0.598), "us-2016": (159, 0.734, 0.624, 0.736)}
# Floors a little under the figures measured on the evaluation study (docs/methods.md). UK stance
# was 0.50 until the fourth training draw: the retrained model scores 0.527 on the evaluation study
# (0.525 before) but 0.493 on the committed posts alone (0.504 before), where a test post's
# account prior leans on dev posts of its account; the floor follows the committed-posts figure.
# Since the word vectors (0.526 / 0.531 UK stance, 0.634 US sentiment) the UK stance floor is back
# at 0.50 and US sentiment's rose from 0.50 to 0.58. The gated tree blend (0.540 / 0.732 / 0.609 /
# 0.620 on the evaluation study) left every figure above its floor; the floors were not moved.
FLOORS = {
    ("uk-ge2017", "stance"): 0.50, ("uk-ge2017", "sentiment"): 0.53,
    ("us-2016", "stance"): 0.65, ("us-2016", "sentiment"): 0.58,
}


def _xfail_while_test_part_unread() -> None:
    """The shipped content files were refitted after the frozen test part was last read (the
    refit of 2026-12-03: MEASURED_MODEL["test_part_read_with"]): the test-part figures below are
    those of the files before, and only one reading of the test part, at the end of a round, may
    update them. Checked before anything is computed, so the test part is not scored meanwhile."""
    read = MEASURED_MODEL.get("test_part_read_with")
    if read and read != {"sha256": MEASURED_MODEL["sha256"], "trees_sha256": MEASURED_MODEL["trees_sha256"]}:
        pytest.xfail("content files refitted since the frozen test part was read: read it once, update the figures and "
                     "MEASURED_MODEL['test_part_read_with'] (docs/methods.md, 'Fitting the shipped files again')")


@pytest.fixture(scope="module")
def studies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    base = tmp_path_factory.mktemp("ingested") / "s.duckdb"  # ingested once; each election's content run on a copy
    r = CliRunner().invoke(app, ["ingest", str(base), str(FIX / "ira_stance_posts.csv")])
    assert r.exit_code == 0, r.output
    for key in ("uk-ge2017", "us-2016"):
        db = tmp_path_factory.mktemp(key) / "s.duckdb"
        shutil.copy(base, db)
        r = CliRunner().invoke(app, ["analyze", str(db), "--election", key, "--stage", "content"])
        assert r.exit_code == 0, r.output
        out[key] = db
    return out


@pytest.mark.parametrize("key", ["uk-ge2017", "us-2016"])
def test_agreement_on_the_frozen_test_part(key: str, request: pytest.FixtureRequest) -> None:
    _xfail_while_test_part_unread()
    studies: dict[str, Path] = request.getfixturevalue("studies")
    with Study(studies[key], read_only=True) as st:
        stance, sent = study_predictions(st, key)
    for part in ("dev", "test"):
        ag = agreement(load_labels(LABELS, election=key, part=part), stance, sent, n_boot=300)
        print(
            f"{key} {part}: stance macro-F1 {ag.stance.macro_f1:.3f} [{ag.stance.ci[0]:.3f}-{ag.stance.ci[1]:.3f}] acc {ag.stance.accuracy:.3f} "
            f"(majority {ag.stance.majority:.3f}, n={ag.stance.n}); sentiment macro-F1 {ag.sentiment.macro_f1:.3f} "
            f"[{ag.sentiment.ci[0]:.3f}-{ag.sentiment.ci[1]:.3f}] acc {ag.sentiment.accuracy:.3f} (majority {ag.sentiment.majority:.3f}, n={ag.sentiment.n}); "
            f"matching precision {ag.match_precision:.3f} recall {ag.match_recall:.3f}"
        )
    assert (ag.stance.n, round(ag.stance.macro_f1, 3), round(ag.sentiment.macro_f1, 3), round(ag.stance.accuracy, 3)) == FIXTURE_ONLY[key]
    assert ag.stance.macro_f1 >= FLOORS[(key, "stance")]
    assert ag.sentiment.macro_f1 >= FLOORS[(key, "sentiment")]
    assert ag.match_precision >= 0.9 and ag.match_recall >= 0.9


@pytest.mark.shared_data
def test_quoted_figures_on_the_evaluation_study(shared_data: Path, tmp_path: Path) -> None:
    """The figures the report quotes: the test posts among their accounts' other posts (about
    96,000 posts; ingest and two content runs, about a minute on two cores)."""
    _xfail_while_test_part_unread()
    build = load_script("build_stance_eval_study")
    csv_path = tmp_path / "eval.csv"
    build.build(csv_path, cap=400, part="test", src=shared_data / "ira" / "tweets.csv.gz")
    base = tmp_path / "base.duckdb"
    r = CliRunner().invoke(app, ["ingest", str(base), str(csv_path)])
    assert r.exit_code == 0, r.output
    for key in ("uk-ge2017", "us-2016"):
        db = tmp_path / f"{key}.duckdb"
        shutil.copy(base, db)
        r = CliRunner().invoke(app, ["analyze", str(db), "--election", key, "--stage", "content"])
        assert r.exit_code == 0, r.output
        with Study(db, read_only=True) as st:
            stance, sent = study_predictions(st, key)
            unmeasured = unmeasured_pairs(st, key)  # out of the shares, as `content evaluate` and the report leave them
            rules = dict(st.sql("SELECT stance_rule, count(*) FROM post_party GROUP BY 1"))
        ag = agreement(load_labels(LABELS, election=key, part="test"), stance, sent, unmeasured=unmeasured)
        print(f"{key} test, evaluation study: stance {ag.stance.macro_f1:.3f} [{ag.stance.ci[0]:.3f}-{ag.stance.ci[1]:.3f}] acc {ag.stance.accuracy:.3f} "
              f"(majority {ag.stance.majority:.3f}); sentiment {ag.sentiment.macro_f1:.3f} [{ag.sentiment.ci[0]:.3f}-{ag.sentiment.ci[1]:.3f}]; rules {rules}")
        quoted = MEASURED_BY_ELECTION[key]
        assert (ag.stance.n, round(ag.stance.macro_f1, 3), round(ag.sentiment.macro_f1, 3)) == (quoted["pairs"], quoted["stance_f1"], quoted["sentiment_f1"])
        assert round(ag.stance.accuracy, 3) == quoted["stance_accuracy"] and round(ag.stance.majority, 3) == quoted["stance_majority"]
        assert (round(ag.stance.ci[0], 2), round(ag.stance.ci[1], 2)) == quoted["stance_ci"]
        # The shares the report sets beside its own (report/share_check.py), on the same reading.
        assert ag.shares is not None and ag.shares.as_dict() == quoted["shares"]
        # The prior is what this study measures. UK accounts rarely name UK parties (193 pairs in
        # 95,000 posts): there it decided one pair with the previous model and none since the word
        # vectors, so only the US study must show it at work.
        assert key != "us-2016" or rules.get("account_prior", 0) > 0
