"""Score listen's HTML reader beside bare trafilatura on the article extraction benchmark.

    python benchmarks/extraction.py ../shared/peer/article_extraction [--limit N] [--worst N]

The data set is Zyte/Scrapinghub's article-extraction-benchmark (181 news and blog pages with
hand-checked bodies); its folder holds ``score.py``, whose metric (4-token shingles, precision over
pages with output, recall over all pages) is used as is. Both extractors run in the same process on
the same pages: listen through ``listen.article.load`` on a temporary .html file (headings and
paragraphs, the title left out as the benchmark's truth leaves it out), trafilatura through
``trafilatura.extract(html, include_comments=False)``, the call the benchmark's authors publish.
Prints precision, recall, F1 and exact-match accuracy per extractor, listen's pages that raised an
error, its lowest-F1 pages, and listen's time per page as a ratio to trafilatura's.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from listen.htmlreader import parse_html  # noqa: E402

Extractor = Callable[[str, "str | None"], str]


def listen_reader(html: str, url: str | None = None) -> str:
    """The body listen's HTML reader takes from the page: headings and paragraphs, without the
    title. (``listen render`` would then refuse the pages not in English.)"""
    article = parse_html(html, Path("page.html"))
    return "\n".join(b.text for b in article.blocks)


def bare_trafilatura(html: str, url: str | None = None) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def _scorer(data: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", data / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no score.py in {data}: give the benchmark's folder")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(
    extract: Extractor, pages: dict[str, tuple[str, str | None]]
) -> tuple[dict[str, str], float, dict[str, str]]:
    preds: dict[str, str] = {}
    errors: dict[str, str] = {}
    first = next(iter(pages.values()))
    extract(*first)  # warm-up: imports and caches, not timed
    start = time.perf_counter()
    for key, (html, url) in pages.items():
        try:
            preds[key] = extract(html, url)
        except Exception as exc:  # every failure is a result here
            preds[key], errors[key] = "", f"{type(exc).__name__}: {exc}"
    return preds, (time.perf_counter() - start) / len(pages), errors


def main() -> None:
    logging.getLogger("listen.cover").setLevel(logging.ERROR)  # cover art is not measured here
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="the benchmark folder (html/, ground-truth.json)")
    ap.add_argument("--limit", type=int, help="only the first N pages by id")
    ap.add_argument("--worst", type=int, default=8, help="list listen's N lowest-F1 pages")
    args = ap.parse_args()
    score = _scorer(args.data)
    truth_all = score.load_truth(args.data)
    keys = sorted(truth_all)[: args.limit] if args.limit else sorted(truth_all)
    pages = {k: (_page(args.data, k), truth_all[k].get("url")) for k in keys}
    truth = {k: truth_all[k].get("articleBody") or "" for k in keys}
    print(f"{len(keys)} pages from {args.data}")
    header = ("extractor", "F1", "prec.", "recall", "exact", "ms/page", "errors")
    print("{:<22} {:>6} {:>6} {:>6} {:>6} {:>8} {}".format(*header))
    results = {}
    for name, extract in (("listen", listen_reader), ("trafilatura", bare_trafilatura)):
        preds, secs, errors = _run(extract, pages)
        m = score.evaluate(truth, preds, n_bootstrap=200)
        results[name] = (m, secs, errors)
        print(
            f"{name:<22} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f} "
            f"{m['accuracy']:6.3f} {secs * 1000:8.1f} {len(errors):>6}"
        )
    (m, secs, errors), trafilatura_secs = results["listen"], results["trafilatura"][1]
    print(f"listen time per page: {secs / trafilatura_secs:.2f} x trafilatura's")
    for key, error in sorted(errors.items()):
        print(f"listen error {key[:12]} {truth_all[key].get('url', '')}: {error}")
    worst = sorted(m["per_page"], key=lambda k: m["per_page"][k]["f1"])[: args.worst]
    for key in worst:
        pp = m["per_page"][key]
        print(
            f"  {pp['f1']:.3f} P={pp['precision']:.3f} R={pp['recall']:.3f} "
            f"{key[:12]} {truth_all[key].get('url', '')}"
        )


def _page(data: Path, key: str) -> str:
    with gzip.open(data / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as f:
        return f.read()


if __name__ == "__main__":
    main()
