"""A referendum's options are sides, not parties, in what a reader sees (issue 14).

The EU-referendum example (docs/examples/uk-euref2016.toml) is written as an election, and the report,
`estimate` and `elections check` called Leave and Remain "parties" ("supported the party", a
"Parties" section). The optional `contest` field says which words to use; left out, every preset
and older file reads exactly as before. Generated posts test the code path only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from botwatch.elections import ElectionError, load_election
from botwatch.elections.contest import contest_words
from botwatch.elections.model import election_from_text
from botwatch.ingest.runner import ingest
from botwatch.pipeline import Context, analyze
from botwatch.report.section_parties import parties_section
from botwatch.report.sections import contest_words_for
from botwatch.study import open_study

EUREF_FILE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "uk-euref2016.toml"
EUREF = load_election(EUREF_FILE)
ANALYZE_LOG: list[str] = []  # the fixture's `analyze` lines


def _tweet(i: int, text: str) -> dict[str, Any]:
    tags = [{"text": t} for t in re.findall(r"#(\w+)", text)]
    return {"id_str": str(i), "full_text": text, "created_at": f"Sat May {10 + i % 15:02d} 10:00:00 +0000 2016",
            "user": {"id_str": f"u{i}", "screen_name": f"fan{i}", "location": "London"}, "lang": "en", "entities": {"hashtags": tags}}


def _plain(markup: object) -> str:
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", str(markup))).replace("&#39;", "'")


@pytest.fixture(scope="module")
def euref_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seven posts under the referendum example, content, estimates and timeline run."""
    tmp = tmp_path_factory.mktemp("euref")
    texts = ["Off to vote #VoteLeave #EURef"] * 4 + ["Proud to vote #StrongerIn #EURef"] * 3
    (tmp / "t.jsonl").write_text("".join(json.dumps(_tweet(i, t)) + "\n" for i, t in enumerate(texts)))
    with open_study(tmp / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp / "t.jsonl")])
        analyze(st, Context(election=EUREF, log=ANALYZE_LOG.append), only=["content", "estimates", "timeline"])
    return tmp / "s.duckdb"


def _with_contest(line: str) -> str:
    return EUREF_FILE.read_text(encoding="utf-8").replace('contest = "referendum"\n', line)


def test_the_field_is_optional_and_checked() -> None:
    assert EUREF.contest == "referendum" and contest_words(EUREF).many == "sides"
    assert load_election("uk-ge2017").contest == "parties" and contest_words(load_election("us-2016")).one == "party"
    assert election_from_text(_with_contest(""), "old.toml").contest == "parties"  # a file from before the field
    assert contest_words(election_from_text(_with_contest('contest = "candidates"\n'), "p.toml")).Many == "Candidates"
    with pytest.raises(ElectionError, match=r"bad\.toml:\d+: contest: 'referendom' is not a kind of contest \(did you mean 'referendum'\?\)"):
        election_from_text(_with_contest('contest = "referendom"\n'), "bad.toml")
    with pytest.raises(ElectionError, match=r"contest: must be a string"):
        election_from_text(_with_contest("contest = 2\n"), "bad.toml")


def test_the_referendum_report_says_sides(euref_study: Path) -> None:
    with open_study(euref_study) as st, contest_words_for(contest_words(EUREF)):
        sec = parties_section(st, {"election": EUREF})
    text = _plain(sec.html)
    assert sec.title == "Sides: support, opposition and sentiment"
    assert "Per side, campaign window" in text and " Side Posts " in text, text
    assert "Posts supporting and opposing each side" in str(sec.html)  # the chart's title
    assert "supported Leave" in " ".join(_plain(h) for h in sec.headline), sec.headline
    # Left as they are: the us-2016 pairs, which are parties'.
    said = text.replace("(post, party) pairs of IRA tweets, us-2016", "")
    assert not re.search(r"\b[Pp]art(y|ies)\b", said), re.findall(r".{60}\b[Pp]art(?:y|ies)\b.{20}", said)
    # The rule table's meanings (content.stance) said "a pro-party hashtag" under the Sides heading.
    assert "a pro-side hashtag, no anti-side cue and no rival side's pro cue" in text.split(" Rule Stance Meaning ")[1], text


def test_a_preset_report_reads_as_before(euref_study: Path, tmp_path: Path) -> None:
    """Words unchanged for a file without `contest`: the same study read as parties, the default."""
    old = election_from_text(_with_contest(""), "old.toml")
    with open_study(euref_study) as st:
        sec = parties_section(st, {"election": old})
    text = _plain(sec.html)
    assert sec.title == "Parties: support, opposition and sentiment"
    assert "Per party, campaign window" in text and " Party Posts " in text and "supported Leave" in " ".join(_plain(h) for h in sec.headline)
    assert "a pro-party hashtag, no anti-party cue and no rival party's pro cue" in text, text
    assert not re.search(r"\b[Ss]ides?\b", text)


def test_estimate_and_check_say_sides(euref_study: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    res = CliRunner().invoke(app, ["estimate", str(euref_study), "--table", "parties"])
    out = " ".join(res.output.split())
    assert res.exit_code == 0 and "Sides, campaign window" in out and "shares of the side's posts" in out, out
    assert "side leave (Leave) is named by" in out and "named the side;" in out, out  # the warning on a dominant side
    res = CliRunner().invoke(app, ["elections", "check", str(EUREF_FILE)])
    assert "with 2 sides and" in res.output, res.output
    res = CliRunner().invoke(app, ["elections", "check", "uk-ge2017"])
    assert "with 7 parties and" in res.output, res.output


def test_the_timeline_chart_says_by_side(euref_study: Path) -> None:
    from botwatch.timeline.report import timeline_figures

    with open_study(euref_study) as st:
        span = EUREF.window_utc()
        titles = [f["title"] for f in timeline_figures(st, EUREF, span)]
        old = [f["title"] for f in timeline_figures(st, election_from_text(_with_contest(""), "old.toml"), span)]
    assert "By side" in titles and "By party" not in titles, titles
    assert "By party" in old, old


def test_the_analyze_warnings_say_sides_without_a_callers_words(euref_study: Path) -> None:
    """`botwatch.api.analyze` sets no contest words of its own, and `analyze` said "no post names
    any party" above "side leave (Leave) matched 0": the lines follow the election they are given."""
    from botwatch.content.party_coverage import PartyCoverage, dominant_lines, party_coverage, unmatched_lines

    nothing = PartyCoverage(in_election={"leave": 0, "remain": 0}, named={}, election_posts=5, posts=5)
    lines = unmatched_lines(nothing, EUREF)
    assert lines[0].startswith("no post in the study names any side of EU referendum 2016 (leave, remain): the side figures are empty; "
                               "check the sides' hashtags"), lines
    assert lines[1].startswith("side leave (Leave) matched 0 election posts"), lines
    assert "none names its sides (leave, remain) there" in unmatched_lines(PartyCoverage({"leave": 0, "remain": 0}, {}, 0, 5), EUREF, outside_window=True)[0]
    old = election_from_text(_with_contest(""), "old.toml")
    assert unmatched_lines(nothing, old)[0].startswith("no post in the study names any party of EU referendum 2016 (leave, remain): "
                                                       "the party figures are empty; check the parties' hashtags"), unmatched_lines(nothing, old)
    with open_study(euref_study) as st:
        cov = party_coverage(st, EUREF)
        assert cov is not None
        said = dominant_lines(st, cov, EUREF)
    assert said and all(s.startswith("side ") and "named the side;" in s for s in said), said


def test_the_reports_pointers_name_the_sides_section(tmp_path: Path) -> None:
    """The headline's narrow-interval note sent a referendum's reader to "the Parties section", which
    is titled Sides there; the no-election-posts banner said "names any of its parties"."""
    from botwatch.report.caveats import no_election_posts
    from botwatch.report.section_parties import _narrow_note

    heavy = {"accounts": 13, "name": "Leave", "share": 0.86}
    with contest_words_for(contest_words(EUREF)):
        assert "(the Sides section says how narrow)" in _narrow_note(heavy, 5)
    assert "(the Parties section says how narrow)" in _narrow_note(heavy, 5)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE post_labels (election VARCHAR, in_election BOOLEAN)")
        st.sql("INSERT INTO post_labels VALUES ('uk-euref2016', false)")
        said = no_election_posts(st, EUREF)
    assert said is not None and "names any of its sides (Leave, Remain)" in said, said


def test_methods_quotes_the_lexicons_own_word(euref_study: Path) -> None:
    """Methods named the words VADER's score is corrected for in the contest's words, so a
    referendum's report said '"side", "vote" neutral': the lexicon neutralises "party", not "side"."""
    from botwatch.content.sentiment import POLITICAL_LEXICON
    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods

    with open_study(euref_study) as st, contest_words_for(contest_words(EUREF)):
        text = _plain(methods(st, report_context(st, {"election": EUREF})).html)
    assert '("party", "vote" neutral;' in text and "side" not in POLITICAL_LEXICON, text


def test_a_side_nothing_can_match_is_called_a_side(tmp_path: Path) -> None:
    """`elections check` said "ok: … with 3 sides" and then "party abstain has no hashtags …"."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.content.party_coverage import PartyCoverage, unmatched_lines

    toml = tmp_path / "three.toml"
    toml.write_text(EUREF_FILE.read_text(encoding="utf-8") + '\n[[parties]]\nkey = "abstain"\nname = "Abstain"\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["elections", "check", str(toml)])
    out = " ".join(res.output.split())
    assert "with 3 sides" in out and "side abstain has no hashtags, keywords or accounts" in out, out
    three = load_election(toml)
    cov = PartyCoverage({"leave": 2, "remain": 1, "abstain": 0}, {"leave": 2, "remain": 1}, 3, 3)
    assert unmatched_lines(cov, three) == ["side abstain has no hashtags, keywords or accounts, so no post can match it"]


def test_the_impact_line_with_no_note_says_no_side() -> None:
    from botwatch.timeline.report import impact_missing

    with contest_words_for(contest_words(EUREF)):
        said = impact_missing(None, {"impact"}, [])  # type: ignore[arg-type]  # the study is not read on this path
    assert "but no side had enough time buckets" in said, said
    assert "but no party had enough time buckets" in impact_missing(None, {"impact"}, [])  # type: ignore[arg-type]


def test_the_words_follow_the_election_the_estimates_were_made_with(euref_study: Path, tmp_path: Path) -> None:
    """The newest run's election (a later `analyze --only accounts --election uk-ge2017`) set the
    words, while the Parties section shows the estimates' election: Leave and Remain under "Parties"."""
    from botwatch.report.build import build_report

    with open_study(euref_study) as st:
        out = build_report(st, tmp_path / "r.html", ctx={"election": load_election("uk-ge2017")}, exports=False)
    page = _plain(out.read_text(encoding="utf-8"))
    assert "Sides: support, opposition and sentiment" in page and "Per side, campaign window" in page, re.findall(r".{40}support, opposition.{20}", page)


def test_a_template_rendered_without_cw_says_the_current_reports_words() -> None:
    """A macro imported without the context, or a template a test or plugin renders itself, has no
    `cw` of its own: it raised UndefinedError (the office-hours headline did). The environment's
    `cw` reads the words of the report being made."""
    from botwatch.elections.contest import ContestWords, contest_words_for
    from botwatch.report.sections import ENV

    tpl = ENV.from_string("{{ cw.one }}/{{ cw.Many }}")
    assert tpl.render() == "party/Parties"
    with contest_words_for(ContestWords("side", "sides")):
        assert tpl.render() == "side/Sides"
    assert tpl.render() == "party/Parties"


def test_the_timeline_series_and_the_content_line_say_side(euref_study: Path) -> None:
    """The timeline's series read "party: Leave" beside a "By side" chart, and `analyze`'s content
    line counted "post-party rows" of a referendum."""
    from botwatch.timeline.series import series_label

    assert series_label(EUREF, "party", "leave") == "side: Leave"
    assert series_label(EUREF, "party_group", "leave | likely automated") == "side and group: Leave, by likely automated accounts"
    old = election_from_text(_with_contest(""), "old.toml")
    assert series_label(old, "party", "leave") == "party: Leave"
    content = next(line for line in ANALYZE_LOG if line.startswith("content: "))
    assert "7 post-side rows" in content and "naming several sides" in content and "part" not in content.replace("parts", ""), content


def test_content_evaluate_says_side(euref_study: Path, tmp_path: Path) -> None:
    """`content evaluate` said "party matching on labelled posts" and "stance (post, party)" of Leave and Remain."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    labels = tmp_path / "labels.csv"
    labels.write_text("post_id,party,stance,sentiment\n0,leave,support,positive\n4,remain,support,positive\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["content", "evaluate", str(euref_study), str(labels), "--no-record", "--boot", "10"])
    out = " ".join(res.output.split())
    assert res.exit_code == 0 and "side matching on labelled posts" in out, out
    assert "support: all sides" in out, out
    assert not re.search(r"\b[Pp]art(y|ies)\b", out), re.findall(r".{60}\b[Pp]art(?:y|ies)\b.{20}", out)


def test_the_stance_evidence_says_side_and_keeps_the_posts_words(tmp_path: Path) -> None:
    """A referendum's `post_party.stance_evidence` read "a phrase naming the party" and "[party]";
    a word of the post (quoted) is kept as written."""
    import pyarrow as pa

    from botwatch.content.evidence_words import contest_evidence

    texts = ["Remain would be a disaster for the party and for Britain, we must leave the EU", "Brexit is great, vote Remain is wrong, Leave means freedom"]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(_tweet(i, t)) + "\n" for i, t in enumerate(texts)))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "t.jsonl")])
        analyze(st, Context(election=EUREF, log=lambda m: None), only=["content"])
        said = [e for (e,) in st.sql("SELECT stance_evidence FROM post_party WHERE stance_rule = 'model'")]
    assert said and any(" side" in e for e in said), said
    outside_quotes = [re.sub(r"“[^”]*”", "", e) for e in said]
    assert not any(re.search(r"\b[Pp]art(y|ies)\b", e) for e in outside_quotes), said
    side = contest_words(EUREF)
    got = contest_evidence(pa.array(["“[party] party”; a retweet of the party's account", "sentiment_single_party", None]), side).to_pylist()
    assert got == ["“[side] party”; a retweet of the side's account", "sentiment_single_party", None]
