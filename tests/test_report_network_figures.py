"""The coordination network picture gives a screen reader what it draws (`report.section_coordination`):
each account with its cluster, posts and links, the lines between them (capped as a chart's table is),
and each amplified account with who amplified it. Before, the facts sat in circle tooltips alone."""

from __future__ import annotations

import re

from botwatch.chart_table import MAX_ROWS
from botwatch.report.section_coordination import _picture_figures


def _rows(html: str) -> list[list[str]]:
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r) for r in re.findall(r"<tr>(.*?)</tr>", html)]


def test_network_figures_list_each_drawn_account_its_lines_and_amplified_accounts() -> None:
    nodes = [{"label": "@a", "cluster": 0, "posts": 1200, "degree": 2}, {"label": "@b", "cluster": 0, "posts": 3, "degree": 1},
             {"label": "@<img src=x onerror=alert(1)>", "cluster": 1, "posts": 0, "degree": 1}]
    html = str(_picture_figures(nodes, [(0, 2, 2.0), (0, 1, 4.0)], [("@target", 0)], [(0, 3, 5), (1, 3, 2)]))
    tables = html.split("</table>")[:-1]
    assert len(tables) == 3
    assert "Coordination network (3 accounts drawn): the figures drawn" in tables[0]
    rows = _rows(tables[0])
    assert rows[0] == ["Account", "Cluster", "Posts", "Coordination links"]
    assert rows[1] == ["@a", "0", "1,200", "2"] and rows[2] == ["@b", "0", "3", "1"]
    assert "Lines between the accounts drawn: each line drawn, the strongest first" in tables[1]
    assert _rows(tables[1])[1:] == [["@a", "@b"], ["@a", "@&lt;img src=x onerror=alert(1)&gt;"]]  # strongest first
    assert "<img" not in html  # attacker text stays text
    assert _rows(tables[2])[1:] == [["@target", "0", "@a, @b"]]


def test_network_figures_without_lines_or_amplified_accounts_give_one_table() -> None:
    html = str(_picture_figures([{"label": "@a", "cluster": 3, "posts": 1, "degree": 0}], [], [], []))
    assert html.count("<table>") == 1 and _rows(html)[1] == ["@a", "3", "1", "0"]


def test_network_lines_are_capped_as_a_charts_table_and_say_where_the_rest_are() -> None:
    """Listed under both accounts of each, the lines of an IRA study's picture (6,496) made the
    hidden table 1.1 MB: past `MAX_ROWS` the strongest are listed and the caption says how many are
    left out and which table holds them all."""
    n = 30  # every pair of 30 accounts: 435 lines
    nodes = [{"label": f"@u{i:02d}", "cluster": 0, "posts": 1, "degree": n - 1} for i in range(n)]
    edges = [(a, b, float(a + b)) for a in range(n) for b in range(a + 1, n)]
    html = str(_picture_figures(nodes, edges, [], []))
    lines = html.split("</table>")[1]
    rows = _rows(lines)[1:]
    assert len(edges) > MAX_ROWS and len(rows) == MAX_ROWS
    assert rows[0] == ["@u28", "@u29"]  # the strongest line
    assert f"the {MAX_ROWS:,} strongest of the {len(edges):,} lines drawn; the other {len(edges) - MAX_ROWS:,} are left out here" in lines
    assert "botwatch export STUDY coordination_edges" in lines
