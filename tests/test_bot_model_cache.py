"""The parsed bot-model cache holds every file one command asks about, so none is read twice.

`report` on a study scored with `own.json.gz` while `BOTWATCH_BOT_MODEL` selects another file asks
about the selected file, the shipped one and the recorded file as given and beside the study, again
for each section that names the model: a cache of two evicted and re-read them in turn (41 reads
of three files on the bundled sample)."""

from __future__ import annotations

import gzip
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import pytest

from botwatch.accounts import botmodel
from botwatch.model_used import _candidates


def test_each_model_file_a_command_asks_about_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = gzip.decompress((resources.files("botwatch.accounts") / "models" / botmodel.SHIPPED).read_bytes())
    (tmp_path / "study").mkdir()
    for name, mtime in (("other.json.gz", 1), ("own.json.gz", 2), ("study/own.json.gz", 3)):  # one model, other bytes
        (tmp_path / name).write_bytes(gzip.compress(body, mtime=mtime))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", "other.json.gz")
    reads: list[str] = []
    real = botmodel.read_user_bytes_sha256
    monkeypatch.setattr(botmodel, "read_user_bytes_sha256", lambda path, *a, **k: reads.append(str(path)) or real(path, *a, **k))
    botmodel._read_version.cache_clear()
    study = SimpleNamespace(path=tmp_path / "study" / "s.duckdb")
    asked = _candidates(study, "own.json.gz")
    assert len(asked) == 3  # the selected file, and the recorded one as given and beside the study
    try:
        for _ in range(3):  # as bot_model_changed and bot_model_used ask, section after section
            botmodel.model_sha256()
            botmodel.shipped_sha256_and_meta()
            for cand in asked:
                botmodel.model_sha256(cand)
    finally:
        botmodel._read_version.cache_clear()
    assert sorted(reads) == sorted(asked), reads
