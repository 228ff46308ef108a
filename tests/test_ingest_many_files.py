"""Ingesting a folder of many files: the work per file must not grow with the files read before it."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

from botwatch.ingest import runner
from botwatch.study import Study

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _tweets(n: int) -> list[str]:
    first = json.loads((FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines()[0])
    return [json.dumps({**first, "id": 10**15 + i, "id_str": str(10**15 + i), "text": f"post {i}"}) + "\n" for i in range(n)]


def test_each_earlier_file_is_looked_at_once_per_ingest_call(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Whether an input is a `.gz` of a file read before was asked of every earlier file again for
    each new input: a folder of N files cost N*(N-1)/2 opens. Each is now opened once per call, and
    a plain copy of a `.gz` read earlier in the same call is still skipped as identical."""
    folder = tmp_path / "in"
    folder.mkdir()
    tweets = _tweets(5)
    (folder / "a.jsonl.gz").write_bytes(gzip.compress(tweets[0].encode()))
    for i, line in enumerate(tweets[1:], 1):
        (folder / f"b{i}.jsonl").write_text(line, encoding="utf-8")
    (folder / "z.jsonl").write_text(tweets[0], encoding="utf-8")  # the `.gz`'s text
    looked: Counter[str] = Counter()
    real = runner.gzip_text_size

    def counting(path):  # type: ignore[no-untyped-def]
        looked[str(path)] += 1
        return real(path)

    monkeypatch.setattr(runner, "gzip_text_size", counting)
    with Study(tmp_path / "s.duckdb") as st:
        done = runner.ingest(st, [str(folder)], workers=1)
        assert [f.stored for f in done.files] == [1, 1, 1, 1, 1, 0]
        assert done.files[-1].skipped == f"identical content already ingested from {folder / 'a.jsonl.gz'}"
        earlier = {str(folder / n): 1 for n in ("b1.jsonl", "b2.jsonl", "b3.jsonl", "b4.jsonl")}
        assert looked == {str(folder / "a.jsonl.gz"): 2, **earlier}, looked  # (the `.gz` once as the input itself)
        looked.clear()
        again = runner.ingest(st, [str(folder)], workers=1)  # re-running adds nothing
        assert all(f.skipped for f in again.files) and st.sql("SELECT count(*) FROM posts")[0][0] == 5


def test_whether_a_file_was_read_before_is_asked_once_per_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`_ingested_as` (a query of `sources`) was asked up to three times for each file, with the
    same SHA-256 and the same answer: once now, whether the file is new, re-read or skipped."""
    calls: list[str] = []
    real = runner._ingested_as

    def counting(study, sha):  # type: ignore[no-untyped-def]
        calls.append(sha)
        return real(study, sha)

    monkeypatch.setattr(runner, "_ingested_as", counting)
    f = tmp_path / "a.jsonl"
    f.write_text("".join(_tweets(3)), encoding="utf-8")
    with Study(tmp_path / "s.duckdb") as st:
        for force, stored, skipped in ((False, 3, False), (True, 0, False), (False, 0, True)):
            calls.clear()
            res = runner.ingest_file(st, str(f), force=force, workers=1)
            assert (res.stored, res.skipped is not None, res.error) == (stored, skipped, None)
            assert len(calls) == 1, (force, calls)
        assert st.sql("SELECT count(*) FROM posts")[0][0] == 3


def test_a_file_read_again_is_hashed_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Read again at its path (`--force`, or grown), a file was hashed twice: whole (on the native
    path, by the background line scan) and once more up to each earlier read's size, to learn
    whether it grew from that read, an answer nothing used any more (any read at the path counts)."""
    import hashlib

    real, hashed = hashlib.sha256, [0]

    class Counting:
        def __init__(self, data: bytes = b"") -> None:
            self._h = real(data)
            hashed[0] += len(data)

        def update(self, data: bytes) -> None:
            hashed[0] += len(data)
            self._h.update(data)

        def hexdigest(self) -> str:
            return self._h.hexdigest()

    monkeypatch.setattr(hashlib, "sha256", Counting)
    monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 1)  # the native path (and its background scan) for a small file
    tweets = _tweets(40)
    f = tmp_path / "a.jsonl"
    with Study(tmp_path / "s.duckdb") as st:
        for text, force, stored in (("".join(tweets[:20]), False, 20), ("".join(tweets[:20]), True, 0), ("".join(tweets), False, 20)):
            f.write_text(text, encoding="utf-8")
            hashed[0] = 0
            res = runner.ingest_file(st, str(f), force=force, workers=1)
            assert (res.stored, res.error) == (stored, None)
            assert hashed[0] == f.stat().st_size, (force, stored, hashed[0], f.stat().st_size)
        assert st.sql("SELECT count(*) FROM posts")[0][0] == 40


def test_the_merge_statements_are_compiled_once_not_per_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Merging each file's posts and accounts compiled the same Ibis expressions to SQL again for
    every file, about half a second a file: most of the time a folder of small files took."""
    from botwatch.ingest import merge

    compiled: list[object] = []
    real = merge._sql

    def counting(expr):  # type: ignore[no-untyped-def]
        compiled.append(expr)
        return real(expr)

    monkeypatch.setattr(merge, "_sql", counting)
    tweets = _tweets(4)  # one account: from the second file on, its account is merged with what the study holds
    for i, line in enumerate(tweets):
        (tmp_path / f"f{i}.jsonl").write_text(line, encoding="utf-8")
    with Study(tmp_path / "s.duckdb") as st:
        runner.ingest(st, [str(tmp_path / "f0.jsonl"), str(tmp_path / "f1.jsonl")], workers=1)
        compiled.clear()
        done = runner.ingest(st, [str(tmp_path / "f2.jsonl"), str(tmp_path / "f3.jsonl")], workers=1)
        assert [(f.stored, f.accounts) for f in done.files] == [(1, 1), (1, 1)] and not compiled
        assert st.sql("SELECT count(*) FROM posts")[0][0] == 4
        assert st.sql("SELECT count(*) FROM accounts")[0][0] == 1


def test_files_sharing_a_bad_record_do_not_open_every_earlier_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each file holding a bad record an earlier input held too (the same broken first line) was
    compared with every such input, opening each (`gzip_text_size`) and hashing itself again:
    200 files cost 20,897 opens. Each earlier file is now opened once a call, a plain file's own
    hash serves as its text's, and each file's bad record is still kept under its own name."""
    looked: Counter[str] = Counter()
    hashed: list[str] = []
    real_size, real_text = runner.gzip_text_size, runner.text_sha256

    def sizing(path):  # type: ignore[no-untyped-def]
        looked[str(path)] += 1
        return real_size(path)

    def texting(path):  # type: ignore[no-untyped-def]
        hashed.append(str(path))
        return real_text(path)

    monkeypatch.setattr(runner, "gzip_text_size", sizing)
    monkeypatch.setattr(runner, "text_sha256", texting)
    for i, line in enumerate(_tweets(5)):
        (tmp_path / f"f{i}.jsonl").write_text('{"id": 5, "text": "broken\n' + line, encoding="utf-8")
    with Study(tmp_path / "s.duckdb") as st:
        done = runner.ingest(st, [str(tmp_path / f"f{i}.jsonl") for i in range(5)], workers=1)
        assert [(f.stored, f.rejected) for f in done.files] == [(1, 1)] * 5
        assert max(looked.values()) == 1 and not hashed, (looked, hashed)
        assert sorted(st.sql("SELECT source, line FROM rejected")) == [(str(tmp_path / f"f{i}.jsonl"), 1) for i in range(5)]
