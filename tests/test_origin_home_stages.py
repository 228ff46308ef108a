"""A study whose stages ran under different elections: scored for us-2016, then a stage re-run
with `analyze -e uk-ge2017 --only ...`. Every stage that flags foreign-origin accounts measures
P(outside home) against the country the account scores were made for (`origin_rule.measured_home`),
as the report does: the stored distributions hold the US home prior and only the top countries,
so against GB an account 90% likely American counted as foreign."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pytest

from botwatch import open_study
from botwatch.elections import load_election

UK = load_election("uk-ge2017")

# P(outside US) / P(outside GB): american 0.1 / 0.95, russian 0.8 / 1.0, british 0.9 / 0.3.
DISTRIBUTIONS = {"american": {"US": 0.9, "CA": 0.05, "GB": 0.05}, "russian": {"RU": 0.8, "US": 0.2}, "british": {"GB": 0.7, "US": 0.1, "IE": 0.2}}
FOREIGN_AGAINST_US = {"russian", "british"}


@pytest.fixture()
def mixed(tmp_path: Path) -> Iterator[object]:
    """Account scores made for us-2016 (as its accounts run records), nothing else analysed."""
    rows = [dict(platform="twitter", account_id=a, bot_probability=0.1, origin_country=max(d, key=d.__getitem__),
                 origin_probability=max(d.values()), origin_probabilities=json.dumps(d)) for a, d in DISTRIBUTIONS.items()]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.con.register("_t", pa.Table.from_pylist(rows))
        st.sql("CREATE TABLE account_scores AS SELECT * FROM _t")
        st.con.unregister("_t")
        st.sql("INSERT INTO runs VALUES ('r1', 'accounts', '{\"election\": \"us-2016\"}', '0', now(), now(), 'ok', 0, NULL)")
        yield st


def test_timeline_groups_measure_foreign_origin_against_the_scoring_country(mixed) -> None:  # type: ignore[no-untyped-def]
    from botwatch.timeline.groups import FOREIGN, build_groups

    info = build_groups(mixed, UK)
    got = {a for a, v in mixed.sql("SELECT account_id, value FROM timeline_groups WHERE dimension = 'origin'") if v == FOREIGN}
    assert got == FOREIGN_AGAINST_US
    assert info.home == "US"



def test_cluster_members_measure_foreign_origin_against_the_scoring_country(mixed) -> None:  # type: ignore[no-untyped-def]
    """`analyze -e uk-ge2017 --only coordination` on the study scored for us-2016: the members'
    foreign flag (and the summary's country) is measured against the US, and the log says so."""
    from botwatch.coordination import stage as stage_mod
    from botwatch.coordination.clusters import _write_members
    from botwatch.pipeline import Context

    got: list[str | None] = []
    said: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stage_mod, "run_coordination", lambda st, opts, country, log: got.append(country) or SimpleNamespace(edges=0))
        stage_mod.coordination(mixed, Context(election=UK, log=said.append))
    assert got == ["US"] and any("measured against US" in s for s in said), (got, said)
    # and what the members table then holds for them
    ids = sorted(DISTRIBUTIONS)
    mixed.sql("CREATE TABLE coordination_edges AS SELECT * FROM (VALUES " + ", ".join(f"('twitter', '{a}', '{b}', 1.0)" for a, b in zip(ids, ids[1:]))
              + ") t(platform, account_a, account_b, weight_idf)")
    mixed.sql("CREATE TEMP TABLE _coord_membership AS SELECT 'twitter' AS platform, account_id, 0 AS cluster_id, 1 AS degree, 1.0 AS strength FROM account_scores")
    _write_members(mixed, got[0])
    assert {a for a, f in mixed.sql('SELECT account_id, "foreign" FROM cluster_members') if f} == FOREIGN_AGAINST_US


def test_estimates_foreign_group_is_measured_against_the_scoring_country(mixed) -> None:  # type: ignore[no-untyped-def]
    from botwatch.estimates.compute import _groups

    said: list[str] = []
    groups = mixed.expr_arrow(_groups(mixed, UK, said.append)).to_pylist()
    assert {g["account_id"] for g in groups if g["foreign"]} == FOREIGN_AGAINST_US
    assert any("measured against US" in s for s in said), said


def test_the_parties_section_names_the_country_the_foreign_group_was_measured_against(analysed_sample_path: Path, tmp_path: Path) -> None:
    """The estimates' foreign-origin group is measured against the scoring country, so the parties
    section's headline names it, not the estimates' election's. Here the accounts' run is made to
    record uk-ge2017 under estimates made with us-2016 (the mirror of the case above, on a study
    whose estimates exist): the headline read "outside US"."""
    import re
    import shutil

    from botwatch.report.section_parties import parties_section

    dst = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, dst)
    with open_study(dst, read_only=False) as st:
        st.sql("UPDATE runs SET params = replace(params, 'us-2016', 'uk-ge2017') WHERE stage = 'accounts'")
        sec = parties_section(st, {"tables": set(st.tables()), "election": load_election("us-2016")})
    assert sec is not None
    head = " ".join(re.sub(r"<[^>]+>", "", " ".join(map(str, sec.headline))).split())
    assert "Foreign-origin accounts (probability of being run from outside GB ≥ 0.5" in head, head
    assert "outside US" not in head


@pytest.mark.parametrize("recorded", [True, False])
def test_the_time_section_names_the_country_its_groups_were_built_against(analysed_sample_path: Path, tmp_path: Path, recorded: bool) -> None:
    """Timeline groups built for us-2016, the report's election uk-ge2017 (a later stage's): the
    groups' definition read "foreign origin = probability of being run from outside GB". It names
    the country the timeline run recorded (`origin_home`), and for a run recorded before that, the
    timeline run's own election's."""
    import re
    import shutil

    from botwatch.timeline.report import time_section

    dst = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, dst)
    with open_study(dst, read_only=False) as st:
        if not recorded:
            st.sql("UPDATE runs SET params = json_object('election', 'us-2016') WHERE stage = 'timeline'")
        else:
            assert json.loads(st.sql("SELECT params FROM runs WHERE stage = 'timeline'")[0][0])["origin_home"] == "US"
        sec = time_section(st, {"tables": set(st.tables()), "election": UK})
    assert sec is not None
    text = " ".join(re.sub(r"<[^>]+>", "", str(sec.html)).split())
    assert "foreign origin = probability of being run from outside US ≥ 0.5" in text
    assert "outside GB" not in text


def test_methods_defines_foreign_origin_against_the_scoring_country(analysed_sample_path: Path) -> None:
    """Methods said "outside the election's country (GB)" on a study scored for us-2016 whose report
    took uk-ge2017 from a later stage, above figures all measured against the US."""
    import re
    from html import unescape

    from botwatch.report.section_methods import methods

    with open_study(analysed_sample_path) as st:
        mixed = methods(st, {"election": UK, "tables": set(st.tables())})
        same = methods(st, {"election": load_election("us-2016"), "tables": set(st.tables())})
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", str(mixed.html))).split())
    assert "probability of being run from outside US (the country of the election the accounts were scored with" in text, text
    assert "(GB)" not in text
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", str(same.html))).split())
    assert "probability of being run from outside the election's country (US), one minus" in text


def test_the_time_section_follows_the_timeline_stage_election(analysed_sample_path: Path) -> None:
    """Timeline built for us-2016, report election uk-ge2017 (a later stage's): the section showed
    the UK window and said its local hours were Europe/London's, where the timeline counted them
    in America/New_York."""
    import re

    from botwatch.timeline.report import time_section

    with open_study(analysed_sample_path) as st:
        sec = time_section(st, {"tables": set(st.tables()), "election": UK})
    assert sec is not None
    text = " ".join(re.sub(r"<[^>]+>", "", str(sec.html)).split())
    assert "in the election's local time (America/New_York)" in text
    assert "Europe/London" not in text and "Theresa May" not in text


def test_cluster_foreign_shares_measured_against_a_known_country_are_shown_under_an_unknown_home(analysed_sample_path: Path) -> None:
    """Clusters measured against the US (the scoring country), the report's election an Estonian
    file from a later stage (a country the origin model cannot name): every cluster's foreign share
    read "not measured" though the stage had measured it."""
    import re

    from botwatch.elections.model import election_from_text
    from botwatch.report.section_coordination import coordination_section

    ee = election_from_text('key = "ee-2019"\nname = "Estonia 2019"\ncountry = "EE"\ntimezone = "Europe/Tallinn"\n'
                            'trigger_date = 2019-01-01\npolling_day = 2019-03-03\nhashtags = ["valimised"]\n\n'
                            '[[parties]]\nkey = "a"\nname = "A"\nkeywords = ["reform"]\n', "ee.toml")
    with open_study(analysed_sample_path) as st:
        country = json.loads(st.sql("SELECT summary FROM coordination_summary")[0][0])["country"]
        shares = [r[0] for r in st.sql("SELECT share_foreign FROM clusters ORDER BY cluster_id")]
        sec = coordination_section(st, {"tables": set(st.tables()), "election": ee})
    assert country == "US" and any(x is not None for x in shares)
    text = " ".join(re.sub(r"<[^>]+>", " ", str(sec.html)).split())
    assert "not measured" not in text


def test_analyze_with_an_unknown_home_over_scores_for_a_known_one_says_what_is_measured(scored_us_sample_path: Path, tmp_path: Path) -> None:
    """Scored for us-2016, then `analyze -e ee.toml --only coordination`: analyze warned "foreign
    origin is not measured: the origin model does not know EE" while the stage measured it against
    the US and said so. Re-scoring with the Estonian file still warns."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from testsupport.study_copies import copy_study

    study = copy_study(scored_us_sample_path, tmp_path / "s.duckdb")
    ee = tmp_path / "ee.toml"
    ee.write_text('key = "ee-2019"\nname = "Estonia 2019"\ncountry = "EE"\ntimezone = "Europe/Tallinn"\n'
                  'trigger_date = 2019-01-01\npolling_day = 2019-03-03\nhashtags = ["valimised"]\n\n[[parties]]\nkey = "a"\nname = "A"\nkeywords = ["reform"]\n')
    res = CliRunner().invoke(app, ["analyze", str(study), "--election", str(ee), "--only", "coordination"])
    text = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert "foreign origin is not measured" not in text
    assert "foreign origin is measured against US, the country the account scores were made for" in text
    res = CliRunner().invoke(app, ["analyze", str(study), "--election", str(ee), "--only", "accounts"])
    assert res.exit_code == 0 and "foreign origin is not measured" in " ".join(res.output.split()), res.output


def test_timeline_groups_are_written_by_one_insert(mixed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every dimension's rows go in with one INSERT: on a lake each INSERT is a Spark write job of
    its own. The same rows per dimension as one INSERT each wrote."""
    from botwatch.timeline.groups import FOREIGN, NOT_AUTOMATED, NOT_FOREIGN, build_groups

    mixed.sql("CREATE TABLE cluster_members AS SELECT platform, account_id, 0 AS cluster_id FROM account_scores")
    said: list[str] = []
    real = mixed.sql
    monkeypatch.setattr(mixed, "sql", lambda q, *a, **kw: said.append(q) or real(q, *a, **kw))
    info = build_groups(mixed, UK)
    assert info.dimensions == ["automated", "origin", "cluster"]
    assert sum(q.lstrip().upper().startswith("INSERT") for q in said) == 1, said
    got = sorted(real("SELECT dimension, account_id, value FROM timeline_groups"))
    assert got == sorted([("automated", a, NOT_AUTOMATED) for a in DISTRIBUTIONS]
                         + [("origin", a, FOREIGN if a in FOREIGN_AGAINST_US else NOT_FOREIGN) for a in DISTRIBUTIONS]
                         + [("cluster", a, "cluster 0") for a in DISTRIBUTIONS])
