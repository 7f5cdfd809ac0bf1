"""The ``listen`` command: parses options, calls the library, prints. Nothing else.

Only click, the error tree and the size limits load before a command runs: each command imports
what it uses, so ``listen --help`` and a no-op ``listen publish`` start quickly.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from listen.errors import ListenError
from listen.limits import Limits, format_size, parse_size
from listen.threads import BLAS_VARIABLES

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_VOICE = "joe"
"""listen.profile.DEFAULT_VOICE, named here so that --help need not load the profiles."""


class BitRate(click.ParamType):
    """An MP3 bit rate libmp3lame encodes at 44.1 kHz mono CBR: 32k to 320k."""

    name = "rate"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from listen.profile import parse_bitrate

        try:
            return parse_bitrate(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


_VOICE = click.option(
    "--voice",
    "-v",
    default=DEFAULT_VOICE,
    show_default=True,
    metavar="NAME",
    help="Voice profile from voices/ (see 'listen voices'), or a path to a profile .toml.",
)

_CONFIG = click.option(
    "--config",
    "config_path",
    default="listen.toml",
    show_default=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The show's settings (see 'listen init').",
)
_BASE_URL = click.option(
    "--base-url", metavar="URL", help="Where the folder is served [listen.toml]."
)
_PUBLISHED = click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The published folder: feed, catalogue, audio.",
)


def _kb(size: int) -> str:
    return format_size(size).replace(" ", "")


def _size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    try:
        return None if value is None else parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _limits(func: F) -> F:
    """The --max-* options, handed to the command as one ``limits: Limits``."""
    d = Limits()
    options = [
        ("--max-file-size", "max_file_bytes", f"Largest article file [{_kb(d.max_file_bytes)}]."),
        ("--max-words", "max_words", f"Most words in an article [{d.max_words}]."),
        (
            "--max-front-matter",
            "max_front_matter_bytes",
            f"Largest front matter [{_kb(d.max_front_matter_bytes)}].",
        ),
        ("--max-image-size", "max_image_bytes", f"Largest cover image [{_kb(d.max_image_bytes)}]."),
        ("--max-image-side", "max_image_side", f"Widest, tallest cover [{d.max_image_side} px]."),
    ]

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for _, name, _ in options}
        limits = Limits(**{k: v for k, v in given.items() if v is not None})
        return func(*args, limits=limits, **kwargs)

    for flag, name, text in reversed(options):
        sized = name.endswith("_bytes")
        wrapper = click.option(
            flag,
            name,
            metavar="SIZE" if sized else "N",
            callback=_size if sized else None,
            type=None if sized else click.IntRange(min=1),
            help=text,
        )(wrapper)
    return wrapper  # type: ignore[return-value]


def _errors(func: F) -> F:
    """Turn a ListenError into one 'Error: ...' line on stderr and exit 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ListenError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from listen import __version__

    click.echo(f"listen, version {__version__}")
    ctx.exit()


@click.group()
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.option("--verbose", is_flag=True, help="Log each stage to stderr.")
def main(verbose: bool) -> None:
    """Turn news articles into publishable audio."""
    for variable in BLAS_VARIABLES:  # read when numpy is first imported, which is later
        os.environ.setdefault(variable, "1")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "out_dir",
    default="output",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory for the MP3s.",
)
@_VOICE
@click.option(
    "--bitrate", type=BitRate(), metavar="RATE", help="MP3 bit rate (CBR), 32k to 320k, e.g. 96k."
)
@click.option("--json", "as_json", is_flag=True, help="Print everything measured as JSON.")
@click.option("--strict-cover", is_flag=True, help="Fail, not warn, on a cover image it refuses.")
@click.option(
    "--check",
    "check_audio",
    is_flag=True,
    help="Hear each episode back and synthesise flagged sentences again (listen[check]).",
)
@_limits
@_errors
def render(
    files: tuple[str, ...],
    out_dir: Path,
    voice: str,
    bitrate: str | None,
    as_json: bool,
    strict_cover: bool,
    check_audio: bool,
    limits: Limits,
) -> None:
    """Render each article FILE (.txt, .md or .html) or http(s) URL to OUT/<slug>/<slug>.mp3.

    An article that fails is one Error line; the others still render, and the exit status is 1.
    """
    from listen.models import CheckOptions
    from listen.render import render_files
    from listen.report import rendered_dict, rendered_line, repair_lines

    failed: list[str] = []

    def report(source: Path | str, exc: ListenError) -> None:
        failed.append(str(source))
        click.echo(f"Error: {exc}", err=True)

    check = CheckOptions() if check_audio else None
    results = render_files(
        files, out_dir, voice, bitrate=bitrate, limits=limits, strict_cover=strict_cover,
        check=check, on_error=report,
    )  # fmt: skip
    if as_json:
        click.echo(json.dumps([rendered_dict(r) for r in results], indent=2, ensure_ascii=False))
    else:
        for rendered in results:
            click.echo(rendered_line(rendered))
            for line in repair_lines(rendered.check):
                click.echo(line)
    if failed or any(r.check and r.check["flagged"] for r in results):
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@_VOICE
@click.option("--explain", is_flag=True, help="List each rewrite and the rule that made it.")
@_limits
@_errors
def script(file: Path, voice: str, explain: bool, limits: Limits) -> None:
    """Print what will be said for FILE: a segment a line, with its pause."""
    from listen.profile import load_profile, profile_lexicon
    from listen.render import read_script
    from listen.report import script_lines

    profile = load_profile(voice)
    lexicon = profile_lexicon(profile)
    script = read_script(file, profile, lexicon, limits)
    for line in script_lines(script, lexicon if explain else None, profile.speech.spelling):
        click.echo(line)


@main.command()
@click.argument("episodes", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-wer",
    type=click.FloatRange(0.0, 1.0),
    default=0.3,
    show_default=True,
    help="Flag a sentence when more than this share of its words are wrong.",
)
@click.option("--json", "as_json", is_flag=True, help="Print every sentence's result as JSON.")
@_errors
def check(episodes: tuple[Path, ...], max_wer: float, as_json: bool) -> None:
    """Hear each EPISODE.mp3 back with speech recognition and flag the sentences that came
    out wrong (exit status 1 when any is flagged). Needs the extra: pip install 'listen[check]'.
    """
    from listen.check import check_files
    from listen.report import check_lines

    results = check_files(episodes, max_wer)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        for result in results:
            for line in check_lines(result):
                click.echo(line)
    if any(r.flagged for r in results):
        sys.exit(1)


@main.command()
@_errors
def voices() -> None:
    """List every voice profile, its backend, and whether it works here."""
    from listen.report import voice_lines

    for line in voice_lines():
        click.echo(line)


@main.command()
@_errors
def init() -> None:
    """Write a commented starter listen.toml in the current folder (never overwrites one)."""
    from listen.config import write_starter_config

    path = write_starter_config()
    click.echo(f"Wrote {path}: edit the show's details and add its cover image beside it.")


@main.command("feed-check")
@click.argument("feed", type=click.Path(path_type=Path))
@click.option(
    "--files",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder the feed is served from: enclosure lengths must equal the files' sizes.",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The feed this one replaces: a URL it used must keep its length.",
)
@click.option("--allow-http", is_flag=True, help="Accept http:// enclosures and artwork.")
@_errors
def feed_check(feed: Path, files: Path | None, previous: Path | None, allow_http: bool) -> None:
    """Lint FEED against Apple's required tags and the Podcasting 2.0 rules."""
    from listen.errors import FeedError
    from listen.feedcheck import check_feed_file

    problems = check_feed_file(feed, files=files, previous=previous, require_https=not allow_http)
    for problem in problems:
        click.echo(f"{feed}: {problem}")
    if problems:
        raise FeedError(f"Feed '{feed}' has {len(problems)} problem(s): fix them and check again")
    click.echo(f"{feed}: OK")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--port", "-p", default=8000, show_default=True, help="Port; 0 picks a free one.")
@_errors
def serve(folder: Path, port: int) -> None:
    """Serve a published FOLDER on 127.0.0.1, with byte ranges, until Ctrl+C."""
    from listen.serve import make_server

    server = make_server(folder, port)
    host, bound = server.server_address[:2]
    click.echo(f"Serving {folder} at http://{host!s}:{bound}/ (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
@click.argument("slug")
@click.option(
    "--out",
    "-o",
    "folder",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The published folder (the one listen publish wrote).",
)
@_errors
def embed(slug: str, folder: Path) -> None:
    """Print the HTML that embeds episode SLUG in a CMS page: player, or iframe."""
    from listen.site import embed_code

    click.echo(embed_code(folder, slug), nl=False)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@_PUBLISHED
@_BASE_URL
@_CONFIG
@click.option("--voice", "-v", metavar="NAME", help="Voice profile [listen.toml's voice].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Render processes [cores].")
@click.option(
    "--executor",
    "executor_kind",
    type=click.Choice(["local", "dask"]),
    help="Where articles are rendered [listen.toml's executor.kind, else local].",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786.")
@click.option(
    "--check/--no-check",
    "check_audio",
    default=None,
    help="Hear each episode back, synthesise flagged sentences again, and hold back one "
    "still flagged (listen[check]) [listen.toml's check.enabled].",
)
@click.option(
    "--publish-flagged",
    is_flag=True,
    default=None,
    help="Publish an episode still flagged after --check [check.publish_flagged].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_errors
def publish(
    sources: tuple[str, ...],
    out_dir: Path,
    base_url: str | None,
    config_path: Path,
    voice: str | None,
    jobs: int | None,
    executor_kind: str | None,
    scheduler: str | None,
    check_audio: bool | None,
    publish_flagged: bool | None,
    as_json: bool,
) -> None:
    """Render what is new or changed in SOURCES and publish the feed in OUT.

    A SOURCE is an article file, a folder of them, or an RSS/Atom feed, news sitemap or
    WordPress API by http(s) URL or saved file (.xml, .rss, .atom, .json).
    """
    from listen.executor import executor_factory
    from listen.publish import publish as run
    from listen.publish import publish_request
    from listen.report import progress_bar, summary_lines

    request = publish_request(
        sources, out_dir, config_path, base_url=base_url, voice=voice,
        check=check_audio, publish_flagged=publish_flagged,
    )  # fmt: skip
    show = request.show
    kind = executor_kind or show.executor
    factory = executor_factory(kind, jobs or show.jobs, scheduler or show.scheduler)
    request = replace(request, remote=kind == "dask")
    with progress_bar(enabled=not as_json) as progress:
        summary = run(request, factory, progress)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in summary_lines(summary):
            click.echo(line)
    if summary.failed or summary.held:
        sys.exit(1)


@main.command()
@click.argument("episode_id", metavar="ID")
@_PUBLISHED
@_CONFIG
@_BASE_URL
@_errors
def unpublish(episode_id: str, out_dir: Path, config_path: Path, base_url: str | None) -> None:
    """Take episode ID out of the feed in OUT and delete its files."""
    from listen.publish import show_settings
    from listen.publish import unpublish as retract

    record = retract(out_dir, episode_id, show_settings(config_path, base_url))
    click.echo(f"Unpublished {record.id}: {record.title}")
