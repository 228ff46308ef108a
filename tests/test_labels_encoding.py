"""A labels file saved as UTF-16 ("Unicode text") or in a code page is refused with what to do:
each command printed the codec's message or "not readable as CSV text", and none said "save it
as UTF-8"."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.labels_encoding import undecodable_reason


def _files(tmp_path: Path) -> dict[str, Path]:
    text = "account_id,bot,post_id,party,stance,sentiment\n1,1,p1,labour,support,positive\nJosé,0,p2,labour,oppose,négative\n"
    wide = tmp_path / "wide.csv"
    wide.write_bytes(text.encode("utf-16"))
    cp = tmp_path / "cp.csv"
    cp.write_bytes(text.encode("cp1252"))
    return {"UTF-16": wide, "code page": cp}


def test_the_reason_names_the_encoding_and_the_fix(tmp_path: Path) -> None:
    files = _files(tmp_path)
    for name, f in files.items():
        try:
            f.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            said = undecodable_reason(f, exc)
        else:  # pragma: no cover - the files are built not to decode
            pytest.fail(f"{name} decoded as UTF-8")
        assert "UTF-8" in said
    assert "UTF-16 text, not UTF-8" in undecodable_reason(files["UTF-16"], UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"))


def test_the_three_readers_say_it(tmp_path: Path) -> None:
    from botwatch.accounts.evaluate import AccountLabelsError, load_account_labels
    from botwatch.accounts.labelled import read_labels_csv
    from botwatch.content.score import LabelsError, load_labels

    for f in _files(tmp_path).values():
        with pytest.raises(AccountLabelsError, match="UTF-8"):
            load_account_labels(f)
        with pytest.raises(LabelsError, match="UTF-8"):
            load_labels(f)
        with pytest.raises(ValueError, match="UTF-8"):
            read_labels_csv(f)
    with pytest.raises(LabelsError, match="save it as UTF-8"):
        load_labels(_files(tmp_path)["code page"])


def test_a_labels_file_is_not_said_to_be_ingested(tmp_path: Path) -> None:
    """The UTF-16 advice ended "and ingest that", ingest's own words: a labels file is given to
    the command again, and ingesting it would store it as posts."""
    said = undecodable_reason(_files(tmp_path)["UTF-16"], UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"))
    assert "ingest" not in said and said.endswith("and run again with that")
