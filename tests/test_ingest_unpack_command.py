"""The command an archive's refusal gives names the file refused, and no other.

A tar was told a literal `tar -xf FILE` beside a zip's real command; and a zip whose name is not
UTF-8 was given a command built from the name as shown (`\\xff`), which names a file that does not
exist: such a name now gets the FILE FOLDER placeholders."""

from __future__ import annotations

import os
import shlex
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.ingest.formats import UnknownFormat, sniff, unpack_command
from botwatch.ingest.source import InputSource

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _pack(kind: str, path: Path) -> Path:
    if kind == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.write(FIX / "v1_uklabour.jsonl", "v1_uklabour.jsonl")
    else:
        with tarfile.open(path, "w") as t:
            t.add(FIX / "v1_uklabour.jsonl", "v1_uklabour.jsonl")
    return path


def test_a_tar_is_given_its_own_name_quoted_and_the_command_unpacks_it(tmp_path: Path) -> None:
    packed = _pack("tar", tmp_path / "my batch.tar")
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(packed)], env={"COLUMNS": "1000"})
    said = " ".join(res.output.split())
    command = f"tar -xf {shlex.quote(str(packed))}"
    assert res.exit_code == 1 and f"(`{command}`)" in said and "FILE" not in said, said
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run(shlex.split(command), check=True, cwd=out)  # as pasted
    assert (out / "v1_uklabour.jsonl").read_bytes() == (FIX / "v1_uklabour.jsonl").read_bytes()


@pytest.mark.parametrize("kind, said", [("zip", "`python -m zipfile -e FILE FOLDER`"), ("tar", "`tar -xf FILE`")])
def test_a_name_that_is_not_utf8_gets_placeholders_not_another_files_name(tmp_path: Path, kind: str, said: str) -> None:
    raw = os.fsencode(tmp_path) + b"/tw\xffeets." + kind.encode()
    try:
        with open(raw, "wb"):
            pass
    except OSError:
        pytest.skip("this file system refuses a name that is not UTF-8")
    os.remove(raw)
    path = Path(os.fsdecode(raw))
    _pack(kind, path)
    src = InputSource.open(path)
    try:
        with pytest.raises(UnknownFormat) as exc:
            sniff(src)
    finally:
        src.close()
    assert said in str(exc.value) and "\\xff" not in str(exc.value), str(exc.value)


def test_standard_input_gets_placeholders() -> None:
    assert unpack_command("tar", "<stdin>") == "tar -xf FILE"
    assert unpack_command("zip", "<stdin>") == "python -m zipfile -e FILE FOLDER"
