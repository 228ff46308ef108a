"""Estimates: the account bootstrap's honesty (coverage by simulation), the stage on the real
sample, the groups from account_scores, the CLI's reference table."""

from __future__ import annotations

import json

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from botwatch.elections import load_election
from botwatch.estimates.bootstrap import cluster_bootstrap, percentile_interval
from botwatch.estimates.compute import EstimateOptions, compute_estimates, parse_window, write_estimates

US = load_election("us-2016")


def test_compressed_multinomial_matches_the_naive_bootstrap() -> None:
    rng = np.random.default_rng(1)
    values = np.column_stack([rng.integers(1, 4, 300), rng.integers(0, 2, 300)]).astype(float)
    fast = cluster_bootstrap(values, 4000, np.random.default_rng(2))
    slow = np.array([values[np.random.default_rng(3 + i).integers(0, 300, 300)].sum(axis=0) for i in range(4000)])
    assert np.allclose(fast.mean(axis=0), values.sum(axis=0), rtol=0.01)
    assert np.allclose(fast.std(axis=0), slow.std(axis=0), rtol=0.08)
    # Same seed, same replicates.
    again = cluster_bootstrap(values, 4000, np.random.default_rng(2))
    assert np.array_equal(fast, again)


def _coverage_of_share(sims: int = 150) -> tuple[float, float]:
    """Accounts differ in how positive they are and in how much they post: the share's interval
    must cover the population value about 95% of the time; a binomial interval over posts should not."""
    rng = np.random.default_rng(7)
    a, b = 2.0, 3.0
    truth = a / (a + b)
    boot_hits = naive_hits = 0
    for _ in range(sims):
        n = 120
        posts = rng.zipf(2.2, n).clip(max=400)
        p = rng.beta(a, b, n)
        pos = rng.binomial(posts, p)
        values = np.column_stack([pos, posts]).astype(float)
        reps = cluster_bootstrap(values, 600, rng)
        lo, hi = percentile_interval(reps[:, 0] / reps[:, 1])
        boot_hits += lo <= truth <= hi
        share = pos.sum() / posts.sum()
        half = 1.96 * np.sqrt(share * (1 - share) / posts.sum())
        naive_hits += share - half <= truth <= share + half
    return boot_hits / sims, naive_hits / sims


def test_bootstrap_over_accounts_covers_where_a_binomial_interval_does_not() -> None:
    boot, naive = _coverage_of_share()
    assert boot >= 0.88, boot
    assert naive < boot - 0.15, (naive, boot)


def test_scaled_count_interval_covers_the_platform_total() -> None:
    """A fixed platform of accounts, a 5% Bernoulli sample of its posts: total / rate with the
    account bootstrap covers the platform's true total (conservatively: between-account
    spread is counted as well as the sampling)."""
    rng = np.random.default_rng(11)
    platform = rng.zipf(1.9, 4000).clip(max=3000)
    truth = platform.sum()
    rate, hits, sims = 0.05, 0, 120
    for _ in range(sims):
        seen = rng.binomial(platform, rate)
        seen = seen[seen > 0].astype(float)[:, None]
        reps = cluster_bootstrap(seen, 500, rng)
        lo, hi = percentile_interval(reps[:, 0] / rate)
        hits += lo <= truth <= hi
    assert hits / sims >= 0.9


def test_window_spec() -> None:
    name, start, end = parse_window("debates=2016-09-26..2016-10-19")
    assert name == "debates" and (end - start).days == 24
    with pytest.raises(ValueError):
        parse_window("nonsense")
    with pytest.raises(ValueError):
        EstimateOptions(sample_rate=0)


@pytest.mark.parametrize("args, said", [
    (["--seed", "-1"], "--seed must be a whole number from 0"),  # numpy: "expected non-negative integer"
    (["--seed", "99999999999999999999"], "--seed must be a whole number from 0"),  # OverflowError writing the table
    (["--reps", "99999999999"], "use at most 100,000 bootstrap replicates"),  # MemoryError: 35.7 TiB
])
def test_a_seed_or_reps_out_of_reach_is_a_usage_error(tmp_path: Path, args: list[str], said: str) -> None:
    """These ended in "This is a bug in botwatch" (exit 1) after the content stage had run."""
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["estimate", str(tmp_path / "none.duckdb"), "-e", "us-2016", *args])
    assert res.exit_code == 2 and said in res.output and "bug" not in res.output, res.output


@pytest.fixture(scope="module")
def labelled(labelled_sample_path: Path) -> Path:
    """The bundled sample labelled for us-2016, once per session (tests copy it before writing)."""
    return labelled_sample_path


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "s.duckdb"
    shutil.copy(src, dst)
    return dst


def test_estimates_on_the_sample(labelled: Path, tmp_path: Path) -> None:
    from botwatch import open_study

    with open_study(_copy(labelled, tmp_path), read_only=False) as st:
        opts = EstimateOptions(sample_rate=0.01, reps=300, seed=5)
        t1 = compute_estimates(st, US, opts, log=lambda m: None)
        t2 = compute_estimates(st, US, opts, log=lambda m: None)
        assert t1.equals(t2)  # deterministic seed
        write_estimates(st, t1)
        rows = st.sql("SELECT metric, observed, estimate, ci_low, ci_high FROM estimates WHERE period='campaign' AND account_group='all' AND party='republican'")
        by = {m: (o, e, lo, hi) for m, o, e, lo, hi in rows}
        o, e, lo, hi = by["support_posts"]
        assert o > 0 and e == pytest.approx(o * 100) and lo <= e <= hi and hi > lo
        o, e, lo, hi = by["positive_share"]
        assert 0 < o < 1 and o == e and 0 <= lo <= o <= hi <= 1
        assert by["accounts"][1] is None  # accounts are never scaled
        # The '*' cell counts every in-election post once.
        n_el = st.sql("SELECT count(*) FROM post_labels WHERE in_election")[0][0]
        assert st.sql("SELECT observed FROM estimates WHERE period='campaign' AND account_group='all' AND party='*' AND metric='posts'")[0][0] == n_el
        # Support + oppose + neutral = the posts whose stance was measured, per party; the others
        # are the non-English posts that only name the party (rule no_cue, or the account prior's
        # answer where the post has no cue of its own), left out of the shares.
        for p in ("republican", "democrat"):
            v = dict(st.sql("SELECT metric, observed FROM estimates WHERE period='campaign' AND account_group='all' AND party=?", [p]))
            assert v["support_posts"] + v["oppose_posts"] + v["neutral_posts"] == v["stance_measured_posts"]
            unread = st.sql("SELECT count(*) FROM post_party WHERE in_election AND party = ? AND coalesce(lang, '') <> 'en' "
                            "AND (stance_rule = 'no_cue' OR (stance_rule IN ('account_prior', 'retweet_neighbours') "
                            "AND NOT list_has_any(signals, ['pro_tag', 'anti_tag', 'pro_kw', 'anti_kw', 'own_account', 'retweet_account', 'quote_account']))) "
                            "AND created_at >= (SELECT min(period_start) FROM estimates WHERE period='campaign') "
                            "AND created_at < (SELECT min(period_end) FROM estimates WHERE period='campaign')", [p])[0][0]
            assert v["posts"] - v["stance_measured_posts"] == unread
            assert v["support_share"] == v["support_posts"] / v["stance_measured_posts"]
        # The last-30-days window holds a subset of the campaign.
        last = st.sql("SELECT observed FROM estimates WHERE period='last_30_days' AND account_group='all' AND party='*' AND metric='posts'")[0][0]
        assert 0 < last < n_el


def test_groups_come_from_account_scores(labelled: Path, tmp_path: Path) -> None:
    from botwatch import open_study

    with open_study(_copy(labelled, tmp_path), read_only=False) as st:
        accounts = [r[0] for r in st.sql("SELECT DISTINCT account_id FROM post_labels WHERE in_election ORDER BY 1")]
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_country VARCHAR, origin_probability DOUBLE, origin_probabilities VARCHAR)")
        split = json.dumps({"RU": 0.45, "UA": 0.40, "US": 0.15})  # 85% outside the US, though no one country reaches 0.5
        home = json.dumps({"US": 0.8, "GB": 0.2})
        for i, a in enumerate(accounts):
            # every third account: foreign by P(outside US) = 0.85; every second: likely automated
            st.sql("INSERT INTO account_scores VALUES ('twitter', ?, ?, ?, ?, ?)", [a, 0.9 if i % 2 == 0 else 0.1, *(("RU", 0.45, split) if i % 3 == 0 else ("US", 0.8, home))])
        t = compute_estimates(st, US, EstimateOptions(reps=200), log=lambda m: None)
        write_estimates(st, t)
        got = dict(((g, m), o) for g, m, o in st.sql("SELECT account_group, metric, observed FROM estimates WHERE period='campaign' AND party='*' AND metric='accounts'"))
        assert got[("foreign_origin", "accounts")] == len(range(0, len(accounts), 3))
        assert got[("likely_automated", "accounts")] == len(range(0, len(accounts), 2))
        assert got[("all", "accounts")] == len(accounts)


def test_likely_automated_cells_are_unknown_not_zero_where_no_posting_account_was_scored(labelled: Path, tmp_path: Path) -> None:
    """The IRA tweets of November 2016 (us-2016) have no profile facts the bot model reads: the
    estimates table stored "0 posts, no account of this group posted here" for likely automated
    accounts while the report said whether any election post came from them "is unknown". Where
    the model scored none of a period's posting accounts the cells are NULL and say why; where it
    scored them and none reached 0.5, zero stays a finding."""
    from botwatch import open_study

    with open_study(_copy(labelled, tmp_path), read_only=False) as st:
        accounts = [r[0] for r in st.sql("SELECT DISTINCT account_id FROM post_labels WHERE in_election ORDER BY 1")]
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_country VARCHAR, origin_probability DOUBLE, origin_probabilities VARCHAR)")
        home = json.dumps({"US": 0.8, "GB": 0.2})
        for a in accounts:
            st.sql("INSERT INTO account_scores VALUES ('twitter', ?, NULL, 'US', 0.8, ?)", [a, home])
        st.sql("INSERT INTO account_scores VALUES ('twitter', 'only-retweeted', 0.95, 'US', 0.8, ?)", [home])  # scored, never posted
        write_estimates(st, compute_estimates(st, US, EstimateOptions(reps=50), log=lambda m: None))
        unknown = st.sql("SELECT metric, observed, estimate, method FROM estimates WHERE period = 'campaign' AND account_group = 'likely_automated' AND party = '*'")
        st.sql("UPDATE account_scores SET bot_probability = 0.1 WHERE bot_probability IS NULL")
        write_estimates(st, compute_estimates(st, US, EstimateOptions(reps=50), log=lambda m: None))
        none = st.sql("SELECT metric, observed, method FROM estimates WHERE period = 'campaign' AND account_group = 'likely_automated' AND party = '*'")
    assert sorted(m for m, *_ in unknown) == ["accounts", "posts"]
    n = len(accounts)
    for _, observed, estimate, method in unknown:
        assert observed is None and estimate is None
        assert method.startswith(f"unknown: the bot model scored none of the {n:,} accounts with election posts in this period"), method
    assert {(m, o) for m, o, _ in none} == {("accounts", 0.0), ("posts", 0.0)}
    assert all(method.startswith("no account of this group posted here") for *_, method in none)


def test_an_older_table_with_zeros_where_automation_is_unknown_is_said_to_be_out_of_date(labelled: Path, tmp_path: Path) -> None:
    """A table written before the likely-automated cells of an unscored period became NULL (its run
    recorded estimates version 4) stored "0, no account of this group posted here" there, and
    nothing said it was out of date: `botwatch export` kept handing out the zeros docs/exports.md
    says are empty. Where the scored accounts posted and none reached 0.5, the zero is current."""
    from botwatch import open_study
    from botwatch.report.staleness import BOT_UNKNOWN_ZERO, outdated_estimates

    with open_study(_copy(labelled, tmp_path), read_only=False) as st:
        accounts = [r[0] for r in st.sql("SELECT DISTINCT account_id FROM post_labels WHERE in_election ORDER BY 1")]
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_country VARCHAR, origin_probability DOUBLE, origin_probabilities VARCHAR)")
        for a in accounts:
            st.sql("INSERT INTO account_scores VALUES ('twitter', ?, NULL, 'US', 0.8, ?)", [a, json.dumps({"US": 0.8, "GB": 0.2})])
        with st.run("estimates", {"election": "us-2016", "estimates_version": 4}):  # as the stage recorded it before
            write_estimates(st, compute_estimates(st, US, EstimateOptions(reps=20), log=lambda m: None))
        assert st.sql("SELECT count(*) FROM estimates WHERE account_group = 'likely_automated' AND observed IS NULL")[0][0] > 0
        assert outdated_estimates(st) is None  # NULL where unknown: what the current rules write
        st.sql("UPDATE estimates SET observed = 0, estimate = CASE WHEN metric = 'posts' THEN 0 END, method = CASE WHEN metric = 'posts' "
               "THEN 'no account of this group posted here; no interval (nothing to resample)' ELSE 'no account of this group posted here' END "
               "WHERE account_group = 'likely_automated' AND observed IS NULL")
        old = outdated_estimates(st)
        # The report and `status` read a lake through `LakeReader`: tables, columns, SQL and its
        # driver reads (`driver_arrow`), no ibis tables; the check read them through ibis and raised
        # AttributeError there.
        sql_only = SimpleNamespace(tables=st.tables, columns=st.columns, sql=st.sql, driver_arrow=st.driver_arrow)
        assert outdated_estimates(sql_only) == old  # type: ignore[arg-type]
        st.sql("UPDATE account_scores SET bot_probability = 0.1")
        scored = outdated_estimates(st)
    assert old is not None and BOT_UNKNOWN_ZERO in old.found, old
    assert "not what the current rules write" in old.sentence()
    assert scored is None


def test_estimate_command_prints_the_reference_table(labelled: Path, tmp_path: Path) -> None:
    from botwatch.cli import app

    path = _copy(labelled, tmp_path)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "0.01", "--reps", "200"])
    assert res.exit_code == 0, res.output
    assert "Posts supporting each party" in res.output and "Republicans" in res.output
    assert "needs account_scores" in res.output  # the missing group is said, not hidden
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "2"])
    assert res.exit_code != 0


def test_stage_refuses_labels_of_another_election(labelled: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.pipeline import Context, PipelineError
    from botwatch.estimates.stage import estimates

    with open_study(_copy(labelled, tmp_path), read_only=False) as st:
        with pytest.raises(PipelineError, match="labelled for us-2016"):  # a user's mistake, not "a bug in botwatch"
            estimates(st, Context(election=load_election("uk-ge2017"), log=lambda m: None))
        assert estimates(st, Context(election=US, options={"sample_rate": 0.01, "bootstrap_reps": 50}, log=lambda m: None)) > 0


def test_the_cli_says_another_elections_labels_in_one_line(labelled: Path, tmp_path: Path) -> None:
    """`analyze --only estimates` with another --election than the content stage's was printed as
    "RuntimeError: … This is a bug in botwatch"; it is the user's mix-up, said plainly (exit 2)."""
    from botwatch.cli import app

    res = CliRunner().invoke(app, ["analyze", str(_copy(labelled, tmp_path)), "--election", "uk-ge2017", "--only", "estimates"])
    assert res.exit_code == 2, res.output
    assert "labelled for us-2016" in res.output and "bug" not in res.output


def test_parties_table_shows_an_interval_or_the_too_few_mark_in_every_cell(labelled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`estimate --table parties` once printed bare scaled figures ("800" from 2 accounts): Rich
    swallowed "[too few accounts]" as a markup tag. Every figure now carries its interval or '*'
    with the footnote, as the reference table does."""
    import re

    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.estimates.compute import MIN_ACCOUNTS_FOR_INTERVAL
    from botwatch.estimates.reference import interval_text

    from botwatch.cli import common

    monkeypatch.setattr(common.out, "width", 400)  # one line per row, so each cell is read whole
    path = _copy(labelled, tmp_path)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "0.01", "--reps", "200", "--table", "parties"])
    assert res.exit_code == 0, res.output
    rows = [ln for ln in res.output.splitlines() if ln.startswith("│") and re.search(r"\d", ln.split("│")[2])]
    assert rows, res.output
    for ln in rows:
        cells = [c.strip() for c in ln.split("│")[2:7]]
        for c in cells:
            if c and c != "—":
                # or says it has none, in the report's words ("0 (every resample of the accounts gave 0: no interval)")
                # or, for a scaled 0, the bound the sample gives ("none in the sample; at most about 298 …")
                assert c.endswith("*") or re.search(r"\[.+\]", c) or c.endswith(": no interval)") or c.startswith("none in the sample;"), (c, res.output)
    with open_study(path) as st:
        few = st.sql("SELECT count(*) FROM estimates WHERE period='campaign' AND account_group='all' AND party<>'*' AND metric='posts' AND n_accounts BETWEEN 1 AND ?", [MIN_ACCOUNTS_FOR_INTERVAL - 1])[0][0]
        lo, hi, n = st.sql("SELECT ci_low, ci_high, n_accounts FROM estimates WHERE period='campaign' AND account_group='all' AND party='republican' AND metric='posts'")[0]
    assert f"[{interval_text(lo, hi, False, n)}]" in res.output  # the stored interval, as printed
    assert ("* too few accounts" in res.output) == (few > 0)
    # The reviewer's case: a party's posts from fewer than 5 accounts. Its figures were printed
    # bare ("800"), Rich having eaten "[too few accounts]" as markup.
    with open_study(path, read_only=False) as st:
        keep = [r[0] for r in st.sql("SELECT DISTINCT account_id FROM post_labels WHERE in_election ORDER BY 1 LIMIT 2")]
        st.sql("DELETE FROM post_labels WHERE account_id NOT IN (?, ?)", keep)
        st.sql("DELETE FROM post_party WHERE account_id NOT IN (?, ?)", keep)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "0.01", "--reps", "200", "--table", "parties"])
    assert res.exit_code == 0, res.output
    rows = [ln for ln in res.output.splitlines() if ln.startswith("│") and re.search(r"\d", ln.split("│")[2])]
    assert rows, res.output
    for ln in rows:
        for c in (c.strip() for c in ln.split("│")[2:7]):
            assert c in ("", "—") or c.endswith("*") or c == "0 (no accounts)" or re.search(r"\[.+\]", c), (c, res.output)
    assert "* too few accounts" in res.output
    # A party no remaining account named reads "0 (no accounts)", not "0 [—]" (an interval gone
    # missing). (No bound on the platform: this archive of attributed accounts is no sample of it.)
    assert "0 (no accounts)" in res.output and "[—]" not in res.output


def test_parties_table_leaves_the_parties_own_accounts_out_as_the_report_does(sample_study_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the sample with uk-ge2017 every Labour post is @UKLabour's own (110, "support" by the
    own-account cue): the report leaves them out (group 'not_party_accounts') and says no other
    account's stance was measured, while `estimate --table parties` printed "Labour 110 * | 110 *"
    supporting. Its default is now the report's group; `--all-accounts` gives the old figure, labelled."""
    from botwatch.cli import app, common

    monkeypatch.setattr(common.out, "width", 400)
    path = _copy(sample_study_path, tmp_path)
    args = ["estimate", str(path), "--election", "uk-ge2017", "--reps", "50", "--table", "parties"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    labour = next(ln for ln in res.output.splitlines() if ln.startswith("│ Labour"))
    assert [c.strip() for c in labour.split("│")[2:4]] == ["0 (no accounts)", "—"], res.output
    assert "all accounts but the parties' own, as in the report" in res.output
    assert "110 election posts by the parties' own official or allied accounts are left out" in res.output
    res = CliRunner().invoke(app, args + ["--all-accounts"])
    assert res.exit_code == 0, res.output
    labour = next(ln for ln in res.output.splitlines() if ln.startswith("│ Labour"))
    assert [c.strip() for c in labour.split("│")[2:4]] == ["110 *", "110 *"], res.output
    assert "all accounts, the parties' own included" in res.output
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "uk-ge2017", "--reps", "50", "--all-accounts"])
    assert res.exit_code != 0 and "--all-accounts is for --table parties" in res.output


def test_the_account_prior_on_a_non_english_post_without_a_cue_is_not_measured(labelled: Path, tmp_path: Path) -> None:
    """The account prior answers from the account's other posts and its retweet neighbours, not
    from the post: on the sample it turned 50 non-English posts that only name a party (topic
    keyword) into support or oppose (42 of them "oppose" of the Democrats), and they counted as
    measured. They are not measured now,
    like the `no_cue` rows they were; a post that carries a cue of its own (here a quote of the
    party's account) still is, and so is every English post the prior decided."""
    import ibis

    from botwatch import open_study
    from botwatch.estimates.relational import post_party_measured

    rows = [  # lang, rule, signals, measured
        ("es", "account_prior", ["topic_kw"], False),
        ("es", "retweet_neighbours", ["topic_kw", "mention_account"], False),
        ("es", "account_prior", ["topic_kw", "quote_account"], True),
        (None, "account_prior", ["topic_tag"], False),
        ("en", "account_prior", ["topic_kw"], True),
        ("es", "no_cue", ["topic_kw"], False),
        ("es", "pro_hashtag", ["pro_tag"], True),
    ]
    t = ibis.memtable({"lang": [r[0] for r in rows], "stance_rule": [r[1] for r in rows], "signals": [r[2] for r in rows]},
                      schema={"lang": "string", "stance_rule": "string", "signals": "array<string>"})
    got = t.mutate(m=post_party_measured(t)).to_pyarrow().column("m").to_pylist()
    assert got == [r[3] for r in rows]

    with open_study(_copy(labelled, tmp_path), read_only=False) as st:
        prior_no_cue = st.sql("SELECT count(*) FROM post_party WHERE in_election AND party = 'democrat' AND stance_rule = 'account_prior' AND lang <> 'en' AND stance = 'oppose' "
                              "AND NOT list_has_any(signals, ['pro_tag', 'anti_tag', 'pro_kw', 'anti_kw', 'own_account', 'retweet_account', 'quote_account'])")[0][0]
        assert prior_no_cue > 0  # the case is in the sample
        write_estimates(st, compute_estimates(st, US, EstimateOptions(reps=50), log=lambda m: None))
        start, end = st.sql("SELECT min(period_start), min(period_end) FROM estimates WHERE period='campaign'")[0]
        v = dict(st.sql("SELECT metric, observed FROM estimates WHERE period='campaign' AND account_group='all' AND party='democrat'"))
        english_or_cue_oppose = st.sql(
            "SELECT count(*) FROM post_party WHERE in_election AND party = 'democrat' AND stance = 'oppose' AND created_at >= ? AND created_at < ? "
            "AND (lang = 'en' OR stance_rule NOT IN ('no_cue', 'account_prior', 'retweet_neighbours') "
            "OR list_has_any(signals, ['pro_tag', 'anti_tag', 'pro_kw', 'anti_kw', 'own_account', 'retweet_account', 'quote_account']))", [start, end])[0][0]
        assert v["oppose_posts"] == english_or_cue_oppose


def test_a_seed_of_0_is_used_not_taken_for_the_default() -> None:
    """`options_from` read `seed or DEFAULT_SEED`: seed 0 ran as 2017 while `runs` recorded 0, and 0
    replicates ran the default 1000 instead of being refused."""
    from botwatch.estimates.compute import DEFAULT_SEED
    from botwatch.estimates.stage import options_from
    from botwatch.pipeline import Context

    assert options_from(Context(election=US, options={"seed": 0}, log=lambda m: None)).seed == 0
    assert options_from(Context(election=US, options={}, log=lambda m: None)).seed == DEFAULT_SEED
    with pytest.raises(ValueError, match="at least 10 bootstrap replicates"):
        options_from(Context(election=US, options={"bootstrap_reps": 0}, log=lambda m: None))
