"""A new user's second walk through `botwatch ingest` on corrupted copies of a real archive (the
gop-debate-2015 slice under tests/fixtures/ingest): each bad record counted once, located, kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOP = FIX / "gop_debate_2015_tweets.csv"
GOP_MAP = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet,location=user_location,time_zone=user_time_zone"
runner = CliRunner()


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_a_multiline_row_with_one_field_too_many_is_one_rejected_record(tmp_path: Path) -> None:
    """A tool that appends a column to one row of a multi-line post: the reader took the record
    for rows merged by a stray quote and fed its lines again, so one bad record became three
    rejected ones ("row has 2 fields", "row has 11 fields"), each a fragment of the post. Its
    quotes are balanced and none of its lines is a row of its own: it is one record, kept whole."""
    with open(GOP, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    k = next(i for i, r in enumerate(body) if r[header.index("text")].count("\n") >= 2)
    bad = body[k] + ["extra"]
    text = _csv_text([header] + body[:k]) + _csv_text([bad]) + _csv_text(body[k + 1:])
    path = tmp_path / "extra.csv"
    path.write_text(text, encoding="utf-8", newline="")
    start_line = _csv_text([header] + body[:k]).count("\n") + 1

    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(path), "--columns", GOP_MAP])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    with open_study(tmp_path / "s.duckdb") as st:
        rejected = st.pandas("rejected")
    assert len(rejected) == 1, rejected[["line", "error"]].to_string()
    only = rejected.iloc[0]
    assert int(only["line"]) == start_line
    assert "15 fields" in only["error"] and "header has 14" in only["error"]
    raw = only["raw"] if isinstance(only["raw"], str) else bytes(only["raw"]).decode()
    assert raw.rstrip("\n").endswith(",extra") and raw.count("\n") >= 2  # the whole record, not its first line


def test_a_utf16_file_is_named_utf16_not_binary(tmp_path: Path) -> None:
    """A spreadsheet's "Unicode text" or a Windows tool's export is UTF-16: ingest called it a
    "binary file (NUL bytes or mostly invalid UTF-8)" (with a map: "binary or packed file"), which
    sends a user looking for corruption. It is text in another encoding: say which, and how to
    convert it."""
    text = GOP.read_text(encoding="utf-8")
    for enc, name in (("utf-16", "le-bom.csv"), ("utf-16-be", "be.csv"), ("utf-16-le", "le.csv")):
        f = tmp_path / name
        f.write_bytes(text.encode(enc))
        for extra in ([], ["--columns", GOP_MAP]):
            res = runner.invoke(app, ["ingest", str(tmp_path / f"s{len(extra)}.duckdb"), str(f), *extra])
            assert res.exit_code in (1, 2), res.output
            assert res.exception is None or isinstance(res.exception, SystemExit), res.output
            assert "UTF-16" in res.output and "iconv -f UTF-16" in res.output, res.output
            assert "binary" not in res.output, res.output


def _cut_gzip(tmp_path: Path) -> Path:
    import gzip
    import json

    payload = b"".join(json.dumps({"id_str": str(i), "created_at": "Wed May 10 20:19:24 +0000 2017", "full_text": f"post {i}",
                                   "user": {"id_str": str(i % 7)}}).encode() + b"\n" for i in range(3000))
    z = gzip.compress(payload)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(z[: len(z) // 2])  # a download cut half way
    return cut


def test_a_cut_gzip_is_not_called_just_ok(tmp_path: Path) -> None:
    """A download cut half way: its line said `ok ... rejected 1` (the cut a row in `rejected`),
    which reads as a complete archive with one bad record. The line says the file was cut short and
    how many posts were kept, and the command exits 1."""
    cut = _cut_gzip(tmp_path)
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(cut)])
    assert res.exit_code == 1, res.output
    line = next(x for x in res.output.splitlines() if "cut.jsonl.gz" in x and "read" in x)
    assert "cut short" in line and "after " in line and " posts" in line, line
    assert not line.startswith("ok"), line


@pytest.mark.spark
def test_a_cut_gzip_is_reported_alike_on_spark(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The cut is carried from the executor's reader to the driver's line, as on DuckDB."""
    from botwatch.engines.spark_ingest import ingest_lake
    from botwatch.ingest.runner import ingest

    cut = _cut_gzip(tmp_path)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        duck = ingest(st, [str(cut)], workers=1).files[0]
    lake = ingest_lake(spark, str(tmp_path / "lake"), [str(cut)]).files[0]
    assert duck.broke_off and "after " in duck.broke_off
    assert lake == duck


def _cp1252_csv(tmp_path: Path) -> tuple[Path, int]:
    """The gop slice as Excel saves a CSV on Windows (cp1252), a third of its posts with accents."""
    with open(GOP, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    ti = header.index("text")
    for i, r in enumerate(body):
        r[ti] = r[ti].encode("ascii", "replace").decode() + (" café naïve" if i % 3 == 0 else "")
    path = tmp_path / "excel.csv"
    path.write_bytes(_csv_text([header] + body).encode("cp1252"))
    return path, sum(1 for i in range(len(body)) if i % 3 == 0)


def test_a_file_in_another_encoding_is_said_to_be_one(tmp_path: Path) -> None:
    """A cp1252 export (Excel's CSV on Windows): every row with an accent was rejected as "invalid
    UTF-8 in row" and the line said only `rejected N`, a third of the file lost with no word of
    why or how to get it back. The rejected rows stay rejected (never "repaired" into other text),
    and a line under the summary names the likely cause and the conversion."""
    path, accented = _cp1252_csv(tmp_path)
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(path), "--columns", GOP_MAP])
    assert res.exit_code == 0, res.output
    note = [x for x in res.output.splitlines() if "not UTF-8" in x]
    assert len(note) == 1 and f"{accented} records" in note[0] and "iconv -f CP1252 -t UTF-8" in note[0], res.output
    with open_study(tmp_path / "s.duckdb") as st:
        assert st.count("rejected") == accented


def test_a_file_of_mixed_encodings_is_not_told_to_be_converted_whole(tmp_path: Path) -> None:
    """A UTF-8 export with a few rows pasted in from a cp1252 file: the line said to run iconv
    over the whole file, which garbles every UTF-8 letter beyond ASCII (or stops at the first byte
    CP1252 lacks, leaving a file cut short). It now says the file mixes encodings."""
    with open(GOP, encoding="utf-8", newline="") as f:
        header, *body = list(csv.reader(f))
    ti = header.index("text")
    data = _csv_text([header]).encode()
    for i, r in enumerate(body):
        r[ti] = r[ti].encode("ascii", "replace").decode() + (" café naïve" if i % 3 else "")
        data += _csv_text([r]).encode("cp1252" if i % 10 == 0 else "utf-8")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(path), "--columns", GOP_MAP])
    assert res.exit_code == 0, res.output
    note = " ".join(x for x in res.output.splitlines() if "not UTF-8" in x or "encodings" in x)
    utf8 = sum(1 for i in range(len(body)) if i % 3 and i % 10)
    assert "mixes encodings" in note and f"{utf8} records with characters beyond ASCII" in note, res.output
    assert "iconv -f CP1252" not in note, res.output


@pytest.mark.spark
def test_records_not_in_utf8_are_counted_alike_on_spark(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from botwatch.engines.spark_ingest import ingest_lake
    from botwatch.ingest.csv_mapping import from_options
    from botwatch.ingest.runner import ingest

    path, accented = _cp1252_csv(tmp_path)
    cmap = from_options(GOP_MAP)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        duck = ingest(st, [str(path)], workers=1, columns=cmap).files[0]
    lake = ingest_lake(spark, str(tmp_path / "lake"), [str(path)], columns=cmap).files[0]
    assert duck.not_utf8 == accented
    assert lake == duck
