"""tests/normalise/data/nemo_divergences.tsv stays honest: every row has a reason, and what it says
listen says is still what listen says."""

from __future__ import annotations

from pathlib import Path

import pytest

from listen.normalise import to_spoken

TSV = Path(__file__).parent / "data" / "nemo_divergences.tsv"


def _rows() -> list[pytest.param]:
    rows = []
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            category, written, nemo, listen, reason = line.split("\t")
            rows.append(pytest.param(written, nemo, listen, reason, id=f"{category}:{written}"))
    return rows


@pytest.mark.parametrize(("written", "nemo", "listen", "reason"), _rows())
def test_divergence_is_current_and_explained(
    written: str, nemo: str, listen: str, reason: str
) -> None:
    assert to_spoken(written) == listen
    assert listen != nemo
    assert len(reason) > 20
