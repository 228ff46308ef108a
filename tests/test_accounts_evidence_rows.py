"""The bot and signal evidence assembled in Arrow (`scoring._json_list_array`, `_placed`,
`_bot_cells`) equals the Python-string code it replaced, kept here (and `_json_lists` in
`scoring`) as the reference: on no evidence, an empty batch, unknown and uncertain accounts,
hostile and non-ASCII strings."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from botwatch.accounts import scoring
from botwatch.accounts.scoring import OBSERVED_PREFIX, UNKNOWN_BOT, _bot_cells, _json_list_array, _json_lists, _placed
from botwatch.prob_text import prob2
from testsupport.accounts_reference import needs_escape_regex

# Every character JSON escapes, quotes and backslashes in all places, non-ASCII of every width
# (Latin, Cyrillic, CJK, an astral emoji, a combining mark, U+2028, U+FFFF), empty strings, DEL.
HOSTILE = ["", '"', "\\", '\\"', 'a "quoted" word', "back\\slash\\", "tab\there", "line\nbreak\r\n", "\x00", "\x1f\x1e",
           "\b\f", "\x7f del", "é", "Ж", "中文", "😀 emoji", "e\u0301", "\u2028sep\u2029", "\uffff", "</script>", "[1, 2]", ", ",
           "plain sentence raised the bot score (+0.31 log-odds)", "ünïcödé \"and\" \\ \n all", " " * 3]
HOSTILE += [chr(c) for c in range(32)]


def _cells_reference(parts: list[str], bounds: list[int]) -> list[str]:
    return _json_lists(parts, bounds)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_json_list_array_equals_json_lists(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 5, 300)
    sizes[:5] = 0  # accounts with no parts, at the start
    sizes[-3:] = 0  # and at the end
    parts = [HOSTILE[k] for k in rng.integers(0, len(HOSTILE), int(sizes.sum()))]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    got = _json_list_array(pa.array(parts, pa.string()), bounds).to_pylist()
    assert got == _cells_reference(parts, bounds.tolist())
    assert [json.loads(c) for c in got] == [parts[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def test_json_list_array_on_every_hostile_string_alone_and_on_empty_input() -> None:
    bounds = np.arange(len(HOSTILE) + 1)
    assert _json_list_array(pa.array(HOSTILE, pa.string()), bounds).to_pylist() == _json_lists(HOSTILE, bounds.tolist())
    assert _json_list_array(pa.array([], pa.string()), np.zeros(1, np.int64)).to_pylist() == []
    assert _json_list_array(pa.array([], pa.string()), np.zeros(4, np.int64)).to_pylist() == ["[]"] * 3


def test_placed_equals_a_python_fill() -> None:
    rng = np.random.default_rng(5)
    for n in (0, 1, 7, 500):
        for share in (0.0, 0.3, 1.0):
            at = rng.random(n) < share
            rest = [None if rng.random() < 0.1 else HOSTILE[k] for k in rng.integers(0, len(HOSTILE), int((~at).sum()))]
            placed = [HOSTILE[k] for k in rng.integers(0, len(HOSTILE), int(at.sum()))]
            want, r, p = [], iter(rest), iter(placed)
            for a in at.tolist():
                want.append(next(p) if a else next(r))
            assert _placed(pa.array(rest, pa.string()), pa.array(placed, pa.string()), at).to_pylist() == want


def _bot_cells_reference(known: np.ndarray, ood: np.ndarray, reasons: list[str | None], low: np.ndarray, high: np.ndarray,
                         observed: list[list[str]], bot_parts: list[str], bot_bounds: list[int]) -> list[str]:
    """`score`'s loop before the Arrow assembly (main at 6808150), verbatim but for its inputs and
    the range's bounds, written with `prob2` since (`test_the_uncertain_range_never_reads_as_certainty`)."""
    low_list, high_list = low.tolist(), high.tolist()
    known_list, ood_list = known.tolist(), ood.tolist()
    parts: list[str] = []
    bounds = [0]
    for i in range(len(known)):
        if not known_list[i]:
            parts.append(UNKNOWN_BOT)
        else:
            if ood_list[i]:
                parts.append(f"{reasons[i]}: the probability is uncertain, between {prob2(low_list[i])} and {prob2(high_list[i])}")
            parts += bot_parts[bot_bounds[i]:bot_bounds[i + 1]]
        if observed[i]:
            parts += [OBSERVED_PREFIX + s for s in observed[i]]
        bounds.append(len(parts))
    return _json_lists(parts, bounds)


@pytest.mark.parametrize("n", [0, 1, 2, 40, 400])
def test_bot_cells_equal_the_per_account_loop(n: int) -> None:
    rng = np.random.default_rng(n)
    known = rng.random(n) < 0.7
    ood = known & (rng.random(n) < 0.3)
    if n:
        known[0], ood[0] = False, True  # an unknown account flagged uncertain shows "unknown" only
    low, high = rng.random(n), rng.random(n) + 1
    low[rng.random(n) < 0.1] = np.nan
    reasons = [HOSTILE[k] if o else None for k, o in zip(rng.integers(0, len(HOSTILE), n), ood.tolist())]
    # Reasons for unknown accounts too (a behaviour item can apply to one): the cell must skip them.
    n_reasons = rng.integers(0, 6, n)
    bot_bounds = [0, *np.cumsum(n_reasons).tolist()]
    bot_parts = [HOSTILE[k] for k in rng.integers(0, len(HOSTILE), bot_bounds[-1])]
    observed = [[HOSTILE[k] for k in rng.integers(0, len(HOSTILE), m)] for m in rng.integers(0, 3, n).tolist()]
    got = _bot_cells(known, ood, reasons, low, high, observed, pa.array(bot_parts, pa.string()), bot_bounds).to_pylist()
    assert got == _bot_cells_reference(known, ood, reasons, low, high, observed, bot_parts, bot_bounds)


def test_the_uncertain_range_never_reads_as_certainty() -> None:
    """An out-of-distribution account's first bot sentence writes its range as `explain`'s range
    line does: @mauritscorneIis (labelled study, 1 day old, 970 posts a day) read "between 0.85
    and 1.00" beside "Plausible range: 0.85 to >0.99"; a bot probability is never certain."""
    known, ood = np.array([True, True]), np.array([True, True])
    got = _bot_cells(known, ood, ["log_posts_per_day outside the range seen in training"] * 2, np.array([0.8493, 0.001]),
                     np.array([1.0, 0.15]), [[], []], pa.array([], pa.string()), [0, 0, 0]).to_pylist()
    assert json.loads(got[0]) == ["log_posts_per_day outside the range seen in training: the probability is uncertain, between 0.85 and >0.99"]
    assert json.loads(got[1]) == ["log_posts_per_day outside the range seen in training: the probability is uncertain, between <0.01 and 0.15"]


def test_escape_pattern_is_what_encode_basestring_escapes() -> None:
    """Every code point below U+0100 and a few beyond: the pattern flags exactly those that
    `encode_basestring` changes (else a part could go out unescaped, or be escaped twice)."""
    from json.encoder import encode_basestring  # type: ignore[attr-defined]

    chars = [chr(c) for c in [*range(0x100), 0x2028, 0xFFFF, 0x1F600]]
    flags = scoring.pc.match_substring_regex(pa.array(chars, pa.string()), scoring._NEEDS_ESCAPE).to_pylist()
    assert flags == [encode_basestring(c) != f'"{c}"' for c in chars]


def test_needs_escape_bytes_equal_the_pattern_and_encode_basestring() -> None:
    """The byte test flags exactly the strings the pattern flags and `encode_basestring` changes:
    every code point below U+0800 alone and inside words (two-byte UTF-8, whose continuation bytes
    must not pass for ASCII), astral and CJK characters, NULLs, empty strings, a sliced array and
    large_string; and random mixes of the hostile strings."""
    from json.encoder import encode_basestring  # type: ignore[attr-defined]

    alone = [chr(c) for c in [*range(0x800), 0x2028, 0xFFFF, 0x1F600, 0x4E2D]]
    inside = [f"ab{c}cd" for c in alone]
    rng = np.random.default_rng(3)
    mixed = ["".join(HOSTILE[k] for k in rng.integers(0, len(HOSTILE), m)) for m in rng.integers(0, 4, 2000).tolist()]
    for texts in (alone, inside, mixed, HOSTILE, [], [""], ["", None, '"', None, "x"]):
        for kind in (pa.string(), pa.large_string()):
            arr = pa.array(texts, kind)
            got = scoring._needs_escape(arr)
            assert got.tolist() == needs_escape_regex(arr).tolist()
            assert got.tolist() == [t is not None and encode_basestring(t) != f'"{t}"' for t in texts]
            if len(arr) > 3:  # an array that starts inside its buffers
                part = arr.slice(2, len(arr) - 3)
                assert scoring._needs_escape(part).tolist() == needs_escape_regex(part).tolist()


def test_evidence_keys_kinds_and_ranks_per_account(sample_data) -> None:  # type: ignore[no-untyped-def]
    """The evidence rows' key, kind and rank columns (made by Arrow `take`) as an account-by-account
    walk writes them: each account's rows together in the accounts' order, its bot rows, then its
    signals, then its origin evidence (as many as `min(items + 1, evidence)`), each ranked from 1."""
    import copy

    from botwatch.accounts.batches import to_arrow
    from botwatch.accounts.botmodel import shipped_model
    from botwatch.accounts.scoring import score
    from testsupport.accounts_reference import origin_results
    from botwatch.schema import ACCOUNT_EVIDENCE

    data = copy.deepcopy(sample_data)
    origins = origin_results(data, "US")
    _scores, evidence = score(data, shipped_model(), "US", study_prior=False, origins=origins)
    got = to_arrow(evidence, ACCOUNT_EVIDENCE).to_pydict()
    rows = list(zip(got["platform"], got["account_id"], got["kind"], got["rank"]))
    f = data.features
    want, at = [], 0
    for key, o in zip(zip(f["platform"].tolist(), f["account_id"].tolist()), origins):
        mine = [r for r in rows[at:] if (r[0], r[1]) == key]
        n_origin = min(len(o.items) + 1, len(o.evidence))
        kinds = [r[2] for r in rows[at:at + len(mine)]]
        n_bot, n_sig = kinds.count("bot"), kinds.count("signal")
        assert n_bot + n_sig + n_origin == len(kinds) and kinds.count("origin") == n_origin
        for kind, k in (("bot", n_bot), ("signal", n_sig), ("origin", n_origin)):
            want += [(*key, kind, rank) for rank in range(1, k + 1)]
        at += len(kinds)
    assert at == len(rows) > 0 and rows == want
    assert evidence["platform"].isna().sum() == 0 and str(evidence["rank"].dtype).startswith("int64")
