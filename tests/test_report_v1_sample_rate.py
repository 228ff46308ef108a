"""A sample rate given for Twitter v1.1 statuses is what the analysis was told, not a fact: botwatch
writes no v1.1 files, so whether one is the 1% sample stream, a filter stream or a search is not
known to it, as its own provenance line says ("what they represent depends on how they were
collected"). The Parties section read "Counts are scaled to the whole platform by 1 / 0.01 (the
share of posts the archive holds)"."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.report.caveats import Provenance, collection_unknown

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
V1 = FIXTURES / "v1_uklabour.jsonl"


def test_v1_statuses_are_of_unknown_collection() -> None:
    v1 = Provenance("twitter-v1.1", 110, "Twitter API v1.1 statuses", "what they represent depends on how they were collected", "collected")
    assert collection_unknown([v1])
    page = Provenance("twitter-v2-page", 50, "Twitter API v2 responses (twarc2)", "only posts matching the collector's query", "collected")
    # v2 pages are unknown unless the study records a botwatch capture, which writes them too:
    # then the scope note speaks for the part that is known.
    assert collection_unknown([page]) and collection_unknown([v1, page])
    assert not collection_unknown([page], captured=True) and not collection_unknown([v1, page], captured=True)


def test_v2_files_collected_elsewhere_are_of_unknown_collection(tmp_path: Path) -> None:
    """The same for a twarc2 file with no botwatch capture in the study: its provenance line says
    "only posts matching the collector's query", the Parties section said the counts were scaled
    to the whole platform by "the share of posts the archive holds"."""
    text = _parties_text(tmp_path, FIXTURES / "twarc2_flat.jsonl")
    assert "(the share of posts the archive holds)" not in text
    assert "the share of posts the analysis was told the archive holds: how it was collected is not known to botwatch" in text


def _parties_text(tmp_path: Path, archive: Path) -> str:
    """The Parties section's text for `archive` ingested alone and analysed with --sample-rate 0.01."""
    from botwatch.report.context import report_context
    from botwatch.report.section_parties import parties_section
    from botwatch.study import open_study

    study = tmp_path / "s.duckdb"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(study), str(archive)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "content", "--only", "estimates", "--sample-rate", "0.01"])
    assert r.exit_code == 0, r.output
    with open_study(study) as st:
        section = parties_section(st, report_context(st))
    assert section is not None
    return " ".join(re.sub("<[^>]+>", " ", str(section.html)).split())


def test_the_parties_section_says_the_rate_was_told_for_v1_statuses(tmp_path: Path) -> None:
    # Each status its own account's: a few accounts' timelines are no sample at all (`caveats._one_account`).
    import json

    statuses = [json.loads(line) for line in V1.read_text(encoding="utf-8").splitlines()]
    for i, s in enumerate(statuses):
        s["user"].update(id=90 + i, id_str=str(90 + i), screen_name=f"SomeVoter{i}")
    two = tmp_path / "several_accounts.jsonl"
    two.write_text("".join(json.dumps(s) + "\n" for s in statuses), encoding="utf-8")
    text = _parties_text(tmp_path, two)
    assert "(the share of posts the archive holds)" not in text
    assert "the share of posts the analysis was told the archive holds: how it was collected is not known to botwatch" in text
