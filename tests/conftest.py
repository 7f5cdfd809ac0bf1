from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"


@pytest.fixture
def seed() -> Path:
    return SEED


@pytest.fixture(scope="session")
def earlier_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one episode already rendered (espeak): a refused input must not touch it."""
    from clitools import ESPEAK, run, write_article

    base = tmp_path_factory.mktemp("earlier")
    article = write_article(base / "earlier", "Earlier Episode")
    result = run("render", article, *ESPEAK, "-o", base / "out")
    assert result.exit_code == 0, result.stderr
    return base / "out"


@pytest.fixture
def out_dir(tmp_path: Path, earlier_output: Path) -> Path:
    """This test's output folder, holding a copy of the earlier episode."""
    import shutil

    out = tmp_path / "out"
    shutil.copytree(earlier_output, out)
    return out


# --- Publishing: a show folder (listen.toml + cover) --------------------------------------


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    """A folder with the starter listen.toml and a valid 1400 px cover.jpg."""
    from showkit import write_cover

    from listen.config import starter_config

    folder = tmp_path / "show"
    folder.mkdir()
    (folder / "listen.toml").write_text(starter_config(), encoding="utf-8")
    write_cover(folder / "cover.jpg")
    return folder


@pytest.fixture
def show(show_dir: Path) -> Any:
    from listen.config import load_config

    return load_config(show_dir / "listen.toml")
