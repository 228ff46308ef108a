"""The coordination network picture gives a screen reader what it draws (`report.section_coordination`):
each account with its cluster, posts, links and the accounts a line joins it to, and each amplified
account with who amplified it. Before, the facts sat in circle tooltips alone."""

from __future__ import annotations

import re

from botwatch.report.section_coordination import _picture_figures


def _rows(html: str) -> list[list[str]]:
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r) for r in re.findall(r"<tr>(.*?)</tr>", html)]


def test_network_figures_list_each_drawn_account_its_links_and_amplified_accounts() -> None:
    nodes = [{"label": "@a", "cluster": 0, "posts": 1200, "degree": 2}, {"label": "@b", "cluster": 0, "posts": 3, "degree": 1},
             {"label": "@<img src=x onerror=alert(1)>", "cluster": 1, "posts": 0, "degree": 1}]
    html = str(_picture_figures(nodes, [(0, 1, 4.0), (0, 2, 2.0)], [("@target", 0)], [(0, 3, 5), (1, 3, 2)]))
    tables = html.split("</table>")[:-1]
    assert len(tables) == 2
    assert "Coordination network (3 accounts drawn): the figures drawn" in tables[0]
    rows = _rows(tables[0])
    assert rows[0] == ["Account", "Cluster", "Posts", "Coordination links", "Joined in the picture to"]
    assert rows[1] == ["@a", "0", "1,200", "2", "@&lt;img src=x onerror=alert(1)&gt;, @b"]
    assert rows[2] == ["@b", "0", "3", "1", "@a"]
    assert "<img" not in html  # attacker text stays text
    assert _rows(tables[1])[1:] == [["@target", "0", "@a, @b"]]


def test_network_figures_without_amplified_accounts_give_one_table() -> None:
    html = str(_picture_figures([{"label": "@a", "cluster": 3, "posts": 1, "degree": 0}], [], [], []))
    assert html.count("<table>") == 1 and _rows(html)[1] == ["@a", "3", "1", "0", "—"]
