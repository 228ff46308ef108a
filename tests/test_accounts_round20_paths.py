"""The faster paths of accounts CPU round 20 against the code they replace, on hostile inputs:
the gazetteer's location matcher by words (`gazetteer._name_matches`) against its pattern tried
at every character, `fold`'s ASCII shortcut, the `extra` cells decoded by the JSON scanner
(`json_text.loads`) and their region read without decoding (`json_text.region_of`), and
`signals.first_name`'s letters-only shortcut. Each must give the same values, in the same
order, as the reference, which keeps the stage's tables unchanged."""

from __future__ import annotations

import json
import math
import random
import unicodedata

import pytest

from botwatch.accounts import gazetteer, json_text, signals


def _fold_reference(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Pieces that stress the word boundaries, folding and the alternation's longest-first order.
_AWKWARD = [
    "", " ", "  ", ",", ", ", "-", "_", "'", ".", "/", "(", ")", "1", "0", "é", "e\u0301", "\u0301", "\u200d", "\u200b",
    "\u00a0", "\n", "\t", "Σ", "ς", "İ", "ß", "ﬁ", "Ａ", "🇷🇺", "🙂", "\u05d0", "\u0627", "Ⅻ", "²", "ǅ", "x", "ville", "s",
]


def _samples() -> list[str]:
    pattern, names = gazetteer._matcher()
    rng = random.Random(20)
    name_list = sorted(names)
    # The data's own spellings (countries and places) too, in several cases and with their accents.
    spelled = [n for c in gazetteer.countries().values() for n in c.names]
    out = [
        "", " ", "\t\n", "Moscow", "MOSCOW", "moscow, russia", "Moscow, Idaho", "Moscowville", "moscow_", "moscow2", "2moscow",
        "new york new york", "New York, NY", "York", "newyork", "Москва", "МОСКВА, Россия", "Санкт-Петербург", "St. Petersburg, FL",
        "São Paulo", "Sa\u0303o Paulo", "Zürich", "ZU\u0308RICH", "Köln", "İstanbul", "ΑΘΗΝΑ", "Αθήνα", "ΣΑΣ", "ﬁnland",
        "Ｍｏｓｃｏｗ", "x" * 10_000 + " moscow", "moscow " * 2_000, "Texas, TX", "London, UK", "a,CA", ", NY", "🇺🇸 USA 🇺🇸",
    ]
    out += name_list + spelled + [s.upper() for s in spelled] + [s.title() for s in name_list]
    for _ in range(6_000):
        parts = []
        for _ in range(rng.randint(1, 6)):
            r = rng.random()
            if r < 0.45:
                name = rng.choice(name_list)
                if rng.random() < 0.3 and len(name) > 2:  # a piece of a name: prefix or suffix
                    cut = rng.randint(1, len(name) - 1)
                    name = name[:cut] if rng.random() < 0.5 else name[cut:]
                parts.append(name.upper() if rng.random() < 0.2 else name)
            elif r < 0.6:
                parts.append(rng.choice(spelled))
            else:
                parts.append(rng.choice(_AWKWARD))
        out.append("".join(parts) if rng.random() < 0.5 else rng.choice([" ", ", ", "", "-", "_"]).join(parts))
    return out


def test_name_spans_by_words_equal_the_pattern() -> None:
    """Where each name lies, as `countries_in_location` reads them (the qualifier rule needs the
    places, not only the names)."""
    pattern, _ = gazetteer._matcher()
    for text in _samples():
        folded = gazetteer.fold(text)
        assert gazetteer._name_spans(folded) == [(m.start(1), m.end(1), m.group(1)) for m in pattern.finditer(folded)], text


def test_location_countries_never_fail_on_awkward_text() -> None:
    for text in _samples() + [None]:
        found = gazetteer.countries_in_location(text)
        assert all(isinstance(c, str) and n > 0 for c, n in found.items()), text


def test_name_matches_equal_the_pattern_on_folded_text() -> None:
    pattern, _ = gazetteer._matcher()
    for text in _samples():
        folded = _fold_reference(text)
        assert gazetteer._name_matches(folded) == [m.group(1) for m in pattern.finditer(folded)], text


def test_every_name_starts_with_a_word_character() -> None:
    """The word index is used (the pattern remains only for names it cannot hold)."""
    index = gazetteer._by_first_word()
    assert index is not None
    _, names = gazetteer._matcher()
    assert sorted(n for ns in index.values() for n in ns) == sorted(names)
    for ns in index.values():  # longest first, as the alternation tries them
        assert [len(n) for n in ns] == sorted((len(n) for n in ns), reverse=True)


def test_fold_equals_the_reference() -> None:
    for text in _samples() + _AWKWARD + ["".join(chr(c) for c in range(0x20, 0x2000))]:
        assert gazetteer.fold(text) == _fold_reference(text)


_JSON_TEXTS = [
    "", " ", "{", "}", "{}", "{ }", " {}", "{} ", "{}\n", "\ufeff{}", "[]", "[1]", "1", "null", '"region"', "true",
    '{"likes_count":0,"listed_count":18,"has_url":false}', '{"likes_count": 7, "listed_count": 6, "has_url": true}',
    '{"a":1}{"b":2}', '{"a":1},{"b":2}', '{"a":1}x', '{"a":', '{"a":1', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":-Infinity}',
    '{"a":1e400}', '{"a":-0}', '{"a":-0.0}', '{"a":123456789012345678901234567890}', '{"a":{"b":[1,{"c":null}]}}',
    '{"a":1,"a":2}', '{"region":"Moscow"}', '{"region":"unknown"}', '{"region":null}', '{"region":5}', '{"x":"region"}',
    '{"\\u0072egion":"escaped"}', '{"reg\\u0069on":"Kazan"}', '{"region\\u0000":"x"}', '{"region":"\\ud83d\\ude00"}',
    '{"region":"\\ud800"}', '{"r":"\\u00e9"}', '{"région":"x"}', '{"REGION":"x"}', '{"region":"Perm"} ', ' {"region":"Perm"}',
    '{"region":"Perm"}}', '{"a":"\x00"}', '{"a":"\\"}', '{"a":"}"}', '{"a":"\u2028"}', '{"a":1}\u00a0', "{" * 50 + "}" * 50,
    '{"a":"' + "x" * 100_000 + '"}', '{"a":' + "[" * 200 + "]" * 200 + "}",
]


def _same(a: object, b: object) -> bool:
    """Equal values, NaN equal to itself, and the same types all the way down."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))  # type: ignore[arg-type]
    return a == b


@pytest.mark.parametrize("text", _JSON_TEXTS)
def test_loads_equals_json_loads(text: str) -> None:
    try:
        want = json.loads(text)
    except ValueError as err:
        with pytest.raises(type(err)) as got:
            json_text.loads(text)
        assert str(got.value) == str(err)
        return
    assert _same(json_text.loads(text), want)


def _object_reference(value: object) -> dict:
    if not isinstance(value, str) or not value:
        return {}
    try:
        obj = json.loads(value)
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


@pytest.mark.parametrize("value", [*_JSON_TEXTS, None, 5, 1.5, float("nan"), b'{"region":"x"}'])
def test_object_and_region_equal_the_reference(value: object) -> None:
    want = _object_reference(value)
    assert _same(json_text.object_of(value), want)
    assert _same(json_text.region_of(value), want.get("region"))


def _first_name_reference(display_name: str | None) -> str | None:
    if not display_name:
        return None
    for word in display_name.replace(".", " ").replace("_", " ").split():
        w = "".join(ch for ch in word if ch.isalpha())
        if len(w) >= 2:
            return w
    return None


def test_first_name_equals_the_reference() -> None:
    rng = random.Random(7)
    pool = ["a", "Z", "é", "e\u0301", "\u0301", "ß", "İ", "Σ", "ǅ", "Ⅻ", "²", "1", "_", ".", " ", "\u00a0", "\u200d", "-", "'",
            "🙂", "\u05d0", "\u0627", "Ж", "中", "ー", "\u3000", "\n"]
    names = [None, "", " ", "_", "a", "ab", "a b", "Jenna Abrams", "pamela_moore", "J. R. R. Tolkien", "Mary-Jane", "O'Brien",
             "José", "Jose\u0301", "ⅫⅫ Bob", "x" * 10_000, "  🇺🇸 Amelia!! "]
    names += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 12))) for _ in range(20_000)]
    for name in names:
        assert signals.first_name(name) == _first_name_reference(name), name


def test_evidence_heads_equal_describe_value() -> None:
    """`botmodel._heads` for every feature kind (and a feature it does not describe) against the
    per-value `_head(label, describe_value(...))`, overflow errors included."""
    from botwatch.accounts import botmodel

    rng = random.Random(3)
    specials = [math.nan, -math.nan, math.inf, -math.inf, 0.0, -0.0, 0.5, 0.49999999999999994, -0.5, 1e-300, 5e-324, -5e-324,
                0.005, 0.015, 0.025, 2.5, 3.5, -2.5, 999.995, 1e15, 1e16 + 1, 2.0**53, 1e300, -1e300, 700.0, 709.78, 307.9, -400.0]
    randoms = [rng.uniform(-20, 20) for _ in range(3_000)] + [rng.uniform(-1, 1) for _ in range(1_000)]
    randoms += [rng.lognormvariate(0, 8) * rng.choice([1, -1]) for _ in range(1_000)]
    for feature in [*botmodel._DESCRIBE, "a feature without a description"]:
        for values in ([*specials, *randoms], [x for x in [*specials, *randoms] if abs(x) < 300], []):
            try:
                want = [botmodel._head(feature, botmodel.describe_value(feature, x)) for x in values]
            except OverflowError:
                with pytest.raises(OverflowError):
                    botmodel._heads(feature, values)
                continue
            assert botmodel._heads(feature, values) == want, feature


def test_place_items_equal_the_per_location_vector() -> None:
    """`origin._place_item` (its vector and factor cached per list of named countries) against the
    vector and sentence built for the location itself, for every home and floor the stage uses."""
    import numpy as np

    from botwatch.accounts import origin
    from botwatch.count_text import two_figures

    texts = [t for t in _samples()[:3_000] if gazetteer.countries_in_location(t)]
    texts += ["Moscow, Idaho", "Idaho, Moscow", "London, UK", "UK, London", "Paris Texas, TX", "Москва", "Moscow Moscow"]
    for home in ("US", "GB", "RU", None):
        for floor in (origin.FLOOR_LOCATION, 0.2):
            origin._place_item.cache_clear()
            origin._place_vector_of.cache_clear()
            for text in texts:
                found = gazetteer.countries_in_location(text)
                v, note = origin._place_vector(found, floor, home)
                times = v.max() / floor
                prior = origin._prior_note(tuple(sorted(found)), home, times)
                it = "it" if len(found) == 1 else "each"  # a place naming several countries: the factor is for each
                want = f"profile location {text!r} names {origin._names(sorted(found))} (×{two_figures(times)} for {it}{note}{prior})"
                got = origin._place_item(text, "profile location", floor, home)
                assert got is not None and got[1] == want
                assert got[0].dtype == v.dtype and np.array_equal(got[0].view(np.uint64), v.view(np.uint64))
    assert origin._place_vector_of.cache_info().currsize < origin._place_item.cache_info().currsize  # lists repeat


def _to_arrow_reference(df: "object", schema: "object") -> "object":
    """`batches.to_arrow` before round 20: only `pd.ArrowDtype` columns taken as they are."""
    import pandas as pd
    import pyarrow as pa

    return pa.Table.from_arrays([pa.array(df[f.name].array, f.type) if isinstance(df[f.name].dtype, pd.ArrowDtype)
                                 else pa.array(df[f.name].to_numpy(dtype=object), f.type, from_pandas=True) for f in schema], schema=schema)


def test_to_arrow_takes_arrow_backed_text_as_it_is() -> None:
    """Text columns of pandas' Arrow-backed `str` dtype (and its python-storage sibling, which
    still goes through objects) give the same table as through Python strings: missing values
    (None, NaN, NA) null, empty strings kept, any code point; a text column bound for a number
    field is still refused, not parsed."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from botwatch.accounts import batches

    texts = [None, "", " ", "a", "é", "e\u0301", "\x00", "\ud7ff", "🙂" * 50, "x" * 100_000, "NaN", "None", "null", "İ", "\u2028"]
    rng = random.Random(11)
    column = [rng.choice(texts) for _ in range(5_000)]
    schema = pa.schema([("a", pa.string()), ("b", pa.string()), ("c", pa.large_string()), ("d", pa.string()), ("e", pa.float64())])
    for n in (0, 1, 17, len(column)):
        part = column[:n]
        df = pd.DataFrame({
            "a": pd.Series(part, dtype="str"),
            "b": pd.Series([np.nan if v is None else v for v in part], dtype="str"),
            "c": pd.Series(part, dtype="string[pyarrow]"),
            "d": pd.Series([pd.NA if v is None else v for v in part], dtype="string[python]"),
            "e": pd.Series([float(i) if i % 3 else np.nan for i in range(n)], dtype="float64"),
        })
        got, want = batches.to_arrow(df, schema), _to_arrow_reference(df, schema)
        assert got.schema == want.schema and got.equals(want)
        assert got.column("a").null_count == sum(v is None for v in part)
    df = pd.DataFrame({"n": pd.Series(["1", "2"], dtype="str")})
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError, TypeError)):
        batches.to_arrow(df, pa.schema([("n", pa.int64())]))


def test_an_extra_cell_nested_past_the_parsers_depth_is_a_cell_without_facts() -> None:
    """A profile's `extra` text nested thousands deep raised RecursionError (not a ValueError) out
    of `with_profile_extra` and `object_of`, so one such cell stopped the accounts stage; it now
    counts as a cell without facts, like any text that is not a JSON object."""
    import pandas as pd

    from botwatch.accounts.features import with_profile_extra
    from botwatch.accounts.json_text import object_of, region_of

    deep = '{"region": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert object_of(deep) == {} and region_of(deep) is None
    out = with_profile_extra(pd.DataFrame({"extra": [deep, '{"likes_count": 3}']}))
    facts = out[["likes_count", "listed_count", "has_url"]]
    assert facts.iloc[0].isna().all() and facts.iloc[1]["likes_count"] == 3, out
