"""Mastering: loudness, true peak, encode, measure, so every episode sounds even.

The stage after :mod:`listen.assemble`: :func:`encode_episode` masters the episode's PCM,
encodes it once to MP3 and measures the file itself. :func:`master` and :func:`measure` are
pure functions on :class:`~listen.models.Audio` (mono float32). Every ffmpeg call goes through
:func:`listen.ffmpeg.run_ffmpeg`: :func:`encode_mp3`, :func:`load_audio_file` (intro and outro
music, see :func:`load_music`) and :func:`measure_file`.

Loudness follows ITU-R BS.1770: integrated loudness through pyloudnorm, true peak by 4x
oversampling. :func:`master` brings speech to a loudness target and then holds its true peak
under a ceiling with a look-ahead limiter; it limits to a little below the ceiling it is given
(``margin_db``) because MP3 encoding raises true peaks by a fraction of a dB.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

import numpy as np
import pyloudnorm
from scipy.signal import upfirdn
from scipy.signal.windows import kaiser

from listen.errors import AudioError
from listen.ffmpeg import run_ffmpeg
from listen.models import SAMPLE_RATE, Audio, Loudness, Mastering
from listen.pcm import resample

__all__ = [
    "ENCODER_MARGIN_DB",
    "encode_episode",
    "encode_mp3",
    "load_audio_file",
    "load_music",
    "master",
    "measure",
    "measure_file",
]

_LOGGER = logging.getLogger(__name__)

ENCODER_MARGIN_DB = 1.0
"""How far below the true-peak ceiling :func:`master` limits, so that the MP3 encoder's
overshoot still leaves the encoded file under the ceiling: a 64 kbps encode of Piper's voice
was measured overshooting by up to half a dB, so this leaves the same again in hand."""
_ENCODER_LOSS_LU = 0.4
"""What a low-bit-rate MP3 encode takes off the measured loudness (its low-pass removes highs
that K-weighting counts); mastering aims this much above the target so one pass usually lands."""
_ENCODED_TOLERANCE_LU = 0.3
"""How far the encoded file may sit from the target before it is mastered and encoded again."""
_MUSIC_FADE_MS = 1_500

_OVERSAMPLE = 4
"""True-peak oversampling factor (BS.1770-4, Annex 2)."""
_CHUNK = 1 << 20
"""Samples oversampled at a time, so a long episode never needs four copies of itself."""
_MARGIN = 64
"""Context samples each side of a chunk; the interpolation filter spans about ten."""

_GAIN_BLOCK = 32
"""Samples per step of the limiter's gain envelope (0.7 ms at 44.1 kHz)."""
_LOOKAHEAD_S = 0.005
_RELEASE_S = 0.080
_MASTERING_TOLERANCE_LU = 0.05
"""How close to the target :func:`master` brings the PCM's loudness."""
_MIN_LOUDNESS_S = 0.4
"""pyloudnorm needs one gating block (400 ms) of audio."""


def measure(audio: Audio) -> Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP) of ``audio``.

    Silence measures ``-inf`` for both. ``loudness_range_lu`` is left at 0.0: the loudness
    range of the finished episode comes from :func:`measure_file`.
    """
    x = audio.samples.astype(np.float64)
    return Loudness(
        integrated_lufs=_integrated(x, audio.sample_rate),
        true_peak_dbtp=_db(_true_peak(x)),
    )


def _integrated(x: np.ndarray, rate: int) -> float:
    if x.size <= _MIN_LOUDNESS_S * rate:
        raise AudioError(
            f"Could not measure loudness: the audio lasts {x.size / rate:.2f} s, "
            f"and BS.1770 needs more than {_MIN_LOUDNESS_S} s"
        )
    return float(pyloudnorm.Meter(rate).integrated_loudness(x))


def _db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else float("-inf")


def _true_peak(x: np.ndarray) -> float:
    return float(_block_true_peaks(x, _CHUNK).max(initial=0.0))


def _block_true_peaks(x: np.ndarray, block: int) -> np.ndarray:
    """Largest absolute value, at a sample or between samples, in each ``block`` of ``x``.

    Between-sample values come from 4x oversampling with a 49-tap windowed sinc (flat to
    15 kHz at 44.1 kHz, like the 48-tap filter of BS.1770-4 Annex 2), a chunk at a time with
    context each side so that chunk edges read as they would in one pass. The filter passes
    the original samples through exactly, so the result is never below the sample peak.
    """
    count = -(-x.size // block)
    peaks = np.zeros(count, dtype=np.float32)
    step = block * max(1, _CHUNK // block)
    delay = _INTERPOLATOR.size // 2
    for lo in range(0, x.size, step):
        hi = min(x.size, lo + step)
        a, b = max(0, lo - _MARGIN), min(x.size, hi + _MARGIN)
        fine = upfirdn(_INTERPOLATOR, x[a:b], _OVERSAMPLE)
        start = (lo - a) * _OVERSAMPLE + delay
        fine = np.abs(fine[start : start + (hi - lo) * _OVERSAMPLE])
        blocks = -(-(hi - lo) // block)
        fine = np.pad(fine, (0, blocks * block * _OVERSAMPLE - fine.size))
        peaks[lo // block : lo // block + blocks] = fine.reshape(blocks, -1).max(axis=1)
    return peaks


def _interpolator() -> np.ndarray:
    taps = np.arange(-24, 25)
    return (np.sinc(taps / _OVERSAMPLE) * kaiser(taps.size, 5.0)).astype(np.float32)


_INTERPOLATOR = _interpolator()


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
    peaks = _block_true_peaks(x, _GAIN_BLOCK)
    gain_db = target_lufs - loudness
    for _ in range(5):
        y = _limit(x, 10.0 ** (gain_db / 20.0), peaks, ceiling, rate)
        error = target_lufs - _integrated(y, rate)
        if abs(error) <= _MASTERING_TOLERANCE_LU:
            break
        gain_db += error
    else:
        _LOGGER.warning(
            "Mastering reached %.2f LUFS, not %.2f: the peaks are too dense to limit further",
            target_lufs - error,
            target_lufs,
        )
    peak = _true_peak(y)
    if peak > ceiling:
        y *= np.float32(ceiling / peak)
    _LOGGER.debug("mastered %.2f LUFS to %.2f LUFS: gain %.2f dB", loudness, target_lufs, gain_db)
    return Audio(y, rate)


def _limit(x: np.ndarray, gain: float, peaks: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """``x`` times ``gain``, turned down wherever that would take the true peak over ``ceiling``.

    ``peaks`` holds the true peak of each 32-sample block of ``x``. Per block: the gain each
    block can take, its minimum over the look-ahead (so the gain is already down when the
    peak arrives), a release that lets the gain recover with an 80 ms time constant, and a
    moving average over the look-ahead that turns each drop into a ramp. The average of
    gains that are each at most a block's need is at most that need, so no peak escapes.
    Within a block the gain moves linearly between knots at the block edges, each the lower
    of the two blocks' gains. No audio is delayed, so timing is unchanged.
    """
    need = np.minimum(1.0, ceiling / np.maximum(peaks.astype(np.float64) * gain, 1e-12))
    look = max(1, math.ceil(_LOOKAHEAD_S * rate / _GAIN_BLOCK))
    ahead = np.lib.stride_tricks.sliding_window_view(
        np.pad(need, (0, look - 1), constant_values=1.0), look
    ).min(axis=1)
    released = _release(ahead, math.exp(-_GAIN_BLOCK / (_RELEASE_S * rate)))
    kernel = np.full(look, 1.0 / look)
    smooth = np.convolve(np.pad(released, (look - 1, 0), mode="edge"), kernel, "valid")
    knots = np.concatenate(([smooth[0]], np.minimum(smooth[:-1], smooth[1:]), [smooth[-1]]))
    ramp = np.arange(_GAIN_BLOCK) / _GAIN_BLOCK
    curve = (knots[:-1, None] + np.diff(knots)[:, None] * ramp).astype(np.float32).ravel()
    curve = curve[: x.size]
    curve *= np.float32(gain)
    curve *= x
    return curve


def _release(gain: np.ndarray, coef: float) -> np.ndarray:
    """Follow drops in ``gain`` at once and recoveries exponentially (one step per block)."""
    out = gain.tolist()
    current = out[0]
    for i, target in enumerate(out):
        current = target if target < current else target + (current - target) * coef
        out[i] = current
    return np.asarray(out)


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


_NUMBER = r"([-+]?(?:\d+(?:\.\d+)?|inf|nan))"
_SUMMARY = {
    "integrated_lufs": re.compile(rf"\bI:\s+{_NUMBER}\s+LUFS"),
    "loudness_range_lu": re.compile(rf"\bLRA:\s+{_NUMBER}\s+LU\b"),
    "true_peak_dbtp": re.compile(rf"\bPeak:\s+{_NUMBER}\s+dBFS"),
}


def measure_file(path: Path) -> Loudness:
    """Measure an encoded file with ffmpeg's ebur128 filter, true peak on.

    This is the measurement a podcast host makes: it reads what the decoder produces, MP3
    overshoot included.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"Could not measure loudness of '{path}': no such file")
    args = ["-nostats", "-i", str(path), "-map", "0:a:0", "-af", "ebur128=peak=true:framelog=quiet"]
    done = run_ffmpeg([*args, "-f", "null", "-"], f"measure loudness of '{path}'")
    return _parse_summary(done.stderr.decode("utf-8", "replace"), path)


def _parse_summary(log: str, path: Path) -> Loudness:
    summary = log.rpartition("Summary:")[2]
    figures = {}
    for name, pattern in _SUMMARY.items():
        found = pattern.search(summary)
        if found is None:
            raise AudioError(f"Could not measure loudness of '{path}': ffmpeg printed no {name}")
        figures[name] = float(found.group(1))
    return Loudness(**figures)


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


def encode_episode(audio: Audio, path: Path, mastering: Mastering) -> Loudness:
    """Master to the target loudness, encode once, and measure the MP3 itself (ebur128).

    MP3 encoding shifts loudness by a few tenths of a LU; when the file misses the target by
    more than the tolerance, the PCM is mastered again with the difference and re-encoded.
    """
    target = mastering.loudness + _ENCODER_LOSS_LU
    for _ in range(3):
        mastered = master(audio, target, mastering.true_peak)
        encode_mp3(mastered, path, mastering.bitrate)
        loudness = measure_file(path)
        error = mastering.loudness - loudness.integrated_lufs
        if abs(error) <= _ENCODED_TOLERANCE_LU or not np.isfinite(error):
            break
        target += error
    return loudness


def encode_mp3(audio: Audio, path: Path, bitrate: str = "64k") -> None:
    """Encode mono float PCM once to CBR MP3 at 44.1 kHz with a Xing/Info (LAME) header; no
    tags (:mod:`listen.tags` writes them)."""
    import ffmpeg

    if audio.sample_rate != SAMPLE_RATE:
        audio = resample(audio, SAMPLE_RATE)
    pcm = np.clip(audio.samples, -1.0, 1.0).astype("<f4").tobytes()
    stream = ffmpeg.input("pipe:", format="f32le", ar=SAMPLE_RATE, ac=1).output(
        str(path),
        format="mp3",
        acodec="libmp3lame",
        audio_bitrate=bitrate,
        ar=SAMPLE_RATE,
        ac=1,
        write_xing=1,
        id3v2_version=0,
        write_id3v1=0,
        map_metadata=-1,
    )
    args = stream.overwrite_output().get_args()
    run_ffmpeg(["-loglevel", "error", *args], f"encode '{path.name}' to MP3", stdin=pcm)
