"""The <listen-player> in real Chromium, against a real ``listen serve`` on 127.0.0.1.

Every test's page fixture also asserts no console error, no request to another host and no
dialog (an XSS would open one).
"""

from __future__ import annotations

import re

import pytest
from conftest import Watch
from demo_site import DemoSite
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

AUDIO = "document.querySelector('audio')"


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(f"{AUDIO}.readyState >= 1 && {AUDIO}.duration > 0")


def _article(page: Page, site: DemoSite, slug: str) -> None:
    _open(page, site.url(f"{slug}/"))
    page.wait_for_selector(".lp-transcript span[data-start]", state="attached")
    page.wait_for_function("Number(document.querySelector('.lp-seek').max) > 0")


def _poll(page: Page, condition: str, seconds: float = 10) -> None:
    """wait_for_function needs the page's own JavaScript; this works with it switched off."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"Still false after {seconds} s: {condition}")


def _time(page: Page) -> float:
    return float(page.evaluate(f"{AUDIO}.currentTime"))


def _seek_to(page: Page, seconds: float) -> None:
    page.evaluate(f"{AUDIO}.currentTime = {seconds}")
    page.wait_for_function(f"Math.abs({AUDIO}.currentTime - {seconds}) < 0.5 && !{AUDIO}.seeking")


def test_play_advances_time_and_pause_stops(page: Page, site: DemoSite) -> None:
    _article(page, site, site.short.slug)
    assert page.evaluate(f"{AUDIO}.paused")  # no autoplay
    page.click(".lp-play")
    page.wait_for_function(f"{AUDIO}.currentTime > 0.8")
    assert page.get_attribute(".lp-play", "aria-label") == "Pause"
    page.click(".lp-play")
    assert page.get_attribute(".lp-play", "aria-label") == "Play"
    stopped = _time(page)
    page.wait_for_timeout(400)
    assert _time(page) == pytest.approx(stopped, abs=0.01)
    assert (page.text_content(".lp-elapsed") or "").startswith("0:0")


def test_forward_and_back_skip_15_seconds(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    _seek_to(page, 30)
    page.click(".lp-fwd")
    assert _time(page) == pytest.approx(45, abs=0.05)
    page.click(".lp-back")
    page.click(".lp-back")
    assert _time(page) == pytest.approx(15, abs=0.05)
    page.click(".lp-back")
    assert _time(page) == 0
    assert page.get_attribute(".lp-fwd", "aria-label") == "Forward 15 seconds"


def test_speed_changes_playback_rate(page: Page, site: DemoSite) -> None:
    _article(page, site, site.short.slug)
    options = page.eval_on_selector_all(".lp-rate option", "os => os.map(o => Number(o.value))")
    assert options[0] == 0.75 and options[-1] == 2
    page.select_option(".lp-rate", "1.5")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5
    page.select_option(".lp-rate", "0.75")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 0.75
    page.reload()  # the chosen speed is kept for the next episode
    page.wait_for_selector(".lp-rate")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 0.75


def test_seek_into_the_last_minute_of_a_long_episode(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    duration = float(page.evaluate(f"{AUDIO}.duration"))
    assert duration > 300
    box = page.locator(".lp-seek").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.95, box["y"] + box["height"] / 2)
    target = _time(page)
    assert duration - 60 < target < duration - 1
    page.click(".lp-play")
    page.wait_for_function(f"{AUDIO}.currentTime > {target + 0.5}")
    remaining = page.text_content(".lp-remaining") or ""
    assert remaining.startswith("-0:") or remaining.startswith("-1:00")


def test_seek_bar_by_keyboard(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    page.focus(".lp-seek")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert _time(page) > 1
    page.keyboard.press("End")
    duration = float(page.evaluate(f"{AUDIO}.duration"))
    assert _time(page) == pytest.approx(duration, abs=1)
    # The labels follow the seek on the audio element's next event; read both at once.
    page.wait_for_function(f"!{AUDIO}.seeking")
    valuetext, elapsed, now = page.evaluate(
        "[document.querySelector('.lp-seek').getAttribute('aria-valuetext'),"
        f" document.querySelector('.lp-elapsed').textContent, {AUDIO}.currentTime]"
    )
    minutes, seconds = divmod(int(now), 60)
    assert elapsed == f"{minutes}:{seconds:02d}"
    assert valuetext.startswith(f"{elapsed} of ")


def test_highlight_follows_playback_and_scrolls_while_followed(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    starts = page.eval_on_selector_all(
        ".lp-transcript [data-start]", "els => els.map(e => Number(e.dataset.start))"
    )
    assert len(starts) > 30
    target = starts[25]
    _seek_to(page, target - 0.6)
    page.click(".lp-play")
    page.wait_for_function(
        f"document.querySelector('[aria-current=true]')?.dataset.start == '{target}'"
    )
    assert page.locator("[aria-current=true]").count() == 1
    assert page.locator("[aria-current=true]").is_visible()
    scrolled = page.evaluate("document.querySelector('.lp-transcript').scrollTop")
    assert scrolled > 100
    # The reader scrolls back to the top: the highlight moves on, the panel stays put.
    page.evaluate("document.querySelector('.lp-transcript').scrollTop = 0")
    page.wait_for_timeout(200)
    _seek_to(page, starts[30] + 0.2)
    page.wait_for_function(
        f"document.querySelector('[aria-current=true]')?.dataset.start == '{starts[30]}'"
    )
    assert page.evaluate("document.querySelector('.lp-transcript').scrollTop") == 0
    page.click(".lp-play")


def test_click_on_a_sentence_seeks(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    sentence = page.locator(".lp-transcript [data-start]").nth(8)
    start = float(sentence.get_attribute("data-start") or "nan")
    sentence.click()
    page.wait_for_function(f"{AUDIO}.currentTime >= {start}")
    assert _time(page) == pytest.approx(start, abs=0.6)
    assert sentence.get_attribute("aria-current") == "true"


def test_chapter_menu_seeks_to_a_chapter(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    options = page.locator(".lp-chapters option")
    assert options.count() == 5
    assert "The drums" in (options.nth(1).text_content() or "")
    page.select_option(".lp-chapters", "2")
    third = page.evaluate("document.querySelector('listen-player').chapters[2].start")
    assert third > 60
    assert _time(page) == pytest.approx(third, abs=0.05)


def test_position_is_offered_after_a_reload(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    assert page.locator(".lp-resume").is_hidden()
    _seek_to(page, 95)
    page.click(".lp-play")
    page.wait_for_function(f"{AUDIO}.currentTime > 95.5")
    page.click(".lp-play")
    page.wait_for_function(f"{AUDIO}.paused")
    stopped = _time(page)
    page.reload()
    _article(page, site, site.long.slug)
    offer = page.locator(".lp-resume-go")
    assert offer.is_visible()
    minutes, seconds = re.fullmatch(r"Resume at (\d+):(\d\d)", offer.text_content() or "").groups()
    assert abs(int(minutes) * 60 + int(seconds) - stopped) <= 1
    offer.click()
    assert page.locator(".lp-resume").is_hidden()
    page.wait_for_function(f"{AUDIO}.currentTime >= {stopped - 0.1} && !{AUDIO}.paused")
    _open(page, site.url(f"{site.short.slug}/"))  # per episode: nothing to offer elsewhere
    assert page.locator(".lp-resume").is_hidden()
    _article(page, site, site.long.slug)
    page.click(".lp-resume-no")  # "start from the beginning" forgets the position
    page.reload()
    _article(page, site, site.long.slug)
    assert page.locator(".lp-resume").is_hidden()


def test_tab_reaches_every_control_and_space_plays(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.closest('listen-player') ? e.className || e.tagName : null })()"
            )
        )
    for control in ("lp-back", "lp-play", "lp-fwd", "lp-seek", "lp-rate", "lp-chapters"):
        assert control in reached
    assert {"lp-toggle", "A", "lp-transcript"} <= set(reached)
    page.focus(".lp-play")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Space")
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.3")
    page.keyboard.press("Space")
    assert page.evaluate(f"{AUDIO}.paused")


def test_keyboard_shortcuts_only_while_the_player_has_focus(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    _seek_to(page, 30)
    page.locator("h1").click()
    page.keyboard.press("l")
    assert _time(page) == pytest.approx(30, abs=0.05)
    page.focus(".lp-transcript")
    page.keyboard.press("l")
    assert _time(page) == pytest.approx(45, abs=0.05)
    page.keyboard.press("j")
    assert _time(page) == pytest.approx(30, abs=0.05)
    page.keyboard.press(">")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.25


def test_every_control_has_a_name_and_a_24px_target(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    controls = page.locator(
        "listen-player button:visible, listen-player select:visible,"
        " listen-player input:visible, listen-player a:visible"
    )
    assert controls.count() >= 8
    for i in range(controls.count()):
        control = controls.nth(i)
        box = control.bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24
        name = control.get_attribute("aria-label") or control.text_content() or ""
        assert name.strip()
    assert page.get_attribute(".lp-toggle", "aria-expanded") == "true"


def test_media_session_metadata(page: Page, site: DemoSite) -> None:
    _article(page, site, site.long.slug)
    page.click(".lp-play")
    page.wait_for_function("navigator.mediaSession.metadata !== null")
    meta = page.evaluate(
        "(({title, artist, album}) => ({title, artist, album}))(navigator.mediaSession.metadata)"
    )
    assert meta == {
        "title": site.long.title,
        "artist": site.long.author,
        "album": site.show.title,
    }
    page.click(".lp-play")


def test_play_all_goes_on_to_the_next_episode(page: Page, site: DemoSite) -> None:
    _open(page, site.url())
    players = "document.querySelectorAll('listen-player audio')"
    page.click("button[data-listen-queue]")
    page.wait_for_function(f"!{players}[0].paused")
    duration = page.evaluate(f"{players}[0].duration")
    page.evaluate(f"{players}[0].currentTime = {duration - 0.4}")
    page.wait_for_function(f"{players}[0].ended && !{players}[1].paused", timeout=10_000)
    page.wait_for_function(f"{players}[1].currentTime > 0.3")
    assert page.evaluate(f"[...{players}].filter(a => !a.paused).length") == 1


def test_without_javascript_the_plain_audio_element_plays(browser: Browser, site: DemoSite) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url(f"{site.short.slug}/"))
    audio = page.locator("audio")
    assert audio.is_visible()
    assert audio.get_attribute("controls") is not None
    assert audio.get_attribute("preload") == "metadata"
    assert page.locator(".lp-play").count() == 0
    assert page.locator("a[download]").is_visible()
    _poll(page, f"{AUDIO}.readyState >= 1")
    box = audio.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 20, box["y"] + box["height"] / 2)  # the native play button
    _poll(page, f"{AUDIO}.currentTime > 0.5")
    context.close()


def test_no_request_to_another_host(page: Page, site: DemoSite, watch: Watch) -> None:
    for path in ("", f"{site.long.slug}/", f"embed/{site.long.slug}.html"):
        page.goto(site.url(path))
        page.wait_for_load_state("networkidle")
    assert watch.foreign == []
    assert watch.errors == []
