"""Write `botwatch/timeline/data/ordinary_fit_accounts.tsv`: the accounts behind `ORDINARY_FITS`.

Why: the circadian section leaves out of the ordinary reference the accounts a study also holds
(`botwatch.timeline.ordinary_accounts`), which needs to know which accounts the reference counted
and where each one's fit fell. Run on a study of the whole ordinary archive, analysed as
`ORDINARY_FITS` says; it checks the counts against `ORDINARY_FITS` before writing.

    botwatch ingest brexit.duckdb ../shared/data/ordinary/brexit-2016/tweets.csv.gz \
      --columns post_id=tweet_id,account_id=user_id,created_at=created_at,text=text,location=user_location,hashtags=hashtags
    botwatch analyze brexit.duckdb --election uk-ge2017 --only timeline --only circadian
    PYTHONPATH=src python scripts/ordinary_fit_accounts.py brexit.duckdb
"""

from __future__ import annotations

import sys

from botwatch.study import open_study
from botwatch.timeline.ordinary_accounts import FILE, account_hash
from botwatch.timeline.report import ORDINARY_FITS, far_from_home, moscow_band


def main(path: str) -> None:
    r = ORDINARY_FITS
    band, homes = moscow_band(r["msk"], r["home"]), [r["home"]]
    with open_study(path, read_only=True) as st:
        rows = st.sql("SELECT platform, account_id, best_offset FROM circadian WHERE informative ORDER BY platform, account_id")
    lines = sorted(f"{account_hash(p, a)}\t{int(int(o) in band)}\t{int(far_from_home(int(o), homes))}" for p, a, o in rows)
    counts = (len(lines), sum(line.split("\t")[1] == "1" for line in lines), sum(line.split("\t")[2] == "1" for line in lines))
    if counts != (r["informative"], r["k_msk"], r["k_far"]):
        sys.exit(f"this study gives {counts} (informative, Moscow band, far), not ORDINARY_FITS's; nothing written")
    FILE.parent.mkdir(exist_ok=True)
    FILE.write_text("# hash of platform\\x1faccount_id (blake2b, 8 bytes)\tin the Moscow band\tat least 3 hours from home\n"
                    + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} accounts to {FILE}")


if __name__ == "__main__":
    main(sys.argv[1])
