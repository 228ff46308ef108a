"""`features.from_batch` reads the engine's (key, posts) list columns column-wise (`_pair_dicts`,
`_hour_rows`); they must give what the per-row reference (`_pairs`, `_hour_list`) gives: the same
keys in the same (code-point) order, NULL lists left out, empty lists kept, on sliced and chunked
columns as record batches hand them over."""

from __future__ import annotations

import pyarrow as pa

from botwatch.accounts.features import _hour_list, _hour_rows, _pair_dicts, _pairs

PAIR = pa.struct([("k", pa.string()), ("n", pa.int64())])


def _shapes(arr: pa.Array) -> list[pa.Array | pa.ChunkedArray]:
    return [arr, arr.slice(3, 9), pa.chunked_array([arr.slice(0, 4), arr.slice(4, 7)])]


def test_pair_dicts_equal_the_row_reference() -> None:
    rows = [None, [{"k": "en", "n": 3}, {"k": "ru", "n": 1}, {"k": "de", "n": 2}], [],
            [{"k": "é", "n": 1}, {"k": "z", "n": 5}, {"k": "Z", "n": 1}, {"k": "Ж", "n": 2}]] * 4
    for col in _shapes(pa.array(rows, pa.list_(PAIR))):
        py = col.to_pylist()
        keys = [("twitter", str(i)) for i in range(len(py))]
        want = {k: v for k, v in zip(keys, _pairs(py)) if v is not None}
        got = _pair_dicts(keys, col)
        assert got == want
        assert [list(v) for v in got.values()] == [list(v) for v in want.values()]  # key order too


def test_hour_rows_equal_the_row_reference() -> None:
    rows = [None, [{"k": "3", "n": 2}, {"k": "23", "n": 1}], [{"k": "0", "n": 4}], []] * 4
    for col in _shapes(pa.array(rows, pa.list_(PAIR))):
        py = col.to_pylist()
        keys = [("twitter", str(i)) for i in range(len(py))]
        assert _hour_rows(keys, col) == {k: _hour_list(v) for k, v in zip(keys, _pairs(py)) if v is not None}
