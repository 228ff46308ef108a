"""An election whose parties match nothing must say so: at `elections check` (a party with nothing
to match on; `leader` is display-only), after `analyze` (a party that matched no post, and no post
in the election at all) and in the report (such a party listed, not dropped; a banner when no post
belongs to the election). All of these analysed "ok" and reported zeros in silence."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.elections import load_election

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()

HEAD = ('key = "{key}"\nname = "Test election"\ncountry = "GB"\ntimezone = "Europe/London"\n'
        'trigger_date = 2017-04-18\npolling_day = 2017-06-08\n\n')


def _election(tmp_path: Path, parties: str, key: str = "test-el") -> Path:
    f = tmp_path / f"{key}.toml"
    f.write_text(HEAD.format(key=key) + parties, encoding="utf-8")
    return f


LEADER_ONLY = '[[parties]]\nkey = "rep"\nname = "Republicans"\nleader = "Donald Trump"\n\n'
LABOUR = '[[parties]]\nkey = "lab"\nname = "Labour"\nkeywords = ["labour"]\n\n'
GHOST = '[[parties]]\nkey = "ghost"\nname = "Ghost party"\nhashtags = ["NoSuchTagAnywhere"]\n\n'


def test_check_warns_for_a_party_with_nothing_to_match_on_and_says_leader_is_display_only(tmp_path: Path) -> None:
    res = runner.invoke(app, ["elections", "check", str(_election(tmp_path, LABOUR + LEADER_ONLY))])
    assert res.exit_code == 0, res.output
    assert "party rep has no hashtags, keywords or accounts" in res.output
    assert "'Donald Trump' is display-only" in res.output
    assert "party lab" not in res.output


def test_the_shipped_presets_parties_all_have_something_to_match_on() -> None:
    for key in ("uk-ge2017", "us-2016"):
        assert all(p.matchable for p in load_election(key).parties), key


def _study(tmp_path: Path) -> Path:
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    return study


def test_analyze_warns_per_party_that_matched_no_post(tmp_path: Path) -> None:
    study = _study(tmp_path)
    res = runner.invoke(app, ["analyze", str(study), "--election", str(_election(tmp_path, LABOUR + LEADER_ONLY + GHOST)), "--only", "content"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "party ghost (Ghost party) matched 0 election posts" in out
    assert "party rep has no hashtags, keywords or accounts" in out
    assert "party lab" not in out and "no post in the study" not in out


def test_analyze_says_loudly_when_no_post_belongs_to_the_election(tmp_path: Path) -> None:
    study = _study(tmp_path)
    res = runner.invoke(app, ["analyze", str(study), "--election", str(_election(tmp_path, GHOST + LEADER_ONLY)), "--only", "content"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "no post in the study belongs to the Test election conversation" in out
    assert "(ghost, rep)" in out
    assert "party ghost (Ghost party) matched 0 election posts" in out


def _report(tmp_path: Path, parties: str) -> str:
    study = _study(tmp_path)
    res = runner.invoke(app, ["analyze", str(study), "--election", str(_election(tmp_path, parties)), "--only", "estimates", "--with-deps"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    return out.read_text(encoding="utf-8")


def test_the_report_lists_a_party_that_matched_nothing_instead_of_dropping_it(tmp_path: Path) -> None:
    html = _report(tmp_path, LABOUR + LEADER_ONLY + GHOST)
    parties = html[html.index('id="parties"'):]
    assert "<th scope=\"row\">Labour</th>" in parties
    assert "Republicans</th><td colspan=\"8\">0 posts matched: the election file gives it no hashtags, keywords or accounts (its leader&#39;s name is display-only" in parties
    assert "Ghost party</th><td colspan=\"8\">0 posts matched in the campaign window" in parties
    assert 'id="no-election-posts"' not in html


def test_the_report_leads_with_it_when_no_post_belongs_to_the_election(tmp_path: Path) -> None:
    html = _report(tmp_path, GHOST + LEADER_ONLY)
    assert 'id="no-election-posts"' in html
    banner = html[html.index('id="no-election-posts"'):]
    assert banner.index("No post in this study belongs to the Test election conversation") < banner.index('class="keynums"')
    assert "names any of its parties (Ghost party, Republicans)" in banner  # it listed their keys, "(ghost, rep)"
    assert "Ghost party: 0 posts matched in the campaign window" in html


# -- F-EL8: stance is modelled for English only ------------------------------------------------------
IRA_HEAD = "author,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,retweet\n"
RU = ('[[parties]]\nkey = "rep"\nname = "Republicans"\nkeywords = ["трамп", "trump"]\nhashtags_pro = ["MAGA"]\n\n')


def test_non_english_posts_without_a_cue_are_left_out_of_the_stance_shares(tmp_path: Path) -> None:
    """A Russian post naming the party with no cue got "neutral" (rule no_cue) and counted in the
    support/oppose shares' denominator: a German or Russian election read as a calm conversation."""
    rows = [f"en{i},Trump rally tonight #MAGA,United States,English,2017-05-0{1 + i} 10:00:00,2017-05-0{1 + i} 10:00:00,1,1,1,,0"
            for i in range(6)]
    rows += [f"ru{i},Трамп выступил сегодня в Неваде,Russia,Russian,2017-05-0{1 + i} 11:00:00,2017-05-0{1 + i} 11:00:00,1,1,1,,0"
             for i in range(4)]
    csv = tmp_path / "ira.csv"
    csv.write_text(IRA_HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(csv)]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--election", str(_election(tmp_path, RU)), "--only", "estimates", "--with-deps"])
    assert res.exit_code == 0, res.output
    from botwatch import open_study

    with open_study(study) as st:
        # The labels themselves do not change: English posts by their cue, Russian ones no_cue.
        assert sorted(st.sql("SELECT lang, stance, stance_rule, count(*) FROM post_party GROUP BY ALL")) == [
            ("en", "support", "pro_hashtag", 6), ("ru", "neutral", "no_cue", 4)]
        v = dict(st.sql("SELECT metric, observed FROM estimates WHERE period='campaign' AND account_group='all' AND party='rep'"))
    assert v["posts"] == 10 and v["stance_measured_posts"] == 6 and v["neutral_posts"] == 0
    assert v["support_share"] == 1.0  # 6 of the 6 measured, not 6 of 10
    out = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"]).exit_code == 0
    text = " ".join(out.read_text(encoding="utf-8").split())
    assert "4 post-party pairs in other languages than English that carry no explicit cue" in text
    assert "4 not in English and without a party cue are left out" in text


# -- F-EL4, F-EL7, F-CLI4 ------------------------------------------------------------------------------
def test_parties_without_a_colour_get_distinct_palette_colours(tmp_path: Path) -> None:
    from botwatch.elections.model import DEFAULT_COLOURS

    coloured = '[[parties]]\nkey = "blue"\nname = "Blue"\ncolour = "#0072b2"\nkeywords = ["blue"]\n\n'
    e = load_election(_election(tmp_path, LABOUR + coloured + GHOST + LEADER_ONLY))
    colours = [p.colour for p in e.parties]
    assert colours[1] == "#0072b2" and len({c.upper() for c in colours}) == 4
    assert all(c in DEFAULT_COLOURS for i, c in enumerate(colours) if i != 1)
    assert "#0072B2" not in colours  # the colour a party chose is not handed out again
    # The shipped presets keep their own colours.
    assert load_election("uk-ge2017").party("labour").colour != DEFAULT_COLOURS[0]


def test_check_warns_for_an_event_outside_the_window_and_says_1_party(tmp_path: Path) -> None:
    ev = '[[events]]\nat = 2019-09-23T09:00:00\nlabel = "Polls open"\nkind = "polling"\n'
    res = runner.invoke(app, ["elections", "check", str(_election(tmp_path, LABOUR + ev))])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert out.startswith("ok: test-el with 1 party and 1 event")
    assert "event 'Polls open' at 2019-09-23 09:00 UTC lies outside the window 2017-04-18 … 2017-06-08" in out
    assert "is of kind polling but falls on 2019-09-23" in out
    ok = runner.invoke(app, ["elections", "check", str(_election(tmp_path, LABOUR + ev.replace("2019-09-23", "2017-06-08"), key="ok-el"))])
    assert "warning" not in ok.output, ok.output


def test_elections_list_lines_up_its_columns() -> None:
    res = runner.invoke(app, ["elections", "list"])
    assert res.exit_code == 0 and "\t" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len({ln.index("window") for ln in lines}) == 1 and len({ln.index(load_election(ln.split()[0]).name) for ln in lines}) == 1


def test_the_shipped_presets_check_clean_with_every_event_in_their_window(tmp_path: Path) -> None:
    """us-2016 listed WikiLeaks' DNC emails (22 July 2016), seven weeks before its own window, so
    `elections check` warned on a copy of the shipped file: a preset should pass its own check."""
    from importlib import resources

    for key in ("uk-ge2017", "us-2016"):
        assert load_election(key).events_outside_window() == [], key
        copy = tmp_path / f"{key}.toml"
        copy.write_text((resources.files("botwatch.elections") / "presets" / f"{key}.toml").read_text(encoding="utf-8"), encoding="utf-8")
        res = runner.invoke(app, ["elections", "check", str(copy)])
        assert res.exit_code == 0 and "outside the window" not in res.output, (key, res.output)


def test_elections_list_shows_the_window_that_decides_which_posts_count() -> None:
    """us-2016 was listed as "called 2015-06-16": an analyst with August 2015 debate tweets picked
    it, and every election table came out empty (its window starts 2016-09-01)."""
    res = runner.invoke(app, ["elections", "list"])
    line = next(ln for ln in res.output.splitlines() if ln.startswith("us-2016 "))
    assert "window 2016-09-01 to 2016-11-15 (America/New_York days)" in line and "called" not in line


def test_a_party_missing_from_a_sample_is_not_blamed_on_its_terms() -> None:
    """A 10% sample of the ordinary Brexit tweets held none of the Green Party's 20 posts, and
    `analyze --sample-rate 0.1` said "check its hashtags, keywords and accounts", which were right:
    with a rate below 1 the line says how many posts the sample could have missed."""
    from types import SimpleNamespace

    from botwatch.content.party_coverage import PartyCoverage, unmatched_lines

    green = SimpleNamespace(key="green", name="Green Party", matchable=True)
    el = SimpleNamespace(name="Test election", parties=[green, SimpleNamespace(key="lab", name="Labour", matchable=True)])
    cov = PartyCoverage({"green": 0, "lab": 206}, {"green": 0, "lab": 206}, 780, 7848)
    sampled = " ".join(unmatched_lines(cov, el, 0.1))
    assert sampled == ("party green (Green Party) matched 0 election posts: a sample at rate 0.1 misses every post of a party the platform "
                       "names up to about 28 times (at 95%), so check its hashtags, keywords and accounts only if it should be named more often than that"), sampled
    # At 0.9 the bound is one post: "up to about 1 times" read as a slip.
    assert "names up to about 1 time (at 95%)" in unmatched_lines(cov, el, 0.9)[0]
    for whole in (None, 1.0, 0.999):  # at 0.999 a sample misses no post at 95%: the terms are the suspect
        assert unmatched_lines(cov, el, whole) == ["party green (Green Party) matched 0 election posts: check its hashtags, keywords and accounts"]
