"""Data-driven cases: every ``written~spoken`` line in tests/normalise/data/*.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from listen.normalise import to_spoken

DATA = Path(__file__).parent / "data"


def _cases() -> list[pytest.param]:
    cases = []
    for path in sorted(DATA.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line or line.startswith("# "):
                continue
            written, _, spoken = line.rpartition("~")  # the written side may hold a "~"
            cases.append(pytest.param(written, spoken, id=f"{path.stem}:{number}:{written}"))
    return cases


@pytest.mark.parametrize(("written", "spoken"), _cases())
def test_case(written: str, spoken: str) -> None:
    assert to_spoken(written) == spoken


def test_uk_spelling_and_style() -> None:
    assert to_spoken("The centre held 123 km of colour.", spelling="uk") == (
        "The centre held one hundred and twenty-three kilometres of colour."
    )
    assert to_spoken("The centre favoured organising 52% of it.") == (
        "The center favored organizing fifty-two percent of it."
    )
    assert to_spoken("52%", spelling="uk") == "fifty-two per cent"
    assert to_spoken("10/06/2005", spelling="uk") == "the tenth of June, two thousand five"


def test_uk_scores_end_in_nil() -> None:
    written = "A 1-0 win and a 0-0 draw"
    assert to_spoken(written, spelling="uk") == "A one-nil win and a nil-nil draw"
    assert to_spoken(written) == "A one to nothing win and a zero-zero draw"
