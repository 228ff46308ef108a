"""How the shared real data escapes `&`, `<` and `>` in post text, and what ingest's decoding changes.

Why: Twitter's APIs send `&amp;` `&lt;` `&gt;` in tweet text; other collectors decode them, and some
files mix both. ingest/html_entities.py decodes what each source escapes; this script gives the
counts docs/ingest-csv.md ("Escaped text") quotes, so they can be re-measured on new data.

For each CSV: rows holding one of the three entities, rows holding a bare `&` (one that starts none
of them), `<` or `>` (which Twitter's escaping never leaves), rows that hold both, and the rows
`decode_if_escaped` changes. The IRA file is also split by `harvested_date` around the collector's
switch (7 Dec 2016). For the JSON files: the posts a study of them holds with an entity before and
after decoding (ingested twice, once with the decoding turned off).

Usage: python scripts/measure_html_entities.py [DATA]   (DATA: ../shared/data by default)
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from botwatch.ingest.html_entities import decode_if_escaped  # noqa: E402

ENTITY = re.compile(r"&(?:amp|lt|gt);")
BARE = re.compile(r"[<>]|&(?!(?:amp|lt|gt);)")
SWITCH = "2016-12-07"


def csv_counts(path: Path, column: str, harvested: str | None = None) -> Counter[str]:
    csv.field_size_limit(1 << 30)
    c: Counter[str] = Counter()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            t = row[column] or ""
            c["rows"] += 1
            e, b = bool(ENTITY.search(t)), bool(BARE.search(t))
            c["entity"] += e
            c["bare"] += b
            c["both"] += e and b
            changed = decode_if_escaped(t) != t
            c["decoded"] += changed
            if harvested and changed and (row.get(harvested) or "") < SWITCH:
                c["decoded, harvested before the switch"] += 1
            if harvested and b and (row.get(harvested) or "") >= SWITCH:
                c["bare, harvested after the switch"] += 1
    return c


def json_counts(files: list[Path]) -> dict[str, int]:
    from botwatch import open_study
    from botwatch.ingest import native_v1, twitter_v1, twitter_v1_fast, twitter_v2
    from botwatch.ingest.runner import ingest

    out = {}
    same = lambda text: text  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        for name, off in (("as sent", True), ("decoded", False)):
            patches = [mock.patch.object(m, "decode", same) for m in (twitter_v1, twitter_v1_fast, twitter_v2)] + [mock.patch.object(native_v1, "decode_sql", same)]
            for p in patches if off else []:
                p.start()
            try:
                with open_study(Path(tmp) / f"{name}.duckdb", read_only=False) as st:
                    ingest(st, [str(f) for f in files], workers=1)
                    out["posts"] = st.sql("SELECT count(*) FROM posts")[0][0]
                    out[f"posts with an entity, {name}"] = st.sql("SELECT count(*) FROM posts WHERE regexp_matches(text, '&(amp|lt|gt);')")[0][0]
            finally:
                for p in patches if off else []:
                    p.stop()
    return out


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data"
    files = sorted((data / "twarc2").glob("*.jsonl.gz")) + sorted((data / "ge2017").glob("*.json.gz"))
    print("twarc2 + ge2017 (JSON):", json_counts(files))
    for rel, col, harv in (("ordinary/gop-debate-2015/tweets.csv.gz", "text", None), ("ordinary/brexit-2016/tweets.csv.gz", "text", None),
                           ("ira/tweets.csv.gz", "content", "harvested_date")):
        print(f"{rel}:", dict(csv_counts(data / rel, col, harv)))


if __name__ == "__main__":
    main()
