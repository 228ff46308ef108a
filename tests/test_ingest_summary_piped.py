"""The ingest summary table in a pipe or a log file: Rich lays a table out at 80 columns there,
so the IRA archive's tweets and authors files (read 1,875, of them 1,875 not posts) showed the
header "duplicat…". In a pipe the table is as wide as its content, as `accounts` and
`coordination` tables already are (`wide_when_piped`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app, common


def _jetstream(path: Path, posts: int, identities: int) -> Path:
    """`posts` Bluesky posts and `identities` identity events (records that are no post)."""
    events = [{"did": f"did:plc:a{i % 3}", "time_us": 1725911162000000 + i, "kind": "commit",
               "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": f"r{i}", "cid": "c",
                          "record": {"$type": "app.bsky.feed.post", "createdAt": "2024-09-09T19:00:00Z", "langs": ["en"], "text": f"post {i}"}}}
              for i in range(posts)]
    events += [{"did": f"did:plc:a{j}", "time_us": 1725911166000000 + j, "kind": "identity",
                "identity": {"did": f"did:plc:a{j}", "handle": f"v{j}.bsky.social", "seq": 1, "time": "2024-09-09T19:46:06Z"}} for j in range(identities)]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_the_summary_headers_are_whole_in_a_pipe_of_80_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.out, "_width", 80)  # Rich's width for a pipe when COLUMNS is not set
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(_jetstream(tmp_path / "jet.jsonl", 12_000, 2))])
    assert res.exit_code == 0, res.output
    table = res.output.split("Ingest summary")[1]
    head = [c.strip() for c in table.splitlines()[2].split("┃")[1:-1]]
    assert head == ["files", "read", "not posts", "stored", "duplicates", "rejected", "failed", "skipped"], table
    cells = [c.strip() for c in next(x for x in table.splitlines() if x.startswith("│")).split("│")[1:-1]]
    assert cells == ["1", "12,002", "2", "12,000", "0", "0", "0", "0"], table
