from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"


@pytest.fixture
def seed() -> Path:
    return SEED
