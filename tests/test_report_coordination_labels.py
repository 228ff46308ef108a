"""The coordination picture names accounts as the rest of the report does: "@handle", or "id N"
for an account without a handle (the accounts table and the explorer write "id N"). It wrote the
members' handles without "@", their ids bare, and an amplified account known only by its id as
"@N", a handle no one has. Handles are attacker-written: they stay escaped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from botwatch.pipeline import Context, analyze
from botwatch.study import open_study
from testsupport.study_copies import copy_study, digest, unchanged

from test_timeline import write_posts


def _study(path: Path):  # type: ignore[no-untyped-def]
    """Six accounts retweeting the same 30 posts within seconds, twenty others at random; the
    even posts are retweeted by handle (a hostile one), the odd ones by the author's id alone."""
    import numpy as np

    rng = np.random.default_rng(3)
    posts = []
    for k in range(30):
        t0 = datetime(2017, 5, 1) + timedelta(hours=7 * k, seconds=5)
        ref = dict(ref_account_id="src", ref_handle="<i>Leader" if k % 2 == 0 else None)
        for a in range(6):
            posts.append(dict(post_id=f"r{k}-{a}", platform="twitter", account_id=f"b{a}", created_at=t0 + timedelta(seconds=3 * a),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", **ref))
        for h in range(20):
            posts.append(dict(post_id=f"h{k}-{h}", platform="twitter", account_id=f"h{h}", created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", **ref))
    st = open_study(path, read_only=False)
    write_posts(st, posts)
    return st


@pytest.fixture(scope="module")
def coordinated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`_study` after the coordination stage alone (no election), once for the module: four tests
    each built and analysed this same study. Read only (the module's end fails if it changed): the
    tests open their own copy (`_coordinated_copy`)."""
    path = tmp_path_factory.mktemp("coordinated") / "s.duckdb"
    with _study(path) as st:
        analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
    before = digest(path)
    yield path
    unchanged(path, before)


def _coordinated_copy(coordinated: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A private, writable copy of `coordinated`, open."""
    return open_study(copy_study(coordinated, tmp_path / "s.duckdb"), read_only=False)


def test_the_picture_labels_accounts_without_a_handle_as_id_n(coordinated: Path, tmp_path: Path) -> None:
    from botwatch.report.section_coordination import _layout, coordination_section

    with _coordinated_copy(coordinated, tmp_path) as st:  # `_study` after `analyze --only coordination`
        st.sql("UPDATE cluster_members SET handle = '<b>Bold' WHERE account_id = 'b0'")  # one member with a handle
        cids = [c for (c,) in st.sql("SELECT DISTINCT cluster_id FROM cluster_members ORDER BY 1")]
        picture = _layout(st, cids)
        labels = {n["label"] for n in picture["nodes"]}
        assert "@<b>Bold" in labels and {f"id b{a}" for a in range(1, 6)} <= labels, labels
        assert {t["label"] for t in picture["targets"]} == {"@<i>leader", "id src"}, picture["targets"]
        sec = coordination_section(st, {})
    assert sec is not None
    svg = str(sec.html).split("<svg class=\"network\"")[1].split("</svg>")[0]
    assert "@src" not in svg and "@b1" not in svg and "id src</text>" in svg, svg
    assert "<b>" not in svg and "<i>" not in svg and "@&lt;i&gt;leader" in svg and "@&lt;b&gt;Bold" in svg


def test_the_clusters_table_and_headline_name_the_central_account_the_same_way(coordinated: Path, tmp_path: Path) -> None:
    """"Most central" and the headline's "the largest, N accounts around X" printed the stored
    `coalesce(handle, account_id)` bare: "around b3" for a handle-less account, "around jill"."""
    from botwatch.report.section_coordination import coordination_facts

    with _coordinated_copy(coordinated, tmp_path) as st:  # `_study` after `analyze --only coordination`
        labels = [c["label"] for c in coordination_facts(st)["clusters"]]  # type: ignore[index]
        assert labels and all(lab.startswith("id b") for lab in labels), labels
        central = st.sql("SELECT label FROM clusters ORDER BY cluster_id LIMIT 1")[0][0]
        st.sql(f"UPDATE cluster_members SET handle = '<b>Bold' WHERE account_id = '{central}'")
        st.sql("UPDATE clusters SET label = '<b>Bold' WHERE label = ?", [central])
        facts = coordination_facts(st)
    assert facts is not None and facts["clusters"][0]["label"] == "@<b>Bold", facts["clusters"][0]


def test_the_picture_keeps_a_handle_and_a_bare_id_of_the_same_name_apart(tmp_path: Path) -> None:
    """The even posts retweet the handle "Src", the odd ones the id "src" alone: the coordination
    stage keeps them apart in `clusters.top_amplified` ("@src" and "id src"), but the picture
    grouped on the lower-cased name and drew one square, "@src", for both."""
    from botwatch.coordination.clusters import top_amplified
    from botwatch.report.fmt import account_label
    from botwatch.report.section_coordination import _layout

    with _study(tmp_path / "s.duckdb") as st:
        st.sql("UPDATE posts SET ref_handle = 'Src' WHERE ref_handle IS NOT NULL")
        analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
        cids = [c for (c,) in st.sql("SELECT DISTINCT cluster_id FROM cluster_members ORDER BY 1")]
        stored = {account_label(a["handle"], a["account_id"] or a["account"])
                  for (v,) in st.sql("SELECT top_amplified FROM clusters") for a in top_amplified(v)}
        picture = _layout(st, cids)
    assert stored == {"@src", "id src"}, stored
    drawn = [t["label"] for t in picture["targets"]]
    assert sorted(drawn) == sorted(["@src", "id src"] * len(cids)), drawn
    # Each square is joined to the members that amplified it in that form: both forms by all six.
    assert len(picture["links"]) == 2 * 6, picture["links"]


def test_the_null_column_says_it_is_one_shuffled_copy_not_a_mean(coordinated: Path, tmp_path: Path) -> None:
    """The test-against-chance table headed its null column "Null mean" beside "a null model gives
    that pair by chance, computed exactly": the per-pair tests use the exact expectation, but the
    column is the pair count in one seeded shuffled copy (whole numbers, 0.0 past k = 3)."""
    import html
    import re

    from botwatch.report.section_coordination import coordination_section

    with _coordinated_copy(coordinated, tmp_path) as st:  # `_study` after `analyze --only coordination`
        sec = coordination_section(st, {})
    assert sec is not None
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(sec.html))).split())
    assert "Null mean" not in text
    assert "Null (one shuffled copy)" in text
    assert "each pair's test uses the exact expectation, not this column" in text


def test_a_ten_kilobyte_handle_is_cut_where_the_report_names_the_cluster(coordinated: Path, tmp_path: Path) -> None:
    """An operator's 10 kB handle on a cluster's most central member was printed whole in the
    clusters table's narrow "Most central" column, the headline ("around @BBBB…") and the
    picture's tooltips: in Chromium the coordination section grew to about 46,000 px. The report
    cuts a handle to the 80 characters the account explorer shows."""
    import re

    from botwatch.report.fmt import HANDLE_SHOWN
    from botwatch.report.section_coordination import _layout, coordination_facts, coordination_section

    long = "B" * 10_000
    with _coordinated_copy(coordinated, tmp_path) as st:  # `_study` after `analyze --only coordination`
        central = st.sql("SELECT label FROM clusters ORDER BY cluster_id LIMIT 1")[0][0]
        st.sql("UPDATE cluster_members SET handle = ? WHERE account_id = ?", [long, central])
        st.sql("UPDATE clusters SET label = ? WHERE label = ?", [long, central])
        label = coordination_facts(st)["clusters"][0]["label"]  # type: ignore[index]
        cids = [c for (c,) in st.sql("SELECT DISTINCT cluster_id FROM cluster_members ORDER BY 1")]
        nodes = _layout(st, cids)["nodes"]
        sec = coordination_section(st, {})
    assert label == "@" + "B" * (HANDLE_SHOWN - 1) + "…", label
    assert max(len(n["label"]) for n in nodes) <= HANDLE_SHOWN + 1
    assert sec is not None and not re.search("B{%d}" % HANDLE_SHOWN, str(sec.html))
