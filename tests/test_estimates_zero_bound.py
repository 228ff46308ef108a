"""A scaled count of zero is not "none on the platform". At rate 0.01 the bundled sample's
Libertarians read "support: 0 (every resample gave 0: no interval)" where none was in the sample
and the platform could hold some: the CLI, the estimates table and the report now give the exact
one-sided 95% bound under independent sampling of posts, about 3.0 / rate (298 at 0.01)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.estimates.reference import interval_text
from botwatch.estimates.whole_counts import zero_text, zero_upper_bound
from botwatch.report.section_parties import _count

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "data" / "sample"
BOUND = "none in the sample; at most about 298 on the platform at 95%, if posts were sampled independently"


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.003, 0.5])
def test_the_bound_is_the_exact_binomial_one(rate: float) -> None:
    n = zero_upper_bound(rate)
    assert n is not None
    assert (1 - rate) ** n >= 0.05 > (1 - rate) ** (n + 1)  # the largest N a sample misses entirely 1 time in 20
    assert abs(n - -math.log(0.05) / rate) <= 2  # the Poisson form, about 3.0 / rate


def test_a_rate_above_095_bounds_a_zero_at_none_said_in_words() -> None:
    """At such rates the sample is nearly the platform: the bound is 0, which read "none in the
    sample; at most about 0 on the platform" (and the headline "(at most about 0 on the platform …)")."""
    from botwatch.estimates.whole_counts import zero_bound_text

    assert zero_upper_bound(0.96) == 0 and zero_upper_bound(0.95) == 1  # (1 − 0.95)^1 = 0.05 exactly
    assert zero_text(0.96) == ("none in the sample; none on the platform either at 95%, if posts were sampled independently: "
                               "at a rate of 96% the sample is nearly all the posts")
    for rate in (0.951, 0.99, 0.999):
        said = zero_text(rate, "among all posts the capture's filter let through")
        assert said and "about 0" not in said and "none among all posts the capture's filter let through either at 95%" in said
        assert f"at a rate of {rate * 100:g}%" in said
    assert zero_bound_text(0.95) == "at most about 1 on the platform at 95%, if posts were sampled independently"
    assert interval_text(0.0, 0.0, False, 14, 0.0, 0.99) == zero_text(0.99)  # the CLI's and reference table's cell


def test_nothing_scaled_no_bound() -> None:
    assert zero_upper_bound(None) is None and zero_upper_bound(1.0) is None and zero_text(1.0) is None
    zero = {"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 14, "rate": None}
    assert _count(zero) == "0 (every resample of the accounts gave 0: no interval)"


def test_a_scaled_zero_states_the_bound_in_report_and_reference_table() -> None:
    assert zero_text(0.01) == BOUND
    # The bound alone, as a reader would quote it: "0 (none in the sample; …)" put a 0 first.
    assert _count({"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 14, "rate": 0.01}) == BOUND
    assert _count({"estimate": 0.0, "lo": None, "hi": None, "accounts": 3, "rate": 0.01}) == BOUND  # too few accounts
    assert interval_text(0.0, 0.0, False, 14, 0.0, 0.01) == BOUND
    assert interval_text(0.0, 0.0, True, 14, 0.0, 0.01) != BOUND  # a share is not scaled


def _labour_study(tmp_path: Path, alone: bool = False) -> Path:
    """@UKLabour's first week of May 2017 (the bundled sample) with the bundled #brexit page of 2021
    beside it: no attributed accounts and more than one account, so its counts scaled by 0.01 are
    taken as the platform's. `alone`: @UKLabour's timeline only, no sample of the platform."""
    from botwatch.cli import app

    study = tmp_path / "labour.duckdb"
    files = [str(SAMPLE / "ge2017_uklabour_may_week1.json.gz")] + ([] if alone else [str(SAMPLE / "twarc2_brexit.jsonl.gz")])
    assert CliRunner().invoke(app, ["ingest", str(study), *files]).exit_code == 0
    return study


def test_cli_table_and_report_say_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch import open_study
    from botwatch.cli import app, common

    study = _labour_study(tmp_path)
    monkeypatch.setattr(common.out, "width", 600)  # one line per row, so each cell is read whole
    res = CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "50", "--table", "parties", "--all-accounts"])
    assert res.exit_code == 0, res.output
    assert BOUND in res.output and f"0 ({BOUND})" not in res.output and "every resample of the accounts gave 0:" not in res.output
    with open_study(study) as st:
        got = st.sql("SELECT method, ci_low, ci_high FROM estimates WHERE period = 'campaign' AND account_group = 'all' AND party = 'conservative' AND metric = 'support_posts'")
    method, lo, hi = got[0]
    assert method.endswith(BOUND) and (lo, hi) == (None, None)  # the interval columns keep the bootstrap's meaning (one account: none)
    out = tmp_path / "r" / "report.html"
    assert CliRunner().invoke(app, ["report", str(study), "-o", str(out), "--no-exports"]).exit_code == 0
    assert BOUND in out.read_text()  # the reference table's (the Parties table leaves @UKLabour's own posts out)


def test_no_platform_bound_where_scaled_counts_are_no_platform_figures(labelled_sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled sample is mostly accounts a platform attributed to an operation, a selection and
    no sample: the report says its scaled counts are not platform figures, so no zero is bounded
    on the platform beneath that."""
    from botwatch.cli import app, common

    monkeypatch.setattr(common.out, "width", 600)
    res = CliRunner().invoke(app, ["estimate", str(labelled_sample_copy), "-e", "us-2016", "--sample-rate", "0.01", "--reps", "50", "--table", "parties"])
    assert res.exit_code == 0, res.output
    assert "not platform figures" in res.output and "on the platform at 95%" not in res.output
    assert "0 (every resample of the accounts gave 0: no interval)" in res.output  # the Libertarians' support, as without a rate
    out = tmp_path / "r" / "report.html"
    assert CliRunner().invoke(app, ["report", str(labelled_sample_copy), "-o", str(out), "--no-exports"]).exit_code == 0
    html = out.read_text()
    assert "not platform figures" in html and "on the platform at 95%" not in html
    assert not _methods_saying(labelled_sample_copy, "at 95%")  # nor the stored table (it did, "on the platform")


def _methods_saying(study: Path, text: str) -> list[str]:
    from botwatch import open_study

    with open_study(study) as st:
        return [m for (m,) in st.sql("SELECT DISTINCT method FROM estimates") if text in m]


def test_a_filtered_captures_zero_is_bounded_among_the_filters_posts(tmp_path: Path) -> None:
    """A sample of a filter estimates the filter's posts (`report.scope`): the report said "scaled
    to all posts the filter let through" above "at most about 298 on the platform"."""
    from test_report_overstate import _text
    from test_report_review_scope import _captured_study

    page = _captured_study(tmp_path, 0.01)
    text = _text(page)
    assert "298 on the platform" not in text
    bound = ("none in the sample; at most about 298 among all posts the Bluesky capture's filter (election preset uk-ge2017) "
             "let through at 95%, if posts were sampled independently")
    assert bound in text
    # The stored `method` words it so too: it said "at most about 298 on the platform".
    assert _methods_saying(page.with_suffix(".duckdb"), bound) and not _methods_saying(page.with_suffix(".duckdb"), "298 on the platform")


def test_the_stance_chart_draws_a_bounded_zero_as_an_interval() -> None:
    """The chart drew a bare "0" bar for a scaled zero, no whisker, while its caption gave the bound."""
    from botwatch.report.section_parties import _charts

    zero = {"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 14, "rate": 0.01}
    row = {"name": "Libertarians", "colour": "#00f", "raw": {"support_posts": zero, "oppose_posts": {**zero, "lo": None, "hi": None, "accounts": 3},
                                            "positive_share": None, "negative_share": None}}
    stance = str(_charts([row], scaled=True, rate=0.01)[0])
    drawn = stance[:stance.index("</svg>")]  # the chart itself; its hidden table for screen readers follows it
    assert drawn.count(">0 [0–298]<") == 2 and drawn.count("stroke='#111'") == 2  # the whisker of each, from 0 to the bound
    assert "<td class='num'>0 [0–298]</td>" in stance[stance.index("</svg>"):]  # and the table says the same figure
    assert f"a count of 0: {BOUND}" in stance


def test_one_accounts_timeline_is_no_sample_to_scale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """@UKLabour's timeline alone with --sample-rate 0.01 read "Counts are scaled to the whole
    platform" and "at most about 298 on the platform": one account's posts are no sample of the
    platform's, and nothing said so."""
    from botwatch.cli import app, common

    study = _labour_study(tmp_path, alone=True)
    monkeypatch.setattr(common.out, "width", 600)
    res = CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "50", "--table", "parties", "--all-accounts"])
    assert res.exit_code == 0, res.output
    assert "all 110 posts in this study were written by one account" in res.output and "not platform figures" in res.output
    assert "on the platform at 95%" not in res.output
    # The table's title agrees with the warning above it: it said "scaled by 1/0.01", a platform figure's words.
    assert "scaled by 1/0.01" not in res.output and "(counts multiplied by 1/0.01: not platform figures, see the warning above;" in res.output
    assert not _methods_saying(study, "at 95%")
    out = tmp_path / "r" / "report.html"
    assert CliRunner().invoke(app, ["report", str(study), "-o", str(out), "--no-exports"]).exit_code == 0
    html = out.read_text()
    assert "written by one account" in html and "on the platform at 95%" not in html and "scaled to the whole platform" not in html
    # Methods' scaling paragraph, above the same warning, called them "platform-wide counts of posts".
    assert "platform-wide counts" not in html and "as the analysis was told, but they are not platform figures (see below)" in " ".join(html.split())
    # The rate came from `estimate --sample-rate` alone: Methods said "The analysis was run with a sample rate".
    assert "The analysis was run with" not in html and "The estimates were made with a sample rate of" in html


def test_the_scaled_headline_says_none_in_the_sample_in_words() -> None:
    """The headline read "about 0 (none in the sample; at most about 298 …) posts supported
    Labour": a 0 the words after it take back. It says no post in the sample did, and the bound."""
    from botwatch.estimates.whole_counts import zero_bound_text
    from botwatch.report.scope import Scope
    from botwatch.report.sections import render

    zero = {"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 14, "rate": 0.01}
    row = {"name": "Labour", "key": "labour", "support": _count(zero), "raw": {"support_posts": zero}}
    said = str(render("parties_headline.html.j2", kind="scaled", r=row, rate=0.01, scope=Scope(0.01, None, False), unknown_collection=False, own_n=0,
                      no_better=False, lab=None, kin=None, this_election=None, zero_bound=zero_bound_text(0.01)))
    assert "about 0" not in said and "none in the sample" not in said
    assert said.endswith("no post in the sample supported Labour during the campaign "
                         "(at most about 298 on the platform at 95%, if posts were sampled independently).")


def _scaled_headline(v: dict) -> str:
    from botwatch.report.scope import Scope
    from botwatch.report.section_parties import _scaled_count
    from botwatch.report.sections import render

    said, why = _scaled_count(v)
    row = {"name": "Labour", "key": "labour", "support": said, "raw": {"support_posts": v}}
    return str(render("parties_headline.html.j2", kind="scaled", r=row, rate=0.01, scope=Scope(0.01, None, False), unknown_collection=False, own_n=0,
                      no_better=False, lab=None, kin=None, this_election=None, zero_bound=None, count_why=why))


def test_the_scaled_headline_says_why_a_count_has_no_interval_after_the_claim() -> None:
    """The table cell's words inside the sentence read "about 11,000 (too few accounts) posts
    supported Labour" and "about 1,000 (every resample of the accounts gave 1,000: no interval)
    posts": the count, the claim, then why it has no interval."""
    few = _scaled_headline({"estimate": 11000.0, "lo": None, "hi": None, "accounts": 2, "rate": 0.01})
    assert "(too few accounts) posts" not in few
    assert few.endswith("about 11,000 posts supported Labour during the campaign (from 2 accounts: too few for a 95% interval).")
    one = _scaled_headline({"estimate": 11000.0, "lo": None, "hi": None, "accounts": 1, "rate": 0.01})
    assert one.endswith("(from 1 account: too few for a 95% interval).")
    same = _scaled_headline({"estimate": 1000.0, "lo": 1000.0, "hi": 1000.0, "accounts": 6, "rate": 0.01})
    assert "no interval) posts" not in same
    assert same.endswith("about 1,000 posts supported Labour during the campaign (every resample of the accounts gave 1,000: no interval).")
    # With an interval, as before.
    assert _scaled_headline({"estimate": 1000.0, "lo": 600.0, "hi": 1500.0, "accounts": 9, "rate": 0.01}).endswith(
        "about 1,000 [600–1,500] posts supported Labour during the campaign.")


def _relabelled(tmp_path: Path, name: str, other: Callable[[int], int | None]) -> Path:
    """@UKLabour's week with the statuses `other(i)` names (an int) moved to another account."""
    import copy
    import gzip
    import json

    from botwatch.cli import app

    raw = gzip.open(SAMPLE / "ge2017_uklabour_may_week1.json.gz", "rt", encoding="utf-8").read()
    try:
        statuses = json.loads(raw)
    except json.JSONDecodeError:
        statuses = [json.loads(line) for line in raw.splitlines() if line.strip()]
    out = []
    for i, s in enumerate(statuses):
        who = other(i)
        if who is not None:
            s = copy.deepcopy(s)
            s["user"].update(id=900_000 + who, id_str=str(900_000 + who), screen_name=f"other{who}")
        out.append(s)
    src, study = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.duckdb"
    src.write_text("".join(json.dumps(s) + "\n" for s in out), encoding="utf-8")
    assert CliRunner().invoke(app, ["ingest", str(study), str(src)]).exit_code == 0
    return study


def test_a_few_accounts_timelines_are_no_sample_to_scale(tmp_path: Path) -> None:
    """The rule took a study of exactly one account: two accounts' timelines, or one account's
    archive with a few others' posts beside it, were scaled to the platform as a sample. It reads
    the accounts that carry the posts, as the bootstrap over accounts resamples them."""
    from botwatch import open_study
    from botwatch.report.caveats import report_scaling_unsupported

    two = _relabelled(tmp_path, "two", lambda i: 0 if i % 2 else None)  # 55 and 55 posts
    nearly = _relabelled(tmp_path, "nearly", lambda i: i if i < 5 else None)  # 105 by @UKLabour, 5 others one each
    with open_study(two) as st:
        said = report_scaling_unsupported(st, 0.01)
    assert said and "all 110 posts in this study were written by 2 accounts" in said and "not platform figures" in said
    with open_study(nearly) as st:
        said = report_scaling_unsupported(st, 0.01)
    assert said and "105 of this study's 110 posts (95%) were written by one account" in said and "not platform figures" in said
    with open_study(_labour_study(tmp_path)) as st:  # @UKLabour beside a page of #brexit: 78 accounts carry 90% of the posts
        assert report_scaling_unsupported(st, 0.01) is None
