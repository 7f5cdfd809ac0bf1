"""The K-weighting filter (listen.kweighting) against pyloudnorm's design and scipy's
sample-by-sample filter, on real espeak speech."""

from __future__ import annotations

import numpy as np
import pytest
from pyloudnorm.iirfilter import IIRfilter
from scipy.signal import sosfilt
from speechkit import espeak_spoken

from listen.kweighting import KWeighting, k_weighting
from listen.models import SPEECH_RATE


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    spoken = espeak_spoken(["The ferry will carry four hundred passengers from March."], 200)
    x = np.concatenate([s.audio.samples for s in spoken])
    return np.tile(x, 3) + np.float32(1e-12)


def _reference(x: np.ndarray, rate: int) -> np.ndarray:
    """The two biquads run one sample after another in double precision."""
    sos = np.array([[*b, *a] for b, a in k_weighting(rate)])
    return np.asarray(sosfilt(sos, x.astype(np.float64)))


@pytest.mark.parametrize("rate", [22_050, 44_100, 48_000])
def test_the_filter_is_pyloudnorms_k_weighting(rate: int) -> None:
    theirs = [
        IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    ]
    for (b, a), their in zip(k_weighting(rate), theirs, strict=True):
        assert np.allclose(b, their.b / their.a[0], rtol=1e-12)
        assert np.allclose(a, their.a / their.a[0], rtol=1e-12)


@pytest.mark.parametrize("piece", [1, 127, 128, 129, 5_000, 1 << 20])
def test_any_split_filters_as_one_pass_of_the_recursive_filter(
    speech: np.ndarray, piece: int
) -> None:
    weighting = KWeighting(SPEECH_RATE)
    y = np.concatenate([weighting(speech[i : i + piece]) for i in range(0, speech.size, piece)])
    expected = _reference(speech, SPEECH_RATE)
    assert y.dtype == np.float32 and y.size == speech.size
    rms = float(np.sqrt(np.mean(expected**2)))
    assert np.abs(y - expected).max() < 1e-4 * rms


def test_the_same_pieces_give_the_same_samples(speech: np.ndarray) -> None:
    runs = []
    for _ in range(2):
        weighting = KWeighting(SPEECH_RATE)
        runs.append(np.concatenate([weighting(speech[i : i + 3_001]) for i in (0, 3_001)]))
    assert np.array_equal(runs[0], runs[1])


def test_an_empty_piece_leaves_the_filter_where_it_was(speech: np.ndarray) -> None:
    weighting, unbroken = KWeighting(SPEECH_RATE), KWeighting(SPEECH_RATE)
    first = weighting(speech[:1_000])
    assert weighting(speech[:0]).size == 0
    assert np.array_equal(first, unbroken(speech[:1_000]))
    assert np.array_equal(weighting(speech[1_000:2_000]), unbroken(speech[1_000:2_000]))
