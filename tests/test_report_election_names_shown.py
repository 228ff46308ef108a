"""An election's name and its parties' names come from the election TOML a study's runs recorded,
which a shared study file carries from whoever analysed it. The templates print them without the
`user_text` filter in the kicker, the outside-window and no-election banners and the Parties
section; the environment's `finalize` (`sections._shown`) shows hidden characters in every plain
value all the same. This keeps it so: a right-to-left override (U+202E) in either name must reach
none of those places raw, which would reverse or hide what the reader sees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from botwatch.report import build_report
from botwatch.shown_text import shown_in_page
from botwatch.study import open_study

RLO = "\u202e"
PRESET = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "elections" / "presets" / "us-2016.toml"


def _hostile_copy(analysed_sample_path: Path, tmp_path: Path, *before: str) -> Path:
    """The analysed sample, its runs recorded under a user's copy of us-2016 ("evil-2016") whose
    election name and Republican party name hold U+202E; `before`: SQL run on the copy first."""
    text = PRESET.read_text(encoding="utf-8").replace('key = "us-2016"', 'key = "evil-2016"')
    text = text.replace('name = "US presidential election 2016"', f'name = "US {RLO}election 2016"')
    text = text.replace('name = "Republicans (Trump)"', f'name = "Rep{RLO}ublicans (Trump)"')
    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study, read_only=False) as st:
        for q in before:
            st.sql(q)
        for table in ('post_labels', 'post_party', 'estimates'):
            st.sql(f"UPDATE {table} SET election = 'evil-2016'")
        st.sql("UPDATE runs SET params = json_merge_patch(params, ?::JSON)",
               [json.dumps({"election": "evil-2016", "election_file": "evil.toml", "election_toml": text})])
    return study


def _page(study: Path, tmp_path: Path) -> str:
    with open_study(study) as st:
        return build_report(st, tmp_path / "r.html", exports=False).read_text(encoding="utf-8")


def _shown_tagged(part: str) -> None:
    assert RLO not in part, part
    assert "U+202E" in part, part


def test_hidden_characters_in_election_and_party_names_are_shown(analysed_sample_path: Path, tmp_path: Path) -> None:
    html = _page(_hostile_copy(analysed_sample_path, tmp_path, "UPDATE post_labels SET in_election = false"), tmp_path)
    assert RLO not in html
    _shown_tagged(html[html.index('<p class="kicker">'):].split("</p>")[0])
    _shown_tagged(html[html.index('id="no-election-posts"'):].split("</div>")[0])
    parties = html[html.index("Parties: support, opposition and sentiment</h2>"):].split("</section>")[0]
    _shown_tagged(parties[parties.index("belong"):].split("</strong>")[0])  # the election's name
    tag = shown_in_page(RLO)
    assert f"<strong>US {tag}election 2016</strong> conversation" in parties
    assert f'<th scope="row">Rep{tag}ublicans (Trump)</th>' in parties


def test_hidden_characters_in_an_election_name_are_shown_in_the_outside_window_banner(analysed_sample_path: Path, tmp_path: Path) -> None:
    html = _page(_hostile_copy(analysed_sample_path, tmp_path, "UPDATE posts SET created_at = created_at + INTERVAL 3 YEAR"), tmp_path)
    assert RLO not in html
    _shown_tagged(html[html.index('id="outside-window"'):].split("</div>")[0])
