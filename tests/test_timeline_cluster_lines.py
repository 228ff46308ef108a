"""The report's "Largest coordinated clusters" chart draws the clusters with the most members.

It ranked its lines by posts: on the IRA tweets of 1-15 November 2016 (us-2016) it drew clusters
2, 4, 5, 6, 9 and 3, captioned "the 6 largest of 10 series", while the headline named cluster 0
(9 accounts) "the largest", the clusters table listed 0 and 1 first, `botwatch timeline -d
cluster` said it kept "the 10 largest of the study's 18 clusters", and the chart drew neither.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def _cluster_chart(tmp_path: Path) -> dict:
    """Eight clusters: 0 (9 members) and 1 (7) post little, 2-7 (2 members each) post much; the
    timeline keeps the first ten by size, as the stage does (`groups.largest_clusters`)."""
    from botwatch.study import Study
    from botwatch.timeline.report import timeline_figures

    sizes = {0: 9, 1: 7, **{c: 2 for c in range(2, 8)}}
    with Study(tmp_path / "t.duckdb", read_only=False, create=True) as st:
        st.sql("CREATE TABLE cluster_members (cluster_id BIGINT, platform VARCHAR, account_id VARCHAR)")
        st.sql("INSERT INTO cluster_members VALUES " + ", ".join(f"({c}, 'twitter', 'a{c}-{i}')" for c, n in sizes.items() for i in range(n)))
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT)")
        rows = ["('day','utc','all','all','2016-11-01',1000)", "('day','utc','all','all','2016-11-02',1000)"]
        rows += [f"('day','utc','cluster','cluster {c}','2016-11-01',{3 if c < 2 else 100 + c})" for c in sizes]
        st.sql("INSERT INTO timeline VALUES " + ", ".join(rows))
        figs = timeline_figures(st, None, (datetime(2016, 11, 1), datetime(2016, 11, 2)))
    return next(f for f in figs if f["title"] == "Largest coordinated clusters")


def test_the_largest_clusters_chart_draws_the_clusters_with_most_members(tmp_path: Path) -> None:
    fig = _cluster_chart(tmp_path)
    assert fig["caption"] == "the 6 largest of the study's 8 clusters, by accounts"
    svg = str(fig["svg"])
    drawn = {f"cluster {c}" for c in range(8) if f">cluster {c}<" in svg}
    assert drawn == {f"cluster {c}" for c in range(6)}, drawn


def test_clusters_it_cannot_rank_by_members_are_not_called_the_largest(tmp_path: Path) -> None:
    """With no `cluster_members` (or members renumbered since the timeline ran) the chart drew the
    first six clusters by name under "Largest coordinated clusters": now the busiest, titled so."""
    from botwatch.study import Study
    from botwatch.timeline.report import timeline_figures

    posts = {c: 10 * c for c in range(1, 9)}  # by name, cluster 1-6 came first; by posts, 3-8
    with Study(tmp_path / "t.duckdb", read_only=False, create=True) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT)")
        st.sql("INSERT INTO timeline VALUES " + ", ".join(f"('day','utc','cluster','cluster {c}','2016-11-01',{n})" for c, n in posts.items()))
        span = (datetime(2016, 11, 1), datetime(2016, 11, 2))
        figs = {f["title"]: f for f in timeline_figures(st, None, span)}
        st.sql("CREATE TABLE cluster_members (cluster_id BIGINT, platform VARCHAR, account_id VARCHAR)")
        st.sql("INSERT INTO cluster_members VALUES (40, 'twitter', 'a'), (40, 'twitter', 'b')")  # renumbered: no cluster of the timeline's
        renumbered = {f["title"]: f for f in timeline_figures(st, None, span)}
    assert "Largest coordinated clusters" not in figs and "Largest coordinated clusters" not in renumbered, list(figs)
    fig = figs["Busiest coordinated clusters"]
    assert fig["caption"] == "the 6 with the most posts in these days of the timeline's 8 clusters; not ranked by accounts: the study holds no cluster members"
    assert {f"cluster {c}" for c in range(1, 9) if f">cluster {c}<" in str(fig["svg"])} == {f"cluster {c}" for c in range(3, 9)}
    assert renumbered["Busiest coordinated clusters"]["caption"].endswith("not ranked by accounts: the study's clusters are not the timeline's (coordination ran after it)")
