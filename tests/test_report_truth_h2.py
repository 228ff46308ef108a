"""Sentences of the report read as a journalist would quote them (the truth pass of 2026-12-05 on
the bundled demo and on IRA tweets of Apr–Jun 2017 beside ordinary Brexit tweets, uk-ge2017):
each test holds one sentence that said more than its figures."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


def _plain(markup: object) -> str:
    """The text a reader sees: tags dropped, entities decoded, white space collapsed."""
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", str(markup))).split())


def test_scaling_an_archive_that_holds_attributed_accounts_beside_others_is_no_platform_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    """18,462 IRA posts beside 13,842 ordinary ones, analysed with --sample-rate 0.01: every
    election post was an IRA post, yet the headline read "Scaled to the whole platform (the archive
    holding 1% of posts), about 100 posts supported Labour", because the guard asked whether
    every post was attributed."""
    from botwatch.report import caveats

    prov = [caveats.Provenance("ira-538-tweets", 18462, "IRA", "", caveats.ATTRIBUTED), caveats.Provenance("csv-mapped", 13842, "csv", "", "unknown")]
    monkeypatch.setattr(caveats, "data_provenance", lambda study: prov)
    said = caveats.scaling_unsupported(object(), 0.01)
    assert said is not None
    assert "18,462 of this study's 32,304 posts" in said and "not platform figures" in said
    # Only attributed posts: the sentence as before; none attributed, or no rate: nothing to say.
    monkeypatch.setattr(caveats, "data_provenance", lambda study: prov[:1])
    assert "holds only accounts a platform attributed" in caveats.scaling_unsupported(object(), 0.01)
    monkeypatch.setattr(caveats, "data_provenance", lambda study: prov[1:])
    assert caveats.scaling_unsupported(object(), 0.01) is None
    assert caveats.scaling_unsupported(object(), None) is None

