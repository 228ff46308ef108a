"""A Mastodon content warning (`spoiler_text`) is no text an account wrote to say something: a
status's `text` holds it (the warning, a blank line, the body) for party matching, and `posts.warning`
holds it apart, so the shared-text traces (co-post, co-post-near, origin's shared_texts neighbours)
read the body alone. Accounts that only put the same warning over media with no words of their own
were "posting the same text"; the same body under different warnings was no shared text.

A study or lake made before the column gets it when opened for writing (schema layout 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from botwatch import open_study
from botwatch.coordination.network import NetworkOptions, prepare_first_actions
from botwatch.ingest.runner import ingest

WARNING = "Content warning: war, graphic images"  # 36 characters: long enough for co-post on its own
BODY = "Vote early on Thursday, the polls close at ten tonight"


def _status(i: int, name: str, cw: str, body: str) -> dict:
    acct = {"id": str(i), "username": name, "acct": name, "url": f"https://a.social/@{name}"}
    return {"id": str(100 + i), "uri": f"https://a.social/users/{name}/statuses/{100 + i}", "created_at": f"2017-05-20T10:00:{i:02d}.000Z",
            "spoiler_text": cw, "content": f"<p>{body}</p>" if body else "", "account": acct, "tags": [], "mentions": [],
            "media_attachments": [{"type": "image", "url": f"https://a.social/m{i}.png"}]}


# x, y, z: the same warning over media alone; u, v, w: the same body, under the warning, another one, none.
STATUSES = [_status(1, "x", WARNING, ""), _status(2, "y", WARNING, ""), _status(3, "z", WARNING, ""),
            _status(4, "u", WARNING, BODY), _status(5, "v", "uspol", BODY), _status(6, "w", "", BODY)]
SHARERS = {"https://a.social/@u", "https://a.social/@v", "https://a.social/@w"}


def _file(tmp_path: Path) -> Path:
    f = tmp_path / "statuses.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in STATUSES) + "\n")
    return f


def _copost(study: Any, behaviour: str = "co-post") -> dict[str, set[str]]:
    first = prepare_first_actions(study, NetworkOptions(behaviours=(behaviour,)))
    out: dict[str, set[str]] = {}
    for r in first.select("trace", "account_id").to_pyarrow().to_pylist():
        out.setdefault(r["trace"], set()).add(r["account_id"])
    return {t: a for t, a in out.items() if len(a) > 1}  # a trace one account left links nobody


def test_the_warning_is_stored_apart_and_still_begins_the_text(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(_file(tmp_path))])
        got = {a.rsplit("@", 1)[1]: (t, w) for a, t, w in st.sql("SELECT account_id, text, warning FROM posts")}
    assert got["x"] == (WARNING, WARNING)
    assert got["v"] == (f"uspol\n\n{BODY}", "uspol")
    assert got["w"] == (BODY, None)


def test_a_warning_alone_is_no_shared_text_and_a_shared_body_is_one_whatever_its_warning(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(_file(tmp_path))])
        traces = _copost(st)
    assert list(traces.values()) == [SHARERS]


def test_near_copies_of_a_warning_alone_are_no_near_shared_text(tmp_path: Path) -> None:
    """co-post-near groups texts with a word changed (exact copies are co-post's)."""
    long = "Content warning: graphic images of the war in Ukraine, injuries and blood"
    statuses = [_status(1, "x", long, ""), _status(2, "y", long.replace("blood", "death"), ""),
                _status(4, "u", WARNING, BODY), _status(5, "v", "uspol", BODY.replace("ten", "nine"))]
    f = tmp_path / "near.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in statuses) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        traces = _copost(st, "co-post-near")
    assert list(traces.values()) == [{"https://a.social/@u", "https://a.social/@v"}]


def test_accounts_sharing_only_a_warning_are_no_shared_text_neighbours(tmp_path: Path) -> None:
    from botwatch.accounts.origin_textpool import neighbours

    other = "CW: election night results, long thread"
    second = [_status(10 + s, s_name, other, "") for s, s_name in enumerate(("x", "y"))]
    f = tmp_path / "statuses.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in STATUSES[:2] + second) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        nb = neighbours(st)
    assert nb.account_id == []  # x and y put the same two warnings over media, and wrote nothing


def test_a_study_made_before_the_column_gets_it_when_opened_for_writing(tmp_path: Path) -> None:
    from botwatch.exports_typed import SCHEMA_VERSION
    from botwatch.schema import POSTS, create_table_sql

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(create_table_sql("posts", POSTS.remove(POSTS.get_field_index("warning"))))
    con.execute("INSERT INTO posts (post_id, platform, account_id, created_at, text, kind) "
                "VALUES ('p1', 'mastodon', 'https://a.social/@q', TIMESTAMP '2017-05-01 10:00:00', ?, 'original')", [WARNING])
    con.execute("CREATE TABLE botwatch_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO botwatch_meta VALUES ('schema_version', '1'), ('created_by', '0.old')")
    con.close()
    with open_study(path) as st:  # read-only: left as it is
        assert "warning" not in st.columns("posts") and st.schema_version == 1
    with open_study(path, read_only=False) as st:
        assert st.columns("posts")[-1] == "warning" and st.schema_version == SCHEMA_VERSION == 2
        ingest(st, [str(_file(tmp_path))])  # new posts line up with the columns
        assert st.sql("SELECT text, warning FROM posts WHERE post_id = 'p1'") == [(WARNING, None)]
        assert st.sql("SELECT warning FROM posts WHERE account_id = 'https://a.social/@v'") == [("uspol",)]
        assert list(_copost(st).values()) == [SHARERS]


@pytest.mark.spark
def test_spark_a_warning_alone_is_no_shared_text(spark: Any, tmp_path: Path) -> None:
    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.spark_ingest import ingest_lake

    lake_path = tmp_path / "lake"
    ingest_lake(spark, str(lake_path), [str(_file(tmp_path))])
    with LakeStudy(lake_path, spark=spark) as lake:
        assert lake.sql("SELECT warning FROM posts WHERE account_id = 'https://a.social/@v'") == [("uspol",)]
        assert list(_copost(lake).values()) == [SHARERS]
        assert _copost(lake, "co-post-near") == {}  # the near map's query runs on Spark (exact copies are co-post's)


@pytest.mark.spark
def test_spark_a_lake_made_before_the_column_gets_it_when_opened_for_writing(spark: Any, tmp_path: Path) -> None:
    import pyarrow as pa

    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.spark_ingest import ingest_lake
    from botwatch.schema import POSTS

    lake_path = tmp_path / "lake"
    old = POSTS.remove(POSTS.get_field_index("warning"))
    with LakeStudy(lake_path, spark=spark) as lake:
        row = {n: None for n in old.names} | {"post_id": "p1", "platform": "mastodon", "account_id": "https://a.social/@q", "text": WARNING}
        lake.write_table("posts", pa.Table.from_pylist([row], schema=old))
        lake._meta["schema_version"] = 1
        lake.files.write_text(f"{lake.root}/_botwatch_lake.json", json.dumps(lake._meta))
    with LakeStudy(lake_path, read_only=True, spark=spark) as lake:
        assert "warning" not in lake.columns("posts") and lake.schema_version == 1
    ingest_lake(spark, str(lake_path), [str(_file(tmp_path))])
    with LakeStudy(lake_path, read_only=True, spark=spark) as lake:
        assert lake.columns("posts")[-1] == "warning" and lake.schema_version == 2
        assert sorted(lake.sql("SELECT post_id, warning FROM posts WHERE account_id IN ('https://a.social/@q', 'https://a.social/@v')")) == [
            ("https://a.social/users/v/statuses/105", "uspol"), ("p1", None)]
