"""The accounts section quotes the shipped bot model's out-of-fold AUC with the 95% interval the
model file records.

Read as a journalist on the GE2017 sample, "How far to trust the bot probability" said
"Out-of-fold on 7,453 labelled accounts: AUC 0.890" to three decimals and no interval, though the
model's `pooled_oof` holds one (0.883-0.897) and the note on a user's own model already quotes it."""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path


def _text(s: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", s)).split())


def test_the_out_of_fold_auc_carries_its_interval(analysed_sample_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.model_used import bot_model_used
    from botwatch.report.section_accounts import accounts_section

    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path) as st:
        oof = bot_model_used(st).meta["pooled_oof"]
        sec = accounts_section(st, {})
    assert sec is not None
    want = (f"Out-of-fold on {oof['n']:,} labelled accounts: AUC {oof['auc']:.3f} "
            f"(95% interval {oof['auc_low']:.3f}–{oof['auc_high']:.3f}), F1")
    assert want in _text(sec.html)
