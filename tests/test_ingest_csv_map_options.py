"""`botwatch ingest --columns`: local times (`--time-zone`), digits that are not times since 1970,
column names a `--columns` value must quote, columns left unread, and handles as account keys.

Real rows (tests/fixtures/ingest/README.md): brexit-2016's `time_scraped` is the scraper's US
Eastern clock without a zone, beside the UTC `created_at`, so `--time-zone America/New_York` is
checked against real times. Other layouts (written-out yyyymmddHHMM times, odd column names,
handles in another case) are made by the tests from the gop-debate-2015 rows, since no real file
has them; expected values come from the files through the csv module and `datetime`.
"""

from __future__ import annotations

import csv
import shlex
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.ingest.csv_mapping import ColumnMapError, build, parse_option
from testsupport.csv_files import read_rows as _rows, utc_naive as _utc

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOP = FIX / "gop_debate_2015_tweets.csv"
BREXIT = FIX / "brexit_2016_tweets.csv"
GOP_MAP = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet,location=user_location,time_zone=user_time_zone"
runner = CliRunner()


def _ingest(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["ingest", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output  # no traceback, whatever happened
    return res.exit_code, " ".join(res.output.split())


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


# -- --time-zone ---------------------------------------------------------------------------------


def test_naive_local_times_are_read_in_the_zone_given(tmp_path: Path) -> None:
    """brexit-2016's `time_scraped` (US Eastern, to the minute, no zone) read with --time-zone
    lands 0-59 s before the real UTC time of each tweet; read as UTC (the default) it is 5 hours off."""
    rows = _rows(BREXIT)
    base = "post_id=tweet_id,account_id=user_id,text=text,created_at=time_scraped"
    got = {}
    for name, extra in (("eastern", ["--time-zone", "America/New_York"]), ("utc", [])):
        code, out = _ingest(str(tmp_path / f"{name}.duckdb"), str(BREXIT), "--columns", base, *extra)
        assert code == 0, out
        with open_study(tmp_path / f"{name}.duckdb") as st:
            got[name] = dict(st.sql("SELECT post_id, created_at FROM posts"))
    for r in rows:
        assert timedelta(0) <= _utc(r["created_at"]) - got["eastern"][r["tweet_id"]] < timedelta(minutes=1), r
        assert _utc(r["created_at"]) - got["utc"][r["tweet_id"]] >= timedelta(hours=4)


def test_the_whole_brexit_archive_across_the_clock_change(shared_data: Path) -> None:
    """Feb-Sep 2016 crosses the US spring-forward: every one of the 78,217 Eastern times comes back
    within the minute of its UTC time (the offset is the day's, not one fixed number)."""
    from botwatch.ingest.csv_mapping import parse_time

    path = shared_data / "ordinary" / "brexit-2016" / "tweets.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} not present (../shared/data/ordinary holds it)")
    rows = _rows(path)
    offsets = set()
    for r in rows:
        local = parse_time(r["time_scraped"], None, "created_at", "America/New_York")
        assert timedelta(0) <= _utc(r["created_at"]) - local < timedelta(minutes=1), r
        offsets.add(round((_utc(r["created_at"]) - datetime.fromisoformat(r["time_scraped"])).total_seconds() / 3600))
    assert len(rows) == 78217 and offsets == {4, 5}


def test_times_with_an_offset_keep_it_and_formats_take_the_zone(tmp_path: Path) -> None:
    rows = _rows(GOP)
    london = ZoneInfo("Europe/London")
    for r in rows:
        t = datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
        r["london"] = t.astimezone(london).strftime("%d/%m/%Y %H:%M:%S")  # a spreadsheet's local clock, no zone
    src = _write_csv(tmp_path / "t.csv", list(rows[0]), rows)
    want = sorted((r["author"].lower(), _utc(r["created_at"])) for r in rows)
    for name, cols, extra in (
        ("offset", "created_at=created_at_local", ["--time-zone", "Asia/Tokyo"]),  # '2015-08-06 18:20:33 -0700': its own offset wins
        ("iso_z", "created_at=created_at", ["--time-zone", "Asia/Tokyo"]),  # ...and so does a Z
        ("format", "created_at=london", ["--time-zone", "Europe/London", "--time-format", "%d/%m/%Y %H:%M:%S"]),
    ):
        code, out = _ingest(str(tmp_path / f"{name}.duckdb"), str(src), "--columns", f"account_id=author,handle=author,text=text,{cols}", *extra)
        assert code == 0, out
        with open_study(tmp_path / f"{name}.duckdb") as st:
            assert sorted(set(st.sql("SELECT account_id, created_at FROM posts"))) == sorted(set(want)), name


def test_clock_changes_read_as_documented() -> None:
    """docs/ingest-csv.md: a clock time passed twice is its first (summer-time) pass; one skipped
    takes the offset before the change; a slash time is local too; a v1.1 time keeps its offset."""
    from botwatch.ingest.csv_mapping import parse_time

    ny = "America/New_York"
    assert parse_time("2016-11-06 01:30", None, "created_at", ny) == datetime(2016, 11, 6, 5, 30)  # EDT, not EST
    assert parse_time("2016-03-13 02:30", None, "created_at", ny) == datetime(2016, 3, 13, 7, 30)  # EST, before the change
    assert parse_time("7/4/2016 12:00", None, "created_at", ny) == datetime(2016, 7, 4, 16, 0)
    assert parse_time("Mon Jul 04 12:00:00 +0000 2016", None, "created_at", ny) == datetime(2016, 7, 4, 12, 0)
    assert parse_time("1467633600", None, "created_at", ny) == datetime(2016, 7, 4, 12, 0)  # since 1970: UTC by definition


@pytest.mark.parametrize("zone", ["Mars/Olympus", "EST5EDT/../../etc", "", "/etc/localtime", "Europe/London "])
def test_an_unknown_zone_is_one_line_and_exit_2(tmp_path: Path, zone: str) -> None:
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(GOP), "--columns", GOP_MAP, "--time-zone", zone)
    if zone == "Europe/London ":  # surrounding space is not a different zone
        assert code == 0, out
        return
    assert code == 2 and "is not an IANA time zone name" in out and "Traceback" not in out, out
    assert not (tmp_path / "s.duckdb").exists()


def test_a_zone_alone_needs_a_map(tmp_path: Path) -> None:
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(GOP), "--time-zone", "Europe/London")
    assert code == 2 and "--time-zone applies to a CSV read with --columns" in out


def test_the_reproduction_block_gives_the_zone_back(tmp_path: Path) -> None:
    from botwatch.report.reproduce import reproduction

    study = tmp_path / "s.duckdb"
    code, _ = _ingest(str(study), str(BREXIT), "--columns", "post_id=tweet_id,account_id=user_id,text=text,created_at=time_scraped",
                      "--time-zone", "America/New_York")
    assert code == 0
    with open_study(study) as st:
        (step,) = reproduction(st, str(study))["steps"]
        first = sorted(st.sql("SELECT post_id, created_at FROM posts"))
    assert "--time-zone America/New_York" in step
    again = shlex.split(step)
    again[2] = str(tmp_path / "again.duckdb")
    code, out = _ingest(*again[2:])
    assert code == 0, out
    with open_study(tmp_path / "again.duckdb") as st:
        assert sorted(st.sql("SELECT post_id, created_at FROM posts")) == first


# -- digits that are not times since 1970 ------------------------------------------------------------


def test_written_out_digit_times_are_rejected_with_a_hint_not_misread(tmp_path: Path) -> None:
    """201508070120 (yyyymmddHHMM) was read as milliseconds since 1970: May 1976, stored as real."""
    rows = _rows(GOP)
    for r in rows:
        t = _utc(r["created_at"])
        r["stamp"] = t.strftime("%Y%m%d%H%M")
        r["stamp_s"] = t.strftime("%Y%m%d%H%M%S")
    src = _write_csv(tmp_path / "d.csv", list(rows[0]), rows)
    for col, fmt in (("stamp", "%Y%m%d%H%M"), ("stamp_s", "%Y%m%d%H%M%S")):
        study = tmp_path / f"{col}.duckdb"
        code, out = _ingest(str(study), str(src), "--columns", f"account_id=author,text=text,created_at={col}")
        # nothing readable: no study is left, and the lines say why, naming the option that reads them
        assert code == 1 and "rejected 22" in out and not study.exists(), out
        assert "not a plausible post time" in out and f"created_at of 22 of the first 22 rows cannot be read" in out
        assert "--time-format '%Y%m%d%H%M'" in out
        code, out = _ingest(str(study), str(src), "--columns", f"account_id=author,text=text,created_at={col}", "--time-format", fmt)
        assert code == 0 and "rejected 0" in out, out
        with open_study(study) as st:
            assert sorted(set(st.sql("SELECT created_at FROM posts"))) == sorted({(_utc(r["created_at"]).replace(second=0 if col == "stamp" else _utc(r["created_at"]).second),) for r in rows})


def test_day_first_times_are_rejected_with_the_format_that_reads_them(tmp_path: Path) -> None:
    """A European export writes 13/08/2015 20:12: it was "created_at is not a time" without a word
    of --time-format, and the same file's 01/08 to 12/08 were stored as January to December."""
    rows = _rows(GOP)
    for i, r in enumerate(rows):
        r["local"] = _utc(r["created_at"]).replace(day=1 + i).strftime("%d/%m/%Y %H:%M")
    src = _write_csv(tmp_path / "eu.csv", list(rows[0]), rows)
    code, out = _ingest(str(tmp_path / "a.duckdb"), str(src), "--columns", "account_id=author,text=text,created_at=local")
    assert code == 0 and f"rejected {len(rows) - 12}" in out, out
    assert (f"created_at of {len(rows) - 12} of the first {len(rows)} rows cannot be read (those rows are rejected): created_at '13/08/2015 "
            in out and "is no month-first time (9/7/2017 19:52 is 7 September): if the file writes the day first, give --time-format "
            "'%d/%m/%Y %H:%M' and ingest it into a new study or lake (any of its rows with a day up to 12 were read month first)") in out, out
    code, out = _ingest(str(tmp_path / "b.duckdb"), str(src), "--columns", "account_id=author,text=text,created_at=local", "--time-format", "%d/%m/%Y %H:%M")
    assert code == 0 and "rejected 0" in out, out


@pytest.mark.parametrize("bad", ["31/02/2016 10:00", "13/08/2015 25:00", "13/08/2015 20:12:61"])
def test_a_day_first_looking_value_the_day_first_format_refuses_is_not_sent_to_it(tmp_path: Path, bad: str) -> None:
    """31 February or hour 25 look day first to the pattern, but `--time-format '%d/%m/%Y %H:%M'`
    rejects them in turn: the note said to give it, and the rerun failed on another error."""
    rows = _rows(GOP)
    for r in rows:
        r["local"] = bad
    src = _write_csv(tmp_path / "eu.csv", list(rows[0]), rows)
    code, out = _ingest(str(tmp_path / "a.duckdb"), str(src), "--columns", "account_id=author,text=text,created_at=local")
    assert code == 1 and f"created_at is not a time: '{bad}'" in out, out
    assert "--time-format '%d/%m/%Y" not in out and "month-first" not in out, out


def test_an_implausible_epoch_row_is_kept_aside_with_its_line(tmp_path: Path) -> None:
    rows = _rows(GOP)
    for r in rows:
        r["epoch"] = str(int(datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")).timestamp()))
    rows[4]["epoch"] = rows[4]["epoch"][:9]  # a cut-off value: 1973 as seconds
    rows[7]["epoch"] = rows[7]["epoch"] + "0"  # one digit too many: the year 2446 as seconds
    src = _write_csv(tmp_path / "e.csv", list(rows[0]), rows)
    study = tmp_path / "e.duckdb"
    code, out = _ingest(str(study), str(src), "--columns", "account_id=author,text=text,created_at=epoch")
    assert code == 0 and "rejected 2" in out, out
    with open_study(study) as st:
        bad = sorted(st.sql("SELECT line, error FROM rejected"))
        stored = {r[0] for r in st.sql("SELECT created_at FROM posts")}
    lines = src.read_text(encoding="utf-8").splitlines()
    assert [lines[n - 1].split(",")[0] for n, _ in bad] == [rows[4]["author"], rows[7]["author"]]
    assert all("not a plausible post time" in e and "--time-format" in e for _, e in bad)
    assert all(datetime(2015, 8, 6) < t < datetime(2015, 8, 8) for t in stored)
    # Stated as epoch seconds, a value is taken as said: the check is for guessed units only.
    code, out = _ingest(str(tmp_path / "said.duckdb"), str(src), "--columns", "account_id=author,text=text,created_at=epoch", "--time-format", "epoch")
    assert code == 0 and "rejected 0" in out, out


# -- column names that need quoting ----------------------------------------------------------------


def test_a_toml_map_with_commas_and_equals_signs_is_given_back_as_a_working_command(tmp_path: Path) -> None:
    from botwatch.ingest.csv_mapping import from_options
    from botwatch.report.reproduce import reproduction

    rows = _rows(GOP)
    names = {"author": "Author, as shown", "created_at": "time=UTC", "text": '"text", raw', "user_location": "where"}
    odd = [{names.get(k, k): v for k, v in r.items()} for r in rows]
    src = _write_csv(tmp_path / "odd.csv", [names.get(k, k) for k in rows[0]], odd)
    toml = tmp_path / "map.toml"
    toml.write_text('[columns]\naccount_id = "Author, as shown"\nhandle = "Author, as shown"\ncreated_at = "time=UTC"\n'
                    'text = \'"text", raw\'\nlocation = "where"\n', encoding="utf-8")
    study = tmp_path / "s.duckdb"
    code, out = _ingest(str(study), str(src), "--column-map", str(toml))
    assert code == 0 and "stored 21" in out, out
    with open_study(study) as st:
        (step,) = reproduction(st, str(study))["steps"]
        first = sorted(st.sql("SELECT * EXCLUDE (source) FROM posts"))
        accounts = sorted(st.sql("SELECT * FROM accounts"))
    words = shlex.split(step)
    given_back = parse_option(words[words.index("--columns") + 1])
    recorded = from_options(None, str(toml))
    assert recorded is not None and dict(build(given_back).columns) == dict(recorded.columns)  # the same map, read back from the command
    words[2] = str(tmp_path / "again.duckdb")
    code, out = _ingest(*words[2:])
    assert code == 0, out
    with open_study(tmp_path / "again.duckdb") as st:
        assert sorted(st.sql("SELECT * EXCLUDE (source) FROM posts")) == first and sorted(st.sql("SELECT * FROM accounts")) == accounts


@pytest.mark.parametrize("column", ["a,b", "x=y", '"q"', 'say "hi", then', ",", '""', "=,="])
def test_any_column_name_round_trips_through_the_option(column: str) -> None:
    cmap = build({"account_id": column, "created_at": "t", "text": "body"})
    assert build(parse_option(cmap.as_option())) == cmap


@pytest.mark.parametrize(("text", "said"), [('text="open', "does not close"), ('text="a"b,account_id=x', "after its closing quote")])
def test_a_broken_quote_is_one_line(text: str, said: str) -> None:
    with pytest.raises(ColumnMapError, match=said):
        parse_option(text)


# -- columns left unread ----------------------------------------------------------------------------


def test_the_summary_names_the_columns_left_unread(tmp_path: Path) -> None:
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(GOP), "--columns", GOP_MAP.replace("location=user_location", "location=user_locaton_typo").replace(",location=user_locaton_typo", ""))
    assert code == 0, out
    header = list(_rows(GOP)[0])
    unused = [h for h in header if h not in {"author", "created_at", "text", "is_retweet", "user_time_zone"}]
    assert f"{len(unused)} columns not mapped, so not stored: {', '.join(unused)}" in out
    assert "user_location" in unused


# -- handles as account keys ----------------------------------------------------------------------


def test_a_handle_in_another_case_is_the_same_account(tmp_path: Path) -> None:
    """Twitter handles are case-insensitive (@UKLabour is @uklabour): with the handle as the key,
    posts under both spellings are one account's; the handle is kept as the latest row wrote it."""
    rows = _rows(GOP)[:6]
    for i, r in enumerate(rows):
        r["author"] = ("UKLabour", "uklabour", "@UKLABOUR")[i % 3] if i < 3 else r["author"]
    src = _write_csv(tmp_path / "h.csv", list(rows[0]), rows)
    for name, cols in (("same", GOP_MAP), ("handle_only", "handle=author,created_at=created_at,text=text")):
        study = tmp_path / f"{name}.duckdb"
        code, out = _ingest(str(study), str(src), "--columns", cols)
        assert code == 0 and "rejected 0" in out, out
        with open_study(study) as st:
            per = dict(st.sql("SELECT account_id, count(*) FROM posts GROUP BY 1"))
            handles = dict(st.sql("SELECT account_id, handle FROM accounts"))
        assert per["uklabour"] == 3 and len(per) == 1 + len({r["author"].lower() for r in rows[3:]}), per
        assert handles["uklabour"] in {"UKLabour", "uklabour", "UKLABOUR"}  # a leading @ is dropped, as from the key


def test_numeric_or_other_id_keys_keep_their_case(tmp_path: Path) -> None:
    rows = _rows(GOP)[:4]
    for r, key in zip(rows, ("AbC123", "abc123", "ABC123", "42")):
        r["user_key"] = key
    src = _write_csv(tmp_path / "k.csv", list(rows[0]), rows)
    study = tmp_path / "k.duckdb"
    code, out = _ingest(str(study), str(src), "--columns", "account_id=user_key,handle=author,created_at=created_at,text=text")
    assert code == 0, out
    with open_study(study) as st:
        assert sorted(r[0] for r in st.sql("SELECT account_id FROM accounts")) == sorted(["AbC123", "abc123", "ABC123", "42"])


# -- the Python API ----------------------------------------------------------------------------------


def test_the_api_takes_the_cli_options_and_checks_before_writing(tmp_path: Path) -> None:
    from botwatch import api

    study = tmp_path / "api.duckdb"
    with pytest.raises(ValueError, match="lacks: text=tweet_text"):
        api.ingest(study, [GOP], columns="account_id=author,created_at=created_at,text=tweet_text")
    with pytest.raises(ValueError, match="is not an IANA time zone name"):
        api.ingest(study, [GOP], columns=GOP_MAP, time_zone="Mars/Olympus")
    assert not study.exists()
    summary = api.ingest(study, [BREXIT], columns={"post_id": "tweet_id", "account_id": "user_id", "text": "text", "created_at": "time_scraped"},
                         time_zone="America/New_York")
    assert summary.total("stored") == 24 and summary.total("rejected") == 0
    assert any("not mapped, so not stored: created_at, user_location, geo, hashtags, stance_file" in n for n in summary.notes)
    cli = tmp_path / "cli.duckdb"
    code, _ = _ingest(str(cli), str(BREXIT), "--columns", "post_id=tweet_id,account_id=user_id,text=text,created_at=time_scraped",
                      "--time-zone", "America/New_York")
    assert code == 0
    with open_study(study) as a, open_study(cli) as b:
        assert sorted(a.sql("SELECT * EXCLUDE (source) FROM posts")) == sorted(b.sql("SELECT * EXCLUDE (source) FROM posts"))
        assert a.sql("SELECT params FROM runs WHERE stage = 'ingest'")[0][0].replace(str(study), "") == \
            b.sql("SELECT params FROM runs WHERE stage = 'ingest'")[0][0].replace(str(cli), "")


# -- --decode-entities ---------------------------------------------------------------------------------


def _escaped_gop(path: Path) -> tuple[Path, list[dict[str, str]]]:
    """The gop-debate-2015 slice with three texts as the API sent them (the real file holds 692 such
    rows of 9,116; the slice happens to hold none): two escaped, one with a bare `&` (decoded before)."""
    rows = _rows(GOP)
    rows[0]["text"] = "local &amp; state run &lt;---serious question"
    rows[1]["text"] = "RT @someone: Q&amp;A &gt; debate"
    rows[2]["text"] = "R&B &amp; more"  # a bare `&`: decoded already, kept as written
    return _write_csv(path, list(rows[0]), rows), rows


def test_decode_entities_decodes_a_mapped_csv_and_keeps_its_ids(tmp_path: Path) -> None:
    """A `--columns` CSV keeps `&amp;` as written (a scraped file's posters may have typed one);
    with --decode-entities (or `decode_entities = true` in the TOML map) the three are decoded as
    for the formats botwatch recognises, and the ids (hashed from the text as written) are the same."""
    src, rows = _escaped_gop(tmp_path / "escaped.csv")
    toml = tmp_path / "map.toml"
    toml.write_text("decode_entities = true\n[columns]\n" + "".join(f'{f} = "{c}"\n' for f, c in parse_option(GOP_MAP).items()),
                    encoding="utf-8")
    texts = {}
    for name, extra in (("kept", ["--columns", GOP_MAP]), ("flag", ["--columns", GOP_MAP, "--decode-entities"]),
                        ("toml", ["--column-map", str(toml)])):
        code, out = _ingest(str(tmp_path / f"{name}.duckdb"), str(src), *extra)
        assert code == 0, out
        with open_study(tmp_path / f"{name}.duckdb") as st:
            texts[name] = dict(st.sql("SELECT post_id, text FROM posts"))
    assert texts["kept"].keys() == texts["flag"].keys() == texts["toml"].keys()
    assert texts["flag"] == texts["toml"]
    kept, decoded = set(texts["kept"].values()), set(texts["flag"].values())
    assert {"local &amp; state run &lt;---serious question", "Q&amp;A &gt; debate", "R&B &amp; more"} <= kept
    assert {"local & state run <---serious question", "Q&A > debate", "R&B &amp; more"} <= decoded


def test_decode_entities_is_recorded_and_given_back_by_the_reproduction_block(tmp_path: Path) -> None:
    from botwatch.ingest.csv_mapping import from_params, reproduce_flags

    cmap = build(parse_option(GOP_MAP), decode_entities=True)
    assert cmap.as_params()["decode_entities"] is True and from_params(cmap.as_params()) == cmap
    assert reproduce_flags(cmap.as_params())[-1] == "--decode-entities"
    assert "decode_entities" not in build(parse_option(GOP_MAP)).as_params()  # off: recorded as before


def test_decode_entities_needs_a_map_and_a_toml_boolean(tmp_path: Path) -> None:
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(GOP), "--decode-entities")
    assert code == 2 and "--decode-entities applies to a CSV read with --columns" in out
    toml = tmp_path / "map.toml"
    toml.write_text('decode_entities = "yes"\n[columns]\naccount_id = "author"\ncreated_at = "created_at"\ntext = "text"\n', encoding="utf-8")
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(GOP), "--column-map", str(toml))
    assert code == 2 and "decode_entities must be true or false" in out
    assert not (tmp_path / "s.duckdb").exists()
