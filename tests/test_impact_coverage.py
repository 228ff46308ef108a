"""The impact comparison says what it compares and what it leaves out: the review found `botwatch
impact` and the report's "automated vs the rest" silently dropping the posts of accounts without a
bot probability (about 70% of a real study's posts), while calling the second series "the rest".
A generated study: 7 likely automated accounts whose volume leads 7 accounts scored below 0.5,
plus unscored accounts (3 with no profile facts, 2 not in the scores at all) posting about the
same party."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from botwatch import open_study

pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
from botwatch.pipeline import Context, analyze

from test_timeline import election, write_posts, write_table
from testsupport.lead_series import leading_counts

START = datetime(2017, 5, 1)


@pytest.fixture(scope="module")
def mixed_path(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The study, analysed once (timeline and impact), and the posts each group wrote."""
    path = tmp_path_factory.mktemp("impact_cov") / "mixed.duckdb"
    rng = np.random.default_rng(4)
    hours = 24 * 30
    bot_n, human_n = leading_counts(rng, hours)
    other_n = rng.poisson(6.0, size=hours)  # unscored accounts: most of the talk, as on the real study
    posts = []
    for t in range(hours):
        for who, n, k in (("b", bot_n[t], 7), ("h", human_n[t], 7), ("u", other_n[t], 5)):
            for i in range(int(n)):
                posts.append(dict(post_id=f"{who}{t}-{i}", platform="twitter", account_id=f"{who}{i % k}",
                                  created_at=START + timedelta(hours=t, minutes=int(rng.integers(60))), kind="original"))
    scores = [dict(platform="twitter", account_id=f"{w}{i}", bot_probability=0.9 if w == "b" else 0.1) for w in "bh" for i in range(7)]
    scores += [dict(platform="twitter", account_id=f"u{i}", bot_probability=None) for i in range(3)]  # u3, u4: no row at all
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
        write_table(st, "account_scores", scores)
        write_table(st, "post_party", [dict(platform="twitter", post_id=p["post_id"], account_id=p["account_id"], created_at=p["created_at"], party="labour",
                                            stance="neutral", stance_rule="test", sentiment=float(rng.normal(0, 0.3))) for p in posts])
        analyze(st, Context(election=election(), log=lambda m: None), only=["timeline", "impact"])
    counts = {w: sum(1 for p in posts if p["post_id"].startswith(w)) for w in "bhu"}
    return path, counts


@pytest.fixture()
def mixed(mixed_path: tuple[Path, dict[str, int]], tmp_path: Path) -> tuple[Path, dict[str, int]]:
    shutil.copy(mixed_path[0], tmp_path / "mixed.duckdb")
    return tmp_path / "mixed.duckdb", mixed_path[1]


def test_each_impact_row_says_what_its_series_hold_and_leave_out(mixed: tuple[Path, dict[str, int]]) -> None:
    path, n = mixed
    with open_study(path, read_only=True) as st:
        got = st.sql("SELECT DISTINCT posts_automated, posts_rest, posts_unscored, accounts_automated, accounts_rest, accounts_unscored, unscored_why "
                     "FROM impact WHERE party = 'labour'")
    assert len(got) == 1
    pa_, pr, pu, aa, ar, au, why = got[0]
    assert (pa_, pr, pu) == (n["b"], n["h"], n["u"]) and (aa, ar, au) == (7, 7, 5)
    assert "3 of those accounts have no profile facts the bot model reads" in why
    assert "2 are not in the account scores" in why


def test_the_command_prints_the_posts_and_accounts_left_out(mixed: tuple[Path, dict[str, int]]) -> None:
    from botwatch.cli import app

    path, n = mixed
    res = CliRunner().invoke(app, ["impact", str(path), "--party", "labour", "--freq", "3h"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    total = sum(n.values())
    assert f"the test compares {n['b']:,} posts by 7 likely automated accounts (bot probability ≥ 0.5) with {n['h']:,} posts by 7 accounts scored below 0.5" in out
    # The study's election ('test', made in this file) cannot be loaded here: the party is its key as written.
    assert f"{n['u']:,} of the {total:,} posts naming labour in the window ({n['u'] / total:.0%}), by 5 accounts, are in neither series" in out
    # the direction cell may wrap inside its table column at some widths: test its words, not the line
    assert "other scored accounts" in out and "the rest" not in out
    # Each test's p was printed alone with nothing saying it was uncorrected: q is beside it now.
    assert "q: p adjusted for the 4 tests above (Benjamini-Hochberg)" in out


def test_the_report_section_and_headline_say_it_too(mixed: tuple[Path, dict[str, int]]) -> None:
    from botwatch.timeline.report import time_section

    path, n = mixed
    total = sum(n.values())
    with open_study(path, read_only=True) as st:
        sec = time_section(st, {"election": election()})
    assert sec is not None
    html = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", str(sec.html)))
    impact = html[html.index("Impact: do automated accounts lead the other scored accounts?"):]
    assert "Accounts the bot model could not score are in neither series" in impact
    assert f"{n['u']:,} of the {total:,} posts naming Labour in the window" in impact
    # The peak is the largest of several horizons, its band that horizon's own: said, not implied exact.
    assert "with that horizon's own 95% band: a band that does not allow for picking the largest" in impact
    heads = [re.sub(r"\s+", " ", re.sub("<[^>]+>", "", str(h))) for h in sec.headline]
    lead = [h for h in heads if "Granger-predicts" in h]
    assert lead, heads  # the planted lead is a finding
    assert "that of the other scored accounts (bot probability below 0.5)" in lead[0]
    assert f"{n['u']:,} of the {total:,} posts naming Labour in the window ({n['u'] / total:.0%}) are by accounts without a bot probability" in lead[0]


def test_a_party_with_too_few_scored_posts_still_says_what_was_left_out(mixed: tuple[Path, dict[str, int]]) -> None:
    from botwatch.impact.stage import run_impact

    path, n = mixed
    with open_study(path, read_only=False) as st:
        rows, _, notes = run_impact(st, "labour", "1h", start=START, end=START + timedelta(hours=8), name="Labour")
    assert rows == [], notes
    assert notes[0].startswith("Labour: too few posts for a lead-lag test (likely automated "), notes
    assert "other scored accounts" in notes[0]
    assert any("are in neither series and so in neither side of the comparison" in x and "posts naming Labour" in x for x in notes[1:]), notes


def test_an_impact_table_from_before_the_coverage_columns_takes_new_rows(mixed: tuple[Path, dict[str, int]]) -> None:
    """`botwatch impact --party` on a study an older botwatch analysed adds its rows beside the old
    ones (the old rows keep NULL coverage), instead of failing on a column count."""
    from botwatch.cli import app

    path, _ = mixed
    with open_study(path, read_only=False) as st:
        st.sql("CREATE OR REPLACE TABLE impact AS SELECT * EXCLUDE (posts_automated, posts_rest, posts_unscored, accounts_automated, accounts_rest, "
               "accounts_unscored, unscored_why) FROM impact")
    res = CliRunner().invoke(app, ["impact", str(path), "--party", "labour", "--freq", "3h"])
    assert res.exit_code == 0, res.output
    with open_study(path, read_only=True) as st:
        by_freq = dict(st.sql("SELECT freq, count(posts_unscored) FROM impact GROUP BY 1"))
    assert by_freq == {"1h": 0, "3h": 4}


def test_the_command_names_the_party_as_its_election_does(mixed: tuple[Path, dict[str, int]]) -> None:
    """With an election it can load, `botwatch impact` titles its table and words its sentence
    with the party's name ("Labour"), not the key typed after --party."""
    from botwatch.cli import app

    path, _ = mixed
    res = CliRunner().invoke(app, ["impact", str(path), "--party", "labour", "--freq", "3h", "--election", "uk-ge2017"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "Labour: likely automated vs other scored accounts" in out and "posts naming Labour in the window" in out, out
    assert "naming labour" not in out and "labour:" not in out


def _text(html: object) -> str:
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", str(html)))


def test_a_start_end_window_is_recorded_and_said_wherever_its_rows_are_read(mixed: tuple[Path, dict[str, int]]) -> None:
    """`botwatch impact --start/--end` replaced the party's rows at that frequency with rows of
    another window, stored without it: the report then called them "posts naming Labour in the
    window" (the election's), and nothing said which window the test covered or how the unaligned
    bounds had been trimmed to whole buckets."""
    from botwatch.cli import app
    from botwatch.timeline.report import time_section

    path, _ = mixed
    res = CliRunner().invoke(app, ["impact", str(path), "--party", "labour", "--freq", "3h", "--start", "2017-05-03 10:30", "--end", "2017-05-20 12:10"],
                             env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "Window tested: 2017-05-03 12:00 UTC to 2017-05-20 12:00 UTC, the whole 3h buckets of --start 2017-05-03 10:30 … --end 2017-05-20 12:10." in out
    assert "posts naming labour between 2017-05-03 12:00 UTC and 2017-05-20 12:00 UTC (" in out and "in the window" not in out
    with open_study(path, read_only=True) as st:
        got = st.sql("SELECT DISTINCT freq, window_start, window_end, window_custom FROM impact ORDER BY freq")
        sec = time_section(st, {"election": election()})
    # the analysed 1h rows: the election's window (19 April 23:00 UTC, midnight in London), whole hours
    assert got == [("1h", datetime(2017, 4, 19, 23), datetime(2017, 6, 8, 22, 59, 59, 999999), False), ("3h", datetime(2017, 5, 3, 12), datetime(2017, 5, 20, 11, 59, 59, 999999), True)]
    assert sec is not None
    html = _text(sec.html)
    impact = html[html.index("Granger causality in a two-variable VAR"):]
    assert "2017-05-03 12:00 UTC to 2017-05-20 12:00 UTC (set with --start/--end)" in impact and "the election's" in impact
    heads = [_text(h) for h in sec.headline if "at 3h" in _text(h)]
    assert heads and "at 3h from 2017-05-03 12:00 UTC to 2017-05-20 12:00 UTC (a window set with --start/--end, not the election's)" in heads[0]
    res = CliRunner().invoke(app, ["status", str(path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert ("impact: labour at 3h covers 2017-05-03 12:00 UTC to 2017-05-20 12:00 UTC (set with --start/--end), not the election's window"
            in " ".join(res.output.split()))


def test_the_election_window_reads_as_before_and_old_rows_as_the_election_window(mixed: tuple[Path, dict[str, int]]) -> None:
    """Without --start/--end nothing new is said beyond the window tested; a table from before the
    window columns reads as the election's window in the report and `status`, and takes new rows."""
    from botwatch.cli import app
    from botwatch.timeline.report import time_section

    path, _ = mixed
    with open_study(path, read_only=False) as st:
        st.sql("CREATE OR REPLACE TABLE impact AS SELECT * EXCLUDE (window_start, window_end, window_custom) FROM impact")
        sec = time_section(st, {"election": election()})
    assert sec is not None and "Window" not in _text(sec.html) and "--start" not in _text(sec.html)
    res = CliRunner().invoke(app, ["status", str(path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0 and "impact: labour" not in res.output, res.output
    res = CliRunner().invoke(app, ["impact", str(path), "--party", "labour", "--freq", "3h"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "Window tested: the first post to the last post, the whole 3h buckets of the study (the election's window is not known here)." in " ".join(res.output.split())
    with open_study(path, read_only=True) as st:
        assert st.sql("SELECT DISTINCT freq, window_custom FROM impact ORDER BY freq") == [("1h", None), ("3h", False)]


def test_an_impact_headline_gives_its_own_tests_coverage(mixed: tuple[Path, dict[str, int]]) -> None:
    """The headline on a --start/--end test at 3h gave the party's widest coverage (the election
    window's at 1h: "12,105 posts naming Labour in the window"), counts its test never read."""
    from botwatch.cli import app
    from botwatch.timeline.report import time_section

    path, _ = mixed
    res = CliRunner().invoke(app, ["impact", str(path), "--party", "labour", "--freq", "3h", "--start", "2017-05-03 10:30", "--end", "2017-05-20 12:10"])
    assert res.exit_code == 0, res.output
    with open_study(path, read_only=True) as st:
        unscored, total = st.sql("SELECT any_value(posts_unscored), any_value(posts_automated + posts_rest + posts_unscored) FROM impact WHERE freq = '3h'")[0]
        sec = time_section(st, {"election": election()})
    assert sec is not None
    heads = [_text(h) for h in sec.headline if "Granger-predicts" in _text(h)]
    three = [h for h in heads if "at 3h" in h]
    assert three, heads
    assert f"{unscored:,} of the {total:,} posts naming Labour between 2017-05-03 12:00 UTC and 2017-05-20 12:00 UTC" in three[0], three[0]
    assert all("12,105" not in h for h in three)
    assert any("12,105 posts naming Labour in the window" in h for h in heads if "at 1h" in h)


def test_the_section_reads_the_coverage_columns_once(mixed: tuple[Path, dict[str, int]]) -> None:
    """The section read the impact table's coverage columns twice (by party for its table, by party
    and frequency for its headlines): one read serves both, with the same coverage in each."""
    from botwatch.timeline.report import impact_coverage, time_section

    path, _ = mixed
    with open_study(path, read_only=True) as st:
        by_party, by_freq = impact_coverage(st, election()), impact_coverage(st, election(), by_freq=True)
        reads: list[str] = []
        sql = st.sql

        def counting(query: str, params: list | None = None):  # type: ignore[no-untyped-def,type-arg]
            if "FROM impact WHERE posts_automated IS NOT NULL" in query:
                reads.append(query)
            return sql(query, params)

        st.sql = counting  # type: ignore[method-assign]
        sec = time_section(st, {"election": election()})
    assert sec is not None and len(reads) == 1, reads
    assert set(by_party) == {"labour"} and {k[0] for k in by_freq} == {"labour"} and by_party["labour"] == max(by_freq.values(), key=lambda c: c["posts"])
