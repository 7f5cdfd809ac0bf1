/* <listen-player>: the web player for listen's episodes. MIT licence, no dependencies.
 *
 * Enhances plain markup that already plays without JavaScript:
 *   <listen-player data-timing="x.json" data-chapters="x.chapters.json" data-id="x">
 *     <audio controls preload="metadata" src="x.mp3"></audio>
 *     <a href="x.mp3" download>Download the MP3</a>
 *   </listen-player>
 * Attributes: data-timing (listen's timing JSON), data-chapters (Podcasting 2.0 JSON chapters),
 * data-skip (seconds, 15), data-id (key of the remembered position), data-title, data-author,
 * data-show (Media Session metadata), data-transcript="open" (transcript shown at first).
 * A button with data-listen-queue plays every player of the page in turn.
 */
(() => {
  "use strict";
  const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const ICONS = {
    play: "M8 5v14l11-7z",
    pause: "M6 5h4v14H6zm8 0h4v14h-4z",
    back: "M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z",
    fwd: "M12 5V1l5 5-5 5V7a6 6 0 1 0 6 6h2a8 8 0 1 1-8-8z",
  };
  let count = 0;

  const pad = (n) => String(n).padStart(2, "0");
  const clock = (s) => {
    s = Math.max(0, Math.floor(s || 0));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  };
  const h = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    e.append(...kids);
    return e;
  };
  const icon = (name) => {
    const ns = "http://www.w3.org/2000/svg", s = document.createElementNS(ns, "svg");
    const p = document.createElementNS(ns, "path");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    p.setAttribute("d", ICONS[name]);
    s.append(p);
    return s;
  };
  const store = {
    get(k) { try { return localStorage.getItem(k); } catch { return null; } },
    set(k, v) { try { v == null ? localStorage.removeItem(k) : localStorage.setItem(k, v); } catch { /* private mode */ } },
  };
  const getJSON = (url) => url
    ? fetch(url).then((r) => (r.ok ? r.json() : null)).catch(() => null)
    : Promise.resolve(null);

  class ListenPlayer extends HTMLElement {
    connectedCallback() {
      const a = this.querySelector("audio");
      if (this.audio || !a) return;
      this.audio = a;
      this.skip = Number(this.dataset.skip) || 15;
      this.slot = "listen:" + (this.dataset.id || a.getAttribute("src"));
      this.sentences = [];
      this.chapters = [];
      this.follow = true;
      this.current = null;
      this.saved = 0;
      this.build();
      this.bind();
      this.offer();
      this.load();
    }

    button(label, cls, name, text) {
      const b = h("button", { type: "button", class: "lp-" + cls, "aria-label": label }, icon(name));
      if (text) b.append(h("span", { "aria-hidden": "true" }, text));
      return b;
    }

    build() {
      const a = this.audio, id = "lp" + ++count, s = this.skip;
      a.controls = false;
      a.autoplay = false;
      this.setAttribute("role", "group");
      this.setAttribute("aria-label", "Listen" + (this.dataset.title ? ": " + this.dataset.title : ""));
      this.playBtn = this.button("Play", "play", "play");
      this.playBtn.onclick = () => this.toggle();
      const back = this.button(`Back ${s} seconds`, "back", "back", s);
      const fwd = this.button(`Forward ${s} seconds`, "fwd", "fwd", s);
      back.onclick = () => this.jump(-s);
      fwd.onclick = () => this.jump(s);
      this.seek = h("input", { type: "range", class: "lp-seek", min: 0, max: 0, step: "any", "aria-label": "Seek" });
      this.seek.oninput = () => { a.currentTime = Number(this.seek.value); };
      this.elapsed = h("span", { class: "lp-elapsed" }, "0:00");
      this.remaining = h("span", { class: "lp-remaining" }, "-0:00");
      this.rate = h("select", { class: "lp-rate", "aria-label": "Playback speed" },
        ...RATES.map((r) => h("option", { value: r }, r + "×")));
      this.rate.value = "1";
      this.rate.onchange = () => this.speed(Number(this.rate.value));
      this.menu = h("select", { class: "lp-chapters", "aria-label": "Chapter", hidden: "" });
      this.menu.onchange = () => this.chapter(0);
      this.panel = h("div", { class: "lp-transcript", id: id, role: "region", "aria-label": "Transcript", tabindex: 0, hidden: "" });
      this.opener = h("button", { type: "button", class: "lp-toggle", "aria-expanded": "false", "aria-controls": id, hidden: "" }, "Transcript");
      this.opener.onclick = () => this.open(this.panel.hidden);
      this.resume = h("p", { class: "lp-resume", hidden: "" });
      const time = h("span", { class: "lp-time" }, this.elapsed, " / ", this.remaining);
      const tools = h("div", { class: "lp-tools" }, this.rate, this.menu, this.opener);
      const link = this.querySelector("a[download]");
      if (link) tools.append(link);
      this.append(this.resume, h("div", { class: "lp-bar" }, back, this.playBtn, fwd, this.seek, time), tools, this.panel);
      this.classList.add("lp-ready");
    }

    bind() {
      const a = this.audio, on = (t, f) => a.addEventListener(t, f);
      on("play", () => { this.state(); this.solo(); this.session(); this.resume.hidden = true; });
      on("pause", () => { this.state(); this.save(true); });
      for (const t of ["timeupdate", "durationchange", "seeking", "seeked"]) on(t, () => this.tick());
      on("ratechange", () => { this.rate.value = String(a.playbackRate); });
      on("ended", () => { store.set(this.slot, null); this.next(); });
      const rate = Number(store.get("listen:rate"));
      if (RATES.includes(rate)) this.speed(rate);
      this.addEventListener("keydown", (e) => this.shortcut(e));
      addEventListener("pagehide", () => this.save(true));
      this.panel.addEventListener("click", (e) => {
        const s = e.target.closest("[data-start]");
        if (!s) return;
        a.currentTime = Number(s.dataset.start);
        this.follow = true;
        this.tick();
        if (a.paused) this.play();
      });
      this.panel.addEventListener("scroll", () => {
        this.follow = !this.current || this.visible(this.current);
      }, { passive: true });
    }

    load() {
      const d = this.dataset;
      Promise.all([getJSON(d.timing), getJSON(d.chapters)]).then(([timing, chap]) => {
        const list = chap && Array.isArray(chap.chapters)
          ? chap.chapters.map((c) => ({ title: c.title, start: c.startTime }))
          : (timing && timing.chapters) || [];
        this.chapters = list.filter((c) => c && typeof c.title === "string")
          .map((c) => ({ title: c.title, start: Number(c.start) || 0 }))
          .sort((x, y) => x.start - y.start);
        this.menu.replaceChildren(...this.chapters.map((c, i) => h("option", { value: i }, clock(c.start) + " " + c.title)));
        this.menu.hidden = this.chapters.length < 2;
        if (timing && Array.isArray(timing.paragraphs)) this.transcript(timing.paragraphs);
      });
    }

    transcript(paragraphs) {
      const out = [];
      for (const p of paragraphs) {
        const para = h("p", { class: "lp-" + (p.kind === "title" || p.kind === "heading" ? "h" : "p") });
        for (const s of p.sentences || []) {
          const span = h("span", { "data-start": Number(s.start) || 0 }, String(s.text ?? ""));
          para.append(span, " ");
          this.sentences.push({ start: Number(s.start) || 0, el: span });
        }
        out.push(para);
      }
      this.sentences.sort((x, y) => x.start - y.start);
      this.panel.replaceChildren(...out);
      this.opener.hidden = !this.sentences.length;
      if (this.dataset.transcript === "open") this.open(true);
      this.tick();
    }

    open(show) {
      this.panel.hidden = !show;
      this.opener.setAttribute("aria-expanded", String(show));
      if (show && this.current) { this.follow = true; this.reveal(this.current); }
    }

    toggle() {
      this.audio.paused ? this.play() : this.audio.pause();
      this.state();
    }
    play() { const p = this.audio.play(); if (p) p.catch(() => {}); }
    jump(d) {
      const a = this.audio;
      a.currentTime = Math.min(Math.max(0, a.currentTime + d), a.duration || Infinity);
    }
    speed(r) {
      this.audio.playbackRate = this.audio.defaultPlaybackRate = r;
      this.rate.value = String(r);
      store.set("listen:rate", String(r));
    }
    chapter(step) {
      const i = Number(this.menu.value || 0) + step, c = this.chapters[i];
      if (c) this.audio.currentTime = c.start;
    }

    state() {
      const paused = this.audio.paused;
      this.playBtn.setAttribute("aria-label", paused ? "Play" : "Pause");
      this.playBtn.replaceChildren(icon(paused ? "play" : "pause"));
    }

    solo() {
      for (const p of document.querySelectorAll("listen-player")) if (p !== this && p.audio) p.audio.pause();
    }

    tick() {
      const a = this.audio, t = a.currentTime, d = Number.isFinite(a.duration) ? a.duration : 0;
      this.seek.max = d;
      this.seek.value = t;
      this.seek.setAttribute("aria-valuetext", clock(t) + " of " + clock(d));
      this.seek.style.setProperty("--lp-p", (d ? (100 * t) / d : 0) + "%");
      this.elapsed.textContent = clock(t);
      this.remaining.textContent = "-" + clock(Math.ceil(d - t));
      this.highlight(t);
      let c = -1;
      this.chapters.forEach((x, i) => { if (x.start <= t) c = i; });
      if (c >= 0 && this.menu.value !== String(c)) this.menu.value = String(c);
      this.save(false);
      const m = navigator.mediaSession;
      if (!a.paused && d && m && m.setPositionState) {
        try { m.setPositionState({ duration: d, playbackRate: a.playbackRate, position: Math.min(t, d) }); } catch { /* old browser */ }
      }
    }

    highlight(t) {
      const list = this.sentences;
      let lo = 0, hi = list.length - 1, i = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid].start <= t + 0.05) { i = mid; lo = mid + 1; } else hi = mid - 1;
      }
      const s = i < 0 ? null : list[i].el;
      if (s === this.current) return;
      if (this.current) this.current.removeAttribute("aria-current");
      this.current = s;
      if (!s) return;
      s.setAttribute("aria-current", "true");
      if (this.follow && !this.panel.hidden) this.reveal(s);
    }

    visible(el) {
      const top = el.offsetTop - this.panel.scrollTop;
      return top >= -1 && top < this.panel.clientHeight;
    }
    reveal(el) { this.panel.scrollTop = el.offsetTop - this.panel.clientHeight / 3; }

    save(force) {
      const t = this.audio.currentTime, d = this.audio.duration;
      if (!force && Math.abs(t - this.saved) < 5) return;
      this.saved = t;
      if (d - t < 10) store.set(this.slot, null);
      else if (t > 5) store.set(this.slot, t.toFixed(1));
    }

    offer() {
      const t = Number(store.get(this.slot));
      if (!(t > 5)) return;
      const go = h("button", { type: "button", class: "lp-resume-go" }, "Resume at " + clock(t));
      const no = h("button", { type: "button", class: "lp-resume-no", "aria-label": "Start from the beginning" }, "×");
      go.onclick = () => { this.resume.hidden = true; this.audio.currentTime = t; this.play(); };
      no.onclick = () => { store.set(this.slot, null); this.resume.hidden = true; this.playBtn.focus(); };
      this.resume.replaceChildren(go, no);
      this.resume.hidden = false;
    }

    session() {
      const m = navigator.mediaSession, a = this.audio, d = this.dataset;
      if (!m) return;
      if (window.MediaMetadata) {
        m.metadata = new MediaMetadata({ title: d.title || document.title, artist: d.author || "", album: d.show || "" });
      }
      const acts = {
        play: () => this.play(),
        pause: () => a.pause(),
        stop: () => a.pause(),
        seekbackward: () => this.jump(-this.skip),
        seekforward: () => this.jump(this.skip),
        seekto: (e) => { a.currentTime = e.seekTime; },
        previoustrack: () => this.chapter(-1),
        nexttrack: () => this.chapter(1),
      };
      for (const k in acts) try { m.setActionHandler(k, acts[k]); } catch { /* unsupported action */ }
    }

    shortcut(e) {
      const k = e.key, tag = e.target.tagName;
      if (e.ctrlKey || e.metaKey || e.altKey || tag === "SELECT") return;
      if (tag === "INPUT" && k.length > 1) return;
      if (tag === "BUTTON" && (k === " " || k === "Enter")) return;
      const r = RATES.indexOf(this.audio.playbackRate);
      const act = {
        " ": () => this.toggle(),
        k: () => this.toggle(),
        j: () => this.jump(-this.skip),
        l: () => this.jump(this.skip),
        ArrowLeft: () => this.jump(-5),
        ArrowRight: () => this.jump(5),
        "<": () => this.speed(RATES[Math.max(0, r - 1)] || 1),
        ">": () => this.speed(RATES[Math.min(RATES.length - 1, r + 1)] || 1),
      }[k];
      if (act) { e.preventDefault(); act(); }
    }

    next() {
      if (!this.queued) return;
      this.queued = false;
      const all = [...document.querySelectorAll("listen-player")], n = all[all.indexOf(this) + 1];
      if (n && n.audio) { n.queued = true; n.audio.currentTime = 0; n.play(); }
    }
  }

  if (!customElements.get("listen-player")) customElements.define("listen-player", ListenPlayer);
  for (const b of document.querySelectorAll("[data-listen-queue]")) b.hidden = false;
  document.addEventListener("click", (e) => {
    if (!e.target.closest || !e.target.closest("[data-listen-queue]")) return;
    const first = document.querySelector("listen-player");
    if (first && first.audio) { first.queued = true; first.audio.currentTime = 0; first.play(); }
  });
})();
