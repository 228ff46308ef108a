"""A study analysed before the estimates' rules changed (a share's accounts counted over its own
denominator, the exact bound of a share of 0 or 1, a zero's bound worded as the report words it)
kept its old rows until `analyze --only estimates` ran again, and nothing said so: the report
printed them as current. The stage records which rules made the table (`estimates_version`); the
report's banner, `report`'s warning and `status` say when it is older, with the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "data" / "sample"
SAID = "The estimates table was made by an earlier version of botwatch"


def _as_before(study: Path) -> None:
    """The study's estimates runs as botwatch recorded them before it recorded a version."""
    from botwatch import open_study

    with open_study(study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'estimates'"):
            p = json.loads(params)
            p.pop("estimates_version", None)
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps(p, sort_keys=True), run_id])


def _old_share_wording(study: Path) -> None:
    """A share's row as the rules before version 1 wrote it: its "too few accounts" named the cell's."""
    from botwatch import open_study

    with open_study(study, read_only=False) as st:
        st.sql("UPDATE estimates SET method = replace(method, ' with a post read for stance)', ')') WHERE metric = 'support_share'")


def test_a_table_that_cannot_tell_is_said_to_be_maybe_out_of_date(labelled_sample_copy: Path) -> None:
    """The bundled sample's shares of sentiment rest on posts not all in English, from as many
    accounts as their cells: either rule writes such a row, so the table is said only to be maybe
    out of date. A share of 0% whose interval collapsed from 5 or more accounts is one the older
    rules wrote (the current ones give its exact bound): then it is said to be."""
    from botwatch import open_study
    from botwatch.report.staleness import EXACT_BOUND, outdated_estimates

    assert CliRunner().invoke(app, ["estimate", str(labelled_sample_copy), "-e", "us-2016", "--reps", "20"]).exit_code == 0
    _as_before(labelled_sample_copy)
    with open_study(labelled_sample_copy) as st:
        got = outdated_estimates(st)
    assert got is not None and not got.found and got.unsure > 0
    text = got.sentence("s.duckdb")
    assert SAID in text and "may be out of date" in text and "not what the current rules write" not in text
    status = " ".join(CliRunner().invoke(app, ["status", str(labelled_sample_copy)]).output.split())
    assert "estimates may be outdated: " + SAID in status and "outdated estimates:" not in status
    with open_study(labelled_sample_copy, read_only=False) as st:
        st.sql("UPDATE estimates SET ci_low = 0, ci_high = 0, method = 'ratio of sums (support / measured); 95% percentile interval, bootstrap over accounts' "
               "WHERE method LIKE '%Clopper%' AND observed = 0")
        got = outdated_estimates(st)
    assert got is not None and got.found == (EXACT_BOUND,)
    assert "rows in it are not what the current rules write: " + EXACT_BOUND in got.sentence("s.duckdb")
    # The collapsed interval's accounts may be the cell's (the older rule), not the share's: it is
    # not said that 5 or more accounts are behind the share.
    assert "collapsed interval" in EXACT_BOUND and "5 or more" not in EXACT_BOUND


def test_an_estimates_table_made_before_the_rules_changed_is_said_to_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import common

    monkeypatch.setattr(common.console, "width", 2000)
    monkeypatch.setattr(common.out, "width", 2000)
    runner = CliRunner()
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(SAMPLE / "ge2017_uklabour_may_week1.json.gz")]).exit_code == 0
    assert runner.invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--reps", "50"]).exit_code == 0
    out = tmp_path / "r.html"

    def said() -> tuple[str, str, str]:
        res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
        assert res.exit_code == 0, res.output
        status = runner.invoke(app, ["status", str(study)])
        assert status.exit_code == 0, status.output
        return " ".join(res.output.split()), out.read_text(encoding="utf-8"), " ".join(status.output.split())

    cli, page, status = said()
    assert SAID not in cli and "outdated-estimates" not in page and SAID not in status  # made now: nothing to say
    _as_before(study)
    # No version recorded, but every row is what the current rules write: nothing to say (every
    # study analysed before the version was recorded was said to be out of date).
    cli, page, status = said()
    assert SAID not in cli and "outdated-estimates" not in page and SAID not in status
    _old_share_wording(study)
    cli, page, status = said()
    assert "rows in it are not what the current rules write: a share's accounts" in cli and "may be out of date" not in cli
    cmd = f"botwatch analyze {study} --only estimates"
    assert SAID in cli and f"`{cmd}`" in cli
    assert 'id="outdated-estimates"' in page and "<code>botwatch analyze s.duckdb --only estimates</code>" in page  # the name, as the page says it
    assert SAID in status and "outdated estimates:" in status
    assert runner.invoke(app, ["analyze", str(study), "--only", "estimates"]).exit_code == 0  # the command it names
    cli, page, status = said()
    assert SAID not in cli and "outdated-estimates" not in page and SAID not in status


def test_a_version_1_table_of_a_few_accounts_timelines_is_said_to_be_out_of_date(tmp_path: Path) -> None:
    """Version 2 took a study whose posts fewer than 5 accounts carry for no sample: its scaled
    zeros get no platform bound in `method`. A table version 1 wrote of @UKLabour's week split
    between two accounts kept "at most about 298 on the platform" in its export with nothing said;
    its shares are read as version 1 wrote them, so only the zeros' bound is named."""
    from botwatch import open_study
    from botwatch.report.staleness import ZERO_BOUND, outdated_estimates
    from test_estimates_zero_bound import _relabelled

    study = _relabelled(tmp_path, "two", lambda i: 0 if i % 2 else None)
    assert CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"]).exit_code == 0
    with open_study(study, read_only=False) as st:
        assert outdated_estimates(st) is None  # made now
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'estimates'"):
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps({**json.loads(params), "estimates_version": 1}, sort_keys=True), run_id])
        assert outdated_estimates(st) is None  # no zero bounded: the same rows as version 2 writes
        # As version 1 wrote the zeros of a period with posts: bounded on the platform.
        st.sql("UPDATE estimates SET method = method || '; none in the sample; at most about 298 on the platform at 95%, if posts were sampled independently' "
               "WHERE observed = 0 AND metric IN ('posts', 'support_posts', 'oppose_posts') AND period = 'campaign'")
        got = outdated_estimates(st)
    assert got is not None and got.found == (ZERO_BOUND,) and got.recorded == 1
    assert "recorded estimates version 1), and rows in it are not what the current rules write" in got.sentence("two.duckdb")
    assert "`" not in str(got.sentence("two.duckdb", html=True))  # the page's banner shows no Markdown backquotes
