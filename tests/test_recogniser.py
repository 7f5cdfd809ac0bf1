from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from listen.recogniser import HeardWord, Recogniser, silent, unheard, windows


def test_windows_cut_halfway_through_the_pauses_between_sentences() -> None:
    spans = [(0.15, 7.5), (8.3, 22.3), (23.0, 40.0), (41.0, 42.0)]
    assert windows(spans, 43.0) == [(0.0, pytest.approx(22.65)), (pytest.approx(22.65), 43.0)]


def test_windows_never_exceed_the_limit_and_cover_everything() -> None:
    spans = [(i * 3.0, i * 3.0 + 2.5) for i in range(40)]
    found = windows(spans, 120.0)
    assert all(b - a <= 28.0 for a, b in found)
    assert found[0][0] == 0.0 and found[-1][1] == 120.0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(found))


def test_a_sentence_longer_than_a_window_is_cut_where_it_must_be() -> None:
    assert windows([(0.1, 70.0)], 71.0) == [(0.0, 28.0), (28.0, 56.0), (56.0, 71.0)]


def test_no_sentences_is_one_window_over_the_whole_audio() -> None:
    assert windows([], 10.0) == [(0.0, 10.0)]


def test_sentences_after_an_early_stop_are_heard_again_from_where_it_stopped() -> None:
    spans = [(0.2, 5.0), (5.6, 9.0), (9.7, 14.0)]
    heard = [HeardWord(" Island", 0.2, 0.6), HeardWord(" ferry.", 4.5, 4.9)]
    assert unheard([(0.0, 14.5)], spans, heard) == [(pytest.approx(5.25), 14.5)]


def test_a_window_heard_to_its_last_sentence_is_not_heard_again() -> None:
    spans = [(0.2, 5.0), (5.6, 9.0)]
    heard = [HeardWord(" Island", 0.2, 0.6), HeardWord(" sailings.", 8.5, 8.9)]
    assert unheard([(0.0, 9.5)], spans, heard) == []


def test_a_window_where_nothing_was_heard_is_not_decoded_the_same_way_again() -> None:
    assert unheard([(0.0, 5.5)], [(0.2, 5.0)], []) == []


def test_silent_is_quieter_than_any_speech_a_listener_could_hear() -> None:
    rate = 16_000
    rng = np.random.default_rng(7)
    speech = (0.1 * rng.standard_normal(rate)).astype(np.float32)
    hiss = (10 ** (-70 / 20) * rng.standard_normal(rate)).astype(np.float32)
    samples = np.concatenate([np.zeros(rate, np.float32), hiss, speech])
    assert silent(samples, 0.0, 1.0)
    assert silent(samples, 1.0, 2.0)
    assert not silent(samples, 2.0, 3.0)
    assert not silent(samples, 0.0, 3.0)
    assert silent(samples, 5.0, 6.0)


def test_hear_gives_each_clip_its_own_words_and_cuts_a_long_clip_in_pieces() -> None:
    decoded: list[tuple[float, float]] = []

    class Stub(Recogniser):
        def __init__(self) -> None:  # no model: _decode is given below
            pass

        def _decode(
            self, samples: np.ndarray, clips: Sequence[tuple[float, float]]
        ) -> list[HeardWord]:
            decoded.extend(clips)
            return [
                HeardWord(" late", 9.9, 10.3),  # strays past the first clip's end
                HeardWord(" early", 11.9, 12.4),  # starts before the second clip
                HeardWord(" a", 0.2, 0.5),
                HeardWord(" far", 50.0, 50.4),
            ]

    first, second = Stub().hear(np.zeros(16_000), [(0.0, 10.0), (12.0, 72.0)])
    assert [w.text for w in first] == [" a", " late"]
    assert [w.text for w in second] == [" early", " far"]
    assert decoded == [(0.0, 10.0), (12.0, 40.0), (40.0, 68.0), (68.0, 72.0)]
