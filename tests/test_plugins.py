"""Third-party stages, readers and report sections plug in through entry points: a fake installed
package (a module on sys.path plus `importlib.metadata.entry_points` answering for it) is enough."""

from __future__ import annotations

import json
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study, pipeline, plugins

REPO = Path(__file__).resolve().parents[1]

STAGE_MODULE = '''
from botwatch.pipeline import register

@register("wordcount", needs=("posts",), writes=("wordcount",))
def wordcount(study, ctx):
    """Words per platform (a third-party stage)."""
    study.sql("CREATE OR REPLACE TABLE wordcount AS SELECT platform, sum(len(string_split(text, ' '))) AS words FROM posts GROUP BY ALL")
    return study.count("wordcount")
'''

READER_MODULE = '''
from botwatch.ingest.formats import Format
from botwatch.ingest.fields import parse_iso_time

def handle(obj, line, sink):
    when = parse_iso_time(obj["at"], "at")
    sink.post({"post_id": str(obj["toy_id"]), "platform": "toy", "account_id": obj["who"], "created_at": when,
               "text": obj["say"], "kind": "original"}, line)
    sink.account({"account_id": obj["who"], "platform": "toy", "observed_at": when}, line)

FORMAT = Format("toy-json", "toy", "json", handle, "Toy posts (a third-party reader)", claims=lambda obj: "toy_id" in obj)
'''

SECTION_MODULE = '''
from markupsafe import Markup
from botwatch.report.sections import Section, section

@section("toy_section", order=999)
def toy(study, ctx):
    return Section("toy", "Toy findings", Markup("<p>toy</p>"), order=999)
'''


@pytest.fixture()
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[EntryPoint]]]:
    """Write the plug-in modules and make `entry_points(group=...)` list them (as an installed
    package's metadata would); the registries are restored afterwards."""
    pkg = tmp_path / "site"
    pkg.mkdir()
    for name, text in (("toy_stage", STAGE_MODULE), ("toy_reader", READER_MODULE), ("toy_section", SECTION_MODULE)):
        (pkg / f"{name}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(pkg))
    for name in ("toy_stage", "toy_reader", "toy_section"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    eps = {
        plugins.STAGES: [EntryPoint("wordcount", "toy_stage", plugins.STAGES)],
        plugins.READERS: [EntryPoint("toy", "toy_reader:FORMAT", plugins.READERS)],
        plugins.REPORT_SECTIONS: [EntryPoint("toy", "toy_section", plugins.REPORT_SECTIONS)],
    }
    fake_entry_points(monkeypatch, eps)
    monkeypatch.setattr(pipeline, "_REGISTRY", dict(pipeline._REGISTRY))
    from botwatch.ingest import formats
    from botwatch.report import sections

    monkeypatch.setattr(formats, "_plugins_loaded", False)
    monkeypatch.setattr(sections, "_SECTIONS", dict(sections._SECTIONS))
    yield eps
    for name in [n for n in formats.FORMATS if n not in formats.BUILTIN]:
        dict.__delitem__(formats.FORMATS, name)


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, eps: dict[str, list[EntryPoint]]) -> None:
    """`importlib.metadata.entry_points` answering `eps` for botwatch's groups (others, such as
    Ibis's backends, as installed)."""
    import importlib.metadata as md

    real = md.entry_points
    monkeypatch.setattr(md, "entry_points", lambda group=None, **kw: eps.get(group, []) if group in plugins_groups() else real(group=group, **kw) if group else real(**kw))


def plugins_groups() -> set[str]:
    return {plugins.STAGES, plugins.READERS, plugins.REPORT_SECTIONS}


def test_a_third_party_stage_runs_and_is_listed(fake_package: dict, sample_study_path: Path, tmp_path: Path) -> None:
    import shutil

    from botwatch.cli import app

    names = [s.name for s in pipeline.stages()]
    assert "wordcount" in names
    res = CliRunner().invoke(app, ["stages"])
    assert res.exit_code == 0 and "wordcount: Words per platform (a third-party stage)." in res.output
    listed = json.loads(CliRunner().invoke(app, ["stages", "--json"]).output)
    assert {"stage": "wordcount", "needs": ["posts"], "writes": ["wordcount"]}.items() <= next(s for s in listed if s["stage"] == "wordcount").items()
    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    res = CliRunner().invoke(app, ["analyze", str(study), "--only", "wordcount"])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:
        assert st.sql("SELECT sum(words) > 0 FROM wordcount")[0][0]
        assert st.sql("SELECT stage, status FROM runs WHERE stage = 'wordcount'") == [("wordcount", "ok")]


def test_a_third_party_reader_is_sniffed_and_reads(fake_package: dict, tmp_path: Path) -> None:
    from botwatch.ingest.runner import ingest

    f = tmp_path / "toy.jsonl"
    f.write_text("\n".join(json.dumps({"toy_id": i, "who": f"u{i % 2}", "say": "hello there", "at": "2017-05-01T10:00:00Z"}) for i in range(3)) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        summary = ingest(st, [str(f)])
        assert [r.error for r in summary.files] == [None]
        assert st.sql("SELECT format, posts_stored FROM sources") == [("toy-json", 3)]
        assert st.sql("SELECT count(*) FROM posts WHERE platform = 'toy'")[0][0] == 3


def test_a_third_party_report_section_is_included(fake_package: dict) -> None:
    from botwatch.report.sections import all_sections

    names = [n for n, _ in all_sections()]
    assert names[-1] == "toy_section" and "overview" in " ".join(names)


def test_a_broken_plug_in_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, {plugins.STAGES: [EntryPoint("broken", "no_such_module_xyz", plugins.STAGES)]})
    with pytest.raises(pipeline.PipelineError, match="cannot load plug-in 'broken'"):
        pipeline.stages()


def test_a_broken_reader_plug_in_fails_every_time_not_only_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once it failed to load, a later file must not be read as if no plug-in existed."""
    from botwatch.ingest import formats

    fake_entry_points(monkeypatch, {plugins.READERS: [EntryPoint("broken", "no_such_module_xyz:FORMAT", plugins.READERS)]})
    monkeypatch.setattr(formats, "_plugins_loaded", False)
    for _ in range(2):
        with pytest.raises(plugins.PluginError, match="broken"):
            formats.load_reader_plugins()


def test_pyproject_declares_every_built_in_the_fallback_lists() -> None:
    """The entry points an installed botwatch has and the lists used from a checkout must agree."""
    from botwatch.report.sections import SECTION_MODULES

    eps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]
    assert sorted(eps[plugins.STAGES].values()) == sorted(pipeline.STAGE_MODULES)
    assert sorted(eps[plugins.REPORT_SECTIONS].values()) == sorted(SECTION_MODULES)
    assert eps[plugins.READERS] == {"builtin": "botwatch.ingest.formats:FORMATS"}
