"""`benchmarks/content.py` builds its generated posts as a `posts` table of the current layout.

The benchmark wrote its rows column by column and handed them to pyarrow with `schema.POSTS`;
when layout 2 added the nullable `warning` column (Mastodon's content warning) the benchmark
ended in "KeyError: ... doesn't contain the following field(s) of the schema: warning", and
nothing in the suite ran it. A few generated posts are enough to keep it in step with the schema
(the benchmark itself, timing and all, stays a separate command)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "content.py"


def test_the_content_benchmark_generates_posts_of_the_current_layout() -> None:
    from botwatch.schema import POSTS

    spec = importlib.util.spec_from_file_location("bench_content", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    posts, accounts = module.generate(200, 0.3)
    assert posts.schema.equals(POSTS) and posts.num_rows == 200 and accounts.num_rows > 0
    assert posts.column("warning").null_count == 200
