"""Records that are no post (profile rows, account and identity events) were read but neither
stored, duplicate nor rejected: a Jetstream file of 280 posts and two identity events said "read
282, stored 280, duplicates 0, rejected 0", and the report's Methods "282 records were read ...,
giving 280 stored posts; 0 were duplicates ... and 0 could not be read": two records unaccounted
for, to a user comparing with the file's post count. They are counted apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app


def _jetstream(path: Path, posts: int, identities: int) -> Path:
    events = [{"did": f"did:plc:a{i % 3}", "time_us": 1725911162000000 + i, "kind": "commit",
               "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": f"r{i}", "cid": "c",
                          "record": {"$type": "app.bsky.feed.post", "createdAt": f"2024-09-09T19:00:{i:02d}Z", "langs": ["en"], "text": f"post {i}"}}}
              for i in range(posts)]
    events += [{"did": f"did:plc:a{j}", "time_us": 1725911166000000 + j, "kind": "identity",
                "identity": {"did": f"did:plc:a{j}", "handle": f"v{j}.bsky.social", "seq": 1, "time": "2024-09-09T19:46:06Z"}} for j in range(identities)]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_ingest_counts_records_that_are_no_post_apart(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(_jetstream(tmp_path / "jet.jsonl", 5, 2))])
    assert res.exit_code == 0, res.output
    out = re.sub(r"\s+", " ", res.output)
    assert "read 7 (2 of them not posts: profiles, account events and the like), stored 5, duplicates 0, rejected 0" in out, out
    assert "not posts" in res.output.split("Ingest summary")[1]  # the summary table's column
    from botwatch.report.section_methods import methods

    with open_study(study) as st:
        message = st.sql("SELECT message FROM runs WHERE stage = 'ingest'")[0][0]
        text = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
    assert message == "read 7, stored 5, duplicates 0, rejected 0, not posts 2", message
    assert "7 records were read from 1 input file, giving 5 stored posts; 0 were duplicates of posts already stored, 2 were not posts" in text, text


def test_the_overviews_input_table_counts_records_that_are_no_post(tmp_path: Path) -> None:
    """Its row read "Records 7, Stored 5, Duplicates 0, Rejected 0" (an authors file: "61, 0, 0, 0")."""
    from botwatch.report.context import report_context
    from botwatch.report.section_overview import overview

    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(_jetstream(tmp_path / "jet.jsonl", 5, 2))]).exit_code == 0
    with open_study(study) as st:
        html = overview(st, report_context(st)).html
    assert '<th scope="col" class="num">Not posts</th>' in html
    row = html[html.index("jet.jsonl</td>"):].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["7", "2", "5", "0", "0"], row


def test_a_file_of_posts_alone_says_nothing_of_other_records(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(_jetstream(tmp_path / "jet.jsonl", 5, 0))])
    assert res.exit_code == 0, res.output
    assert "not post" not in res.output and "read 5, stored 5" in res.output


def test_methods_counts_the_records_no_post_a_grown_files_re_read_added(tmp_path: Path) -> None:
    """Methods counted them from each file's first read only: a Jetstream file grown by two identity
    events and read again said "9 records were read ..., giving 5 stored posts; 0 were duplicates
    ..., 2 were not posts ... and 0 could not be read", two records unaccounted for again."""
    from botwatch.report.section_methods import methods

    study, f = tmp_path / "s.duckdb", _jetstream(tmp_path / "jet.jsonl", 5, 2)
    assert CliRunner().invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    more = [{"did": "did:plc:b", "time_us": 1725911169000000 + j, "kind": "identity",
             "identity": {"did": "did:plc:b", "handle": "w.bsky.social", "seq": 2 + j, "time": "2024-09-09T19:47:06Z"}} for j in range(2)]
    with f.open("a") as out:
        out.write("".join(json.dumps(e) + "\n" for e in more))
    assert CliRunner().invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    with open_study(study) as st:
        text = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
    assert "9 records were read from 1 input file, giving 5 stored posts; 0 were duplicates of posts already stored, 4 were not posts" in text, text


def test_a_cut_gz_has_its_records_no_post_counted_as_the_command_counts_them(tmp_path: Path) -> None:
    """A .gz cut mid-stream keeps a `rejected` row for the break, which is no record read: the
    command left it out of its count of records no post, but Methods and the overview's inputs
    table took it for a rejected record and said one fewer ("1 was not posts" for 2)."""
    import gzip
    import zlib

    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods
    from botwatch.report.section_overview import overview

    lines = _jetstream(tmp_path / "jet.jsonl", 40, 3).read_text().splitlines(keepends=True)
    text = "".join(lines[:20] + lines[40:] + lines[20:40]).encode()  # the identity events among the posts
    packed = gzip.compress(text, mtime=0)
    cut = packed[: len(packed) * 2 // 3]
    held = zlib.decompressobj(wbits=31).decompress(cut).split(b"\n")[:-1]  # the whole records before the cut
    identities = sum(b'"kind": "identity"' in line for line in held)
    assert identities == 2 and len(held) < 40
    f = tmp_path / "jet.jsonl.gz"
    f.write_bytes(cut)
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(f)])
    assert res.exit_code == 1 and "cut short" in res.output, res.output
    assert f"(2 of them not posts: profiles, account events and the like), stored {len(held) - 2}" in re.sub(r"\s+", " ", res.output), res.output
    with open_study(study) as st:
        text_ = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
        html = overview(st, report_context(st)).html
    assert f"giving {len(held) - 2} stored posts; 0 were duplicates of posts already stored, 2 were not posts" in text_, text_
    row = html[html.index("jet.jsonl.gz (cut short)</td>"):].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', row)[:2] == [str(len(held) + 1), "2"], row  # records read (the cut one too), not posts


def test_methods_counts_a_break_apart_from_the_records_that_could_not_be_read(tmp_path: Path) -> None:
    """The break's `rejected` row was counted as a record that "could not be read", so the figures
    added up to one more than the records read, and nothing said the file ended early."""
    import gzip

    from botwatch.report.section_methods import methods

    text = _jetstream(tmp_path / "jet.jsonl", 40, 0).read_bytes()
    packed = gzip.compress(text, mtime=0)
    f = tmp_path / "jet.jsonl.gz"
    f.write_bytes(packed[: len(packed) // 2])
    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(f)]).exit_code == 1
    with open_study(study) as st:
        (read, stored, rejected), = st.sql("SELECT records_read, posts_stored, rejected FROM sources")
        said = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
    assert rejected == 2 and read == stored + 1  # the cut-off record, and the break
    assert (f"{read} records were read from 1 input file, giving {stored} stored posts; 0 were duplicates of posts already stored and 1 could not be read "
            f"({100 / read:.1f}% of records); 1 input file was cut short (a compressed stream that breaks off or is corrupt): what followed the break "
            "was not read and is in none of these counts.") in said, said


def _cut_study(tmp_path: Path, posts: int = 40) -> tuple[Path, object]:
    """A study of a Jetstream .gz cut mid-stream (its last whole records stored, one cut-off record
    rejected, and the break's row in `rejected`), and the ingest's CLI result."""
    import gzip

    text = _jetstream(tmp_path / "jet.jsonl", posts, 0).read_bytes()
    packed = gzip.compress(text, mtime=0)
    f = tmp_path / "jet.jsonl.gz"
    f.write_bytes(packed[: len(packed) // 2])
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(f)])
    assert res.exit_code == 1, res.output
    return study, res


def test_ingest_counts_a_cut_gz_break_apart_from_the_rejected_records(tmp_path: Path) -> None:
    """The break's `rejected` row is no record: ingest said "rejected 2" (line and summary) for a cut
    .gz with one cut-off record, where the report's Methods said 1 could not be read."""
    study, res = _cut_study(tmp_path)
    with open_study(study) as st:
        (rows,), = st.sql("SELECT count(*) FROM rejected")
    assert rows == 2  # the cut-off record and the break: both kept
    out = re.sub(r"\s+", " ", res.output)
    assert "duplicates 0, rejected 1, accounts 3; compressed stream is corrupt or truncated" in out, out
    table = res.output.split("Ingest summary")[1]
    head = [c.strip() for c in table.splitlines()[2].split("┃")[1:-1]]
    cells = [c.strip() for c in next(line for line in table.splitlines() if line.startswith("│")).split("│")[1:-1]]
    assert dict(zip(head, cells))["rejected"] == "1" and dict(zip(head, cells))["cut short"] == "1", table


def test_the_runs_message_counts_a_cut_gz_break_apart(tmp_path: Path) -> None:
    """The ingest's `runs` message (the report's run list) said "rejected 2" for a cut .gz with one
    cut-off record, counting the break's row as a record."""
    study, _ = _cut_study(tmp_path)
    with open_study(study) as st:
        (message,), = st.sql("SELECT message FROM runs WHERE stage = 'ingest'")
    assert message == "read 11, stored 10, duplicates 0, rejected 1, cut short 1, failed 1", message


def test_status_and_the_overview_count_a_cut_gz_break_apart(tmp_path: Path) -> None:
    """`status` said "rejected records 2" and the overview "2 input records could not be read",
    "Rejected input (2 records ...)" and 2 in the file's Rejected cell, for a cut .gz of one
    cut-off record, where ingest and Methods said 1: the break's row is no record."""
    from botwatch.report.context import report_context
    from botwatch.report.section_overview import overview

    study, _ = _cut_study(tmp_path)
    res = CliRunner().invoke(app, ["status", str(study)], terminal_width=200)
    assert res.exit_code == 0 and "inputs 1; rejected records 1; 1 input file cut short" in res.output, res.output
    with open_study(study) as st:
        html = overview(st, report_context(st)).html
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", html))
    assert "1 input record could not be read and was kept aside (see below). 1 input file was cut short" in text, text
    assert "Rejected input (1 record; 1 file cut short, where it broke; first 50 shown)" in text, text
    row = html[html.index("jet.jsonl.gz (cut short)</td>"):].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["11", "0", "10", "0", "1"], row  # read, not posts, stored, duplicates, rejected
    assert html.count("compressed stream is corrupt or truncated after") == 1  # the break's row still listed


def test_a_cut_gz_read_whole_since_leaves_no_break_among_the_earlier_versions_records(tmp_path: Path) -> None:
    """A cut .gz read again once whole moves its earlier read's rows to `rejected_earlier`, the
    break's with them: `status` and Methods said "2 records" of earlier versions for 1."""
    import gzip

    from botwatch.report.section_methods import methods

    study, _ = _cut_study(tmp_path)
    f = tmp_path / "jet.jsonl.gz"
    f.write_bytes(gzip.compress((tmp_path / "jet.jsonl").read_bytes(), mtime=0))  # the download finished
    assert CliRunner().invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    res = CliRunner().invoke(app, ["status", str(study)], terminal_width=200)
    assert "rejected records 0 (1 more held by earlier versions" in res.output, res.output
    with open_study(study) as st:
        assert st.sql("SELECT count(*) FROM rejected_earlier")[0][0] == 2  # both kept
        said = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
    assert "besides 1 record that could not be read in earlier versions" in said, said


def test_the_tables_of_rejected_reasons_count_a_break_as_a_file_cut_short(tmp_path: Path) -> None:
    """`status`'s "Rejected, by error" and Methods' table of reasons gave the break's row as 1 of
    the records rejected, beside "rejected records 1" and "1 could not be read"."""
    from botwatch.report.section_methods import methods

    study, _ = _cut_study(tmp_path)
    res = CliRunner().invoke(app, ["status", str(study)], terminal_width=200)
    (line,) = [line for line in res.output.splitlines() if "compressed stream is corrupt" in line]
    assert line.rstrip(" │").endswith("1 file cut short"), res.output
    with open_study(study) as st:
        html = methods(st, {}).html
    row = html[html.index("compressed stream is corrupt or truncated after"):].split("</tr>")[0]
    assert row.endswith('<td class="num">1 file cut short (no record)</td>'), row


def test_methods_says_one_record_that_was_no_post_in_the_singular(tmp_path: Path) -> None:
    """"1 was not posts" read as a slip in a sentence a journalist may quote: one is "was not a post"."""
    from botwatch.report.section_methods import methods

    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(_jetstream(tmp_path / "jet.jsonl", 5, 1))]).exit_code == 0
    with open_study(study) as st:
        text = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))
    assert "0 were duplicates of posts already stored, 1 was not a post (profile rows" in text, text
