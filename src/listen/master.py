"""Mastering: loudness, true peak, encode, measure, so every episode sounds even.

The stage after :mod:`listen.assemble`: :func:`encode_episode` masters the episode's PCM,
streamed from its :class:`~listen.spool.PcmSpool` a chunk at a time (loudness by
:class:`listen.loudness.LoudnessMeter`, the limiter by :func:`listen.limiter.limit_blocks`),
pipes it to the encoder once and measures the MP3 itself. :func:`master` and :func:`measure`
are pure functions on :class:`~listen.models.Audio` (mono float32, short clips such as the
music). Every ffmpeg call goes through :mod:`listen.ffmpeg`: :func:`encode_blocks`,
:func:`load_audio_file` (intro and outro music, see :func:`load_music`) and :func:`measure_file`.

Loudness follows ITU-R BS.1770: integrated loudness as pyloudnorm measures it (listen's own
:class:`~listen.loudness.LoudnessMeter`, checked against pyloudnorm), true peak by 4x
oversampling. :func:`master` brings speech to a loudness target and then holds its true peak
under a ceiling with a look-ahead limiter; it limits to a little below the ceiling it is given
(``margin_db``) because MP3 encoding raises true peaks by a fraction of a dB.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from listen.encoder import DECODED, encode_blocks, encode_measured
from listen.errors import AudioError
from listen.ffmpeg import read_ffmpeg, run_ffmpeg
from listen.levels import Levels, analyse
from listen.limiter import CHUNK, block_true_peaks, limit, limit_blocks
from listen.loudness import LoudnessMeter
from listen.metering import DecodedMeter, to_db
from listen.models import SAMPLE_RATE, Audio, Loudness, Mastering
from listen.spool import PcmSpool

__all__ = [
    "ENCODED_TOLERANCE_LU",
    "ENCODER_LOSS_LU",
    "ENCODER_MARGIN_DB",
    "Plan",
    "check_length",
    "encode_blocks",
    "encode_episode",
    "encode_levelled",
    "encode_measured",
    "encode_mp3",
    "load_audio_file",
    "load_music",
    "master",
    "mastered_blocks",
    "measure",
    "measure_file",
    "next_gain",
    "next_margin",
    "on_target",
    "plan_mastering",
    "scaled",
    "search_gain",
    "under_ceiling",
]

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

ENCODER_MARGIN_DB = 1.0
"""How far below the true-peak ceiling :func:`master` limits, so that the MP3 encoder's
overshoot still leaves the encoded file under the ceiling: a 64 kbps encode of Piper's voice
was measured overshooting by up to half a dB, so this leaves the same again in hand."""
ENCODER_LOSS_LU = 0.4
"""What a low-bit-rate MP3 encode takes off the measured loudness (its low-pass removes highs
that K-weighting counts); mastering aims this much above the target so one pass usually lands."""
ENCODED_TOLERANCE_LU = 0.3
"""How far the encoded file may sit from the target before it is mastered and encoded again."""
_MUSIC_FADE_MS = 1_500

_MASTERING_TOLERANCE_LU = 0.05
"""How close to the target :func:`master` brings the PCM's loudness."""
_ENCODE_TRIES = 3
"""How many times an episode is mastered and encoded before its MP3 is kept as it is."""
_OVERSHOOT_SLACK_DB = 0.3
"""How much further under the ceiling than an MP3's overshoot the next try limits: the
overshoot grows a little as the limiter works harder for the same loudness."""
_MASTERING_TRIES = 8
"""How many gains mastering tries before it settles for the closest."""
_MIN_SLOPE = 0.1
"""The least loudness (LU) a dB of gain is taken to add through the limiter."""
_MAX_STEP_DB = 12.0
"""The most one try moves the gain from the one before."""
_MAX_LIMITING_DB = 15.0
"""The most gain mastering adds over what would reach the target without a limiter. Past it,
speech gets little louder, only flatter, and the loudness predicted from the block figures
(:meth:`listen.levels.Levels.limited_loudness`) drifts from what the limiter gives: within
0.02 LU up to 21 dB of limiting on espeak-ng's voice, 0.65 LU off at 30 dB."""
_MIN_LOUDNESS_S = 0.4
"""BS.1770 needs one gating block (400 ms) of audio."""


def measure(audio: Audio) -> Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP) of ``audio``.

    Silence measures ``-inf`` for both. ``loudness_range_lu`` is left at 0.0: the loudness
    range of the finished episode comes from :func:`measure_file`.
    """
    x = audio.samples.astype(np.float64)
    return Loudness(
        integrated_lufs=_integrated(x, audio.sample_rate),
        true_peak_dbtp=to_db(_true_peak(x)),
    )


def _integrated(x: np.ndarray, rate: int) -> float:
    if x.size <= _MIN_LOUDNESS_S * rate:
        raise AudioError(
            f"Could not measure loudness: the audio lasts {x.size / rate:.2f} s, "
            f"and BS.1770 needs more than {_MIN_LOUDNESS_S} s"
        )
    meter = LoudnessMeter(rate)
    meter.add(x)
    return meter.integrated()


def _true_peak(x: np.ndarray) -> float:
    return float(block_true_peaks(x, CHUNK).max(initial=0.0))


def master(
    audio: Audio,
    target_lufs: float = -19.0,
    ceiling_dbtp: float = -1.0,
    margin_db: float = ENCODER_MARGIN_DB,
) -> Audio:
    """Bring ``audio`` to ``target_lufs`` integrated, true peak at most ``ceiling_dbtp``.

    A gain to the target, then a look-ahead true-peak limiter (5 ms attack, 80 ms release)
    holding peaks at ``ceiling_dbtp - margin_db``. The limiter lowers the loudness a little,
    so the gain is corrected and the limiter rerun until the loudness is within 0.05 LU.
    The output has exactly as many samples as the input: nothing moves in time.
    Silence is returned unchanged.
    """
    rate = audio.sample_rate
    x = np.asarray(audio.samples, dtype=np.float32)
    loudness = _integrated(x, rate)
    if not math.isfinite(loudness):
        return audio
    ceiling = 10.0 ** ((ceiling_dbtp - margin_db) / 20.0)

    def limited(gain_db: float) -> tuple[float, np.ndarray]:
        y = limit(x, 10.0 ** (gain_db / 20.0), ceiling, rate)
        return _integrated(y, rate), y

    gain_db, reached, y = search_gain(limited, target_lufs, target_lufs - loudness)
    if abs(target_lufs - reached) > _MASTERING_TOLERANCE_LU:
        _LOGGER.warning(
            "Mastering reached %.2f LUFS, not %.2f: the peaks are too dense to limit further",
            reached, target_lufs,
        )  # fmt: skip
    peak = _true_peak(y)
    if peak > ceiling:
        y *= np.float32(ceiling / peak)
    _LOGGER.debug("mastered %.2f LUFS to %.2f LUFS: gain %.2f dB", loudness, target_lufs, gain_db)
    return Audio(y, rate)


def load_audio_file(path: Path, rate: int, fade_in_ms: int = 0, fade_out_ms: int = 0) -> Audio:
    """Decode an intro or outro (any format ffmpeg reads) to mono float32 at ``rate`` Hz.

    Channels are averaged to mono (ffmpeg first folds surround down to stereo, and a mono
    file comes back as it was); ``fade_in_ms`` and ``fade_out_ms`` apply raised-cosine
    fades at the start and end.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(
            f"Could not open audio file '{path}': no such file; "
            "check intro and outro under [audio] in the voice profile"
        )
    args = ["-v", "error", "-i", str(path), "-vn", "-ac", "2", "-ar", str(rate)]
    done = run_ffmpeg([*args, "-f", "f32le", "-c:a", "pcm_f32le", "-"], f"decode '{path}'")
    stereo = np.nan_to_num(np.frombuffer(done.stdout, dtype="<f4")).reshape(-1, 2)
    samples = stereo.mean(axis=1, dtype=np.float32)
    if samples.size == 0:
        raise AudioError(
            f"Could not decode audio file '{path}': it holds no audio; "
            "use a WAV, MP3, OGG or FLAC file with sound in it"
        )
    return Audio(_fade(samples, rate, fade_in_ms, fade_out_ms), rate)


def _fade(x: np.ndarray, rate: int, fade_in_ms: int, fade_out_ms: int) -> np.ndarray:
    x = x.copy()
    fade_in = min(x.size, round(fade_in_ms * rate / 1000))
    fade_out = min(x.size, round(fade_out_ms * rate / 1000))
    if fade_in:
        x[:fade_in] *= _ramp(fade_in)
    if fade_out:
        x[x.size - fade_out :] *= _ramp(fade_out)[::-1]
    return x


def _ramp(n: int) -> np.ndarray:
    """Raised-cosine rise from 0 towards 1 over ``n`` samples."""
    return (0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)).astype(np.float32)


def measure_file(path: Path) -> Loudness:
    """Measure an encoded file: integrated loudness, loudness range and true peak of the
    samples its decoder hands over (:class:`listen.metering.DecodedMeter`).

    This is the measurement a podcast host makes: it reads what the decoder produces, MP3
    overshoot included.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"Could not measure loudness of '{path}': no such file")
    meter = DecodedMeter()
    args = ["-nostdin", "-nostats", "-i", str(path), *DECODED]
    with read_ffmpeg(args, f"measure loudness of '{path}'", meter.add):
        pass
    return meter.finish()


def load_music(mastering: Mastering) -> tuple[Audio | None, Audio | None]:
    """The profile's intro and outro music at 44.1 kHz and the episode's loudness, so music
    never drowns the voice; the intro fades out, the outro fades in and out."""
    intro = outro = None
    if mastering.intro:
        intro = _music(mastering.intro, mastering, fade_in_ms=0)
    if mastering.outro:
        outro = _music(mastering.outro, mastering, fade_in_ms=_MUSIC_FADE_MS)
    return intro, outro


def _music(path: Path, mastering: Mastering, fade_in_ms: int) -> Audio:
    clip = load_audio_file(path, SAMPLE_RATE, fade_in_ms, _MUSIC_FADE_MS)
    return master(clip, mastering.loudness, mastering.true_peak)


def encode_episode(
    pcm: PcmSpool,
    path: Path,
    mastering: Mastering,
    levels: Levels | None = None,
    encoders: int = 1,
) -> Loudness:
    """Master the episode to the target loudness, encode it once, and measure the MP3 itself
    (:class:`listen.metering.DecodedMeter`); the PCM streams from ``pcm`` a chunk at a time,
    never whole in memory.

    One pass reads the PCM for its loudness and its peaks (:func:`listen.levels.analyse`),
    unless ``levels`` has them already (measured as the episode was laid out, see
    :class:`listen.levels.Analyser`);
    the gain is then found from those figures alone, and one more pass limits the PCM into
    the encoder, while a second ffmpeg decodes the MP3 as it is written and measures it. MP3
    encoding shifts loudness by a few tenths of a LU; when the file misses the target by
    more than the tolerance, the PCM is mastered again with the difference and re-encoded.
    Up to ``encoders`` encoders share the work (:func:`listen.encoder.encode_measured`).
    """
    check_length(pcm)
    if levels is None:
        with analyse(pcm) as measured:
            return encode_levelled(measured, path, mastering, encoders=encoders)
    return encode_levelled(levels, path, mastering, encoders=encoders)


def encode_levelled(
    levels: Levels,
    path: Path,
    mastering: Mastering,
    loss: float = ENCODER_LOSS_LU,
    margin: float = ENCODER_MARGIN_DB,
    encoders: int = 1,
) -> Loudness:
    """:func:`encode_episode` once the PCM's figures are known: aim ``loss`` LU above the
    target (what the MP3 encode is expected to take off) and ``margin`` dB under the ceiling,
    encode, measure, and master again with the differences until the MP3 is within
    :data:`ENCODED_TOLERANCE_LU` of the target and under the ceiling (three tries)."""
    target = mastering.loudness + loss
    for _ in range(_ENCODE_TRIES):
        plan = plan_mastering(levels, target, mastering.true_peak, margin)
        mastered = mastered_blocks(levels, plan)
        rate = levels.pcm.sample_rate
        loudness = encode_measured(mastered, path, mastering.bitrate, rate, encoders)
        if on_target(loudness, mastering) or (plan.short and under_ceiling(loudness, mastering)):
            break
        target += mastering.loudness - loudness.integrated_lufs
        margin = next_margin(margin, loudness, mastering)
    if not on_target(loudness, mastering):
        figures = (loudness.integrated_lufs, loudness.true_peak_dbtp)
        _LOGGER.warning(_OFF_TARGET[plan.short], path.name, *figures,
                        mastering.loudness, mastering.true_peak, mastering.bitrate)  # fmt: skip
    return loudness


_OFF_TARGET = {
    True: "%s measures %.2f LUFS (%.2f dBTP), not %.2f: the voice's peaks are too dense to "
    "limit that loud under %.2f dBTP at %s; lower the profile's [audio] loudness, or raise its "
    "true_peak or bitrate (a higher bit rate overshoots less)",
    False: "%s measures %.2f LUFS and %.2f dBTP after three encodes, not %.2f LUFS under %.2f "
    "dBTP at %s",
}


def on_target(loudness: Loudness, mastering: Mastering) -> bool:
    """Whether an encoded file's ``loudness`` is within :data:`ENCODED_TOLERANCE_LU` of the
    target and its true peak at most the ceiling (silence, which has neither, always is)."""
    error = mastering.loudness - loudness.integrated_lufs
    loud_enough = abs(error) <= ENCODED_TOLERANCE_LU or not math.isfinite(error)
    return loud_enough and under_ceiling(loudness, mastering)


def under_ceiling(loudness: Loudness, mastering: Mastering) -> bool:
    """Whether an encoded file's true peak is at most the ceiling (silence has none)."""
    return not loudness.true_peak_dbtp > mastering.true_peak


def next_margin(margin: float, encoded: Loudness, mastering: Mastering) -> float:
    """The margin under the ceiling to limit at next, after an encode that measured
    ``encoded``: wider by the MP3's overshoot and :data:`_OVERSHOOT_SLACK_DB`, if it overshot.

    The more the limiter works, the more the encoder overshoots what it was given: espeak-ng
    limited to -16 LUFS came out of a 64 kbps encode 1.3 dB over the PCM's peaks, at -14 LUFS
    2.6 dB over, past the 1 dB :data:`ENCODER_MARGIN_DB` leaves.
    """
    over = encoded.true_peak_dbtp - mastering.true_peak
    return margin + over + _OVERSHOOT_SLACK_DB if over > 0 else margin


@dataclass(frozen=True)
class Plan:
    """How to master a spool: limit at ``gain`` under ``ceiling``, then scale by ``scale``;
    ``gain`` None leaves it as it is (silence). ``short``: the limiter cannot make it as loud
    as was asked under that ceiling."""

    gain: float | None
    ceiling: float = 1.0
    scale: float = 1.0
    short: bool = False


def check_length(pcm: PcmSpool) -> None:
    """AudioError unless ``pcm`` is long enough to measure (BS.1770's one gating block)."""
    if len(pcm) <= _MIN_LOUDNESS_S * pcm.sample_rate:
        raise AudioError(
            f"Could not measure loudness: the audio lasts {pcm.duration:.2f} s, "
            f"and BS.1770 needs more than {_MIN_LOUDNESS_S} s"
        )


_PEAK_HEADROOM_DB = 3.0
"""How far the gain may grow over its first guess before the true peaks are measured again."""


def next_gain(
    tries: Sequence[tuple[float, float]], target_lufs: float, most_db: float = math.inf
) -> float | None:
    """The gain (dB) to try next, at most ``most_db``, from the tries so far (gain dB,
    loudness reached): a secant step through the last two; None when there is nothing more
    to try.

    Past the ceiling the limiter takes back part of every extra dB (a peaky voice at -16 LUFS
    keeps a third of it), so stepping by the whole error creeps up on the target, and five
    tries fell short by 0.3 to 2 LU. A slope over 1 is taken as 1 (the limiter never adds
    loudness); one under :data:`_MIN_SLOPE` ends the search, as does a step up from
    ``most_db``. One step moves at most :data:`_MAX_STEP_DB`.
    """
    gain_db, reached = tries[-1]
    slope = 1.0
    if len(tries) > 1 and tries[-2][0] != gain_db:
        before_db, before = tries[-2]
        slope = min(1.0, (reached - before) / (gain_db - before_db))
    if slope < _MIN_SLOPE:
        return None
    step = max(-_MAX_STEP_DB, min(_MAX_STEP_DB, (target_lufs - reached) / slope))
    following = min(most_db, gain_db + step)
    return None if following == gain_db else following


def search_gain(
    loudness_at: Callable[[float], tuple[float, T]], target_lufs: float, start_db: float
) -> tuple[float, float, T]:
    """The gain (dB) mastering settles on, the loudness it reaches and what ``loudness_at``
    gave with it: tries from ``start_db`` (the gain that would reach the target unlimited),
    stepping by :func:`next_gain`, until within 0.05 LU or nothing more is worth trying
    (:data:`_MASTERING_TRIES` at most, at most :data:`_MAX_LIMITING_DB` over the start)."""
    tries: list[tuple[float, float]] = []
    gain_db = start_db
    for _ in range(_MASTERING_TRIES):
        reached, extra = loudness_at(gain_db)
        tries.append((gain_db, reached))
        following = next_gain(tries, target_lufs, start_db + _MAX_LIMITING_DB)
        if abs(target_lufs - reached) <= _MASTERING_TOLERANCE_LU or following is None:
            break
        gain_db = following
    return gain_db, reached, extra


def plan_mastering(
    levels: Levels,
    target_lufs: float,
    ceiling_dbtp: float,
    margin_db: float = ENCODER_MARGIN_DB,
) -> Plan:
    """:func:`master` for a spool, from what :func:`listen.levels.analyse` found: each try
    predicts the loudness and true peak of the limited PCM from the block figures
    (:meth:`listen.levels.Levels.limited_loudness`), never limiting the PCM itself."""
    loudness = levels.loudness
    if not math.isfinite(loudness):
        return Plan(None)
    ceiling = 10.0 ** ((ceiling_dbtp - margin_db) / 20.0)
    start_db = target_lufs - loudness
    levels.true_peaks(ceiling / 10.0 ** ((start_db + _PEAK_HEADROOM_DB) / 20.0))

    def predicted(gain_db: float) -> tuple[float, float]:
        return levels.limited_loudness(10.0 ** (gain_db / 20.0), ceiling)

    gain_db, reached, top = search_gain(predicted, target_lufs, start_db)
    scale = ceiling / top if top > ceiling else 1.0
    short = target_lufs - reached > _MASTERING_TOLERANCE_LU
    return Plan(10.0 ** (gain_db / 20.0), ceiling, scale, short)


def mastered_blocks(levels: Levels, plan: Plan) -> Iterator[np.ndarray]:
    """The spool ``levels`` measured, mastered as ``plan`` says, a chunk at a time."""
    pcm = levels.pcm
    if plan.gain is None:
        yield from pcm.blocks(CHUNK)
        return
    peaks = levels.true_peaks(plan.ceiling / plan.gain)
    limited = limit_blocks(pcm.read, len(pcm), plan.gain, plan.ceiling, pcm.sample_rate,
                           peaks=peaks.read)  # fmt: skip
    yield from scaled(limited, plan.scale)


def scaled(blocks: Iterable[np.ndarray], scale: float) -> Iterator[np.ndarray]:
    """Each limited block times a :class:`Plan`'s ``scale``, in place."""
    for y in blocks:
        if scale != 1.0:
            y *= np.float32(scale)
        yield y


def encode_mp3(audio: Audio, path: Path, bitrate: str = "64k") -> None:
    """Encode mono float PCM once to CBR MP3 at 44.1 kHz (the encoder resamples) with a
    Xing/Info (LAME) header; no tags (:mod:`listen.tags` writes them)."""
    encode_blocks([audio.samples], path, bitrate, audio.sample_rate)
