"""Per-column measures of profile text (handles, names, descriptions) with the values of the
per-string Python code in `profile`, computed for a whole column at once.

Why: counting digits, capitals, words or pattern matches one string at a time in Python was most
of the cost of `profile_features` (several generator passes per string, 100k accounts a study).
Arrow's compute kernels (RE2 regular expressions, code-point lengths) count a column in one call.

Exactness: Python's `str.isdigit`, `str.isupper`, `str.split`, `\\b`, `\\w` and case-folding are
Unicode-aware, RE2's classes are ASCII. On ASCII text the two agree, so every measure here is
taken for ASCII strings only by Arrow (pattern matches, RE2) or by numpy over the column's UTF-8
bytes (digits, capitals and words), and by the original Python function for the rest (names and
descriptions with emoji or other scripts; the description's link and automation patterns read
those through ASCII stand-ins instead, `TextColumn._stand_ins`); NULL stays NaN. tests/test_accounts_profile_text.py
compares both paths string for string, hostile strings included.
"""

from __future__ import annotations

import math
import re
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


# The non-ASCII characters that an ASCII character of a pattern matches under Python's
# re.IGNORECASE (dotted and dotless i, long s, the Kelvin sign): a string holding one is read by
# Python itself. tests/test_accounts_profile_text.py recomputes the set over every code point.
FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
_PY_WORD = re.compile(r"\w")
_PY_DECIMAL = re.compile(r"\d")
_WORD_STAND_IN, _OTHER_STAND_IN = ord("_"), 1  # "_" and \x01: a word and a non-word ASCII character


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
        self._stand_in: tuple[np.ndarray, pa.Array, np.ndarray] | None = None
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

    def _stand_ins(self) -> tuple[np.ndarray, pa.Array, np.ndarray]:
        """ASCII stand-ins for the non-ASCII strings, for patterns that read a non-ASCII
        character only as word (`\\w`, `\\b`) or not: (rows of `other` that have one, their
        stand-ins, rows that must be read by Python).

        Each ASCII character is kept and each other character becomes "_" if Python's `\\w`
        matches it, else \\x01, so that word boundaries and `\\w` runs fall where Python puts
        them and no literal or ASCII class of the pattern can match it (as none matches the
        original). Strings holding a character Python reads otherwise are left to Python: a
        Unicode decimal digit (`\\d` matches it, "_" not) and `FOLDS_TO_ASCII` (an ASCII letter
        matches it under IGNORECASE). Every character class is decided by Python's own `re` for
        each distinct code point."""
        if self._stand_in is None:
            rows = self.other
            vals = [self.values[i] for i in rows.tolist()]
            lens = np.fromiter(map(len, vals), np.int64, len(vals))
            # (A lone surrogate never gets here: Arrow refused the column when it was built.)
            cps = np.frombuffer("".join(vals).encode("utf-32-le"), dtype=np.uint32)
            high = np.flatnonzero(cps > 127)
            distinct, inverse = np.unique(cps[high], return_inverse=True)
            code = np.empty(len(distinct), dtype=np.int64)  # the stand-in byte, or -1: Python reads the string
            for k, c in enumerate(distinct.tolist()):
                ch = chr(c)
                if ch in FOLDS_TO_ASCII or _PY_DECIMAL.match(ch):
                    code[k] = -1
                else:
                    code[k] = _WORD_STAND_IN if _PY_WORD.match(ch) else _OTHER_STAND_IN
            mapped = cps.astype(np.int64)
            mapped[high] = code[inverse.reshape(-1)]
            ends = np.cumsum(lens)
            bad = np.zeros(len(vals), dtype=bool)
            bad[np.searchsorted(ends, np.flatnonzero(mapped < 0), side="right")] = True
            good = np.flatnonzero(~bad)
            if int(ends[-1] if len(ends) else 0) >= 2**31 - 1:  # beyond one Arrow string array: Python reads all
                good, bad = good[:0], np.ones(len(vals), dtype=bool)
            keep = np.repeat(~bad, lens)
            data = np.ascontiguousarray(np.where(mapped[keep] < 0, 0, mapped[keep]).astype(np.uint8))
            offsets = np.zeros(len(good) + 1, dtype=np.int32)
            offsets[1:] = np.cumsum(lens[good])
            arr = pa.StringArray.from_buffers(len(good), pa.py_buffer(offsets), pa.py_buffer(data))
            self._stand_in = (rows[good], arr, rows[bad])
        return self._stand_in

    def _fill_word_pattern(self, kernel: Callable[[pa.Array], pa.Array], slow: Callable[[str], float]) -> np.ndarray:
        """`_fill` for a pattern whose ASCII reading is exact on the stand-ins (`_stand_ins`):
        `kernel` on the column for the ASCII strings and on the stand-ins for the others, `slow`
        only for the strings the stand-ins cannot take."""
        out = np.full(self.n, np.nan)
        fast = pc.fill_null(pc.cast(kernel(self.arrow), pa.float64()), 0.0).to_numpy(zero_copy_only=False)
        out[self.ascii] = fast[self.ascii]
        if len(self.other):
            rows, arr, bad = self._stand_ins()
            if len(rows):
                out[rows] = pc.cast(kernel(arr), pa.float64()).to_numpy(zero_copy_only=False)
            for i in bad.tolist():
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

    def matches(self, pattern: str, slow: Callable[[str], float], ignore_case: bool = False, word_only: bool = False) -> np.ndarray:
        """Whether an RE2 `pattern` (the ASCII reading of a Python one) occurs: `slow` elsewhere.
        `word_only`: the pattern reads a non-ASCII character only as a word character or not
        (no `\\s` or `\\S`, whose reading of non-ASCII spaces the stand-ins do not keep; `\\d` is
        fine; no "_" or \\x01 but through `\\w`, `\\W` or `.`): the non-ASCII
        strings are read through their stand-ins (`_stand_ins`) instead of by `slow`."""
        if word_only:
            return self._fill_word_pattern(lambda a: pc.match_substring_regex(a, pattern, ignore_case=ignore_case), slow)
        return self._fill(pc.match_substring_regex(self.arrow, pattern, ignore_case=ignore_case), slow)

    def count_matches(self, pattern: str, slow: Callable[[str], float], ignore_case: bool = False, word_only: bool = False) -> np.ndarray:
        """Non-overlapping matches of an RE2 `pattern` (as `len(re.findall(...))`): `slow` elsewhere.
        `word_only` as for `matches`."""
        if word_only:
            return self._fill_word_pattern(lambda a: pc.count_substring_regex(a, pattern, ignore_case=ignore_case), slow)
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
_TERMS = np.array([[c / n * math.log2(c / n) if 0 < c <= n else 0.0 for n in range(_MAX_ENTROPY_LEN + 1)] for c in range(_MAX_ENTROPY_LEN + 1)])


def char_entropies(col: TextColumn, slow: Callable[[str], float]) -> np.ndarray:
    """`char_entropy(v)` for each string: for ASCII strings of up to 32 characters as a matrix of
    character codes, with each character's term added once, at its first occurrence, left to
    right (the order `Counter` gives and `char_entropy`'s `sum_left_to_right` adds in, on every
    Python), so that the float sums are the same."""
    n = col.n
    out = np.full(n, np.nan)
    lengths = pc.fill_null(pc.utf8_length(col.arrow), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    fast = col.ascii & (lengths > 0) & (lengths <= _MAX_ENTROPY_LEN)
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
