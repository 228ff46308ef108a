"""`botwatch content evaluate` on labels files as a newsroom writes them: party keys in any case,
a typo'd party key, malformed rows, a semicolon-separated export, one class only, no sentiment
column, another election's labels. Each used to give wrong figures with exit 0 or an unhelpful error.

The labels here are written from the study's own predictions (no hand labels are read)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.content.score import macro_f1
from testsupport.content_evaluate import ira_content_study, run_evaluate

runner = CliRunner()


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str, str]]]:
    """A study of 80 IRA posts analysed for us-2016, and its (post_id, party, stance) pairs."""
    db, pairs = ira_content_study(tmp_path_factory.mktemp("ev"), 80)
    assert len(pairs) >= 5
    return db, pairs


def _run(db: Path, tmp_path: Path, text: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_evaluate(db, tmp_path, text, *extra)


def test_party_keys_are_matched_whatever_their_case(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party.upper()},{stance.capitalize()},\n", "--show-errors", "5")
    assert res.exit_code == 0, res.output
    assert "missed:" not in out
    assert "recall 1.000" in out


def test_an_unknown_party_key_is_an_error_naming_the_elections_parties(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    pid = pairs[0][0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},libdem,oppose,negative\n{pid},labour,oppose,negative\n")
    assert res.exit_code == 2, res.output
    assert "2 rows name no party of us-2016: 'libdem' (line 2), 'labour' (line 3); its parties: republican, democrat" in out
    assert "Traceback" not in out


def test_rows_of_no_party_are_counted_and_the_parties_listed_once(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each row of a party not in the election was its own error repeating every party key: 30 rows
    of "Trump" listed 20 of them, each with the whole list, and never said how many there were."""
    db, pairs = study
    pid = pairs[0][0]
    rows = "".join(f"{pid}{i},Trump,oppose,negative\n" for i in range(30)) + f"{pid},libdem,oppose,negative\n{pid},republican,bogus,negative\n"
    res, out = _run(db, tmp_path, "post_id,party,stance,sentiment\n" + rows)
    assert res.exit_code == 2, res.output
    assert ("31 rows name no party of us-2016: 'Trump' (30 rows, lines 2, 3, 4, …; if the party is meant, write 'republican'), "
            "'libdem' (line 32); its parties: republican, democrat") in out
    assert out.count("republican, democrat") == 1 and out.count("'Trump'") == 1
    assert "1 row gives a stance that is not one of support, oppose, neutral: 'bogus' (line 33)" in out


def test_a_party_written_as_its_name_or_leader_is_refused_with_the_key_meant(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A reader writes "Republicans" or "Trump" where the preset's key is `republican`: the file
    was refused naming only the keys, leaving the reader to guess which one each name meant."""
    db, pairs = study
    pid = pairs[0][0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},Trump,oppose,negative\n{pid},Democrats,oppose,negative\n{pid},Hillary Clinton,oppose,negative\n")
    assert res.exit_code == 2, res.output
    assert ("3 rows name no party of us-2016: 'Trump' (line 2; if the party is meant, write 'republican'), "
            "'Democrats' (line 3; if the party is meant, write 'democrat'), "
            "'Hillary Clinton' (line 4; if the party is meant, write 'democrat'); its parties: republican, democrat") in out


def test_a_party_written_as_the_guide_names_it_is_refused_with_the_key_meant() -> None:
    """docs/labelling-guide.md calls the parties "GOP", "Tories", "Dems": a reader who wrote those
    was shown the keys alone, though the preset lists them as the party's own words."""
    from botwatch.content.score import party_aliases
    from botwatch.elections.model import load_election

    got = party_aliases(load_election("us-2016").parties) | party_aliases(load_election("uk-ge2017").parties)
    assert (got["gop"], got["dems"], got["tories"]) == ("republican", "democrat", "conservative")


def test_the_key_meant_is_hinted_where_the_content_run_recorded_no_election(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A study whose content run recorded no election (an older one) fell back to the keys in
    `post_party` with no hints, though its labels name the preset us-2016: "Trump" was refused
    naming only the keys, and a party no post matched was refused as no party of the election."""
    import shutil

    from botwatch import open_study

    db = tmp_path / "old.duckdb"
    shutil.copy(study[0], db)
    with open_study(db, read_only=False) as st:
        st.sql("UPDATE runs SET params = NULL WHERE stage = 'content'")
    pid = study[1][0][0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},Trump,oppose,negative\n")
    assert res.exit_code == 2, res.output
    assert "1 row names no party of us-2016: 'Trump' (line 2; if the party is meant, write 'republican'); its parties: republican, democrat" in out


def test_party_aliases_leave_out_a_name_two_parties_share() -> None:
    """A suggestion must name one key: a leader's surname two parties share suggests neither."""
    from botwatch.content.score import party_aliases
    from botwatch.elections.model import Party

    got = party_aliases([Party("a", "Alpha (Smith)", leader="Ann Smith"), Party("b", "Beta", leader="Bo Smith"),
                         Party("c", "Greens", leader="Cat Lee and Dan Roe (co-leaders)")])
    assert got["alpha"] == "a" and got["ann smith"] == "a" and got["bo smith"] == "b" and got["greens"] == "c"
    assert "smith" not in got and "roe" not in got and "cat lee and dan roe" not in got


def test_malformed_rows_are_all_reported_with_their_lines(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid}\n{pid},{party},{stance},negative,x,y\n{pid},{party},pro,negative\n")
    assert res.exit_code == 2, res.output
    assert "2 bad row(s)" in out
    assert "line 2: 1 field(s) where the header has 4" in out
    assert "line 3: 6 fields where the header has 4 (extra: 'x', 'y')" in out
    assert "'pro' (line 4; if support is meant, write 'support')" in out
    assert "\\x0a" not in out  # the list was joined by line breaks, which the one-line error wrote as "\x0a"


def test_bad_rows_read_as_one_line_not_escaped_newlines(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The error line escapes control characters, so the list's newlines showed as a literal
    `\\x0a` between the rows (docs/labelling-guide.md: every bad row is listed with its line)."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, _ = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},pro,negative\n,{party},{stance},\n")
    assert res.exit_code == 2, res.output
    assert "\\x0a" not in res.output
    out = " ".join(res.output.split())
    assert "1 row gives a stance that is not one of support, oppose, neutral: 'pro' (line 2; if support is meant, write 'support'); 1 bad row(s): line 3: empty post_id" in out


def test_a_semicolon_separated_file_gets_a_hint(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    res, out = _run(db, tmp_path, f"post_id;party;stance;sentiment\n{pairs[0][0]};{pairs[0][1]};oppose;negative\n")
    assert res.exit_code == 2 and "separated by semicolons" in out, res.output


def test_macro_f1_averages_only_over_classes_that_occur(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert macro_f1(["oppose"] * 3, ["oppose"] * 3, ("support", "oppose", "neutral")) == 1.0
    assert macro_f1(["oppose", "support"], ["oppose", "oppose"], ("support", "oppose", "neutral")) == pytest.approx((2 / 3 + 0) / 2)
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n")
    assert res.exit_code == 0, res.output
    assert "│ 1 │ 1.000 │ none (every │ 1.000" in out  # was macro-F1 0.333 with accuracy 1.000
    assert "no sentiment labels" in out and "nan" not in out


def test_labels_of_another_election_name_the_files_election(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment,election\n{pid},{party},{stance},,uk-ge2017\n")
    assert res.exit_code == 2 and "the file's election column names 'uk-ge2017' (1 row)" in out, res.output  # not "(1 rows)"
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment,election\n{pid},{party},{stance},,US-2016\n")
    assert res.exit_code == 0 and "recall 1.000" in out, res.output


def test_ids_a_spreadsheet_wrote_as_numbers_are_refused_not_scored_as_misses(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Excel saves an 18-digit tweet id as 1.00049E+17, pandas as 100049039077556275.0: the rows
    named no post of the study, so each scored as a pair botwatch missed (wrong), with exit 0
    beside the ids that survived."""
    db, pairs = study
    (pid, party, stance), (pid2, party2, stance2) = pairs[0], pairs[1]
    sci = f"{int(pid2):.5E}"  # as Excel writes it: 1.00049E+17
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n{sci},{party2},{stance2},\n")
    assert res.exit_code == 2, res.output
    assert f"1 post_id of l.csv is not in this study and read as numbers a spreadsheet or pandas rewrote ('{sci}'" in out
    assert "formatted as text" in out and "Traceback" not in out
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid}.0,{party},{stance},\n")
    assert res.exit_code == 2 and f"('{pid}.0'" in out, res.output
    # An id the study holds is scored, whatever it looks like: only absent ones are refused.
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n")
    assert res.exit_code == 0 and "recall 1.000" in out, res.output


def test_a_zero_width_interval_from_a_few_labels_is_said_to_be_none(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Three pairs botwatch got right printed "1.000 | 1.000–1.000": a bootstrap over posts that all
    agree can only give 1.000 again, which read as certainty from three labels. An interval with
    width is printed as before."""
    db, pairs = study
    rows = "".join(f"{p},{q},{s},\n" for p, q, s in pairs[:3])
    res, out = _run(db, tmp_path, "post_id,party,stance,sentiment\n" + rows)
    assert res.exit_code == 0, res.output
    assert "1.000–1.000" not in out
    # The JSON keeps `ci` as the bootstrap's ends and says they are no interval, as the text does:
    # `"ci": [1.0, 1.0]` alone read as certainty from three labels.
    import json

    res = runner.invoke(app, ["content", "evaluate", str(db), str(tmp_path / "l.csv"), "--boot", "20", "--json", "--no-record"])
    got = json.loads(res.stdout)["stance"]
    assert got["ci"] == [1.0, 1.0] and got["ci_degenerate"] is True, got
    assert "│ 3 │ 1.000 │ none (every │ 1.000" in out and "resample gave │" in out and "1.000) │" in out
    wrong = {"support": "oppose", "oppose": "neutral", "neutral": "support"}
    rows = "".join(f"{p},{q},{wrong[s] if i == 0 else s},\n" for i, (p, q, s) in enumerate(pairs[:4]))
    res, out = _run(db, tmp_path, "post_id,party,stance,sentiment\n" + rows)
    assert res.exit_code == 0, res.output
    assert "none (every" not in out and re.search(r"│ 4 │ [0-9.]+ │ [0-9.]+–[0-9.]+ │", out), out


def test_the_classes_a_macro_f1_is_the_mean_over_are_said_when_some_are_absent(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A file whose pairs were all labelled (and predicted) one stance printed a macro-F1 over that
    one class beside figures over three, with nothing saying so; the JSON did not say it either."""
    import json

    db, pairs = study
    one = [(p, q, s) for p, q, s in pairs if s == pairs[0][2]][:2]
    rows = "".join(f"{p},{q},{s},\n" for p, q, s in one)
    res, out = _run(db, tmp_path, "post_id,party,stance,sentiment\n" + rows)
    assert res.exit_code == 0, res.output
    left = [c for c in ("support", "oppose", "neutral") if c != one[0][2]]
    assert f"stance macro-F1 is the mean over {one[0][2]} only: no pair was labelled or predicted {left[0]} or {left[1]}" in out
    res = runner.invoke(app, ["content", "evaluate", str(db), str(tmp_path / "l.csv"), "--boot", "20", "--json", "--no-record"])
    assert res.exit_code == 0 and json.loads(res.stdout)["stance"]["classes"] == [one[0][2]], res.output
    both = [next((p, q, s) for p, q, s in pairs if s == c) for c in ("support", "oppose", "neutral") if any(s == c for _, _, s in pairs)]
    res, out = _run(db, tmp_path, "post_id,party,stance,sentiment\n" + "".join(f"{p},{q},{s},\n" for p, q, s in both))
    assert res.exit_code == 0 and ("is the mean over" in out) == (len(both) < 3), res.output


def test_column_names_are_read_in_any_case_and_without_spaces(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A spreadsheet's header "Post_ID, Party, Stance, Sentiment" was refused as lacking every
    column it has ("lacks the column(s) party, post_id, sentiment, stance"), where evaluate-accounts
    reads its columns in any case. A column named twice that way is an error, not one of them dropped."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"Post_ID, Party ,STANCE,Sentiment,Part\n{pid},{party},{stance},,test\n", "--part", "test")
    assert res.exit_code == 0 and "recall 1.000" in out, res.output
    res, out = _run(db, tmp_path, f"post_id,party,Party,stance,sentiment\n{pid},{party},{party},{stance},\n")
    assert res.exit_code == 2 and "names the column(s) party more than once" in out, res.output


def test_label_words_not_in_the_lists_are_counted_by_word_with_the_word_meant(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A reader who wrote "pro" and "against" on 30 rows got 20 errors, each repeating the list of
    stance words, never how many rows there were nor that "pro" is written `support`."""
    db, pairs = study
    pid, party, _ = pairs[0]
    rows = "".join(f"{pid}{i},{party},{'pro' if i % 3 else 'against'},{'pos' if i == 0 else 'Negative'}\n" for i in range(30))
    res, out = _run(db, tmp_path, "post_id,party,stance,sentiment\n" + rows + f"{pid},{party},Support,sad\n")
    assert res.exit_code == 2, res.output
    assert ("30 rows give a stance that is not one of support, oppose, neutral: 'against' (10 rows, lines 2, 5, 8, …; if oppose is meant, "
            "write 'oppose'), 'pro' (20 rows, lines 3, 4, 6, …; if support is meant, write 'support')") in out
    assert "2 rows give a sentiment that is not one of positive, negative, neutral: 'pos' (line 2; if positive is meant, write 'positive'), 'sad' (line 32)" in out
    assert out.count("support, oppose, neutral") == 1 and "bad row" not in out


def test_an_exported_pairs_file_with_botwatchs_scores_says_whose_they_are(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The guide has the reader label rows of `export STUDY post_party`, whose sentiment column is
    botwatch's score (-0.2623): each was refused as a word outside the list, not said to be that."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,stance_rule,sentiment\n{pid},{party},{stance},model,-0.2623\n")
    assert res.exit_code == 2, res.output
    assert ("1 row gives a sentiment that is not one of positive, negative, neutral: '-0.2623' (line 2) (a number is botwatch's own sentiment "
            "score, as `botwatch export STUDY post_party` writes it: put your own label there, or leave the cell empty to score stance only)") in out, out
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},sad\n")
    assert res.exit_code == 2 and "post_party" not in out, res.output
    # A reader's own 1/0/-1 (pandas writes 1.0) is not botwatch's score: it is given the word meant.
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},1\n{pid}9,{party},{stance},-1.0\n{pid}8,{party},{stance},nan\n")
    assert res.exit_code == 2 and "post_party" not in out, res.output
    assert ("'1' (line 2; if positive is meant, write 'positive'), '-1.0' (line 3; if negative is meant, write 'negative'), 'nan' (line 4)") in out, out


def test_a_post_party_export_scored_as_labels_is_said_to_hold_botwatchs_answers(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Rows of `export STUDY post_party` scored as they are (the guide has the reader label its
    rows) measure botwatch against its own stance: macro-F1 1.000, which the report quoted as the
    check on the reader's hand labels, without a word."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,stance_rule,sentiment\n{pid},{party},{stance},model,\n", "--no-record")
    assert res.exit_code == 0, res.output
    assert ("note: l.csv holds a column of botwatch's own (stance_rule or stance_evidence): it looks like `botwatch export STUDY post_party` output, whose stance is "
            "botwatch's answer. Unless you replaced every stance with your own reading, the figures compare botwatch with itself") in out, out
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n", "--no-record")
    assert res.exit_code == 0 and "post_party" not in out, res.output


def test_a_missing_column_is_said_with_the_columns_the_file_has(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A spreadsheet's "Post ID" (a space, not "_") was refused as lacking post_id, and the reader,
    sure the column was there, was not shown the name that was read."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"Post ID,party,stance,sentiment\n{pid},{party},{stance},\n")
    assert res.exit_code == 2 and "lacks the column(s) post_id; it needs post_id, party, stance, sentiment (its columns: post id, party, stance, sentiment)" in out, res.output


def test_one_post_in_the_study_and_one_missed_pair_are_said_in_the_singular(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """"only 1 of the 2 labelled posts are in this study; the labelled pairs of the other 1 count as
    not matched" (the other's sentiment counted wrong too, unsaid) and "1 labelled pairs not matched"."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},negative\nabsent-1,{party},{stance},negative\n")
    assert res.exit_code == 0, res.output
    assert "only 1 of the 2 labelled posts is in this study; the labelled pairs and sentiment of the other 1 count as botwatch's misses (wrong)" in out
    assert "(1 labelled pair not matched, scored wrong)" in out


def test_a_part_no_row_has_says_which_parts_the_file_holds(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`--part test` on a file without a part column (or with other parts) said "no labels left for
    election 'us-2016' and part 'test'", which sent the reader to the election column."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n", "--part", "test")
    assert res.exit_code == 2 and "has no part column, so --part test selects none of its rows" in out, res.output
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment,part\n{pid},{party},{stance},,dev\n", "--part", "test")
    assert res.exit_code == 2 and "no labels in part 'test': the file's part column holds 'dev' (1 row)" in out, res.output
    # The shipped layout holds both elections: with rows of another election beside this one's, a
    # part none of them has was said as "no labels for election 'us-2016': the file's election
    # column names 'uk-ge2017'", though the file holds us-2016 labels and the part was the fault.
    res, out = _run(db, tmp_path, f"post_id,election,party,stance,sentiment,part\n{pid},us-2016,{party},{stance},,dev\nx1,uk-ge2017,labour,support,,test\n",
                    "--part", "tset")
    assert res.exit_code == 2 and "no labels in part 'tset': the part column of its rows for election 'us-2016' holds 'dev' (1 row)" in out, res.output
    # The part asked for is on the other election's rows: "the file's part column holds 'dev'"
    # denied the 'test' the reader sees in the file.
    res, out = _run(db, tmp_path, f"post_id,election,party,stance,sentiment,part\n{pid},us-2016,{party},{stance},,dev\nx1,uk-ge2017,labour,support,,test\n",
                    "--part", "test")
    assert res.exit_code == 2 and "no labels in part 'test': the part column of its rows for election 'us-2016' holds 'dev' (1 row)" in out, res.output


def test_json_of_a_stance_only_file_keeps_every_sentiment_key(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`--json` of a file with an empty sentiment column printed `"sentiment": {"n": 0}`, where
    docs/labelling-guide.md gives {n, macro_f1, ci, accuracy, majority}: a script reading
    `sentiment["macro_f1"]` stopped on a KeyError."""
    import json

    db, pairs = study
    pid, party, stance = pairs[0]
    (tmp_path / "l.csv").write_text(f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n", encoding="utf-8")
    res = runner.invoke(app, ["content", "evaluate", str(db), str(tmp_path / "l.csv"), "--boot", "20", "--json", "--no-record"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["sentiment"] == {"n": 0, "macro_f1": None, "ci": [None, None], "ci_degenerate": None, "accuracy": None, "majority": None, "classes": []}
    assert set(got["stance"]) == set(got["sentiment"])
    # docs/labelling-guide.md: `matched_pairs` is a count (it read as a list of pairs there); the other two are lists of pairs.
    m = got["matching"]
    assert isinstance(m["matched_pairs"], int) and all(isinstance(p, list) and len(p) == 2 for p in m["false_pairs"] + m["missed_pairs"])
    assert m["matched_pairs"] >= len(m["false_pairs"])


def test_pairs_whose_stance_was_not_measured_are_in_no_share(tmp_path: Path) -> None:
    """The shares table ("what the report counts") counted a matched pair of a post in another
    language that names the party without a cue, whose "neutral" is no reading of the post and
    which the report's shares leave out; macro-F1 still scores it."""
    from botwatch.content.score import agreement

    labels = [{"post_id": "1", "party": "dem", "stance": "support", "sentiment": ""},
              {"post_id": "2", "party": "dem", "stance": "oppose", "sentiment": ""}]
    predicted = {("1", "dem"): "neutral", ("2", "dem"): "oppose"}
    ag = agreement(labels, predicted, {}, n_boot=20, unmeasured={("1", "dem")})
    assert ag.stance.n == 2 and ag.stance.accuracy == 0.5
    assert ag.shares is not None and ag.shares.stance_n == 1 and ag.shares.reader["support"] == 0.0 and ag.shares.botwatch["oppose"] == 1.0
    assert agreement(labels, predicted, {}, n_boot=20).shares.stance_n == 2  # type: ignore[union-attr]


def test_the_cli_leaves_unmeasured_pairs_out_of_the_shares_and_says_so(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from botwatch import open_study
    from botwatch.content.score import unmeasured_pairs

    db, pairs = study
    pid, party, _stance = pairs[0]
    with open_study(db, read_only=False) as st:
        was = st.sql("SELECT lang, stance_rule, stance, signals FROM post_party WHERE post_id = ? AND party = ?", [pid, party])[0]
        st.sql("UPDATE post_party SET lang = 'de', stance_rule = 'no_cue', stance = 'neutral', signals = [] WHERE post_id = ? AND party = ?", [pid, party])
        assert (pid, party) in unmeasured_pairs(st, "us-2016")
    try:
        res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},support,\n{pairs[1][0]},{pairs[1][1]},{pairs[1][2]},\n", "--no-record")
        assert res.exit_code == 0, res.output
        assert "1 labelled pair that botwatch matched but whose stance it did not measure" in out and "is in no share" in out
        assert "│ 2 │" in out  # macro-F1 scores both pairs
    finally:
        with open_study(db, read_only=False) as st:
            st.sql("UPDATE post_party SET lang = ?, stance_rule = ?, stance = ?, signals = ? WHERE post_id = ? AND party = ?", [*was, pid, party])


@pytest.mark.parametrize("cmd", [["content", "evaluate"], ["evaluate-accounts"]])
@pytest.mark.parametrize("boot", ["0", "-1", "9", "99999999999"])
def test_a_boot_count_out_of_reach_is_a_usage_error(tmp_path: Path, cmd: list[str], boot: str) -> None:
    """Under 10 was raised to 10 without a word (`--boot 0` printed a "95% interval"); a huge
    count ran until killed. Both commands say so before anything is opened."""
    res = runner.invoke(app, [*cmd, str(tmp_path / "none.duckdb"), str(tmp_path / "labels.csv"), "--boot", boot])
    assert res.exit_code == 2 and f"--boot {boot}: use from 10 to 100,000" in res.output, res.output


def test_a_negative_show_errors_is_a_usage_error(tmp_path: Path) -> None:
    """`--show-errors -1` sliced the lists from the end: every false and missed match but the last."""
    res = runner.invoke(app, ["content", "evaluate", str(tmp_path / "none.duckdb"), str(tmp_path / "l.csv"), "--show-errors", "-1"])
    assert res.exit_code == 2 and "--show-errors" in res.output and "greater than or equal to 0" in res.output, res.output


def test_a_post_given_no_sentiment_is_scored_wrong_not_neutral(tmp_path: Path) -> None:
    """A labelled post botwatch holds without a sentiment (NULL: not in English) was read as
    "neutral": right wherever the reader said neutral, though botwatch gave no answer. It is wrong
    now, as a labelled pair botwatch did not match is for stance, and the count is given."""
    from botwatch.content.score import agreement

    labels = [{"post_id": "1", "party": "", "stance": "", "sentiment": "neutral"},
              {"post_id": "2", "party": "", "stance": "", "sentiment": "negative"}]
    ag = agreement(labels, {}, {"1": None, "2": -0.6}, n_boot=20)
    assert ag.sentiment.n == 2 and ag.sentiment.accuracy == 0.5 and ag.sentiment_unscored == 1
    assert ag.sentiment.macro_f1 == pytest.approx(0.5)  # negative right (F1 1), neutral never answered (F1 0)
    assert ag.shares is not None and ag.shares.sentiment_n == 1  # the shares count posts with a sentiment only, as before


def test_the_cli_says_how_many_labelled_posts_had_no_sentiment(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    from botwatch import open_study

    db, pairs = study
    pid = pairs[0][0]
    with open_study(db, read_only=False) as st:
        was = st.sql("SELECT sentiment FROM post_labels WHERE post_id = ?", [pid])[0][0]
        st.sql("UPDATE post_labels SET sentiment = NULL WHERE post_id = ?", [pid])
    try:
        res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},,,neutral\n", "--no-record")
        assert res.exit_code == 0, res.output
        assert "1 labelled post in this study has no sentiment from botwatch (not in English): the sentiment macro-F1 above scores it wrong" in out
        assert "│ 0.000 │" in out  # accuracy 0: no answer is no right answer
        res = runner.invoke(app, ["content", "evaluate", str(db), str(tmp_path / "l.csv"), "--boot", "20", "--json", "--no-record"])
        assert res.exit_code == 0, res.output
        got = json.loads(res.stdout)
        assert got["sentiment_unscored"] == 1 and got["sentiment"]["accuracy"] == 0.0
    finally:
        with open_study(db, read_only=False) as st:
            st.sql("UPDATE post_labels SET sentiment = ? WHERE post_id = ?", [was, pid])


def test_text_from_the_labels_file_reaches_the_terminal_escaped(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A labels file is often someone else's: its part values, post ids and its own name were
    printed with Rich markup escaped but terminal controls raw (an ESC clearing the screen, an OSC 8
    link), and `--part '[/x]'` went into the table title unescaped, so Rich raised MarkupError
    ("This is a bug in botwatch")."""
    db, pairs = study
    (pid, party, stance), (pid2, party2, stance2) = pairs[0], next(p for p in pairs if p[0] != pairs[0][0])
    hostile = "9\x1b]8;;http://e.example\x1b\\x"
    text = (f"post_id,party,stance,sentiment,part\n{pid},{party},{stance},,[/x]\n{pid2},{party2},{stance2},,\x1b[2Jp\n"
            f"{hostile},{party},{stance},,[/x]\n")
    f = tmp_path / "l\x1b[31m.csv"
    f.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["content", "evaluate", str(db), str(f), "--boot", "20", "--no-record", "--show-errors", "5"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output, repr(res.output)
    assert "\\x1b[2Jp" in res.output and "l\\x1b[31m.csv" in res.output and "9\\x1b]8;;http://e.example\\x1b\\x" in res.output
    res = runner.invoke(app, ["content", "evaluate", str(db), str(f), "--boot", "20", "--no-record", "--part", "[/x]"])
    assert res.exit_code == 0, res.output
    assert "part [/x])" in res.output and "\x1b" not in res.output


def test_matching_figures_without_a_denominator_are_said_not_printed_as_nan(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A sentiment-only file (every party empty) of posts botwatch matched no party on has no
    labelled pair and no matched pair: the line read "precision nan (0 of 0 …), recall nan"."""
    from botwatch import open_study

    db, _pairs = study
    with open_study(db) as st:
        pid = st.sql("select post_id from post_labels where post_id not in (select post_id from post_party) order by post_id limit 1")[0][0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},,,neutral\n", "--no-record")
    assert res.exit_code == 0, res.output
    assert "nan" not in out
    assert "precision: none to measure (botwatch matched no party on the labelled posts)" in out
    assert "recall: none to measure (no row of the file names a party)" in out


def test_a_stance_with_no_party_is_a_bad_row(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A row whose party cell was left empty but which gives a stance: its stance was dropped
    without a word and the row read as a post naming no party."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},,{stance},negative\n", "--no-record")
    assert res.exit_code == 2, res.output
    assert f"line 2: stance '{stance}' but no party" in out and "Traceback" not in out


def test_rows_of_another_election_left_out_are_counted(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Rows whose election cell names another election are left out, as documented; they were
    left out without a word, so a mistyped cell lost its rows from every figure with exit 0."""
    db, pairs = study
    (p1, q1, s1), (p2, q2, s2) = pairs[0], pairs[-1]
    text = f"post_id,party,stance,sentiment,election\n{p1},{q1},{s1},,us-2016\n{p2},{q2},{s2},,us2016\n"
    res, out = _run(db, tmp_path, text, "--no-record")
    assert res.exit_code == 0, res.output
    assert "note: 1 row of l.csv names another election than the study's us-2016 and is left out: 'us2016' (1 row)" in out
    res = runner.invoke(app, ["content", "evaluate", str(db), str(tmp_path / "l.csv"), "--boot", "20", "--no-record", "--json"])
    assert res.exit_code == 0, res.output
    assert "'us2016' (1 row)" in " ".join(res.stderr.split())


def test_part_values_are_matched_in_any_case(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`--part test` left out the rows a spreadsheet wrote as "Test" without a word, where the
    election column is read in any case."""
    db, pairs = study
    (p1, q1, s1), (p2, q2, s2) = pairs[0], pairs[-1]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment,part\n{p1},{q1},{s1},,test\n{p2},{q2},{s2},,Test\n", "--no-record", "--part", "test", "--json")
    assert res.exit_code == 0, res.output
    import json

    assert json.loads(res.stdout)["stance"]["n"] == 2


def test_a_gzipped_labels_file_is_read(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """As `evaluate-accounts` reads one: a .csv.gz was refused as text in another code page."""
    import gzip

    db, pairs = study
    pid, party, stance = pairs[0]
    f = tmp_path / "l.csv.gz"
    f.write_bytes(gzip.compress(f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n".encode()))
    res = runner.invoke(app, ["content", "evaluate", str(db), str(f), "--boot", "20", "--no-record"])
    assert res.exit_code == 0, res.output
    assert "recall 1.000" in " ".join(res.output.split())


def test_ids_a_spreadsheet_rounded_into_one_are_named_as_its_doing_not_as_duplicates(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Excel writes 100001168965729484 and 100001286930576774 both as 1.00001E+17: the two posts
    then share an id, and the file was refused as rows "labelled on line 2 already", which sent
    the reader hunting for copied rows instead of re-exporting the ids as text."""
    db, pairs = study
    (pid, party, stance), (pid2, party2, stance2) = pairs[0], pairs[1]
    sci = f"{int(pid):.5E}"
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{sci},{party},{stance},negative\n{sci},{party},{stance},positive\n{pid2},{party2},cheer,\n")
    assert res.exit_code == 2, res.output
    assert f"l.csv: 1 post_id written as numbers by a spreadsheet or pandas, now shared by two or more rows ('{sci}'): a number keeps only a long id's" in out
    assert "formatted as text" in out and "already" not in out and "differs" not in out
    assert "1 row gives a stance that is not one of support, oppose, neutral: 'cheer' (line 4)" in out  # the file's other faults are still listed in the same run


def test_a_number_id_on_a_row_copied_twice_is_not_said_to_be_two_posts(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """pandas writes 12345 as `12345.0`, which kept every digit: the same row twice was said to be
    "shared by posts that had different ids", which nothing showed."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid}.0,{party},{stance},\n{pid}.0,{party},{stance},\n")
    assert res.exit_code == 2, res.output
    assert f"1 post_id written as numbers by a spreadsheet or pandas, now shared by two or more rows ('{pid}.0')" in out
    assert "may be posts that had different ids, or one row copied twice" in out and "shared by posts that had" not in out


def test_ids_with_zeros_in_front_are_named_as_the_studys_ids(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A column padded to a fixed number of digits ("00" + the tweet id) named no post of the
    study, and all the reader got was "none of the labelled posts is in this study"."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n00{pid},{party},{stance},\n")
    assert res.exit_code == 2, res.output
    assert f"1 post_id of l.csv is not in this study but is one of its ids with zeros in front ('00{pid}'): write the post ids as the study has them" in out
    assert "none of the" not in out and "Traceback" not in out
    assert f"(`botwatch export {db} posts -o posts.csv` lists them)" in " ".join(out.split()), out  # without -o the command fails
    pid2, party2, stance2 = pairs[1]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n00{pid},{party},{stance},\n0{pid2},{party2},{stance2},\n")
    assert res.exit_code == 2 and "2 post_ids of l.csv are not in this study but are its ids with zeros in front" in out, res.output


def test_no_labelled_id_in_the_study_shows_one_of_its_ids_and_the_command_that_lists_them(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The line said "for a 538 IRA CSV, its tweet_id column": the by-author IRA files have no tweet
    ids (the study makes `ira538-…` ones), and the reader was shown no id of the study's."""
    db, pairs = study
    _pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\nnot-a-post,{party},{stance},\n")
    text = " ".join(out.split())
    assert res.exit_code == 2 and "tweet_id" not in text, res.output
    assert re.search(r"the labels' post_id must be the study's post ids \(such as '[^']+'; `botwatch export \S+ posts -o posts\.csv` lists them\)", text), text


def test_labelled_ids_the_study_lacks_are_named_not_only_counted(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n999000,{party},{stance},\n0,{party},{stance},\n")
    assert res.exit_code == 0, res.output
    assert "the other 2 count as botwatch's misses (wrong): '0', '999000'" in out


def test_rows_a_spreadsheet_left_empty_are_skipped_and_counted(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Excel saves rows it once formatted as ",,,": the whole file was refused as bad rows, though
    a blank line (which the csv reader skips) is no more empty."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\r\n{pid},{party},{stance},\r\n,,,\r\n,,,\r\n")
    assert res.exit_code == 0, res.output
    assert "note: 2 rows of l.csv with every field empty (lines 3, 4) were skipped, as blank lines are" in out
    assert "recall 1.000" in out
    res, out = _run(db, tmp_path, "post_id,party,stance,sentiment\n,,,\n")
    assert res.exit_code == 2 and "l.csv has no rows: every row below the header is empty" in out, res.output


def test_recall_with_no_pair_missed_says_so_not_zero_each_scored_wrong(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n")
    assert res.exit_code == 0, res.output
    assert "recall 1.000 (every labelled pair matched)" in out and "(0 labelled pairs" not in out
