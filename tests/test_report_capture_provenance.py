"""The report's first screen says what a filtered capture's posts are, from the filter the study
recorded. An observer's own Bluesky capture of a primary debate, filtered by their election file,
read "Bluesky Jetstream events (…): the public firehose for the hours collected, unless the
collector filtered it: check the collection's filter before quoting shares", while the study's
`captures` table held that filter (the Parties section quoted it)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from testsupport.collect_fakes import jetstream_event

FILTER = {"hashtags": ["GOPDebate"], "origin": "election file gop-debate-2015"}


def _study(tmp_path: Path, *, recorded: bool, archive: bool = False, filters: list[dict[str, object]] | None = None,
           manifest: dict[str, object] | None = None) -> Path:
    """Three Jetstream posts in a file named as `collect` names it, ingested; with `recorded`, the
    capture's filter recorded as `ingest capture/` records it; with `archive`, another input beside it."""
    from botwatch.cli import app
    from botwatch.collect.study_link import _DDL
    from botwatch.study import open_study
    from typer.testing import CliRunner

    cap = tmp_path / "cap"
    cap.mkdir(parents=True)
    captured = cap / "bluesky-20150807T010000Z-1.jsonl.gz"
    captured.write_bytes(gzip.compress(b"\n".join(jetstream_event(i, text=f"post {i} on #GOPDebate") for i in range(3)) + b"\n"))
    inputs = [str(captured)]
    if archive:
        other = tmp_path / "other.jsonl"
        other.write_bytes(jetstream_event(9, text="an archived post on #GOPDebate") + b"\n")
        inputs.append(str(other))
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), *inputs])
    assert res.exit_code == 0, res.output
    if recorded:
        with open_study(study, read_only=False) as st:
            st.sql(_DDL)
            st.sql("INSERT INTO captures VALUES (?, 0.5, 'bluesky', ?, 1, ?, now())", [str(cap), json.dumps(filters or [FILTER]), json.dumps(manifest or {})])
    return study


def _implies(study: Path) -> list[str]:
    from botwatch.report.caveats import data_provenance
    from botwatch.study import open_study

    with open_study(study, read_only=True) as st:
        return [p.implies for p in data_provenance(st) if p.posts]


def test_the_first_screen_names_the_recorded_filter(tmp_path: Path) -> None:
    (said,) = _implies(_study(tmp_path, recorded=True))
    assert said == ("only the posts the Bluesky capture's filter (election file gop-debate-2015) let through, as the capture's "
                    "manifest records: counts and shares describe that conversation, not the platform"), said


def test_without_a_recorded_filter_or_beside_an_archive_it_still_asks(tmp_path: Path) -> None:
    """No manifest recorded (files copied out of the folder), or an archive beside the capture: the
    study cannot say what every post is, so the line still asks the reader to check."""
    (said,) = _implies(_study(tmp_path / "a", recorded=False))
    assert "unless the collector filtered it" in said, said
    assert all("unless the collector filtered it" in s for s in _implies(_study(tmp_path / "b", recorded=True, archive=True)))


def test_a_filter_changed_between_runs_is_said(tmp_path: Path) -> None:
    """A candidate added to the election file mid-capture: the captures table holds both filters,
    under one origin, and the report named one filter for the whole capture."""
    added = {**FILTER, "hashtags": ["GOPDebate", "Fiorina"]}
    (said,) = _implies(_study(tmp_path, recorded=True, filters=[FILTER, added]))
    assert said.startswith("only the posts the Bluesky capture's filter (election file gop-debate-2015, its terms changed between runs "
                           "(2 filters)) let through"), said


def test_a_filter_renamed_but_not_changed_is_one_filter(tmp_path: Path) -> None:
    """A folder whose runs kept by the same terms is no changed filter: a user's own file recorded
    before it was named a file ("election preset KEY", or a preset then resumed with a file of the
    same key), or a tag written in another case (matched case-aside, and `collect` said nothing),
    was reported "its terms changed between runs (2 filters)"."""
    renamed = {**FILTER, "origin": "election preset gop-debate-2015"}
    (said,) = _implies(_study(tmp_path / "a", recorded=True, filters=[renamed, FILTER]))
    assert said.startswith("only the posts the Bluesky capture's filter (election file gop-debate-2015) let through"), said
    recased = {**FILTER, "hashtags": ["gopdebate"]}
    (said,) = _implies(_study(tmp_path / "b", recorded=True, filters=[FILTER, recased]))
    assert "changed between runs" not in said, said


def test_a_capture_partly_unfiltered_is_not_said_filtered(tmp_path: Path) -> None:
    """A folder's first run kept everything the stream sent, a later run its election file's terms:
    the first screen said every post was "only the posts the … filter let through"."""
    from botwatch.collect.filters import UNFILTERED

    (said,) = _implies(_study(tmp_path, recorded=True, filters=[{"origin": UNFILTERED}, FILTER]))
    assert "only the posts" not in said and "unless the collector filtered it" in said, said


def test_a_first_run_that_kept_nothing_changes_no_terms(tmp_path: Path) -> None:
    """A first run that never connected (ended keeping no post), then a run with another filter:
    `collect` said every post of the folder is kept by the second run's terms, and the report said
    "its terms changed between runs (2 filters)", or, where the dead run was unfiltered, that the
    capture is partly unfiltered. The manifest's count of each run is read."""
    from botwatch.collect.filters import UNFILTERED

    added = {**FILTER, "hashtags": ["GOPDebate", "Fiorina"]}

    def runs(first: dict[str, object], kept: int) -> dict[str, object]:
        return {"runs": [{"stream": "bluesky", "filter": first, "ended": "2015-08-07T00:00:00Z", "kept": kept},
                         {"stream": "bluesky", "filter": added, "ended": "2015-08-07T02:00:00Z", "kept": 3}]}

    (said,) = _implies(_study(tmp_path / "a", recorded=True, filters=[FILTER, added], manifest=runs(FILTER, 0)))
    assert said.startswith("only the posts the Bluesky capture's filter (election file gop-debate-2015) let through"), said
    (said,) = _implies(_study(tmp_path / "b", recorded=True, filters=[{"origin": UNFILTERED}, added], manifest=runs({"origin": UNFILTERED}, 0)))
    assert said.startswith("only the posts the Bluesky capture's filter (election file gop-debate-2015) let through"), said
    # A first run that kept a post is a change of terms still.
    (said,) = _implies(_study(tmp_path / "c", recorded=True, filters=[FILTER, added], manifest=runs(FILTER, 2)))
    assert "its terms changed between runs (2 filters)" in said, said


def test_a_filtered_mastodon_capture_still_says_it_is_its_instances(tmp_path: Path) -> None:
    """A Mastodon capture reads only the instances (and hashtag streams) it was pointed at: its
    first-screen line said "one instance's federated timeline is not the whole network", and the
    filter's sentence replaced it, so a filtered capture of one instance read as the platform's
    conversation through the filter."""
    from botwatch.cli import app
    from botwatch.collect.study_link import _DDL
    from botwatch.report.caveats import data_provenance
    from botwatch.study import open_study
    from typer.testing import CliRunner

    cap = tmp_path / "cap"
    cap.mkdir()
    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://example.social/@alice"}
    status = {"id": "11", "uri": "https://example.social/users/alice/statuses/11", "created_at": "2017-05-20T10:00:00.000Z",
              "content": "<p>Vote #GE2017</p>", "account": acct}
    (cap / "mastodon-20170520T100000Z-1.jsonl.gz").write_bytes(gzip.compress(json.dumps(status).encode() + b"\n"))
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(cap / "mastodon-20170520T100000Z-1.jsonl.gz")])
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=False) as st:
        st.sql(_DDL)
        st.sql("INSERT INTO captures VALUES (?, 1, 'mastodon', ?, 1, '{}', now())",
               [str(cap), json.dumps([{"origin": "election preset uk-ge2017: hashtag streams", "hashtags": ["GE2017"]}])])
        (said,) = [p.implies for p in data_provenance(st) if p.posts]
    assert "let through" in said and "instance" in said, said


def test_the_kept_filters_of_a_hand_edited_manifest_are_the_recorded_ones() -> None:
    """`_run_filters` reads the manifest's runs as the collector does (`collect.state.manifest_runs`):
    a manifest that is no JSON, no object, or whose runs are no list or none, leaves the recorded
    filters as they are; one whose runs kept posts by one of them keeps that one."""
    from botwatch.report.scope import _run_filters

    recorded = json.dumps([FILTER, "other"])
    for manifest in (None, "", "{not json", "[1]", "5", "null", '{"runs": 5}', '{"runs": []}', '{"runs": ["x"]}'):
        assert _run_filters(recorded, manifest) == [FILTER, "other"], manifest
    kept = json.dumps({"runs": [{"filter": FILTER, "ended": "t", "kept": 2}, {"filter": "other", "ended": "t", "kept": 0}]})
    assert _run_filters(recorded, kept) == [FILTER]
