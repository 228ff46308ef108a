"""`botwatch ingest --columns`: a user's own CSV read through a column map.

Real rows only (tests/fixtures/ingest/README.md): a slice of the gop-debate-2015 archive (handles
as account keys, retweet flags, multi-line texts, one tweet listed twice) and of brexit-2016
(tweet ids, hashtags in their own column). Bad rows are made from those real rows by the tests.
Expected values are computed from the files with the csv module, not by botwatch's readers.
"""

from __future__ import annotations

import csv
import io
import shlex
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from testsupport.csv_files import read_rows as _rows, utc_naive as _utc

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOP = FIX / "gop_debate_2015_tweets.csv"
BREXIT = FIX / "brexit_2016_tweets.csv"
GOP_MAP = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet,location=user_location,time_zone=user_time_zone"
BREXIT_TOML = """\
# brexit-2016 (../shared/data/ordinary/brexit-2016): tweet ids, account ids, UTC times
[columns]
post_id = "tweet_id"
account_id = "user_id"
created_at = "created_at"
text = "text"
location = "user_location"
hashtags = "hashtags"
"""
runner = CliRunner()


def _ingest(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["ingest", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output  # no traceback, whatever happened
    return res.exit_code, res.output


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def test_gop_slice_reads_through_the_map(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    code, out = _ingest(str(study), str(GOP), "--columns", GOP_MAP)
    assert code == 0, out
    rows = _rows(GOP)
    distinct = {(r["author"], r["created_at"], r["text"]) for r in rows}
    assert len(rows) == 22 and len(distinct) == 21  # the source lists one tweet twice
    assert "read 22, stored 21, duplicates 1, rejected 0" in " ".join(out.split())
    with open_study(study) as st:
        posts = st.sql("SELECT account_id, created_at, text, kind, ref_handle, source_format FROM posts")
        assert len(posts) == 21 and {p[5] for p in posts} == {"csv-mapped"}
        want_rt = {(r["author"], r["created_at"], r["text"]) for r in rows if r["is_retweet"] == "1"}
        got_rt = [p for p in posts if p[3] == "retweet"]
        assert len(got_rt) == len(want_rt) == 13
        for author, created, text, _kind, ref_handle, _ in got_rt:  # "RT @x: " leaves the text for ref_handle, as other readers do
            original = next(r["text"] for r in rows if r["author"].lower() == author and _utc(r["created_at"]) == created)
            assert original == f"RT @{ref_handle}: {text}"
        # account_id and handle are one column: the key is the handle, lower-cased (handles are case-insensitive)
        assert {p[0] for p in posts} == {r["author"].lower() for r in rows}
        assert {(p[0], p[1]) for p in posts} == {(r["author"].lower(), _utc(r["created_at"])) for r in rows}
        assert any("\n" in p[2] for p in posts)  # multi-line quoted texts survive
        acc = dict(st.sql("SELECT account_id, time_zone FROM accounts"))
        assert acc == {r["author"].lower(): r["user_time_zone"] or None for r in rows}
        loc = dict(st.sql("SELECT account_id, location FROM accounts WHERE location IS NOT NULL"))
        assert loc == {r["author"].lower(): r["user_location"].strip() for r in rows if r["user_location"].strip()}
        handles = dict(st.sql("SELECT account_id, handle FROM accounts"))
        assert handles == {r["author"].lower(): r["author"] for r in rows}  # the handle as written is kept


def test_brexit_slice_from_a_toml_map_and_rerun_adds_nothing(tmp_path: Path) -> None:
    study, cmap = tmp_path / "s.duckdb", tmp_path / "brexit.toml"
    cmap.write_text(BREXIT_TOML, encoding="utf-8")
    code, out = _ingest(str(study), str(BREXIT), "--column-map", str(cmap))
    assert code == 0, out
    rows = _rows(BREXIT)
    with open_study(study) as st:
        got = {r[0]: r[1:] for r in st.sql("SELECT post_id, account_id, created_at, hashtags FROM posts")}
        assert set(got) == {r["tweet_id"] for r in rows}
        for r in rows:
            account, created, tags = got[r["tweet_id"]]
            assert (account, created) == (r["user_id"], _utc(r["created_at"]))
            assert tags == [t.lstrip("#") for t in r["hashtags"].split() if t.lstrip("#")]  # a lone "#" is no hashtag
        runs = st.sql("SELECT params FROM runs WHERE stage = 'ingest'")
        assert '"post_id": "tweet_id"' in runs[0][0]  # the map is recorded with the run
    code, out = _ingest(str(study), str(BREXIT), "--column-map", str(cmap))
    assert code == 0 and "identical content already ingested" in out
    assert "ingest it into a new study" in " ".join(out.split())  # a corrected map reads nothing again here
    code, out = _ingest(str(study), str(BREXIT), "--column-map", str(cmap), "--force")
    assert code == 0 and "stored 0, duplicates 24" in " ".join(out.split())
    # Re-ingesting a slice without post ids (built from account, time and text) adds nothing either.
    code, _ = _ingest(str(tmp_path / "t.duckdb"), str(GOP), "--columns", GOP_MAP)
    code, out = _ingest(str(tmp_path / "t.duckdb"), str(GOP), "--columns", GOP_MAP, "--force")
    assert code == 0 and "stored 0, duplicates 22" in " ".join(out.split())
    with open_study(study) as st:
        assert st.sql("SELECT count(*) FROM posts")[0][0] == 24


def test_bad_rows_are_counted_located_and_kept_aside(tmp_path: Path) -> None:
    rows = _rows(GOP)
    header = list(rows[0])
    rows[2]["created_at"] = "the night of the debate"
    rows[3]["author"] = ""
    rows[4]["created_at"] = ""
    bad = _write_csv(tmp_path / "bad.csv", header, rows)
    raw = bad.read_bytes()
    # one more: a row whose text is not UTF-8, appended as bytes
    bad.write_bytes(raw + b'x,2015-08-07T02:00:00Z,,second,caf\xe9,0,0,,,,,,,1\n')
    lines = bad.read_text(encoding="utf-8", errors="replace").split("\n")
    study = tmp_path / "s.duckdb"
    code, out = _ingest(str(study), str(bad), "--columns", GOP_MAP)
    assert code == 0, out
    assert "rejected 4" in " ".join(out.split()) and "botwatch export" in out
    with open_study(study) as st:
        rej = st.sql("SELECT source, line, error FROM rejected ORDER BY line")
        posts = st.sql("SELECT count(*) FROM posts")[0][0]
    assert posts == 21 - 3  # 22 rows, one duplicate, three bad ones; the UTF-8 one is extra
    assert [r[0] for r in rej] == [str(bad)] * 4
    by_line = {r[1]: r[2] for r in rej}
    for line, error in by_line.items():  # each is located at the physical line its record starts on
        assert lines[line - 1] != ""
    assert "is not a time" in by_line[next(n for n in by_line if lines[n - 1].startswith(rows[2]["author"] + ","))]
    assert "missing account_id" in by_line[next(n for n in by_line if lines[n - 1].startswith(",2015"))]
    assert "missing created_at" in by_line[next(n for n in by_line if lines[n - 1].startswith(rows[4]["author"] + ","))]
    assert "invalid UTF-8" in by_line[max(by_line)]


def test_times_with_a_zone_epochs_and_a_stated_format(tmp_path: Path) -> None:
    rows = _rows(GOP)
    for r in rows:
        t = datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
        r["epoch_s"] = str(int(t.timestamp()))
        r["epoch_ms"] = str(int(t.timestamp()) * 1000)
        r["dmy"] = t.strftime("%d/%m/%Y %H:%M:%S")
    src = _write_csv(tmp_path / "times.csv", list(rows[0]), rows)
    base = "account_id=author,text=text"
    stored = {}
    for name, extra in [("local", ["--columns", base + ",created_at=created_at_local"]),  # real: '2015-08-06 18:20:33 -0700'
                        ("epoch_s", ["--columns", base + ",created_at=epoch_s"]),
                        ("epoch_ms", ["--columns", base + ",created_at=epoch_ms"]),
                        ("dmy", ["--columns", base + ",created_at=dmy", "--time-format", "%d/%m/%Y %H:%M:%S"])]:
        code, out = _ingest(str(tmp_path / f"{name}.duckdb"), str(src), *extra)
        assert code == 0, out
        with open_study(tmp_path / f"{name}.duckdb") as st:
            stored[name] = sorted(st.sql("SELECT account_id, created_at FROM posts"))
    want = sorted({(r["author"], _utc(r["created_at"])) for r in rows})
    assert all(v == want for v in stored.values()), {k: v[:2] for k, v in stored.items()}
    # A stated format is strict: the ISO column under it is one rejected row per post, not a guess.
    code, out = _ingest(str(tmp_path / "strict.duckdb"), str(src), "--columns", base + ",created_at=created_at", "--time-format", "%d/%m/%Y %H:%M:%S")
    assert code == 1 and "does not match --time-format" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--columns", "account_id=author,created_at=created_at,text=tweet_text"], "lacks: text=tweet_text"),
        (["--columns", "account_id=author,created_at=created_at"], "must name text"),
        (["--columns", "account_id=author,created_at=created_at,text=text,colour=x"], "unknown field 'colour'"),
        (["--columns", "account_id"], "is not field=column"),
        (["--columns", "account_id=author,account_id=x"], "named twice"),
        (["--time-format", "%Y"], "--time-format applies to a CSV read with --columns"),
        (["--columns", "account_id=author,created_at=created_at,text=text", "--time-format", "dd/mm/yyyy"], "neither a strptime format"),
        (["--column-map", "MISSING.toml"], "no column map at"),
        (["--column-map", "BROKEN.toml"], "is not valid TOML"),
        (["--column-map", "EMPTY.toml"], "has no [columns] table"),
    ],
)
def test_a_map_that_cannot_be_used_is_one_line_and_exit_2(tmp_path: Path, args: list[str], said: str) -> None:
    (tmp_path / "BROKEN.toml").write_text("[columns\ntext = 'text'\n", encoding="utf-8")
    (tmp_path / "EMPTY.toml").write_text("time_format = 'epoch'\n", encoding="utf-8")
    args = [str(tmp_path / a) if a.endswith(".toml") else a for a in args]
    study = tmp_path / "s.duckdb"
    code, out = _ingest(str(study), str(GOP), *args)
    assert code == 2 and said in " ".join(out.split()), out
    assert len(out.strip().splitlines()) <= 3 and "Traceback" not in out  # one error line (wrapped by the terminal width)
    assert not study.exists()


def test_a_semicolon_export_is_refused_with_the_reason(tmp_path: Path) -> None:
    rows = _rows(GOP)
    semi = tmp_path / "semi.csv"
    with open(semi, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, list(rows[0]), delimiter=";", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(semi), "--columns", GOP_MAP)
    assert code == 2 and "delimited by ';'" in out and not (tmp_path / "s.duckdb").exists()


def test_without_a_map_the_refusal_names_the_option(tmp_path: Path) -> None:
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(GOP))
    assert code == 1 and "--columns" in " ".join(out.split())


def test_the_reproduction_block_repeats_the_map(tmp_path: Path) -> None:
    from botwatch.report.reproduce import reproduction

    study = tmp_path / "s.duckdb"
    src = _write_csv(tmp_path / "g.csv", list(_rows(GOP)[0]), _rows(GOP))
    code, _ = _ingest(str(study), str(src), "--columns", "account_id=author,created_at=created_at_local,text=text",
                      "--time-format", "%Y-%m-%d %H:%M:%S %z", "--platform", "Twitter")
    assert code == 0
    with open_study(study) as st:
        steps = reproduction(st, str(study))["steps"]
        first = sorted(st.sql("SELECT * EXCLUDE (source) FROM posts"))
    assert len(steps) == 1 and "--columns" in steps[0] and "--time-format" in steps[0]
    again = shlex.split(steps[0])
    assert again[:2] == ["botwatch", "ingest"]
    again[2] = str(tmp_path / "again.duckdb")  # the printed command, run as printed, makes the same posts
    code, out = _ingest(*again[2:])
    assert code == 0, out
    with open_study(tmp_path / "again.duckdb") as st:
        assert sorted(st.sql("SELECT * EXCLUDE (source) FROM posts")) == first


def test_worker_processes_read_the_map_as_one_process_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound handler travels to spawned workers (it is not in the format registry)."""
    from botwatch.ingest import runner
    from botwatch.ingest.csv_mapping import build, parse_option

    cmap = build(parse_option(GOP_MAP))
    got = {}
    for workers in (1, 2):
        monkeypatch.setattr(runner, "MIN_PARALLEL_BYTES", 0 if workers > 1 else 1 << 40)
        with open_study(tmp_path / f"w{workers}.duckdb", read_only=False) as st:
            res = runner.ingest(st, [str(GOP)], workers=workers, columns=cmap).files[0]
            assert (res.read, res.stored, res.rejected) == (22, 21, 0)
            got[workers] = sorted(st.sql("SELECT * FROM posts")), sorted(st.sql("SELECT * FROM accounts"))
    assert got[1] == got[2]


def test_the_whole_gop_debate_archive(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "ordinary" / "gop-debate-2015" / "tweets.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} not present (../shared/data/ordinary holds it)")
    rows = _rows(path)
    distinct = {(r["author"], r["created_at"], r["text"]): r for r in rows}
    study = tmp_path / "gop.duckdb"
    code, out = _ingest(str(study), str(path), "--columns", GOP_MAP)
    assert code == 0, out
    assert len(rows) == 9116  # the README's figures
    with open_study(study) as st:
        assert st.sql("SELECT records_read, posts_stored, duplicates, rejected, accounts_seen FROM sources") == [
            (9116, len(distinct), 9116 - len(distinct), 0, 6517)]
        assert st.sql("SELECT count(*) FROM accounts")[0][0] == len({r["author"] for r in rows}) == 6517
        assert st.sql("SELECT count(*) FROM posts WHERE kind = 'retweet'")[0][0] == sum(r["is_retweet"] == "1" for r in distinct.values())
        span = st.sql("SELECT min(created_at), max(created_at) FROM posts")[0]
    times = sorted(_utc(r["created_at"]) for r in rows)
    assert span == (times[0], times[-1]) and times[-1] == datetime(2015, 8, 7, 17, 12, 32)  # the README's last time


def test_hashtags_found_in_the_text_keep_their_combining_marks(tmp_path: Path) -> None:
    """Python's `\\w` has no combining marks: "#भाजपा" (BJP) was stored as the tag "भ", a
    decomposed "#Grüne" as "Gru", so no election file's hashtag matched them."""
    import unicodedata

    texts = ["जीत #भाजपा की", "#नरेंद्र_मोदी बोले", "Wählt " + unicodedata.normalize("NFD", "#Grüne!"), "a#b &#123; #x"]
    csv_path = _write_csv(tmp_path / "in.csv", ["id", "user", "time", "text"],
                          [{"id": str(i), "user": "u1", "time": f"2019-04-1{i} 10:00:00", "text": t} for i, t in enumerate(texts)])
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(csv_path), "--columns", "post_id=id,account_id=user,created_at=time,text=text")
    assert code == 0, out
    with open_study(tmp_path / "s.duckdb") as st:
        tags = [r[0] for r in st.sql("SELECT hashtags FROM posts ORDER BY post_id")]
    assert tags == [["भाजपा"], ["नरेंद्र_मोदी"], [unicodedata.normalize("NFD", "Grüne")], ["x"]]
