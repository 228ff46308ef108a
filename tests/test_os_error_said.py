"""`os_error_said`, the one wording of an OS error for a user (it was `exc.strerror or exc` in ten
places, written four ways): the system's reason without Python's "[Errno 13] …: '/the/path'", the
error's own text where it has no reason, and its kind where it has no text either, where
"cannot read x: " ended on nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch import userfile
from botwatch.userfile import UserFileError, os_error_said, read_user_bytes


def test_the_reason_without_the_path_else_the_text_else_the_kind() -> None:
    assert os_error_said(PermissionError(13, "Permission denied", "/the/path")) == "Permission denied"
    assert os_error_said(OSError("Not a gzipped file (b'PK')")) == "Not a gzipped file (b'PK')"
    assert os_error_said(EOFError("Compressed file ended before the end-of-stream marker was reached\nmore")) == (
        "Compressed file ended before the end-of-stream marker was reached")
    assert os_error_said(OSError()) == "OSError" and os_error_said(EOFError()) == "EOFError"


def test_an_error_with_no_text_is_named_not_left_blank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "m.json"
    f.write_text("{}", encoding="utf-8")

    def refused(*_a: object, **_k: object) -> None:
        raise OSError()

    monkeypatch.setattr(userfile, "open", refused, raising=False)
    with pytest.raises(UserFileError) as err:
        read_user_bytes(f, "bot model", 100)
    assert str(err.value).endswith("m.json: OSError"), str(err.value)  # was "…m.json: " with nothing after
