"""A lake's location in `ingest --engine spark`'s lines (cannot reach, is a file, is a folder that
is not a lake, could not be written) follows the rule of input file names (`name_shown`): a typed
`\\x07` in the folder's name is shown `\\\\x07`, a BEL `\\x07`, where both printed `\\x07`. Run
without Spark: the Hadoop filesystem and the Spark session are stand-ins."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import typer

LAKE = "/data/lake\\x07\x07"
SHOWN = "/data/lake\\\\x07\\x07"


def _said(capsys: pytest.CaptureFixture[str], call) -> str:  # type: ignore[no-untyped-def]
    from botwatch.cli import common

    common.console._width = 400
    with pytest.raises(typer.Exit):
        call()
    err = capsys.readouterr().err
    assert "\x07" not in err, repr(err)
    return " ".join(err.split())


def test_an_unreachable_lake_is_named_by_the_rule_of_file_names(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from botwatch.cli import ingest_spark
    from botwatch.engines import lake_tables

    def unreachable(spark, location):  # type: ignore[no-untyped-def]
        raise RuntimeError("No FileSystem for scheme")

    monkeypatch.setattr(lake_tables, "check_location", unreachable)
    said = _said(capsys, lambda: ingest_spark._ingest(None, LAKE, [], False, 16))
    assert f"cannot reach {SHOWN}: No FileSystem for scheme" in said, said


@pytest.mark.parametrize("is_file,words", [(True, "is a file (a DuckDB study?)"), (False, "is a folder that is not a botwatch lake")])
def test_a_location_that_is_no_lake_is_named_by_the_rule_of_file_names(monkeypatch: pytest.MonkeyPatch, is_file: bool, words: str) -> None:
    from botwatch.engines import lake_tables

    status = SimpleNamespace(getPath=lambda: SimpleNamespace(getName=lambda: "notes.txt"))
    fs = SimpleNamespace(exists=lambda p: p == LAKE, isFile=lambda p: is_file, listStatus=lambda p: [status])
    monkeypatch.setattr(lake_tables, "_fs", lambda spark, location: (fs, location))
    with pytest.raises(lake_tables.LakeError, match="^" + re.escape(f"{SHOWN} {words}")):
        lake_tables.check_location(None, LAKE)


def test_a_lake_that_could_not_be_written_is_named_and_exits_1_not_a_usage_error(monkeypatch: pytest.MonkeyPatch,
                                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A lake whose disk filled mid-ingest exited 2, the status README keeps for a usage error,
    where a DuckDB study that could not be written exits 1 (not done)."""
    from botwatch.cli import common, ingest_spark
    from botwatch.engines import lake_tables, spark_ingest

    def full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise spark_ingest.SparkIngestError("No space left on device")

    monkeypatch.setattr(lake_tables, "check_location", lambda spark, location: True)
    monkeypatch.setattr(spark_ingest, "ingest_lake", full)
    common.console._width = 400
    with pytest.raises(typer.Exit) as done:
        ingest_spark._ingest(None, LAKE, [], False, 16)
    said = " ".join(capsys.readouterr().err.split())
    assert done.value.exit_code == 1, said
    assert f"the lake {SHOWN} could not be written (No space left on device)" in said, said
