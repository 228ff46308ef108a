"""The accounts stage records `bot_model_sha256` of a `BOTWATCH_BOT_MODEL` file. The model was
made read-once (`analyze`'s upfront check parses it, the stage reuses the parse), yet the hash
read the whole file a second time, when it may also have been replaced in between. The hash is
now taken from the read that parsed it and cached with the model; the cache also keys on the
inode, so a file renamed over the model with the same size and modification time is read afresh."""

from __future__ import annotations

import builtins
import gzip
import hashlib
import json
import os
from importlib import resources
from pathlib import Path

import pytest

from botwatch.accounts import botmodel
from botwatch.accounts.stage import model_files_sha256


def _model_text(note: str) -> bytes:
    data = json.loads(gzip.decompress((resources.files("botwatch.accounts") / "models" / botmodel.SHIPPED).read_bytes()))
    data.setdefault("meta", {})["note"] = note
    return json.dumps(data).encode()


def test_the_hash_comes_from_the_read_that_parsed_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "mine.json.gz"
    own.write_bytes(gzip.compress(_model_text("mine")))
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(own))
    botmodel.model_meta()  # `analyze`'s upfront check: the one read
    opened: list[str] = []
    real_open = builtins.open

    def spy(file, *a, **k):  # type: ignore[no-untyped-def]
        opened.append(os.fspath(file) if isinstance(file, (str, os.PathLike)) else repr(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", spy)
    params = model_files_sha256()
    monkeypatch.setattr(builtins, "open", real_open)
    assert str(own) not in opened  # not read again to hash it
    assert params["bot_model_sha256"] == hashlib.sha256(own.read_bytes()).hexdigest()  # `sha256sum FILE`, gzip included
    assert params["bot_model_file"] == str(own)


def test_a_file_renamed_over_the_model_with_the_same_size_and_mtime_is_read_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own, other = tmp_path / "model.json", tmp_path / "other.json"
    a, b = _model_text("aaaa"), _model_text("bbbb")
    assert len(a) == len(b)
    own.write_bytes(a)
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(own))
    assert botmodel.model_meta()["note"] == "aaaa"
    other.write_bytes(b)
    st = own.stat()
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, own)  # a new file, same path, size and modification time
    assert botmodel.model_meta()["note"] == "bbbb"
    assert botmodel.model_sha256() == hashlib.sha256(b).hexdigest()
