"""Reading a file a study holds again: `--force` (or a grown file) under another column map must
not store its posts a second time, and a re-read is not another input file nor the archive's
duplicates (ingest/rereads.py)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOP = FIX / "gop_debate_2015_tweets.csv"
DERIVED = "account_id=author,handle=author,created_at=created_at,text=text"
OWN_IDS = DERIVED + ",post_id=row_id"


def _ingest(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["ingest", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output  # no traceback
    return res.exit_code, " ".join(res.output.split())


def _with_a_broken_record(lines: list[str]) -> str:
    """The file's lines with one unreadable record (an unterminated string) after the third."""
    return "".join(lines[:3]) + '{"id": 5, "text": "broken\n' + "".join(lines[3:])


def _read_then_corrected(tmp_path: Path) -> tuple[Path, Path]:
    """A study that read a file holding one bad record, then the file replaced by its corrected
    version and read again: (the study, the file)."""
    v1 = (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    study, f = tmp_path / "s.duckdb", tmp_path / "t.jsonl"
    f.write_text(_with_a_broken_record(v1), encoding="utf-8")
    _ingest(str(study), str(f))
    f.write_text("".join(v1), encoding="utf-8")
    _ingest(str(study), str(f))
    return study, f


def _posts(study: Path) -> tuple[int, int]:
    with open_study(study) as st:
        return st.sql("SELECT count(*), count(DISTINCT (account_id, created_at, text)) FROM posts")[0]


def test_force_with_a_map_giving_other_ids_is_refused_not_stored_twice(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    assert _ingest(str(study), str(GOP), "--columns", DERIVED)[0] == 0
    before = _posts(study)
    assert before[0] == before[1] > 20
    code, out = _ingest(str(study), str(GOP), "--columns", OWN_IDS, "--force")
    assert code == 1, out  # refused: nothing put in that the study holds as asked
    assert "refused" in out and "read before with the column map" in out and "ingest it into a new study" in out
    assert _posts(study) == before  # not 2 x: every post once
    # and the other way round, in a study first read with the file's own ids
    other = tmp_path / "o.duckdb"
    _ingest(str(other), str(GOP), "--columns", OWN_IDS)
    held = _posts(other)
    code, out = _ingest(str(other), str(GOP), "--columns", DERIVED, "--force")
    assert code == 1 and "refused" in out and _posts(other) == held


def test_force_with_the_same_ids_reads_again_and_adds_nothing(tmp_path: Path) -> None:
    """A map that differs only in fields the id is not made from (a location added) keeps the ids:
    `--force` reads the file and stores nothing twice, as docs/ingest-csv.md says."""
    study = tmp_path / "s.duckdb"
    _ingest(str(study), str(GOP), "--columns", OWN_IDS)
    before = _posts(study)
    code, out = _ingest(str(study), str(GOP), "--columns", OWN_IDS + ",location=user_location", "--force")
    assert code == 0 and "ok" in out and "stored 0" in out, out
    assert _posts(study) == before


def test_a_grown_file_under_another_map_is_refused(tmp_path: Path) -> None:
    """A file that has grown is read again without --force: under another map its old rows would
    come in a second time too."""
    study, grown = tmp_path / "s.duckdb", tmp_path / "t.csv"
    lines = GOP.read_text(encoding="utf-8").splitlines(keepends=True)
    grown.write_text("".join(lines[:10]), encoding="utf-8")
    _ingest(str(study), str(grown), "--columns", DERIVED)
    before = _posts(study)
    grown.write_text("".join(lines), encoding="utf-8")
    code, out = _ingest(str(study), str(grown), "--columns", OWN_IDS)
    assert code == 1 and "refused" in out and "read before with the column map" in out, out
    assert _posts(study) == before


def test_a_changed_file_at_an_old_path_is_refused_under_another_map(tmp_path: Path) -> None:
    """A file at a path read before whose first bytes differ is either another file or the same
    one edited in place; the bytes cannot tell which, and an edited file read under a map giving
    other ids stored every post twice. Refused under another map (the message says to rename
    another file); under the same map it is read, each post once; a renamed file is read."""
    study, f = tmp_path / "s.duckdb", tmp_path / "t.csv"
    lines = GOP.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(lines[:10]), encoding="utf-8")
    assert _ingest(str(study), str(f), "--columns", DERIVED)[0] == 0
    first = _posts(study)
    f.write_text(lines[0] + lines[2] + lines[1] + "".join(lines[3:10]), encoding="utf-8")  # edited in place: rows re-sorted
    code, out = _ingest(str(study), str(f), "--columns", OWN_IDS)
    assert code == 1 and "refused" in out and "new name" in " ".join(out.split()), out
    assert _posts(study) == first
    f.write_text(lines[0] + "".join(lines[20:30]), encoding="utf-8")  # other rows under the same name
    assert _ingest(str(study), str(f), "--columns", OWN_IDS)[0] == 1 and _posts(study) == first
    renamed = tmp_path / "t2.csv"
    f.rename(renamed)
    code, out = _ingest(str(study), str(renamed), "--columns", OWN_IDS)
    assert code == 0 and "refused" not in out, out
    after = _posts(study)
    alone = tmp_path / "alone.duckdb"
    assert _ingest(str(alone), str(renamed), "--columns", OWN_IDS)[0] == 0
    assert after[0] == first[0] + _posts(alone)[0] > first[0]  # all its rows came in, each once
    code, out = _ingest(str(study), str(renamed), "--columns", OWN_IDS)
    assert code == 0 and "identical content already ingested" in out and _posts(study) == after


def test_a_forced_re_read_is_neither_another_input_nor_the_archives_duplicates(tmp_path: Path) -> None:
    from botwatch.report.caveats import data_provenance
    from botwatch.report.reproduce import reproduction
    from botwatch.report.section_overview import study_summary

    study = tmp_path / "s.duckdb"
    _ingest(str(study), str(GOP), "--columns", DERIVED)
    with open_study(study) as st:
        repeats = data_provenance(st)[0].repeats  # what the archive itself repeats
    code, out = _ingest(str(study), str(GOP), "--columns", DERIVED, "--force")
    assert code == 0 and "stored 0" in out
    with open_study(study) as st:
        s = study_summary(st)
        assert (s["sources"], s["rereads"]) == (1, 1)
        assert [f[7] for f in s["files"]] == [False, True]  # listed as a re-read
        assert data_provenance(st)[0].repeats == repeats
        assert len(reproduction(st, "s.duckdb")["inputs"]) == 1  # the file to fetch again, once
    status = CliRunner().invoke(app, ["status", str(study)])
    assert "inputs 1 (and 1 re-read of a file already stored)" in " ".join(status.output.split())
    page = tmp_path / "r.html"
    assert CliRunner().invoke(app, ["report", str(study), "-o", str(page)]).exit_code == 0
    text = " ".join(page.read_text(encoding="utf-8").split())
    assert "read from 1 input file (and 1 re-read" in text
    assert f"{repeats:,} were duplicates of posts already stored" in text


def test_what_changes_a_derived_id_is_in_the_identity_and_what_does_not_is_not() -> None:
    """A diff review found the identity blind to three things that change every derived id (the
    handle key's column in a handle-only map, whether the handle key is lower-cased, `--time-zone`)
    and holding two that do not (the `time_zone`/`utc_offset` columns)."""
    import json
    from datetime import datetime

    from botwatch.ingest.csv_mapping import build
    from botwatch.ingest.rereads import earlier_maps, map_conflict, post_identity

    base = {"created_at": "t", "text": "x"}
    ident = lambda cols, **kw: post_identity(build({**base, **cols}, **kw))  # noqa: E731
    assert ident({"handle": "a"}) != ident({"handle": "b"})
    assert ident({"account_id": "sn"}) != ident({"account_id": "sn", "handle": "sn"})  # ids as written vs lower-cased handles
    assert ident({"account_id": "u"}) != ident({"account_id": "u"}, time_zone="America/New_York")
    assert ident({"account_id": "u"}) == ident({"account_id": "u", "time_zone": "tz", "utc_offset": "off"})

    # A handle-keyed map an older version recorded (no "handle_keys") gave ids of the handles as written.
    at, start, end = datetime(2026, 1, 1, 12), datetime(2026, 1, 1, 11), datetime(2026, 1, 1, 13)
    cmap = build({**base, "account_id": "sn", "handle": "sn"})
    old = {"columns": dict(cmap.columns)}
    new = cmap.as_params()
    assert map_conflict(earlier_maps([("f.csv", "h", 10, "csv-mapped", at)], [(json.dumps(old), start, end)], "f.csv", "h"), cmap) is not None
    assert map_conflict(earlier_maps([("f.csv", "h", 10, "csv-mapped", at)], [(json.dumps(new), start, end)], "f.csv", "h"), cmap) is None


def test_another_file_under_an_old_name_keeps_its_own_bad_records(tmp_path: Path) -> None:
    """The rejected table kept a bad record once per (file, line, reason): another file saved under
    the old name, its bad record on the same line failing for the same reason, lost that record."""
    v1 = (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    study, f = tmp_path / "s.duckdb", tmp_path / "t.jsonl"
    f.write_text(v1[0] + v1[1] + '{"id": 5, "text": "a"}\n', encoding="utf-8")
    assert _ingest(str(study), str(f))[0] == 0
    f.write_text(v1[1] + v1[0] + '{"id": 6, "text": "b"}\n', encoding="utf-8")
    assert _ingest(str(study), str(f))[0] == 0
    assert _ingest(str(study), str(f), "--force")[0] == 0  # a re-read keeps each once
    with open_study(study) as st:
        # the old file's record is kept as history (`rejected_earlier`): it is no longer in the file at that path
        rows = st.sql("SELECT line, error, raw FROM rejected UNION ALL SELECT line, error, raw FROM rejected_earlier ORDER BY raw")
        now = st.sql("SELECT raw FROM rejected")
    assert [r[2] for r in rows] == ['{"id": 5, "text": "a"}', '{"id": 6, "text": "b"}'] and rows[0][:2] == rows[1][:2]
    assert now == [('{"id": 6, "text": "b"}',)]


def test_a_file_replaced_by_its_corrected_version_has_no_stale_rejected_records(tmp_path: Path) -> None:
    """A file with a bad record, replaced whole by a corrected version and ingested again, kept the
    old version's bad record in `rejected`: `status` and the report said 1 record was rejected
    where the inputs now hold none. The old record is kept aside as history, not counted; a
    truncated file's records past its new end go the same way; an appended file keeps its own."""
    from botwatch.report.section_overview import study_summary

    v1 = (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    bad = '{"id": 5, "text": "broken\n'
    study, f = tmp_path / "s.duckdb", tmp_path / "t.jsonl"
    f.write_text("".join(v1[:3]) + bad + "".join(v1[3:]), encoding="utf-8")
    assert _ingest(str(study), str(f))[0] == 0
    f.write_text("".join(v1), encoding="utf-8")  # the corrected file
    code, out = _ingest(str(study), str(f))
    assert code == 0 and "rejected 0" in out, out
    with open_study(study) as st:
        s = study_summary(st)
        assert (s["posts"], s["rejected"], s["rejected_earlier"]) == (6, 0, 1)
        assert st.sql("SELECT line, raw FROM rejected_earlier") == [(4, bad.strip())]
    status = " ".join(CliRunner().invoke(app, ["status", str(study)]).output.split())
    assert "rejected records 0 (1 more held by earlier versions of files changed and read again since" in status, status
    assert "Rejected, by error" not in status

    # appended to: its bad record is still in the file, and held once
    g = tmp_path / "g.jsonl"
    g.write_text("".join(v1[:2]) + bad, encoding="utf-8")
    _ingest(str(study), str(g))
    g.write_text("".join(v1[:2]) + bad + "".join(v1[2:4]), encoding="utf-8")
    assert _ingest(str(study), str(g))[0] == 0
    with open_study(study) as st:
        assert st.sql("SELECT source, line FROM rejected") == [(str(g), 3)]
    # truncated before its bad record: the record is history
    g.write_text("".join(v1[:2]), encoding="utf-8")
    assert _ingest(str(study), str(g))[0] == 0
    with open_study(study) as st:
        s = study_summary(st)
        assert (s["posts"], s["rejected"], s["rejected_earlier"]) == (6, 0, 2)


def test_a_grown_files_re_read_is_the_same_input_counted_once(tmp_path: Path) -> None:
    """A file that grew and was read again (the new rows added) counted as a second input in the
    report and `status`, and its first read's posts as the archive's duplicates. It is one input
    file, read twice; its records are those of the whole file, as for a study of the grown file alone."""
    import re

    from botwatch.report.caveats import data_provenance
    from botwatch.report.reproduce import reproduction
    from botwatch.report.section_overview import study_summary

    lines = GOP.read_text(encoding="utf-8").splitlines(keepends=True)
    grown, study, whole = tmp_path / "t.csv", tmp_path / "s.duckdb", tmp_path / "whole.duckdb"
    grown.write_text("".join(lines[:10]), encoding="utf-8")
    assert _ingest(str(study), str(grown), "--columns", DERIVED)[0] == 0
    grown.write_text("".join(lines), encoding="utf-8")
    code, out = _ingest(str(study), str(grown), "--columns", DERIVED)
    assert code == 0 and "ok" in out, out
    assert _ingest(str(whole), str(grown), "--columns", DERIVED)[0] == 0  # the grown file read once, for comparison
    with open_study(study) as st, open_study(whole) as once:
        s = study_summary(st)
        assert (s["sources"], s["rereads"]) == (1, 1)
        assert [f[7] for f in s["files"]] == [False, True]  # listed, marked a re-read
        assert s["posts"] == study_summary(once)["posts"]
        assert data_provenance(st)[0].repeats == data_provenance(once)[0].repeats  # not the first read's posts
        assert len(reproduction(st, "s.duckdb")["inputs"]) == 1
    status = CliRunner().invoke(app, ["status", str(study)])
    assert "inputs 1 (and 1 re-read of a file already stored)" in " ".join(status.output.split())

    def methods_sentence(db: Path) -> str:
        page = tmp_path / f"{db.stem}.html"
        assert CliRunner().invoke(app, ["report", str(db), "-o", str(page), "--no-exports"]).exit_code == 0
        text = " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())
        assert "read from 1 input file" in text and "file(s)" not in text
        return re.search(r"[0-9,]+ records were read from 1 input file, giving [0-9,]+ stored posts; [0-9,]+ were duplicates", text).group(0)

    assert methods_sentence(study) == methods_sentence(whole)


def test_the_same_content_forced_in_under_a_new_name_keeps_its_bad_records_once(tmp_path: Path) -> None:
    """A copy of a file read before, read with `--force` under a new name, is a re-read (not
    another input, `status` says so) and stored no post twice, but its bad records were stored
    again under the new name: `status` said 2 records were rejected where the input holds one."""
    from botwatch.report.section_overview import study_summary

    v1 = (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    study, a, b = tmp_path / "s.duckdb", tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(_with_a_broken_record(v1), encoding="utf-8")
    b.write_bytes(a.read_bytes())
    assert _ingest(str(study), str(a))[0] == 0
    code, out = _ingest(str(study), str(b), "--force")
    assert code == 0 and "stored 0" in out and "rejected 1" in out, out  # what the read found
    with open_study(study) as st:
        s = study_summary(st)
        assert (s["posts"], s["sources"], s["rereads"], s["rejected"]) == (6, 1, 1, 1)
        assert st.sql("SELECT source FROM rejected") == [(str(a),)]


def test_the_methods_sentence_names_bad_records_of_earlier_versions(tmp_path: Path) -> None:
    """After a file was replaced by its corrected version, Methods said "7 records were read ...
    giving 6 stored posts; 0 were duplicates ... and 0 could not be read": the seventh, the bad
    record of the earlier version (kept in `rejected_earlier`), was not accounted for."""
    import re

    from botwatch.report.section_methods import methods

    study, _ = _read_then_corrected(tmp_path)
    with open_study(study) as st:
        text = " ".join(re.sub(r"<[^>]+>", " ", methods(st, {}).html).split())
    assert "7 records were read from 1 input file, giving 6 stored posts; 0 were duplicates" in text
    assert "0 could not be read (0.0% of records), besides 1 record that could not be read in earlier versions of files" in text


def test_the_reproduction_lists_a_changed_file_as_last_read(tmp_path: Path) -> None:
    """A file that grew or was replaced was listed in the reproduction's inputs with the SHA-256
    and size of its first read: no file one can fetch now matches them. It is listed with its
    latest read's, and says how many contents were read at its name; a file read once is as before."""
    from botwatch.report.reproduce import reproduction, reproduction_script

    v1 = (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    study, f, g = tmp_path / "s.duckdb", tmp_path / "t.jsonl", tmp_path / "g.jsonl"
    f.write_text(_with_a_broken_record(v1), encoding="utf-8")
    g.write_text(v1[0], encoding="utf-8")
    _ingest(str(study), str(f), str(g))
    f.write_text("".join(v1), encoding="utf-8")
    _ingest(str(study), str(f))
    with open_study(study) as st:
        r = reproduction(st, "s.duckdb")
        text = reproduction_script(st, "s.duckdb")
    import hashlib

    now = hashlib.sha256(f.read_bytes()).hexdigest()
    assert [(i["source"], i["sha256"], i["bytes"], i["versions"]) for i in r["inputs"]] == [
        (str(f), now, f.stat().st_size, 2), (str(g), hashlib.sha256(g.read_bytes()).hexdigest(), g.stat().st_size, 1)]
    assert f"{now} {f.stat().st_size} {f} (as last read; 2 different contents were read at this name)" in text
    assert f"{g} (as last" not in text


def test_a_file_put_back_to_a_version_read_before_is_read_again(tmp_path: Path) -> None:
    """A file replaced and then put back as it was (or replaced by a copy of another input) holds
    content read before, so it was skipped as already ingested: the bad records counted for its
    name stayed those of the version it replaced (none, where the restored version has one). It
    is read again, storing no post twice, and its own bad records are the ones counted; a further
    run skips it."""
    from botwatch.report.section_overview import study_summary

    v1 = (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    with_bad = _with_a_broken_record(v1)
    study, f = tmp_path / "s.duckdb", tmp_path / "t.jsonl"
    for text in (with_bad, "".join(v1), with_bad):
        f.write_text(text, encoding="utf-8")
        code, out = _ingest(str(study), str(f))
        assert code == 0 and out.startswith("ok "), out
    assert "rejected 1" in out and "stored 0" in out, out
    with open_study(study) as st:
        s = study_summary(st)
        assert (s["posts"], s["sources"], s["rejected"], s["rejected_earlier"]) == (6, 1, 1, 0)
    code, out = _ingest(str(study), str(f))
    assert code == 0 and out.startswith("skipped ") and "identical content already ingested" in out, out


def test_a_gz_of_a_file_read_before_keeps_its_bad_records_once(tmp_path: Path) -> None:
    """A `.gz` of a file the study holds (or the file decompressed, after its `.gz`) has another
    SHA-256 on disk, so it was read as a new input: it stored no post twice, but its bad record
    again under its own name, and `status` said 2 records were rejected where the text holds one.
    As for a plain copy read under a new name, the record is kept once, under the first name;
    another file with the same bad line keeps its own."""
    import gzip

    from botwatch.report.section_overview import study_summary

    v1 = (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    text = _with_a_broken_record(v1)
    plain, packed, other = tmp_path / "a.jsonl", tmp_path / "a.jsonl.gz", tmp_path / "c.jsonl"
    plain.write_text(text, encoding="utf-8")
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    other.write_text(text + v1[0].replace('"id"', '"x"', 1), encoding="utf-8")  # another file, the same bad line 4
    for first, second in ((plain, packed), (packed, plain)):
        study = tmp_path / f"{first.name}.duckdb"
        assert _ingest(str(study), str(first))[0] == 0
        code, out = _ingest(str(study), str(second), "--force")
        assert code == 0 and "stored 0" in out and "rejected 1" in out, out  # what the read found
        assert _ingest(str(study), str(second), "--force")[0] == 0  # read again under its own name: still once
        with open_study(study) as st:
            assert study_summary(st)["rejected"] == 1
            assert st.sql("SELECT source FROM rejected") == [(str(first),)]
    _ingest(str(study), str(other))
    with open_study(study) as st:
        assert sorted(st.sql("SELECT source FROM rejected")) == [(str(packed),), (str(other),)]


def test_a_gz_of_a_file_read_before_is_skipped_or_re_read_as_a_plain_copy_is(tmp_path: Path) -> None:
    """A `.gz` of a file the study holds (the file decompressed after its `.gz`, or the text packed
    again) was read as one more input: `status` said "inputs 2" and Methods "from 2 input files"
    with the first read's posts as the archive's duplicates, where a plain copy under a new name is
    skipped as identical (exit 0), and with --force counted as a re-read. It is the same text, so
    it is told as a plain copy is, in the same words and exit status."""
    import gzip
    import re

    from botwatch.report.section_methods import methods
    from botwatch.report.section_overview import study_summary

    text = (FIX / "v1_uklabour.jsonl").read_bytes()
    plain, packed, repacked = (tmp_path / n for n in ("a.jsonl", "a.jsonl.gz", "b.jsonl.gz"))
    plain.write_bytes(text)
    packed.write_bytes(gzip.compress(text, 9))
    repacked.write_bytes(gzip.compress(text, 1))
    assert packed.read_bytes() != repacked.read_bytes()
    for first, second in ((plain, packed), (packed, plain), (packed, repacked)):
        study = tmp_path / f"{first.name}-{second.name}.duckdb"
        assert _ingest(str(study), str(first))[0] == 0
        code, out = _ingest(str(study), str(second))
        assert code == 0 and out.startswith(f"skipped {second}: identical content already ingested from {first} "), out
        code, out = _ingest(str(study), str(second), "--force")
        assert code == 0 and "stored 0, duplicates 6" in out, out
        with open_study(study) as st:
            s = study_summary(st)
            assert (s["posts"], s["sources"], s["rereads"]) == (6, 1, 1), (first.name, second.name)
            said = " ".join(re.sub(r"<[^>]+>", " ", methods(st, {}).html).split()) if second == packed else ""
        assert second != packed or "6 records were read from 1 input file, giving 6 stored posts; 0 were duplicates" in said, said
    other = tmp_path / "d.jsonl.gz"  # a `.gz` of other text of the same size is another input
    other.write_bytes(gzip.compress(text.replace(b"Labour", b"labour", 1)))
    study = tmp_path / "other.duckdb"
    _ingest(str(study), str(plain))
    assert _ingest(str(study), str(other))[1].startswith(f"ok {other} ")
    with open_study(study) as st:
        assert (study_summary(st)["sources"], study_summary(st)["rereads"]) == (2, 0)


def test_a_gz_of_a_file_read_before_under_a_map_giving_other_ids_is_refused(tmp_path: Path) -> None:
    """The `.gz` was compared with no earlier read, so under a map giving other ids its posts were
    all stored a second time (21 posts became 43), with or without --force; refused, as a copy is."""
    import gzip

    study, gop = tmp_path / "gop.duckdb", tmp_path / "gop.csv.gz"
    gop.write_bytes(gzip.compress(GOP.read_bytes()))
    _ingest(str(study), str(GOP), "--columns", DERIVED)
    before = _posts(study)
    code, out = _ingest(str(study), str(gop), "--columns", OWN_IDS, "--force")
    assert code == 1 and out.startswith(f"refused {gop}: read before with the column map"), out
    assert _posts(study) == before


def test_earlier_versions_bad_records_held_in_rejected_are_not_counted(tmp_path: Path) -> None:
    """A lake written before f4348800 keeps every version's bad records in `rejected` (so did a
    DuckDB study before `rejected_earlier`): after a file was replaced by its corrected version, `status` said
    "rejected records 1" and Methods "1 could not be read" where the inputs now hold none. The
    records beyond what each changed file's latest read gave are counted apart and said as such.
    (Simulated here on DuckDB by putting the moved record back; `test_spark_ingest_rereads.py`
    has the lake.)"""
    import re

    from botwatch.report.section_methods import methods
    from botwatch.report.section_overview import study_summary

    study, _ = _read_then_corrected(tmp_path)
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO rejected SELECT source, line, error, raw FROM rejected_earlier")
        st.sql("DROP TABLE rejected_earlier")
        s = study_summary(st)
        assert (s["rejected"], s["rejected_replaced"], s["rejected_earlier"]) == (0, 1, 0)
        text = " ".join(re.sub(r"<[^>]+>", " ", methods(st, {}).html).split())
    assert "0 could not be read (0.0% of records), besides 1 record that could not be read in earlier versions of files" in text
    assert "kept, with the others, in the study's table rejected" in text
    status = " ".join(CliRunner().invoke(app, ["status", str(study)]).output.split())
    assert "rejected records 0 (1 more held by earlier versions of files changed and read again since, not counted: kept in `rejected`" in status


def test_a_lake_executor_hashes_a_file_read_again_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The executors hashed a file read again at its path whole, then its first bytes once more
    against each earlier read (`grown_from` in the meta row), which nothing has read since any
    read at the same path counts (`lake_conflicts`): a re-read hashed 1.5 to 2 times its size."""
    import hashlib

    from botwatch.engines import spark_stage

    f = tmp_path / "tweets.jsonl"
    f.write_bytes((FIX / "v1_uklabour.jsonl").read_bytes() * 2)
    half = f.read_bytes()[: f.stat().st_size // 2]
    hashed = [0]
    real = hashlib.sha256

    class Counting:
        def __init__(self, data: bytes = b"") -> None:
            self.h = real(data)
            hashed[0] += len(data)

        def update(self, data: bytes) -> None:
            hashed[0] += len(data)
            self.h.update(data)

        def hexdigest(self) -> str:
            return self.h.hexdigest()

    monkeypatch.setattr(hashlib, "sha256", Counting)
    earlier = {str(f): [(len(half), real(half).hexdigest())]}
    (meta,) = list(spark_stage.stage_one(0, str(f), {}, False, 1 << 20, prefixes=earlier))[-1].column("meta").to_pylist()
    assert meta["records_read"] and hashed[0] == f.stat().st_size
    assert "grown_from" not in meta


def test_a_cut_file_changed_and_cut_again_counts_its_latest_bad_records(tmp_path: Path) -> None:
    """A cut .gz with two bad records, changed and read again still cut: the incomplete read moves
    nothing aside, so `rejected` holds both versions' records and both breaks' notes. The earlier
    note was subtracted twice (once as no record, once among the earlier version's rows) and the
    overview said 1 rejected record where the latest read (its `sources` row, the inputs table)
    rejected 2. The overview's count now equals the inputs table's."""
    import gzip

    from botwatch.report.section_overview import file_rows, study_summary

    v1 = (FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    bad = '{"id": 5, "text": "broken\n'
    study, f = tmp_path / "s.duckdb", tmp_path / "t.jsonl.gz"
    for text in ("".join(v1[:3]) + bad + "".join(v1[3:]), "".join(v1[:2]) + bad + "".join(v1[2:5])):
        whole = gzip.compress(text.encode())
        f.write_bytes(whole[:-30])  # cut before its end: the last record is cut too
        assert _ingest(str(study), str(f))[0] == 1  # a cut input fails the command
    with open_study(study) as st:
        latest = file_rows(st)[-1]
        s = study_summary(st)
        held = st.sql("SELECT count(*) FROM rejected WHERE line > 0")[0][0]
    assert latest[6] == 2  # the latest read's rejected records, as the inputs table says
    assert (s["rejected"], s["rejected_replaced"]) == (2, held - 2)


def test_a_plain_re_run_says_the_same_file_was_read_before_and_a_copy_names_its_first(tmp_path: Path) -> None:
    """A plain re-run of the same command said "identical content already ingested from X" of X
    itself, as if another file held it: the same name and content are said as the same file read
    before; content read from another file still names that file."""
    study, f, copy = tmp_path / "s.duckdb", tmp_path / "t.jsonl", tmp_path / "u.jsonl"
    f.write_bytes((FIX / "v1_uklabour.jsonl").read_bytes())
    copy.write_bytes(f.read_bytes())
    assert _ingest(str(study), str(f))[0] == 0
    code, out = _ingest(str(study), str(f))
    assert code == 0 and f"skipped {f}: identical content already ingested: this same file was read before" in out, out
    assert f"from {f}" not in out
    code, out = _ingest(str(study), str(copy))
    assert code == 0 and f"skipped {copy}: identical content already ingested from {f}" in out, out
