"""Sentences of the report read against the study's own tables on archives of ordinary (non-troll)
election talk (the third truth pass, 2026-12-03 night; docs/methods.md "Report truth on real
ordinary archives"). The real archives (../shared/data/ordinary) were read; each test here holds
one sentence that said more than its figure, reproduced on a small constructed archive shaped like
gop-debate-2015: one night of posts, handles as account keys, profile locations and v1.1 time
zones, mostly retweets, no language tag, nothing in the us-2016 election window."""

from __future__ import annotations

import csv
import gzip
import html
import re
from pathlib import Path
from typing import Iterator

import pytest

# The column map docs/ingest-csv.md gives for gop-debate-2015.
GOP_COLUMNS = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet,location=user_location,time_zone=user_time_zone"
# Where the constructed accounts say they are: most at home (US), some abroad, some nowhere.
PLACES = [("Ohio, USA", "Eastern Time (US & Canada)")] * 30 + [("Texas", "Central Time (US & Canada)")] * 14 + [
    ("Toronto, Canada", "Eastern Time (US & Canada)"), ("London, UK", "London"), ("Sydney, Australia", "Sydney"),
    ("Dublin, Ireland", "Dublin"), ("Berlin, Germany", "Berlin"), ("Vancouver, Canada", "Pacific Time (US & Canada)"),
] + [("", "")] * 10
WORDS = ["the debate tonight was something", "who won the debate? I think the governor did well", "that answer on taxes was weak",
         "the moderators were tough on everyone", "watching with friends and the room is divided", "a long night for the candidates"]


def _plain(markup: object) -> str:
    """The text a reader sees: tags dropped, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", str(markup))).split())


def _archive(path: Path) -> Path:
    """One night (2015-08-07 UTC) of posts: 60 accounts, most posting once (a retweet), six
    posting a dozen times (four of those only retweets), as in gop-debate-2015."""
    rows = []
    for i, (loc, tz) in enumerate(PLACES):
        n = 12 if i % 10 == 0 else 1
        for j in range(n):
            retweet = i % 10 != 5 and (n == 1 or i % 20 == 0 or j % 2 == 0)
            text = f"{'RT @news: ' if retweet else ''}{WORDS[(i + j) % len(WORDS)]} #GOPDebate {i}-{j}"
            rows.append({"author": f"viewer{i:02d}", "created_at": f"2015-08-07T{1 + (i + 3 * j) % 14:02d}:{(7 * i + j) % 60:02d}:{(13 * j) % 60:02d}Z",
                         "text": text, "is_retweet": str(retweet).lower(), "user_location": loc, "user_time_zone": tz})
    with gzip.open(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def one_night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The constructed archive ingested with the documented map and analysed under us-2016,
    whose window (2016-09-01 to 2016-11-15) it misses, as gop-debate-2015 does."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    runner = CliRunner()
    d = tmp_path_factory.mktemp("truth3")
    study = d / "night.duckdb"
    r = runner.invoke(app, ["ingest", str(study), str(_archive(d / "night.csv.gz")), "--columns", GOP_COLUMNS])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["analyze", str(study), "--election", "us-2016"])
    assert r.exit_code == 0, r.output
    yield study


@pytest.fixture(scope="module")
def page(one_night: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The whole report of the constructed archive, as a reader sees its text."""
    from botwatch.report.build import build_report
    from botwatch.study import open_study

    out = tmp_path_factory.mktemp("truth3-report") / "report.html"
    with open_study(one_night) as st:
        build_report(st, out, exports=False, strict=True)
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", out.read_text(encoding="utf-8"), flags=re.S)
    return _plain(text)


def test_no_election_post_at_all_is_not_a_finding_about_foreign_accounts(page: str) -> None:
    """gop-debate-2015 and brexit-2016 (both outside their election's window: 0 election posts)
    read "No election post in the campaign window came from foreign-origin accounts": true of an
    empty set, read as a finding that foreign-origin accounts stayed out of the campaign."""
    assert "No election post in the campaign window came from foreign-origin accounts" not in page
    assert ("The study holds no election post in the campaign window, so whether any came from foreign-origin accounts "
            "(probability of being run from outside the election's country ≥ 0.5) is not measured here.") in page


def test_the_foreign_count_says_it_rests_on_what_profiles_claim(page: str) -> None:
    """brexit-2016 headlined "6,371 expected foreign-origin accounts …; 5,471 of them, 29% [28–30%],
    are counted as foreign" beside the check of Russia alone: 5,464 of the 5,471 were placed by the
    place their own profile names (US 2,235, CA 328, IE 294 …), people abroad talking about the
    referendum; nothing said so, or that foreign origin is no sign of a campaign."""
    clause = ("all 6 name a place in their own profile and are most likely outside US: a claim, and people "
              "outside US talk about its elections too; foreign origin alone is no sign of a campaign")
    assert page.count(clause) == 2  # the key number and the accounts headline
    from botwatch.origin_counted import Counted

    assert "own profile" not in Counted(k=232, k_home=6, k_language=51, n_language=60, k_place=109).clause("US")  # not most of the count


def test_the_posing_blind_spot_is_said_without_platform_language_tags(page: str) -> None:
    """gop-debate-2015: 4,826 of 5,211 accounts with origin evidence write mostly English (detected
    offline: the CSV has no language tag) and are placed in the US, the kind of account the origin
    model misses when it is a troll posing as a local; the note that says so (and that the foreign
    count is a floor for them) read only the platform's tags, so it never stood on a CSV archive."""
    assert re.search(r"\d+ of the 51 accounts with origin evidence \(\d+%\) post mostly in English and are placed in US", page)
    assert "The foreign count is a floor for accounts like these." in page


def test_the_amplification_signal_is_known_only_where_it_can_be_decided(one_night: Path) -> None:
    """gop-debate-2015's signal table read "80%+ retweets: known for 6,517 accounts, showing it 12":
    the signal needs 10+ posts, which 34 accounts had; 3,644 accounts posted only retweets but
    fewer than 10 posts and were counted as known not to amplify."""
    from botwatch.study import open_study

    with open_study(one_night) as st:
        known, shown, decidable = st.sql("SELECT count(amplifier), count(*) FILTER (WHERE amplifier), "
                                         "count(*) FILTER (WHERE n_posts >= 10 AND retweet_share IS NOT NULL) FROM account_features")[0]
    assert (known, shown) == (decidable, 3) and decidable == 6


def test_a_one_day_study_draws_its_timelines(page: str) -> None:
    """gop-debate-2015 (9,089 posts on 2015-08-07) drew "No data in this period" for every daily
    timeline: a span of one UTC day has no width. It is drawn by hour, and the line above it calls
    the days shown the study's days, not the campaign window they are outside of, and says that
    none of the preset's events falls in them, where it read "Dashed lines mark the preset's key
    events (9 …)" over charts without one."""
    assert "No data in this period" not in page
    assert "All posts: posts per UTC hour (one series)" in page
    assert "2015-08-07 00:00" in page and "23:00 UTC" in page  # the hourly chart's ends, not the same date twice
    assert "No bursts in the window" not in page and "No bursts in the days shown." in page
    # The hour-of-day curves of one night are the night's event, not where accounts live.
    assert "Accounts living elsewhere shift this curve" not in page
    assert "All of them fall on one UTC day, so the curves show when that day's talk happened" in page
    assert "Campaign window shown" not in page
    assert ("Days shown: 2015-08-07 to 2015-08-07 (UTC days), the study's own: none falls in the election's window. "
            "None of the election's 9 key events falls in these days.") in page


def test_no_stance_rule_table_without_election_posts(page: str) -> None:
    """With no election post the stance details showed a table head with no rows ("0 rules
    fired") and "0 election posts have no sentiment …; 0 had no language tag …"."""
    assert "0 rules fired" not in page
    assert "0 election posts have no sentiment" not in page


def test_a_sample_rate_for_an_archive_of_unknown_collection_is_the_users_claim(one_night: Path, tmp_path: Path) -> None:
    """brexit-2016 (a keyword scrape, read with `--columns`) analysed with `--sample-rate 0.01`
    read "Counts are scaled to the whole platform by 1 / 0.01 (the share of posts the archive
    holds)", and unscaled "give --sample-rate to scale them to the platform": how the archive was
    collected is not known to botwatch, and a keyword collection is no uniform sample at any rate."""
    import shutil

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.context import report_context
    from botwatch.report.section_parties import parties_section
    from botwatch.study import open_study

    def parties(study: Path) -> str:
        with open_study(study) as st:
            section = parties_section(st, report_context(st))
        assert section is not None
        return _plain(section.html)

    unscaled = parties(one_night)
    assert ("give --sample-rate to scale them to the platform only if the archive is a uniform sample of it at a known rate "
            "(how this one was collected is not known to botwatch; a keyword search or scrape is no such sample).") in unscaled
    study = tmp_path / "scaled.duckdb"
    shutil.copy(one_night, study)
    r = CliRunner().invoke(app, ["analyze", str(study), "--only", "estimates", "--sample-rate", "0.01"])
    assert r.exit_code == 0, r.output
    scaled = parties(study)
    assert "(the share of posts the archive holds)" not in scaled
    assert ("Counts are scaled to the whole platform by 1 / 0.01 (the share of posts the analysis was told the archive holds: how it was "
            "collected is not known to botwatch, and only a uniform sample of the platform at that rate makes these platform figures, "
            "which a keyword search or scrape is not).") in scaled


def test_the_scaled_headline_of_an_archive_of_unknown_collection_says_the_rate_is_unchecked() -> None:
    """The scaled support headline read "Scaled to the whole platform (the archive holding 1% of
    posts)" whatever the archive was; for one whose collection botwatch does not know it says the
    rate is what the analysis was told."""
    from types import SimpleNamespace

    from botwatch.report.sections import render

    def line(unknown: bool) -> str:
        return _plain(render("parties_headline.html.j2", kind="scaled", r=SimpleNamespace(support="1,200", name="Labour"), rate=0.01,
                             scope=SimpleNamespace(filtered=None), own_n=0, no_better=False, lab=None, kin=None, unknown_collection=unknown))

    assert line(False).startswith("Scaled to the whole platform (the archive holding 1% of posts), about 1,200 posts supported Labour")
    assert line(True).startswith("Scaled to the whole platform (the archive taken to hold 1% of posts, as the analysis was told: how it was "
                                 "collected is not known to botwatch, and a keyword search or scrape is no uniform sample), about 1,200")


def test_the_origin_check_beside_the_foreign_count_is_not_called_a_blind_spot(page: str) -> None:
    """The foreign-origin key number read "What the model cannot see: Held out, placed in Russia:
    342/368 Russian-language IRA accounts, … 16/13,186 ordinary (0.12%)": what the model was
    checked on, under the label of what it misses (the headline says "What the origin model was
    checked on")."""
    assert "What the model cannot see: Held out" not in page
    assert page.count("What the origin model was checked on: Held out, placed in Russia") == 2
