"""A study whose content stage was re-run with an edited copy of its election file (same key) was
refused by `analyze` without --election, but the report built from it without a word: its Parties
section came from one text and its accounts section from another."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from botwatch.report import build_report
from botwatch.study import open_study


def test_a_report_of_stages_with_different_elections_says_so(tmp_path: Path, sample_study_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    text = 'key = "us-2016"\nname = "edited"\ncountry = "US"\n'
    with open_study(study) as st:
        assert "mixed-elections" not in build_report(st, tmp_path / "before.html", exports=False).read_text()
    with open_study(study, read_only=False) as st:  # accounts with the preset, content with an edited copy
        st.sql("INSERT INTO runs VALUES ('a', 'accounts', ?, '0.1.0', now(), now(), 'ok', 0, NULL)", [json.dumps({"election": "us-2016"})])
        st.sql("INSERT INTO runs VALUES ('t', 'content', ?, '0.1.0', now(), now(), 'ok', 0, NULL)",
               [json.dumps({"election": "us-2016", "election_toml": text})])
    with open_study(study) as st:
        html = build_report(st, tmp_path / "r.html", exports=False).read_text()
    banner = html[html.index('id="mixed-elections"'):][:1200]
    assert "Stages analysed with different elections." in banner
    assert "content: us-2016 (recorded text" in banner and "(preset)" in banner
    assert "--stage STAGE --toml" in banner
