"""Every `--json` output is strict JSON: `NaN` and `Infinity` are no JSON (jq and JavaScript's
JSON.parse refuse them), so a missing or undefined number is null, and the one writer refuses a
non-finite float rather than print it where a user's parser would break on it."""

from __future__ import annotations

import math

import pytest

from botwatch.cli.common import print_json_result


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_the_json_writer_refuses_a_non_finite_number(bad: float, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError):
        print_json_result({"figure": bad})
    assert "NaN" not in capsys.readouterr().out


def test_a_missing_number_is_written_as_null(capsys: pytest.CaptureFixture[str]) -> None:
    from botwatch.recorded_numbers import json_figure

    print_json_result({"figure": json_figure(math.nan)})
    assert '"figure": null' in capsys.readouterr().out
