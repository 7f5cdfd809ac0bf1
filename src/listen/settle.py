"""The published folder brought up to date with its catalogue: the artwork, the feed, the pages,
and no version folder that no catalogue row names.

Called by :mod:`listen.publish` once the catalogue is committed, and at the start of every run,
so that a run killed between writing the catalogue and the feed is finished by the next. The
feed replaces the old one only once it passes its check; version folders are deleted only after
the feed that stops naming them is in place.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from listen.catalogue import Catalogue, EpisodeRecord
from listen.config import ShowConfig
from listen.errors import ListenError
from listen.feed import FeedEpisode, build_feed
from listen.feedcheck import check_feed
from listen.fsutil import write_bytes_atomic
from listen.site import SiteEpisode, SiteShow, build_site, episode_pages, site_episode_from_timing

__all__ = ["FEED_NAME", "PublishError", "settle"]

FEED_NAME = "feed.xml"
_VERSION = re.compile(r"^[0-9a-f]{12}$")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class PublishError(ListenError, RuntimeError):
    """The feed could not be published; the previous feed stays in place."""


def settle(out: Path, catalogue: Catalogue, show: ShowConfig) -> None:
    """Bring the feed, artwork and pages up to date with the catalogue, then delete what no
    row names."""
    _write_cover(out, show)
    _write_feed(out, catalogue, show)
    _write_pages(out, catalogue, show)
    _delete_unreferenced(out, catalogue)


def _write_cover(out: Path, show: ShowConfig) -> None:
    target = out / show.cover.name
    data = show.cover.read_bytes()
    if not target.is_file() or target.read_bytes() != data:
        write_bytes_atomic(target, data)


def _write_feed(out: Path, catalogue: Catalogue, show: ShowConfig) -> None:
    """Rebuild the feed from the catalogue; replace the old one only if the new one passes."""
    records = catalogue.all(["published"])
    if not records:
        return
    data = build_feed(show, [FeedEpisode.from_record(r, show.base_url) for r in records])
    path = out / FEED_NAME
    old = path.read_bytes() if path.is_file() else None
    if data == old:
        return
    problems = check_feed(data, files=out, previous=old, require_https=_needs_https(show))
    if problems:
        listed = "; ".join(str(p) for p in problems[:3])
        raise PublishError(f"The new feed fails its check, so the old one stays: {listed}")
    write_bytes_atomic(path, data)


def _write_pages(out: Path, catalogue: Catalogue, show: ShowConfig) -> None:
    """The show page, an article page, embed page and oEmbed file per episode, and the player;
    a retracted episode's pages are removed."""
    records = catalogue.all()
    site_show = SiteShow(show.title, show.base_url, FEED_NAME, show.description, show.language)
    episodes = [_site_episode(out, r) for r in records if r.state == "published"]
    for relative, data in build_site(site_show, episodes).items():
        target = out / relative
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, data)
    for record in records:
        if record.state != "published":
            for page in episode_pages(record.slug):
                (out / page).unlink(missing_ok=True)


def _site_episode(out: Path, record: EpisodeRecord) -> SiteEpisode:
    timing = json.loads((out / record.files["timing"]).read_text(encoding="utf-8"))
    return site_episode_from_timing(timing, Path(record.files["audio"]).parent.as_posix() + "/")


def _needs_https(show: ShowConfig) -> bool:
    """Apple needs https; a feed served from this machine for a preview does not."""
    return urlsplit(show.base_url).hostname not in _LOCAL_HOSTS


def _delete_unreferenced(out: Path, catalogue: Catalogue) -> None:
    """Delete version folders no catalogue row names; call only once the feed is written."""
    named = {Path(p).parent for r in catalogue.all(["published"]) for p in r.files.values()}
    for slug_dir in out.iterdir():
        if not slug_dir.is_dir() or slug_dir.name.startswith("."):
            continue
        for folder in slug_dir.iterdir():
            if _VERSION.match(folder.name) and folder.relative_to(out) not in named:
                shutil.rmtree(folder)
