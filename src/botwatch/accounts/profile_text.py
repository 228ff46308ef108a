"""Per-column measures of profile text (handles, names, descriptions) with the values of the
per-string Python code in `profile`, computed for a whole column at once.

Why: counting digits, capitals, words or pattern matches one string at a time in Python was most
of the cost of `profile_features` (several generator passes per string, 100k accounts a study).
Arrow's compute kernels (RE2 regular expressions, code-point lengths) count a column in one call.

Exactness: Python's `str.isdigit`, `str.isupper`, `str.split`, `\\b`, `\\w` and case-folding are
Unicode-aware, RE2's classes are ASCII. On ASCII text the two agree, so every measure here is
taken for ASCII strings only by Arrow (pattern matches, RE2) or by numpy over the column's UTF-8
bytes (digits, capitals and words), and by the original Python function for the rest (names and
descriptions with emoji or other scripts); NULL stays NaN. tests/test_accounts_profile_text.py
compares both paths string for string, hostile strings included.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Python's whitespace in ASCII (what `str.split()` / `str.strip()` split on): \t \n \v \f \r,
# the file/group/record/unit separators \x1c-\x1f, and space.
_WS = r"\t\n\x0b\x0c\r\x1c-\x1f "
_WORD = f"[^{_WS}]+"
# The same ASCII classes as byte ranges (inclusive), for the measures counted over the column's bytes.
_WS_BYTES = ((9, 13), (28, 32))  # \t \n \v \f \r, \x1c-\x1f and space
_DIGIT_BYTES = ((48, 57),)  # 0-9
_UPPER_BYTES = ((65, 90),)  # A-Z


def _in_ranges(data: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Whether each byte lies in one of `ranges` (comparisons, several times faster than a lookup table)."""
    out = np.zeros(len(data), dtype=bool)
    for lo, hi in ranges:
        out |= (data >= lo) & (data <= hi)
    return out


class TextColumn:
    """One text column (Python strings or None) with its Arrow form and ASCII mask."""

    def __init__(self, values: Sequence[str | None]) -> None:
        self.values = list(values)
        self.arrow = pa.array(self.values, type=pa.string())
        self.n = len(self.values)
        self.known = np.array([v is not None for v in self.values], dtype=bool)
        self.ascii = pc.fill_null(pc.string_is_ascii(self.arrow), False).to_numpy(zero_copy_only=False)
        self.other = np.flatnonzero(self.known & ~self.ascii)  # non-ASCII strings: the Python path
        self._bytes: tuple[np.ndarray, np.ndarray] | None = None
        # One array of 32-bit offsets (Arrow splits a column past 2 GiB into chunks): the byte
        # counts read its buffers; a chunked column keeps the regex kernels.
        self._flat = isinstance(self.arrow, pa.Array) and self.arrow.type == pa.string()

    def _utf8(self) -> tuple[np.ndarray, np.ndarray]:
        """The column's UTF-8 bytes and each string's start and end offsets into them (read from
        the Arrow buffers, no copy; a NULL's slot is empty or ignored: only ASCII rows are read)."""
        if self._bytes is None:
            arr = self.arrow
            bufs = arr.buffers()
            offsets = np.frombuffer(bufs[1], dtype=np.int32)[arr.offset:arr.offset + self.n + 1].astype(np.int64) if self.n else np.zeros(1, np.int64)
            data = np.frombuffer(bufs[2], dtype=np.uint8)[:int(offsets[-1])] if bufs[2] is not None else np.zeros(0, np.uint8)
            self._bytes = (data, offsets)
        return self._bytes

    def _per_string(self, mask: np.ndarray) -> np.ndarray:
        """Per string, how many of its bytes `mask` marks: each marked byte's string found by
        its offset (binary search), then counted; no array as long as the text but the mask."""
        _, offsets = self._utf8()
        owner = np.searchsorted(offsets, np.flatnonzero(mask), side="right") - 1
        return np.bincount(owner, minlength=self.n).astype("float64")

    def _class_counts(self, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
        """Per string, how many of its bytes lie in `ranges`: for an ASCII string, its characters
        of that ASCII class. Why: a pass of numpy comparisons over the bytes instead of an RE2
        search per string (about a third of the kernel's CPU on 100k descriptions)."""
        data, _ = self._utf8()
        return self._per_string(_in_ranges(data, ranges))

    def _word_counts(self) -> np.ndarray:
        """Per string, its runs of non-whitespace bytes (Python's ASCII whitespace): for an ASCII
        string, `len(v.split())`. A run starts at a non-space byte that opens its string or
        follows a space."""
        data, offsets = self._utf8()
        ws = _in_ranges(data, _WS_BYTES)
        after_ws = np.ones(len(data), dtype=bool)
        after_ws[1:] = ws[:-1]
        after_ws[offsets[:-1][offsets[:-1] < len(data)]] = True  # every string's first byte opens a run unless it is a space
        return self._per_string(~ws & after_ws)

    def _fill(self, fast: pa.Array | np.ndarray, slow: Callable[[str], float]) -> np.ndarray:
        """`fast` where the string is ASCII, `slow(v)` for the other known strings, NaN for None."""
        out = np.full(self.n, np.nan)
        if isinstance(fast, (pa.Array, pa.ChunkedArray)):
            fast = pc.fill_null(pc.cast(fast, pa.float64()), 0.0).to_numpy(zero_copy_only=False)
        out[self.ascii] = np.asarray(fast, dtype="float64")[self.ascii]
        for i in self.other.tolist():
            out[i] = float(slow(self.values[i]))
        return out

    def length(self) -> np.ndarray:
        """`len(v)` (code points)."""
        return self._fill(pc.utf8_length(self.arrow), len)

    def count(self, char: str) -> np.ndarray:
        """`v.count(char)` for one ASCII character."""
        return self._fill(pc.count_substring(self.arrow, char), lambda v: v.count(char))

    def digits(self) -> np.ndarray:
        """`sum(c.isdigit() for c in v)`."""
        fast = self._class_counts(_DIGIT_BYTES) if self._flat else pc.count_substring_regex(self.arrow, "[0-9]")
        return self._fill(fast, lambda v: sum(map(str.isdigit, v)))

    def uppers(self) -> np.ndarray:
        """`sum(c.isupper() for c in v)`."""
        fast = self._class_counts(_UPPER_BYTES) if self._flat else pc.count_substring_regex(self.arrow, "[A-Z]")
        return self._fill(fast, lambda v: sum(map(str.isupper, v)))

    def words(self) -> np.ndarray:
        """`len(v.split())`."""
        fast = self._word_counts() if self._flat else pc.count_substring_regex(self.arrow, _WORD)
        return self._fill(fast, lambda v: len(v.split()))

    def not_blank(self) -> np.ndarray:
        """`float(bool(v.strip()))`."""
        return self._fill(pc.match_substring_regex(self.arrow, f"[^{_WS}]"), lambda v: float(bool(v.strip())))

    def non_ascii_share(self) -> np.ndarray:
        """`sum(ord(c) > 127 for c in v) / len(v) if v else 0.0` (0 for every ASCII string)."""
        return self._fill(np.zeros(self.n), lambda v: sum(ord(c) > 127 for c in v) / len(v) if v else 0.0)

    def matches(self, pattern: str, slow: Callable[[str], float], ignore_case: bool = False) -> np.ndarray:
        """Whether an RE2 `pattern` (the ASCII reading of a Python one) occurs: `slow` elsewhere."""
        return self._fill(pc.match_substring_regex(self.arrow, pattern, ignore_case=ignore_case), slow)

    def count_matches(self, pattern: str, slow: Callable[[str], float], ignore_case: bool = False) -> np.ndarray:
        """Non-overlapping matches of an RE2 `pattern` (as `len(re.findall(...))`): `slow` elsewhere."""
        return self._fill(pc.count_substring_regex(self.arrow, pattern, ignore_case=ignore_case), slow)


    def where_containing(self, literal: str, test: Callable[[str], bool]) -> np.ndarray:
        """`test(v)` for the strings holding `literal` in any case (an Arrow search over the
        column), False for every other string and for None. Exact when `test` can be true only
        for strings holding `literal` (an ASCII word a pattern must contain): the slow Python
        test then runs on the few candidates instead of on every string."""
        out = np.zeros(self.n, dtype=bool)
        hits = pc.fill_null(pc.match_substring(self.arrow, literal, ignore_case=True), False).to_numpy(zero_copy_only=False)
        for i in np.flatnonzero(hits).tolist():
            out[i] = bool(test(self.values[i]))
        return out

# c/n·log2(c/n) for counts up to this length, each term as `char_entropy` computes it.
_MAX_ENTROPY_LEN = 32
# Python 3.12 made `sum` of floats compensated (Neumaier); the matrix path adds as 3.11 does, so
# it is used only where `sum` adds plainly (elsewhere every string takes the Python path).
_PLAIN_SUM = sum([1e16, 1.0, -1e16]) == 0.0
_TERMS = np.array([[c / n * math.log2(c / n) if 0 < c <= n else 0.0 for n in range(_MAX_ENTROPY_LEN + 1)] for c in range(_MAX_ENTROPY_LEN + 1)])


def char_entropies(col: TextColumn, slow: Callable[[str], float]) -> np.ndarray:
    """`char_entropy(v)` for each string: for ASCII strings of up to 32 characters as a matrix of
    character codes, with each character's term added once, at its first occurrence, left to
    right (the order `Counter` gives and `sum` adds in), so that the float sums are the same."""
    n = col.n
    out = np.full(n, np.nan)
    lengths = pc.fill_null(pc.utf8_length(col.arrow), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    fast = col.ascii & (lengths > 0) & (lengths <= _MAX_ENTROPY_LEN) & _PLAIN_SUM
    idx = np.flatnonzero(fast)
    if len(idx):
        sub = pc.utf8_lower(col.arrow.take(pa.array(idx)))
        offsets = np.frombuffer(sub.buffers()[1], dtype=np.int32)[sub.offset:sub.offset + len(sub) + 1]
        data = np.frombuffer(sub.buffers()[2], dtype=np.uint8)
        lens = lengths[idx]
        width = int(lens.max())
        pos = np.arange(width)
        inside = pos[None, :] < lens[:, None]
        codes = np.where(inside, data[np.minimum(offsets[:-1, None] + pos[None, :], len(data) - 1)], 0).astype(np.int16)
        codes[~inside] = -1
        total = np.zeros(len(idx))  # sum() starts from 0: 0 + x is x exactly
        for j in range(width):
            same = codes == codes[:, j:j + 1]
            first = ~same[:, :j].any(axis=1) & inside[:, j]
            count = same.sum(axis=1)
            term = _TERMS[count, lens]
            total = total + np.where(first, term, 0.0)  # adding 0.0 leaves a sum unchanged
        out[idx] = -total
    for i in np.flatnonzero(col.known & ~fast).tolist():
        out[i] = float(slow(col.values[i]))
    return out
