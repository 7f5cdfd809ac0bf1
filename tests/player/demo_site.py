"""The demo site the player tests run against, built the way ``listen publish`` will lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from listen.article import load
from listen.render import render_files
from listen.site import SiteEpisode, SiteShow, build_site, site_episode, write_site

ROOT = Path(__file__).resolve().parents[2]
XSS = "<img src=x onerror=alert(1)>"
SHOW = SiteShow(
    title="The Daily Listen",
    base_url="https://news.example/listen/",
    feed_url="feed.xml",
    description="Today's stories, read aloud.",
)


@dataclass(frozen=True)
class DemoSite:
    folder: Path
    show: SiteShow
    episodes: tuple[SiteEpisode, ...]
    base: str = ""
    """``http://127.0.0.1:<port>/`` where ``listen serve`` serves the folder."""

    @property
    def short(self) -> SiteEpisode:
        return self.episodes[0]

    @property
    def long(self) -> SiteEpisode:
        return self.episodes[1]

    @property
    def xss(self) -> SiteEpisode:
        return self.episodes[2]

    def url(self, path: str = "") -> str:
        return self.base + path


def _articles(folder: Path) -> list[Path]:
    seed = load(ROOT / "seeds" / "nara-drum-diplomacy.txt").paragraphs
    short = (
        "---\ntitle: Council Approves New Bike Lanes\nauthor: Sam Reporter\n"
        "date: 2026-11-30\ndescription: Two routes across the centre by spring.\n---\n\n"
        "## The vote\n\nThe council voted seven to two for the plan on Monday night.\n\n"
        "## The routes\n\nWork on both routes starts in March. Cyclists welcomed the news.\n"
    )
    parts = ["The summit", "The drums", "The context", "The summit again", "The drums again"]
    paragraphs = (seed + seed)[: 5 * len(parts)]
    body = "".join(
        (f"## {parts[i // 5]}\n\n" if i % 5 == 0 else "") + f"{paragraph}\n\n"
        for i, paragraph in enumerate(paragraphs)
    )
    long = (
        "---\ntitle: Drums in Nara, the Long Read\nauthor: Ana Correspondent\n"
        "date: 2026-12-01\ndescription: How two leaders found a rhythm.\n---\n\n" + body
    )
    xss = (
        f"---\ntitle: '{XSS}'\nauthor: '<script>alert(2)</script>'\n"
        f"description: '<b onmouseover=alert(3)>bold</b>'\n---\n\n"
        "## First <i>part</i>\n\nA short story about <script>alert(4)</script> markup.\n\n"
        "## Second part\n\nIt ends here.\n"
    )
    paths = []
    for name, text in (("short.md", short), ("long.md", long), ("xss.md", xss)):
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def build_demo_site(work: Path) -> DemoSite:
    """Render three articles with espeak into ``work/public/audio`` and build the site there."""
    folder = work / "public"
    paths = _articles(work)
    rendered = render_files(paths, folder / "audio", voice="espeak")
    episodes = tuple(
        site_episode(load(p), r, f"audio/{r.slug}/")  # listen render: one folder an episode
        for p, r in zip(paths, rendered, strict=True)
    )
    write_site(folder, build_site(SHOW, episodes))
    return DemoSite(folder, SHOW, episodes)


if __name__ == "__main__":  # python tests/player/demo_site.py DIR: a folder for `listen serve`
    import sys

    site = build_demo_site(Path(sys.argv[1]))
    print(site.folder)
