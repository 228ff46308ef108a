"""`content evaluate` on post ids pandas wrote as floats. `12345.0` (every digit kept) was refused as
"rewritten by a spreadsheet or pandas", as 1.00049E+17 (digits gone) is: a `.0` on an id of up to
15 digits is read back as the study's id, said once; ids that lost digits are still refused.

The labels here are written from the study's own predictions (no hand labels are read)."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.content.score import digits_lost, ids_read_back
from testsupport.content_evaluate import ira_content_study, run_evaluate


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str, str]]]:
    """40 IRA posts under short numeric ids (12345 on), analysed for us-2016, and their pairs."""
    db, pairs = ira_content_study(tmp_path_factory.mktemp("fl"), 40, first_id=12345)
    assert len(pairs) >= 2 and len({p for p, _q, _s in pairs}) >= 2
    return db, pairs


def _run(db: Path, tmp_path: Path, text: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_evaluate(db, tmp_path, text, "--no-record", *extra)


def test_an_id_pandas_wrote_as_a_float_with_every_digit_is_read_back(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    first = [pairs[0]] + [p for p in pairs if p[0] != pairs[0][0]][:1]
    rows = "".join(f"{p}.0,{q},{s},\n" for p, q, s in first)
    res, out = _run(db, tmp_path, "post_id,party,stance,sentiment\n" + rows)
    assert res.exit_code == 0, res.output
    assert "rewrote" not in out and "recall 1.000" in out
    assert (f"note: 2 post_ids of l.csv are written as numbers with a trailing .0 ('{first[0][0]}.0', '{first[1][0]}.0') "
            "and are read as the study's ids without it, since every digit was kept") in out
    assert out.count("trailing .0") == 1


def test_a_float_id_the_study_lacks_is_a_miss_and_a_lost_one_is_still_refused(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n99999.0,{party},{stance},\n")
    assert res.exit_code == 0 and "rewrote" not in out and "trailing .0" not in out, res.output
    assert "only 1 of the 2 labelled posts is in this study" in out and "'99999.0'" in out
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n1.2345E+04,{party},{stance},\n")
    assert res.exit_code == 2 and "read as numbers a spreadsheet or pandas rewrote ('1.2345E+04'" in out, res.output


def test_which_number_ids_kept_their_digits() -> None:
    assert not digits_lost("12345.0") and not digits_lost("123456789012345.0")
    assert digits_lost("1234567890123456.0") and digits_lost("100049039077556275.0") and digits_lost("1.00049E+17")
    held = {"12345", "777"}
    assert ids_read_back({"12345.0", "777.0", "888.0", "1.2345e4"}, held, {"12345.0", "777.0", "888.0", "777"}) == {"12345.0": "12345"}
    # Two spellings of one id would label the one post twice: neither is read back.
    assert ids_read_back({"12345.0", "12345.00"}, held, {"12345.0", "12345.00"}) == {}


def test_a_float_id_beside_its_own_plain_id_is_refused_not_scored_as_a_miss(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`12345` and `12345.0` both labelled (one row copied through pandas): the `.0` row is not
    read back, as that would label the post twice, but it names the study's post 12345, not a post
    botwatch missed. Scored as a miss it lowered recall with exit 0; it is refused, as before."""
    db, pairs = study
    pid, party, stance = pairs[0]
    res, out = _run(db, tmp_path, f"post_id,party,stance,sentiment\n{pid},{party},{stance},\n{pid}.0,{party},{stance},\n")
    assert res.exit_code == 2, res.output
    assert f"read as numbers a spreadsheet or pandas rewrote ('{pid}.0'" in out and "nothing scored" in out
