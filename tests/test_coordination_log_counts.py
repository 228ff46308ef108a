"""The coordination stage's log read "1 pairs co-acted" on a study where one pair did."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from botwatch import open_study
from botwatch.coordination.network import NetworkOptions
from botwatch.coordination.stage import run_coordination

T0 = datetime(2017, 5, 20, 10, 0, 0)


def test_one_co_acting_pair_is_one_pair(tmp_path: Path) -> None:
    texts = ["the same long message about the vote number one", "the same long message about the vote number two"]
    rows = [(f"{acc}{i}", acc, T0 + timedelta(minutes=10 * i, seconds=s), t) for i, t in enumerate(texts) for acc, s in (("a", 0), ("b", 5))]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.con.executemany("INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, hashtags, mentions, urls) "
                           "VALUES (?, 'twitter', ?, ?, ?, 'original', [], [], [])", rows)
        said: list[str] = []
        run_coordination(st, NetworkOptions(behaviours=("co-post",)), log=said.append)  # type: ignore[arg-type]
    line = next(m for m in said if "co-acted" in m)
    assert line.startswith("coordination: 1 pair co-acted, 1 tested, "), said


def test_the_report_says_one_pair_that_could_have_coincided(tmp_path: Path) -> None:
    """The coordination section read "a 5% false discovery rate over all 1 pairs that could have coincided"."""
    import html
    import re

    from botwatch.report.section_coordination import coordination_section

    rows = [(f"{acc}{i}", acc, T0 + timedelta(minutes=10 * i, seconds=s), f"the same long message about the vote number {i}")
            for i in range(2) for acc, s in (("a", 0), ("b", 5))]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.con.executemany("INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, hashtags, mentions, urls) "
                           "VALUES (?, 'twitter', ?, ?, ?, 'original', [], [], [])", rows)
        run_coordination(st, NetworkOptions(behaviours=("co-post",)), log=lambda m: None)  # type: ignore[arg-type]
        sec = coordination_section(st, {})
    assert sec is not None
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(sec.html))).split())
    assert "over all 1 pair that could have coincided." in text, text



def test_a_rerun_that_renumbers_clusters_says_so_and_how_to_get_them_back(analysed_sample_path: Path, tmp_path: Path) -> None:
    """After `coordination --window 5m`, a plain `analyze --only coordination` ran at 60 s and
    renumbered every cluster in silence (IRA, September 2016: 142 of 147 clustered accounts moved)."""
    from testsupport.study_copies import copy_study

    path = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    said: list[str] = []
    with open_study(path, read_only=False) as st:
        run_coordination(st, NetworkOptions(), log=said.append)  # type: ignore[arg-type]
        assert not [m for m in said if "changed" in m], said  # the settings it was analysed with: the same numbers, nothing to say
        before = st.sql("SELECT count(*) FROM cluster_members")[0][0]
        run_coordination(st, NetworkOptions(window_s=3600), log=said.append)  # type: ignore[arg-type]
    line = next(m for m in said if "cluster numbers changed" in m)
    assert f"of the {before:,} accounts clustered before are in another cluster or none now" in line, line
    assert f"(--window 60s then, --window 3600s now): run `botwatch coordination {path} --window 60s`" in line, line


def test_the_command_that_gives_earlier_clusters_back_runs_at_all_their_settings() -> None:
    """Runs at `--seed 3 --null-unit h` then `--seed 3` (null unit the model's own) were told to run
    `botwatch coordination STUDY --null-unit None`: the command refuses "None", and without `--seed 3`
    it would run at seed 7, not giving the earlier clusters."""
    from dataclasses import asdict

    from botwatch.coordination.stage import cluster_change_line

    opts = json.loads(json.dumps(asdict(NetworkOptions(seed=3, null_unit="h"))))
    moved = ({("twitter", "a"): 0}, opts), ({("twitter", "a"): 1}, {**opts, "null_unit": None})
    line = cluster_change_line(*moved, "'my study.duckdb'")
    assert line is not None and "(--null-unit h then, no --null-unit now)" in line, line
    assert "run `botwatch coordination 'my study.duckdb' --null-unit h --seed 3` to have" in line, line
    back = cluster_change_line(moved[1], moved[0], "s.duckdb")
    assert back is not None and "run `botwatch coordination s.duckdb --seed 3` to have" in back, back


def test_accounts_that_only_joined_clusters_are_no_renumbering() -> None:
    """A re-run where every clustered account kept its number and new ones joined (more posts
    ingested) said "the cluster numbers changed … a cluster number noted from the earlier run may
    name another group now", which no number did."""
    from dataclasses import asdict

    from botwatch.coordination.stage import cluster_change_line

    opts = json.loads(json.dumps(asdict(NetworkOptions())))
    assert cluster_change_line(({("twitter", "a"): 0}, opts), ({("twitter", "a"): 0, ("twitter", "b"): 0, ("twitter", "c"): 1}, opts)) is None
