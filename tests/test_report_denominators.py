"""The top of the report says what its counts are over (F-RP1) and what each kind of bracket means
(F-RP12, F-RP14)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_counts_over_scored_accounts_say_how_many_never_posted(tmp_path: Path) -> None:
    """"418 likely automated accounts — 36% of 1,160 scored accounts" stood beside "409 accounts
    posting": 769 of the scored accounts were only retweeted, mentioned or looked up."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.context import report_context
    from botwatch.report.headlines import key_numbers
    from botwatch.study import open_study

    runner = CliRunner()
    study = tmp_path / "s.duckdb"
    files = [FIX / "twarc2_flat.jsonl", FIX / "twarc2_users.jsonl", FIX / "v1_uklabour.jsonl"]
    assert runner.invoke(app, ["ingest", str(study), *map(str, files)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "accounts", "--with-deps"]).exit_code == 0
    with open_study(study) as st:
        nums = {k.label: k for k in key_numbers(st, report_context(st), set())}
        posting = st.sql("SELECT count(DISTINCT (platform, account_id)) FROM posts")[0][0]
        n, never, k_never, k_post = st.sql(
            "SELECT count(*), count(*) FILTER (WHERE p.a IS NULL), count(*) FILTER (WHERE p.a IS NULL AND bot_probability >= 0.5), "
            "count(*) FILTER (WHERE p.a IS NOT NULL AND bot_probability >= 0.5) FROM account_scores s "
            "LEFT JOIN (SELECT DISTINCT platform, account_id AS a FROM posts) p ON p.platform = s.platform AND p.a = s.account_id "
            "WHERE bot_probability IS NOT NULL")[0]
        known = st.sql("SELECT count(DISTINCT (platform, account_id)) FROM accounts")[0][0]
    assert never > 0  # the fixture has accounts seen only as looked up or mentioned
    bot = nums["likely automated accounts"].detail
    assert (f"of {n} scored accounts have automation probability ≥ 0.5 ({never} of the {n} never posted in the study, seen only as "
            f"retweeted, quoted, mentioned or looked up, and {k_never} of those are likely automated; of the {n - never} that posted, "
            f"{k_post} are likely automated)") in bot
    assert nums["accounts posting"].detail == (f"the study also knows {known - posting} accounts only as retweeted, quoted, mentioned or looked up; "
                                               "the counts below include those scored")
    origin = nums["expected foreign-origin accounts"].detail
    assert re.match(r"\[\d+–\d+, the spread of the model's probabilities taken as exact, not its error\]", origin)
    assert "never posted in the study" in origin


def test_the_glossary_says_what_each_bracket_is() -> None:
    from botwatch.report.sections import render

    f = SimpleNamespace(estimate=2080.0, ci_low=1220.0, ci_high=3030.0, n_accounts=40)
    share = SimpleNamespace(estimate=0.2, ci_low=0.1, ci_high=0.3)
    from botwatch.report.fmt import num, pct_ci

    text = str(render("parties_headline.html.j2", kind="foreign", country="US", f=f, pos=share, neg=share, scaled=False,
                      not_sample=None, rate=None, scope=None, num=num, pct_ci=pct_ci))
    assert "posted 2,080 election posts [1,220–3,030: resampling the accounts; the archive's own count is exact]" in text
    scaled = str(render("parties_headline.html.j2", kind="foreign", country="US", f=f, pos=share, neg=share, scaled=True,
                        not_sample=None, rate=0.01, scope=SimpleNamespace(filtered=False), num=num, pct_ci=pct_ci))
    assert "[1,220–3,030]" in scaled  # a sample scaled up: the bracket is the estimate's uncertainty
    frame = (Path(__file__).resolve().parents[1] / "src" / "botwatch" / "report" / "templates" / "report.html.j2").read_text(encoding="utf-8")
    glossary = " ".join(frame.split())
    assert "the range the true value plausibly lies in" not in glossary
    assert "only the spread of the model's own probabilities, taken as exact and independent" in glossary
    assert "come from resampling accounts" in glossary


def test_the_glossary_says_a_share_of_0_or_100_percent_has_an_exact_bound() -> None:
    """The intro said every share of posts comes from resampling accounts, while a share of exactly
    0% or 100% (which every resample gives again) carries the estimates stage's exact Clopper–Pearson
    bound over its accounts, printed as "[0–17%: an exact bound over 20 accounts]"."""
    from botwatch.report.fmt import pct_ci

    assert "an exact bound over 20 accounts" in pct_ci(0.0, 0.0, 0.1684, accounts=20)
    frame = (Path(__file__).resolve().parents[1] / "src" / "botwatch" / "report" / "templates" / "report.html.j2").read_text(encoding="utf-8")
    intro = " ".join(frame.split("How to read these numbers.")[1].split("</p>")[0].split())
    assert "exactly 0% or 100%" in intro and "exact (Clopper–Pearson) bound over its accounts" in intro
    assert '"an exact bound over 20 accounts"' in intro


def test_one_coordinated_cluster_holds_its_accounts_in_it(tmp_path: Path) -> None:
    """The key number read "1 coordinated cluster / 3 accounts in them" (IRA tweets under a
    user's fr-2017 election file)."""
    from datetime import datetime

    from botwatch.report.headlines import key_numbers
    from botwatch.study import open_study

    from test_timeline import write_posts

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_posts(st, [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i}", created_at=datetime(2017, 5, 1, 9, i), kind="original", text="x")
                         for i in range(4)])
        st.sql("CREATE TABLE cluster_members AS SELECT * FROM (VALUES (0, 'twitter', 'a0'), (0, 'twitter', 'a1'), (0, 'twitter', 'a2')) t(cluster_id, platform, account_id)")
        one = {k.label: k for k in key_numbers(st, {}, set())}["coordinated cluster"]
        st.sql("INSERT INTO cluster_members VALUES (1, 'twitter', 'a3')")
        two = {k.label: k for k in key_numbers(st, {}, set())}["coordinated clusters"]
    assert one.detail == "3 accounts in it"
    assert two.detail == "4 accounts in them"


def test_methods_says_a_share_of_0_or_100_percent_has_an_exact_bound() -> None:
    """Methods said every count and share of the estimates has a bootstrap interval, while a share
    of exactly 0% or 100% carries the estimates stage's exact Clopper–Pearson bound instead."""
    frame = (Path(__file__).resolve().parents[1] / "src" / "botwatch" / "report" / "templates" / "methods.html.j2").read_text(encoding="utf-8")
    text = " ".join(frame.split("from a bootstrap over accounts")[1].split("</dd>")[0].split())
    assert "exactly 0% or 100%" in text and "exact (Clopper–Pearson) 95% bound over the accounts behind it" in text
