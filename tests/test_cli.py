from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from listen.cli import main

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data"
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"
COMMANDS = sorted(main.commands)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert out.startswith(f"Usage: main {command}") or out.startswith(f"Usage: listen {command}")


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"listen {command}" in readme


def _case(tmp: Path, name: str) -> tuple[list[str], str]:
    """The arguments for one bad input, and the exact error line it must give."""
    if name == "missing":
        path = tmp / "missing.txt"
        return [str(path)], f"Error: Could not open file '{path}': no such file"
    if name == "directory":
        return [str(tmp)], (
            f"Error: Could not read '{tmp}': it is a directory; "
            "give an article file (.txt, .md or .html)"
        )
    if name == "empty":
        path = tmp / "empty.txt"
        path.write_text("\n \n")
        return [str(path)], f"Error: Article '{path}' is empty: nothing to read aloud"
    if name == "furniture-only":
        path = DATA / "furniture-only.txt"
        return [str(path)], (
            f"Error: Article '{path}' has no body text once page furniture is "
            "removed: nothing to read aloud; give a file with the article's "
            "paragraphs"
        )
    if name == "binary":
        path = tmp / "photo.txt"
        path.write_bytes(bytes(range(256)) * 8)
        return [str(path)], (
            f"Error: Could not read '{path}': it looks like a binary file, "
            "not text; give a .txt, .md or .html article"
        )
    assert name == "unknown-voice"
    return [str(SEED), "--voice", "nobody"], (
        "Error: Unknown voice 'nobody': choose one of espeak, joe, system (see 'listen voices')"
    )


@pytest.mark.parametrize(
    "name", ["missing", "directory", "empty", "furniture-only", "binary", "unknown-voice"]
)
def test_bad_input_is_one_error_line_and_writes_nothing(tmp_path: Path, name: str) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    out = tmp_path / "out"
    args, expected = _case(inputs, name)
    voice = [] if "--voice" in args else ["--voice", "espeak"]
    code, stdout, stderr = run("render", *args, *voice, "-o", str(out))
    assert (code, stdout, stderr) == (1, "", expected + "\n")
    assert not out.exists()


def test_a_voice_whose_engine_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # as if piper-tts were not installed
    out = tmp_path / "out"
    code, stdout, stderr = run("render", str(SEED), "-o", str(out), "--voice", "joe")
    assert code == 1 and stdout == ""
    assert stderr == (
        "Error: Voice 'joe' needs the piper engine, which is not available here (piper is not "
        "installed); install it with: pip install 'listen[piper]'\n"
    )
    assert not out.exists()


def test_one_bad_file_among_good_ones_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = run(
        "render", str(SEED), str(tmp_path / "nope.md"), "-o", str(out), "--voice", "espeak"
    )
    assert code == 1 and stderr.startswith("Error: Could not open file")
    assert not out.exists()


def test_usage_errors_exit_2() -> None:
    code, _, stderr = run("render")
    assert code == 2
    assert "Missing argument 'FILES...'" in stderr


def test_real_process_prints_exactly_one_line_on_stderr(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "listen",
            "render",
            str(tmp_path / "gone.txt"),
            "-o",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert re.fullmatch(r"Error: Could not open file '.*gone.txt': no such file\n", proc.stderr)


def test_voices_lists_every_profile_and_whether_it_works() -> None:
    code, out, _ = run("voices")
    assert code == 0
    for name, backend in (("joe", "piper"), ("espeak", "espeak"), ("system", "pyttsx3")):
        line = next(x for x in out.splitlines() if x.startswith(name))
        assert backend in line and " ok " in line


def test_voices_names_the_install_step_when_an_engine_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)
    code, out, _ = run("voices")
    assert code == 0
    assert "not installed" in out
    assert "install with: pip install 'listen[piper]'" in out


def test_script_prints_segments_with_pauses() -> None:
    code, out, _ = run("script", str(DATA / "three-headings.md"), "--voice", "espeak")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("[title +800ms] Harbour Bridge Reopens")
    assert sum(line.startswith("[heading") for line in lines) == 3
    assert lines[-1].startswith("[sentence +80ms]")


def test_script_explain_lists_rewrites_with_their_rule() -> None:
    code, out, _ = run("script", str(SEED), "--voice", "espeak", "--explain")
    assert code == 0
    assert re.search(r"^    1910-1945 -> .*nineteen ten.* \[\w+\]$", out, re.M)


def test_render_reports_duration_loudness_and_peak(tmp_path: Path) -> None:
    code, out, err = run(
        "render", str(DATA / "three-headings.md"), "-o", str(tmp_path), "--voice", "espeak"
    )
    assert (code, err) == (0, "")
    match = re.fullmatch(r"(\S+\.mp3)  (\d+):(\d\d\.\d)  (-?\d+\.\d) LUFS  (-?\d+\.\d) dBTP\n", out)
    assert match, out
    assert Path(match[1]).is_file()
    assert float(match[4]) == pytest.approx(-19.0, abs=1.0)
    assert float(match[5]) <= -1.0


def _render_loud(
    tmp_path: Path, target: float, *extra: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    profile = tmp_path / "loud.toml"
    profile.write_text(f'backend = "espeak"\n[audio]\nloudness = {target}\n', encoding="utf-8")
    article = ROOT / "seeds" / "harbour-bridge-budget.txt"
    command = [sys.executable, "-m", "listen", "render", str(article), "-o", str(tmp_path / "out")]
    proc = subprocess.run(
        [*command, "--voice", str(profile), *extra], capture_output=True, text=True, check=False
    )
    [mp3] = (tmp_path / "out").glob("*/*.mp3")
    return proc, mp3


def test_a_loud_target_is_reached_under_the_ceiling_quietly(tmp_path: Path) -> None:
    """espeak-ng's voice is peaky: -16 LUFS under -1 dBTP takes the limiter several dB, and
    the encode overshoots the limited peaks by more than mastering first allows for."""
    from listen.master import measure_file

    proc, mp3 = _render_loud(tmp_path, -16.0)
    assert (proc.returncode, proc.stderr) == (0, "")
    measured = measure_file(mp3)  # ffmpeg's ebur128 filter
    assert measured.integrated_lufs == pytest.approx(-16.0, abs=0.2)
    assert measured.true_peak_dbtp <= -1.0


def test_a_target_too_loud_for_the_voice_keeps_the_ceiling_and_says_so(tmp_path: Path) -> None:
    from listen.master import measure_file

    proc, mp3 = _render_loud(tmp_path, -14.0)
    assert proc.returncode == 0
    measured = measure_file(mp3)
    assert measured.true_peak_dbtp <= -1.0
    assert -16.5 < measured.integrated_lufs < -14.3
    warning = re.fullmatch(
        r"WARNING listen\.master: \S+\.mp3 measures (-\d+\.\d\d) LUFS \(\S+ dBTP\), not -14\.00: "
        r"the voice's peaks are too dense to limit that loud under -1\.00 dBTP at 64k; lower the "
        r"profile's \[audio\] loudness, or raise its true_peak or bitrate \(a higher bit rate "
        r"overshoots less\)\n",
        proc.stderr,
    )
    assert warning, proc.stderr
    assert float(warning[1]) == pytest.approx(measured.integrated_lufs, abs=0.2)


def test_a_higher_bit_rate_reaches_what_64k_cannot(tmp_path: Path) -> None:
    """As the warning says: at 128 kbps the encoder overshoots the limited peaks less."""
    from listen.master import measure_file

    proc, mp3 = _render_loud(tmp_path, -14.0, "--bitrate", "128k")
    assert (proc.returncode, proc.stderr) == (0, "")
    measured = measure_file(mp3)
    assert measured.integrated_lufs == pytest.approx(-14.0, abs=0.35)
    assert measured.true_peak_dbtp <= -1.0


def test_render_json_prints_everything_measured(tmp_path: Path) -> None:
    import json

    code, out, _ = run(
        "render",
        str(DATA / "three-headings.md"),
        "-o",
        str(tmp_path),
        "--voice",
        "espeak",
        "--json",
    )
    assert code == 0
    [report] = json.loads(out)
    assert report["title"] == "Harbour Bridge Reopens After Two-Year Repair"
    assert report["voice"] == "espeak"
    assert report["duration"] > 5
    assert report["true_peak_dbtp"] <= -1.0
    assert [c["title"] for c in report["chapters"]] == [
        "The repairs",
        "The traffic",
        "What comes next",
    ]
    folder = tmp_path / report["slug"]
    assert Path(report["mp3"]) == folder / f"{report['slug']}.mp3"
    assert {Path(p) for p in report["files"].values()} == {
        folder / f"{report['slug']}.vtt",
        folder / f"{report['slug']}.json",
        folder / f"{report['slug']}.chapters.json",
    }
    assert all(Path(p).is_file() for p in report["files"].values())


def _one_error_line(stderr: str) -> str:
    """The single 'Error:' line of stderr; fails on a traceback or a second error."""
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    return errors[0]


@pytest.fixture
def used_out(tmp_path: Path) -> Path:
    """An output folder that already holds an earlier run's file."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.mp3").write_bytes(b"an earlier episode")
    return out


@pytest.mark.parametrize("rate", ["junk", "lots", "99999k", "65k"])
def test_a_bad_bitrate_is_a_usage_error_before_anything_runs(used_out: Path, rate: str) -> None:
    code, stdout, stderr = run(
        "render", str(SEED), "-o", str(used_out), "--voice", "espeak", "--bitrate", rate
    )
    assert (code, stdout) == (2, "")
    assert _one_error_line(stderr) == (
        f"Error: Invalid value for '--bitrate': '{rate}' is not an MP3 bit rate for 44.1 kHz: "
        "one of 32k, 40k, 48k, "
        "56k, 64k, 80k, 96k, 112k, 128k, 160k, 192k, 224k, 256k, 320k"
    )
    assert [p.name for p in used_out.iterdir()] == ["earlier.mp3"]


def test_a_good_bitrate_is_used(tmp_path: Path) -> None:
    code, out, _ = run(
        "render", str(DATA / "three-headings.md"), "-o", str(tmp_path), "--voice", "espeak",
        "--bitrate", "96K", "--json",
    )  # fmt: skip
    assert code == 0
    import json

    from mutagen.mp3 import MP3

    [report] = json.loads(out)
    assert MP3(report["mp3"]).info.bitrate == 96_000


def test_output_under_a_file_is_one_error_line(tmp_path: Path) -> None:
    blocker = tmp_path / "some-file"
    blocker.write_text("not a folder")
    out = blocker / "out"
    code, stdout, stderr = run("render", str(SEED), "-o", str(out), "--voice", "espeak")
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"Error: Cannot write to the output folder '{out}': '{blocker}' is a file, not a "
        "folder; use another --output\n"
    )
    assert blocker.read_text() == "not a folder"


def test_output_under_a_file_in_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "some-file").write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "listen", "render", str(SEED), "-o", "some-file/out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("Error: Cannot write to")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('backend = "espeak"\nrate = "fast"\n', "rate must be a number from 0.25 to 4, not 'fast'"),
        ('backend = "espeak"\npauses = 5\n', "pauses must be a table, not 5"),
        ('backend = ["espeak", "piper"]\n', "backend must be a string, not ['espeak', 'piper']"),
        (
            'backend = "espeak"\n[show]\noutro = "{title.__class__}"\n',
            "show.outro template is invalid: it may use only {title}, {author}, {show}, {date}, "
            "not {title.__class__}",
        ),
        (
            'backend = "espeak"\n[show]\nintro = "{title:>99}"\n',
            "show.intro template is invalid: it may use only {title}, {author}, {show}, {date}, "
            "not {title:>99}",
        ),
        (
            'backend = "espeak"\n[audio]\nbitrate = "99999k"\n',
            "audio.bitrate must be an MP3 bit rate for 44.1 kHz: one of 32k",
        ),
    ],
    ids=[
        "rate-string",
        "pauses-number",
        "backend-list",
        "template-attribute",
        "template-spec",
        "profile-bitrate",
    ],
)
def test_a_bad_profile_is_one_error_line_and_writes_nothing(
    tmp_path: Path, used_out: Path, body: str, problem: str
) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text(body, encoding="utf-8")
    code, stdout, stderr = run("render", str(SEED), "-o", str(used_out), "--voice", str(profile))
    assert (code, stdout) == (1, "")
    line = _one_error_line(stderr)
    assert line.startswith(f"Error: Voice profile '{profile}': ") and problem in line, line
    assert [p.name for p in used_out.iterdir()] == ["earlier.mp3"]


@pytest.mark.parametrize("backend", ["espeak", "piper", "pyttsx3", "tone"])
def test_pitch_5000_is_one_error_line_for_every_backend(
    tmp_path: Path, used_out: Path, backend: str
) -> None:
    profile = tmp_path / "shrill.toml"
    profile.write_text(f'backend = "{backend}"\n[options]\npitch = 5000\n', encoding="utf-8")
    code, stdout, stderr = run("render", str(SEED), "-o", str(used_out), "--voice", str(profile))
    assert (code, stdout) == (1, "")
    line = _one_error_line(stderr)
    assert line.startswith(f"Error: Voice profile '{profile}': [options] ") and "pitch" in line
    assert [p.name for p in used_out.iterdir()] == ["earlier.mp3"]
