"""A study whose content stage was re-run with an edited copy of its election file (same key) was
refused by `analyze` without --election, but the report built from it without a word: its Parties
section came from one text and its accounts section from another."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from botwatch.report import build_report
from botwatch.study import open_study
from testsupport.study_copies import copy_study, digest, unchanged


def _coordination_redone_under_uk(analysed_sample_path: Path, tmp_path: Path, *before: str) -> Path:
    """A copy of the analysed sample (us-2016) as `analyze -e uk-ge2017 --only coordination` leaves
    it: the coordination and accounts_clusters runs again, recorded under uk-ge2017; `before`: SQL
    run on the copy first."""
    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study, read_only=False) as st:
        for q in before:
            st.sql(q)
        st.sql("INSERT INTO runs SELECT run_id || '-uk', stage, replace(params, 'us-2016', 'uk-ge2017'), version, now(), now(), status, rows_written, message "
               "FROM runs WHERE stage IN ('coordination', 'accounts_clusters')")
    return study


@pytest.fixture(scope="module")
def redone_under_uk(analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`_coordination_redone_under_uk` of the analysed sample with nothing run first, once for the
    module: six tests each made this same copy. Read only (the module's end fails if it changed): a
    test that writes copies it."""
    path = _coordination_redone_under_uk(analysed_sample_path, tmp_path_factory.mktemp("redone_under_uk"))
    before = digest(path)
    yield path
    unchanged(path, before)


def _methods_text(study: Path) -> str:
    """Methods of `study` as plain text, blanks squeezed."""
    import re

    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods

    with open_study(study) as st:
        return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, report_context(st)).html))


def test_a_report_of_stages_with_different_elections_says_so(tmp_path: Path, sample_study_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    text = 'key = "us-2016"\nname = "edited"\ncountry = "US"\n'
    with open_study(study) as st:
        assert "mixed-elections" not in build_report(st, tmp_path / "before.html", exports=False).read_text()
    with open_study(study, read_only=False) as st:  # accounts with the preset, content with an edited copy
        st.sql("INSERT INTO runs VALUES ('a', 'accounts', ?, '0.1.0', now(), now(), 'ok', 0, NULL)", [json.dumps({"election": "us-2016"})])
        st.sql("INSERT INTO runs VALUES ('t', 'content', ?, '0.1.0', now(), now(), 'ok', 0, NULL)",
               [json.dumps({"election": "us-2016", "election_toml": text})])
    with open_study(study) as st:
        html = build_report(st, tmp_path / "r.html", exports=False).read_text()
    banner = html[html.index('id="mixed-elections"'):][:1200]
    assert "Stages analysed with different elections." in banner
    assert "content: us-2016 (recorded text" in banner and "(preset)" in banner
    assert "--stage STAGE --toml" in banner


def test_the_kicker_names_each_election_with_its_stages(analysed_sample_path: Path, tmp_path: Path) -> None:
    """Analysed with us-2016, then `analyze -e uk-ge2017 --only coordination`: the page was headed
    "botwatch report · UK general election 2017", the newest run's election, over Parties, accounts
    and timelines all made for the US election."""
    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study, read_only=False) as st:
        st.sql("UPDATE runs SET params = replace(params, 'us-2016', 'uk-ge2017') WHERE stage IN ('coordination', 'accounts_clusters')")
    with open_study(study) as st:
        html = build_report(st, tmp_path / "r.html", exports=False).read_text()
    kicker = html[html.index('<p class="kicker">'):].split("</p>")[0]
    assert "US presidential election 2016 (accounts, " in kicker and "content" in kicker
    assert "UK general election 2017 (accounts_clusters, coordination)" in kicker
    assert kicker.index("US presidential") < kicker.index("UK general")  # most stages first


def test_the_outside_window_banner_speaks_of_the_stages_of_that_election(analysed_sample_path: Path, tmp_path: Path) -> None:
    """2016 posts analysed with us-2016, then `analyze -e uk-ge2017 --only coordination`: the
    headline banner said none of the posts fell in the UK window, so "findings on it describe that
    other period", of a report whose Parties, accounts and timelines were made for the US election,
    whose window holds every post."""
    study = _coordination_redone_under_uk(analysed_sample_path, tmp_path, "DELETE FROM posts WHERE created_at >= TIMESTAMP '2017-01-01'")
    with open_study(study) as st:
        html = build_report(st, tmp_path / "r.html", exports=False).read_text()
    banner = html[html.index('id="outside-window"'):].split("</div>")[0]
    assert "falls in the UK general election 2017 window" in banner
    assert "the findings of the stages analysed with it (accounts_clusters, coordination) describe that other period" in banner
    assert "US presidential" not in banner


def test_methods_data_coverage_names_each_elections_window_with_its_stages(redone_under_uk: Path) -> None:
    """Analysed with us-2016, then `analyze -e uk-ge2017 --only coordination`: Methods' Data
    coverage said only "The election window of UK general election 2017 runs ...: 0.4% of all posts
    fall inside it", the window of the newest run, beside sections made for the US election."""
    study = redone_under_uk
    text = _methods_text(study)
    assert "The election window of US presidential election 2016 (the stages accounts, " in text, text
    assert "The election window of UK general election 2017 (the stages accounts_clusters, coordination) runs 2017-04-18" in text, text


def test_methods_study_span_counts_days_of_the_timelines_election(redone_under_uk: Path) -> None:
    """Analysed with us-2016, then `analyze -e uk-ge2017 --only coordination`: Methods gave the
    study's span in "days in Europe/London", the newest run's zone, while the timeline, bursts and
    event test (and the US window's line beside it) counted America/New_York's days."""
    study = redone_under_uk
    text = _methods_text(study)
    span = text[text.index("Data coverage"):text.index("The election window")]
    assert "(days in America/New_York)" in span, span


def test_the_no_election_posts_banner_follows_the_content_stages_election(analysed_sample_path: Path, tmp_path: Path) -> None:
    """Posts labelled for us-2016, none of them the election's, then `analyze -e uk-ge2017 --only
    coordination`: the "No post of this election" banner looked for labels of the UK election, the
    newest run's, found none, and went unsaid over Parties and accounts sections made for the US."""
    study = _coordination_redone_under_uk(analysed_sample_path, tmp_path, "UPDATE post_labels SET in_election = false")
    with open_study(study) as st:
        html = build_report(st, tmp_path / "r.html", exports=False).read_text()
    assert "No post of this election." in html
    banner = html[html.index("No post of this election."):].split("</p>")[0]
    assert "US presidential election 2016 conversation" in banner, banner


def test_the_coordination_window_line_names_the_coordination_stages_election(redone_under_uk: Path, tmp_path: Path) -> None:
    """Analysed with us-2016, then `analyze -e uk-ge2017 --only coordination`: the coordination
    headline said "None of these clusters co-acted inside the election window (2017-04-18 to
    2017-06-09) ... not of this election's talk", unnamed, in a report about the US election. And
    the other way round (uk-ge2017 for coordination first, us-2016 for a later stage alone) it
    checked the clusters against the newest run's window, not the one they were made under."""
    import re

    from botwatch.report.context import report_context
    from botwatch.report.section_coordination import coordination_section

    def said(st: object) -> str:
        sec = coordination_section(st, report_context(st))  # type: ignore[arg-type]
        assert sec is not None
        return " ".join(re.sub(r"<[^>]+>", " ", " ".join(str(h) for h in sec.headline)).split())

    study = copy_study(redone_under_uk, tmp_path / "s.duckdb")  # it writes a later run below
    with open_study(study) as st:
        text = said(st)
    assert "inside the UK general election 2017 window (2017-04-18 to 2017-06-09)" in text, text
    assert "not of that election's talk" in text
    with open_study(study, read_only=False) as st:  # a later us-2016 run of another stage alone
        st.sql("INSERT INTO runs SELECT run_id || '-us', stage, params, version, now() + INTERVAL 1 HOUR, now() + INTERVAL 1 HOUR, status, rows_written, message "
               "FROM runs WHERE stage = 'timeline' AND params NOT LIKE '%uk-ge2017%'")
    with open_study(study) as st:
        assert "inside the UK general election 2017 window (2017-04-18 to 2017-06-09)" in said(st)


def test_methods_quotes_the_stance_figures_of_the_content_stages_election(redone_under_uk: Path) -> None:
    """Analysed with us-2016, then `analyze -e uk-ge2017 --only coordination`: Methods quoted the UK
    test part ("117 hand-labelled pairs of this election ... macro-F1 0.53") beside a Parties
    section whose stances were made, and measured, for the US election (159 pairs, 0.72). And
    "pairs of this election", under a page headed by both elections, read as the newest run's
    (the UK one): the election is named."""
    from botwatch.content.stance import MEASURED_BY_ELECTION

    study = redone_under_uk
    text = _methods_text(study)
    us = MEASURED_BY_ELECTION["us-2016"]
    assert f"on the frozen test part of {us['pairs']} hand-labelled pairs of US presidential election 2016 (never used" in text, text
    assert f"macro-F1 {us['stance_f1']:.2f}" in text


def test_the_no_election_posts_banner_is_not_hidden_by_another_elections_window(analysed_sample_path: Path, tmp_path: Path) -> None:
    """2016 posts labelled for us-2016, none of them the election's, then `analyze -e uk-ge2017
    --only coordination`: the UK window holds no post, and its banner (about the coordination
    stages) hid the "No post of this election" one about the content stage's US election, whose
    window holds every post."""
    study = _coordination_redone_under_uk(analysed_sample_path, tmp_path, "DELETE FROM posts WHERE created_at >= TIMESTAMP '2017-01-01'", "UPDATE post_labels SET in_election = false")
    with open_study(study) as st:
        html = build_report(st, tmp_path / "r.html", exports=False).read_text()
    assert 'id="outside-window"' in html
    banner = html[html.index("No post of this election."):].split("</p>")[0]
    assert "US presidential election 2016 conversation" in banner, banner


def test_methods_unmeasured_origin_names_the_accounts_stages_election(analysed_sample_path: Path, tmp_path: Path) -> None:
    """Accounts scored with an Estonian file (a country the origin model cannot name), then
    `analyze -e uk-ge2017 --only coordination`: Methods said "For UK general election 2017, foreign
    origin is not measured: the origin model does not know EE", the newest run's election beside
    the scoring election's country."""
    ee = ('key = "ee-2019"\nname = "Estonia 2019"\ncountry = "EE"\ntimezone = "Europe/Tallinn"\ntrigger_date = 2019-01-01\n'
          'polling_day = 2019-03-03\nhashtags = ["valimised"]\n\n[[parties]]\nkey = "a"\nname = "A"\nkeywords = ["reform"]\n')
    params = json.dumps({"election": "ee-2019", "election_file": "ee.toml", "election_toml": ee})
    study = _coordination_redone_under_uk(analysed_sample_path, tmp_path, f"UPDATE runs SET params = '{params}' WHERE stage = 'accounts'")
    text = _methods_text(study)
    assert "For Estonia 2019, foreign origin is not measured: the origin model does not know EE" in text, text


def test_parties_headlines_name_the_election_their_stance_check_is_of(redone_under_uk: Path) -> None:
    """Analysed with us-2016, then `analyze -e uk-ge2017 --only coordination`: the Parties
    headlines, at the top of a page whose kicker names both elections, said "on 159 held-out
    hand-labelled pairs of this election"."""
    import re

    from botwatch.report.context import report_context
    from botwatch.report.section_parties import parties_section

    with open_study(redone_under_uk) as st:
        sec = parties_section(st, report_context(st))
    assert sec is not None and sec.headline
    text = " ".join(re.sub(r"<[^>]+>", " ", " ".join(str(h) for h in sec.headline)).split())
    assert "hand-labelled pairs of US presidential election 2016," in text, text
    assert "this election" not in text, text


def test_the_parties_body_names_the_election_its_stance_check_is_of(redone_under_uk: Path) -> None:
    """The same study: the headlines named the US election, but the section's body still said "159
    hand-labelled (post, party) pairs of this election", under a kicker naming both elections."""
    import re

    from botwatch.report.context import report_context
    from botwatch.report.section_parties import parties_section

    with open_study(redone_under_uk) as st:
        sec = parties_section(st, report_context(st))
    assert sec is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", str(sec.html)).split())
    assert "hand-labelled (post, party) pairs of US presidential election 2016 (IRA posts" in text, text
    assert "this election" not in text, text
