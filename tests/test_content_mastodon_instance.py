"""`content.match._with_instance` names a local Mastodon handle with the instance of its profile
URL in Arrow kernels; its values must be `shown_handle`'s, row by row, on every kind of row (no
instance, a handle with one, upper case, non-ASCII names, Python-only whitespace, empty, NULL,
other platforms), and ASCII rows must not go through Python one by one (0.5 s per 200k posts)."""

from __future__ import annotations

import random
import re

import pyarrow as pa

from botwatch.accounts.json_shape import shown_handle
from botwatch.content import match

CASES = [
    # (platform, handle, account_id)
    ("mastodon", "Gruene", "https://gruene.social/@Gruene"),  # local: the instance added
    ("mastodon", "gruene", "https://gruene.social/@GRUENE"),  # case differs: still the one account
    ("mastodon", "Gruene@gruene.social", "https://gruene.social/@Gruene"),  # already named with it
    ("mastodon", "alice", "https://a.social/@bob"),  # another name: unchanged
    ("mastodon", "alice", "12345"),  # a local id, no URL
    ("mastodon", "alice", None),
    ("mastodon", None, "https://a.social/@alice"),
    ("mastodon", "", "https://a.social/@"),  # empty: NULL, as `shown_handle` gives
    ("twitter", "", "1"),  # another platform's empty handle is left as it is
    ("twitter", "alice", "https://a.social/@alice"),
    (None, "alice", "https://a.social/@alice"),
    ("bluesky", "alice.bsky.social", "did:plc:x"),
    ("mastodon", "alice", "http://a.social/@alice"),  # not https
    ("mastodon", "alice", "https://a.social/@alice/"),  # more after the name
    ("mastodon", "alice", "https://a.social/users/alice"),
    ("mastodon", "alice", "https://localhost/@alice"),  # a host without a dot
    ("mastodon", "alice", "https://a./@alice"),
    ("mastodon", "alice", "https://.a/@alice"),
    ("mastodon", "alice", "https://a../@alice"),
    ("mastodon", "alice", "https://a social/@alice"),
    ("mastodon", "alice", "https://a\u00a0b.social/@alice"),  # Python's \s, not RE2's
    ("mastodon", "alice", "https://a.social/@alice\u3000"),
    ("mastodon", "alice", "https://a.social/@alice\n"),
    ("mastodon", "Zoë", "https://bürger.social/@zoË"),  # non-ASCII: Python's lower decides
    ("mastodon", "k", "https://a.social/@\u212a"),  # KELVIN SIGN: lower() is "k", utf8_lower is not
    ("mastodon", "\u212a", "https://a.social/@k"),
    ("mastodon", "İ", "https://a.social/@i"),
    ("mastodon", "ß", "https://a.social/@SS"),
    ("mastodon", "alice", "https://bürger.social/@alice"),  # ASCII names on a non-ASCII host
    ("mastodon", "a/b", "https://a.social/@a/b"),
    ("mastodon", "alice", "HTTPS://a.social/@alice"),
]


def _expected(rows: list[tuple]) -> list:
    return [shown_handle("mastodon", h, a) if p == "mastodon" else h for p, h, a in rows]


def _run(rows: list[tuple]) -> list:
    plat, hs, ids = (pa.array(list(c), pa.string()) for c in zip(*rows))
    return match._with_instance(hs, ids, plat).to_pylist()


def test_the_tricky_rows_are_shown_handle_s() -> None:
    assert _run(CASES) == _expected(CASES)
    # chunked columns, as a table's are
    plat, hs, ids = (pa.chunked_array([list(c[:9]), list(c[9:])], pa.string()) for c in zip(*CASES))
    assert match._with_instance(hs, ids, plat).to_pylist() == _expected(CASES)


def test_random_rows_are_shown_handle_s() -> None:
    rng = random.Random(11)
    chars = ["a", "B", "k", "\u212a", "é", "İ", "ß", "Σ", "ς", " ", "\u00a0", "\x1c", "\u2028", "\n", "@", "/", ".", "_", "1"]
    word = lambda k: "".join(rng.choice(chars) for _ in range(rng.randint(0, k)))  # noqa: E731
    rows = []
    for _ in range(3000):
        h = rng.choice([None, "", "alice", "ALICE", word(4)])
        name = rng.choice([h if isinstance(h, str) else "x", "Alice", word(4)])
        host = rng.choice(["a.social", "A.Social", word(5)])
        rows.append((rng.choice(["mastodon", "mastodon", "twitter", None]), h,
                     rng.choice([None, "7", f"https://{host}/@{name}", f"https://{host}/@{name}/x"])))
    assert _run(rows) == _expected(rows)


def test_python_whitespace_is_the_pattern_s() -> None:
    """The RE2 class spells out Python's `\\s`: every character it matches lies below U+3001."""
    spaces = {chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))}
    assert {chr(int(h, 16)) for h in re.findall(r"\\x\{([0-9a-f]+)\}", match._PY_SPACE)} == spaces


def test_ascii_rows_do_not_go_through_python(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked = []

    def counted(*args):  # type: ignore[no-untyped-def]
        asked.append(args)
        return shown_handle(*args)

    monkeypatch.setattr(match, "shown_handle", counted)
    rows = [("mastodon", f"user{i}", f"https://a.social/@User{i}") for i in range(200)] + [("mastodon", "Zoë", "https://b.social/@zoë")]
    assert _run(rows) == [f"user{i}@a.social" for i in range(200)] + ["Zoë@b.social"]
    assert asked == [("mastodon", "Zoë", "https://b.social/@zoë")]


def test_a_bare_mention_by_an_account_of_the_instance_names_its_account() -> None:
    """Mastodon gives a mention's `acct` relative to the instance collected: "UKLabour" in a post
    by alice of a.social, collected there, is @UKLabour@a.social, which a file lists; it matched
    nothing. A bare mention in a post by another instance's account names an account of the
    instance collected, which the row does not tell: it stays unmatched."""
    from botwatch.content.match import compile_matcher, match_batch, signal
    from botwatch.elections.model import election_from_text

    from tests.test_content import UK, posts

    mine = election_from_text(UK.text.replace('official_accounts = ["', 'official_accounts = ["@UKLabour@a.social", "', 1), "mine.toml")
    m = compile_matcher(mine)
    alice = {"platform": "mastodon", "handle": "alice", "account_id": "https://a.social/@alice", "text": "hi"}
    rows = [
        {**alice, "mentions": ["UKLabour"]},  # 0: local author, local mention
        {**alice, "mentions": ["someone", "@uklabour"]},  # 1: with an "@", in lower case, second of two
        {**alice, "mentions": []},
        {**alice, "account_id": "https://b.social/@alice", "mentions": ["UKLabour"]},  # 3: b.social's UKLabour
        {**alice, "handle": "bob@b.social", "account_id": "https://b.social/@bob", "mentions": ["UKLabour"]},  # 4: remote author
        {**alice, "handle": "bob@b.social", "account_id": "https://b.social/@bob", "mentions": ["UKLabour@a.social"]},  # 5
        {**alice, "account_id": "12345", "mentions": ["UKLabour"]},  # 6: no profile URL, no instance
        {**alice, "handle": None, "mentions": ["UKLabour"]},  # 7: author unknown
        {"platform": "twitter", "handle": "alice", "account_id": "https://a.social/@alice", "mentions": ["UKLabour"], "text": "hi"},  # 8
        {"platform": "bluesky", "handle": "alice", "account_id": "https://a.social/@alice", "mentions": ["UKLabour"], "text": "hi"},  # 9
    ]
    t = posts(rows).set_column(2, "account_id", pa.array([r["account_id"] for r in rows], pa.string()))
    got = signal(m, match_batch(m, t), "labour", "mention_account").tolist()
    assert got == [True, True, False, False, False, True, False, False, True, False]


def test_boosts_of_two_instances_alices_are_two_retweet_nodes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The account prior's retweet graph keyed a boosted Mastodon account by its stored handle:
    a.social's and b.social's local "alice" were one node, so x (who boosted the one) and y (who
    boosted the other) were neighbours; and a boost of alice seen from b.social ("alice@a.social")
    was a node her own account ("alice", collected on a.social) never joined."""
    from botwatch.content.propagate import graph_edges
    from botwatch.study import open_study

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.ensure_schema()
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('mastodon', 'https://a.social/@alice', 'alice'), "
               "('mastodon', 'https://b.social/@alice', 'alice'), ('mastodon', 'https://a.social/@x', 'x'), ('mastodon', 'https://b.social/@y', 'y'), "
               "('mastodon', 'https://b.social/@z', 'z'), ('twitter', '1', 'Alice')")
        st.sql("INSERT INTO posts (platform, post_id, account_id, text, kind, ref_account_id, ref_handle) VALUES "
               "('mastodon', 'p1', 'https://a.social/@x', '', 'retweet', 'https://a.social/@alice', 'alice'), "
               "('mastodon', 'p2', 'https://b.social/@y', '', 'retweet', 'https://b.social/@alice', 'alice'), "
               "('mastodon', 'p3', 'https://b.social/@z', '', 'retweet', 'https://a.social/@alice', 'alice@a.social'), "
               "('twitter', 't1', '2', '', 'retweet', 'https://a.social/@alice', 'Alice')")
        got = {(r["account_id"].split(":", 1)[1], r["node"]) for r in graph_edges(st.table("posts"), st.table("accounts")).to_pyarrow().to_pylist()}
    assert got == {("https://a.social/@alice", "h:mastodon:alice@a.social"), ("https://a.social/@x", "h:mastodon:alice@a.social"),
                   ("https://b.social/@z", "h:mastodon:alice@a.social"),
                   ("https://b.social/@alice", "h:mastodon:alice@b.social"), ("https://b.social/@y", "h:mastodon:alice@b.social"),
                   ("2", "h:twitter:alice"), ("1", "h:twitter:alice")}
