"""`botwatch content evaluate` records its result in the study, and the report's Parties section
quotes it for the study's election: an observer who measured stance on their own election's posts
used to read "Stance was not checked against hand labels" (or only the shipped figures of other
posts) in the report. The reproduction block gives the run back as the command that repeats it.

The labels here are written from the study's own predictions (no hand labels are read)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.elections import load_election

US = load_election("us-2016")
runner = CliRunner()
FLIP = {"support": "oppose", "oppose": "neutral", "neutral": "support"}


@pytest.fixture(scope="module")
def estimated(labelled_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample labelled (the session's, copied) and estimated for us-2016 (as
    tests/test_report_parties.py)."""
    from botwatch import open_study
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates

    dst = tmp_path_factory.mktemp("evrec") / "s.duckdb"
    shutil.copy(labelled_sample_path, dst)
    with open_study(dst, read_only=False) as st:
        write_estimates(st, compute_estimates(st, US, EstimateOptions(sample_rate=0.01, reps=50), log=lambda m: None))
    return dst


def _labels(study: Path, dst: Path, *, flip: bool = False) -> Path:
    """A labels file of the study's own stance and sentiment predictions (`flip`: every stance wrong)."""
    from botwatch import open_study
    from botwatch.content.score import sentiment_class

    with open_study(study) as st:
        pairs = st.sql("SELECT post_id, party, stance FROM post_party WHERE stance IS NOT NULL ORDER BY post_id, party LIMIT 60")
        senti = dict(st.sql("SELECT post_id, sentiment FROM post_labels"))
    assert len({s for _, _, s in pairs}) >= 2, "the sample must give more than one stance class"
    with dst.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["post_id", "party", "stance", "sentiment"])
        for pid, party, stance in pairs:
            s = senti.get(pid)
            w.writerow([pid, party, FLIP[stance] if flip else stance, sentiment_class(s) if s is not None else ""])
    return dst


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "s.duckdb"
    shutil.copy(src, dst)
    return dst


def _evaluate(db: Path, labels: Path, *extra: str) -> str:
    res = runner.invoke(app, ["content", "evaluate", str(db), str(labels), "--boot", "20", *extra])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return " ".join(res.output.split())


def _parties_html(db: Path) -> tuple[str, str]:
    from botwatch import open_study
    from botwatch.report.section_parties import parties_section

    with open_study(db) as st:
        sec = parties_section(st, {"election": US})
    assert sec is not None
    return str(sec.html), " ".join(str(h) for h in sec.headline)


def test_evaluate_records_a_runs_row_with_the_labels_file_and_figures(estimated: Path, tmp_path: Path) -> None:
    db = _copy(estimated, tmp_path)
    labels = _labels(db, tmp_path / "mine.csv")
    out = _evaluate(db, labels)
    assert "recorded in s.duckdb (stage content_evaluate)" in out
    from botwatch import open_study

    with open_study(db) as st:
        rows = st.sql("SELECT params, status FROM runs WHERE stage = 'content_evaluate'")
    assert len(rows) == 1 and rows[0][1] == "ok"
    p = json.loads(rows[0][0])
    assert p["evaluated_election"] == "us-2016" and "election" not in p  # not read as an analysed-with election
    assert p["labels_file"] == "mine.csv" and p["labels_sha256"] == hashlib.sha256(labels.read_bytes()).hexdigest()
    assert p["stance_n"] > 0 and p["stance_f1"] == 1.0 and p["stance_accuracy"] == 1.0
    assert p["stance_majority"] < 1.0 and len(p["stance_ci"]) == 2
    assert p["sentiment_n"] > 0 and p["sentiment_f1"] is not None


def test_no_record_leaves_the_study_unchanged(estimated: Path, tmp_path: Path) -> None:
    db = _copy(estimated, tmp_path)
    out = _evaluate(db, _labels(db, tmp_path / "mine.csv"), "--no-record")
    assert "recorded" not in out
    from botwatch import open_study

    with open_study(db) as st:
        assert st.sql("SELECT count(*) FROM runs WHERE stage = 'content_evaluate'")[0][0] == 0


def test_a_study_that_cannot_be_written_prints_the_result_and_says_it_was_not_recorded(
        estimated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import botwatch.study
    from botwatch.study import StudyError

    db = _copy(estimated, tmp_path)
    labels = _labels(db, tmp_path / "mine.csv")

    real = botwatch.study.Study

    class Locked:  # what opening for writing says while another process holds the study
        # Only the open for writing (the record's) is refused: the CLI now imports `Study` where it
        # opens a study, so the command's own read-only open finds this class too.
        def __new__(cls, *a: object, **k: object) -> object:
            if k.get("read_only") is False:
                raise StudyError(f"{db} is in use by another process\nclose it first")
            return real(*a, **k)

    monkeypatch.setattr(botwatch.study, "Study", Locked)
    out = _evaluate(db, labels)
    assert "macro-F1" in out and "1.000" in out  # the figures are printed as before
    assert f"not recorded in the study ({db} is in use by another process); the figures above stand" in out


def test_the_parties_section_quotes_the_recorded_evaluation(estimated: Path, tmp_path: Path) -> None:
    db = _copy(estimated, tmp_path)
    before, head_before = _parties_html(db)
    assert "of your hand-labelled pairs" not in before  # no evaluation: the shipped figures, as before
    assert "on 159 held-out" in head_before
    labels = _labels(db, tmp_path / "<i>mine\u202e.csv")
    _evaluate(db, labels)
    html, head = _parties_html(db)
    from botwatch import open_study

    with open_study(db) as st:
        n = json.loads(st.sql("SELECT params FROM runs WHERE stage = 'content_evaluate'")[0][0])["stance_n"]
    assert f"Stance was checked against {n} of your hand-labelled pairs (" in html
    # Every pair right: every resample gives 1.00, which is no interval ("[1.00–1.00]" read as certainty).
    assert "macro-F1 1.00 [no interval: every resample of the labelled posts gave 1.00 again];" in html and "accuracy 100% against" in html and "[1.00–1.00]" not in html
    assert "no better than the majority label" not in html
    assert "<i>mine" not in html and "&lt;i&gt;mine" in html and "\u202e" not in html  # user text, escaped
    assert f"stance agrees with your hand labels at macro-F1 1.00 [no interval: every resample of the labelled posts gave 1.00 again] on {n} pairs" in head
    assert "on 159 held-out" not in head
    assert "Stance here is no better than a guess" not in html


def test_an_evaluation_no_better_than_the_majority_label_says_no_finding(estimated: Path, tmp_path: Path) -> None:
    db = _copy(estimated, tmp_path)
    _evaluate(db, _labels(db, tmp_path / "wrong.csv", flip=True))
    html, head = _parties_html(db)
    assert "Stance here is no better than a guess" in html and "of your hand-labelled pairs (wrong.csv" in html
    assert "no better than the majority label, so no finding" in html
    assert "macro-F1 0.00 [no interval: every resample of the labelled posts gave 0.00 again];" in html  # every pair wrong
    assert "no finding about support" in head


def test_f1_ci_says_a_zero_width_interval_is_none() -> None:
    from botwatch.report.fmt import f1_ci

    assert f1_ci(0.7191, (0.65, 0.79)) == "0.72 [0.65–0.79]"
    assert f1_ci(1.0, (1.0, 1.0)) == "1.00 [no interval: every resample of the labelled posts gave 1.00 again]"


def test_an_evaluation_of_another_election_is_not_quoted(estimated: Path, tmp_path: Path) -> None:
    from botwatch import open_study

    db = _copy(estimated, tmp_path)
    with open_study(db, read_only=False) as st:
        with st.run("content_evaluate", {"evaluated_election": "uk-ge2017", "labels_file": "x.csv", "stance_n": 5, "stance_f1": 0.1,
                                         "stance_ci": [0.0, 0.2], "stance_accuracy": 0.1, "stance_majority": 0.5}):
            pass
    html, head = _parties_html(db)
    assert "of your hand-labelled pairs" not in html and "on 159 held-out" in head


def test_the_reproduction_gives_the_evaluation_back_as_its_command(estimated: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction, reproduction_script

    db = _copy(estimated, tmp_path)
    _evaluate(db, _labels(db, tmp_path / "my labels.csv"), "--no-record")
    with open_study(db, read_only=False) as st:
        with st.run("content_evaluate", {"evaluated_election": "us-2016", "labels_file": "my labels.csv", "labels_part": "test", "stance_n": 3}):
            pass
    with open_study(db) as st:
        r = reproduction(st, "s.duckdb")
        script = reproduction_script(st, "s.duckdb")
    assert r["steps"][-1] == "botwatch content evaluate s.duckdb 'my labels.csv' --part test"
    assert "botwatch analyze" not in script  # not taken for an analysis stage
    assert r["elections"] == []  # nor for an election the study was analysed with


def test_methods_quotes_the_recorded_evaluation_beside_the_shipped_figures(estimated: Path, tmp_path: Path) -> None:
    """The Parties section quoted the observer's recorded evaluation while Methods quoted only the
    shipped test-part figures, so the two sections gave two stance accuracies with nothing saying
    why. Methods keeps the shipped figures and adds the recorded one, each said for what it is."""
    from botwatch import open_study
    from botwatch.content.stance import MEASURED_BY_ELECTION
    from botwatch.report.section_methods import methods

    def methods_text(db: Path) -> str:
        with open_study(db) as st:
            return " ".join(str(methods(st, {"election": US}).html).split())

    db = _copy(estimated, tmp_path)
    shipped = f"stance agreed with a careful reader at macro-F1 {MEASURED_BY_ELECTION['us-2016']['stance_f1']:.2f}"
    before = methods_text(db)
    assert shipped in before and "your own check" not in before
    _evaluate(db, _labels(db, tmp_path / "<b>mine.csv"))
    with open_study(db) as st:
        n = json.loads(st.sql("SELECT params FROM runs WHERE stage = 'content_evaluate'")[0][0])["stance_n"]
    after = methods_text(db)
    assert shipped in after  # beside, not instead of
    assert "Those are the shipped models' figures; this study also records your own check" in after
    assert f"stance macro-F1 1.00 [no interval: every resample of the labelled posts gave 1.00 again] on {n} pairs" in after and "the figure the Parties section quotes" in after
    assert "<b>mine" not in after and "&lt;b&gt;mine.csv" in after  # the file name is user text, escaped


def test_an_own_check_of_a_few_pairs_does_not_replace_the_shipped_figures(estimated: Path, tmp_path: Path) -> None:
    """Two labelled pairs, one right, replaced us-2016's 159 held-out pairs (accuracy 72% against
    44% for the commonest label) and headlined "Stance here is no better than a guess"; three right
    ones took uk-ge2017's warning away. Under `MIN_OWN_PAIRS` the shipped figures are quoted and the
    check is said to be too few, in Parties and in Methods."""
    from botwatch import open_study
    from botwatch.content import score
    from botwatch.report.section_methods import methods

    db = _copy(estimated, tmp_path)
    with open_study(db, read_only=False) as st:
        with st.run("content_evaluate", {"evaluated_election": "us-2016", "labels_file": "few.csv", "stance_n": 2, "stance_f1": 0.33,
                                         "stance_ci": [0.0, 1.0], "stance_accuracy": 0.5, "stance_majority": 0.5}):
            pass
    html, head = _parties_html(db)
    text = " ".join(html.split())
    assert "Stance here is no better than a guess" not in text and "no finding about support" not in head
    assert "on 159 held-out" in head and "of your hand-labelled pairs" not in text
    assert "Your own check (few.csv, " in text
    MIN_OWN_PAIRS = score.MIN_OWN_PAIRS  # noqa: N806
    assert f"has 2 labelled pairs, fewer than the {MIN_OWN_PAIRS} it takes to be quoted in place of these figures" in text
    with open_study(db) as st:
        after = " ".join(str(methods(st, {"election": US}).html).split())
    assert "on 2 pairs" in after and f"too few pairs to be quoted in place of the shipped figures (it takes {MIN_OWN_PAIRS})" in after
    assert "the figure the Parties section quotes" not in after


def test_recording_a_check_of_a_few_pairs_does_not_say_the_parties_section_quotes_it(estimated: Path, tmp_path: Path) -> None:
    db = _copy(estimated, tmp_path)
    rows = _labels(db, tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()
    few = tmp_path / "few.csv"
    few.write_text("\n".join(rows[:3]) + "\n", encoding="utf-8")
    out = _evaluate(db, few)
    assert "the report's Parties section quotes it" not in out
    assert "with fewer than 20 labelled pairs it does not replace the shipped figures of us-2016" in out
    assert "the report's Parties section quotes it for us-2016" in _evaluate(db, tmp_path / "all.csv")


def test_recording_a_sentiment_only_check_does_not_say_the_report_quotes_it(estimated: Path, tmp_path: Path) -> None:
    """The report reads back only checks with stance figures (`recorded_evaluation`)."""
    db = _copy(estimated, tmp_path)
    rows = [r.split(",") for r in _labels(db, tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()[1:]]
    posts = {pid: senti for pid, _party, _stance, senti in rows if senti}
    f = tmp_path / "tone.csv"
    f.write_text("post_id,party,stance,sentiment\n" + "".join(f"{p},,,{s}\n" for p, s in posts.items()), encoding="utf-8")
    out = _evaluate(db, f)
    assert "quotes it" not in out and "the report quotes only a check with stance labels, so not this one" in out
