"""Publish sources read over HTTP: RSS/Atom feeds, news sitemaps and WordPress posts APIs.

A SOURCE is a *listing* when it is an http(s) URL, or a file whose name ends in .xml, .rss,
.atom or .json (a saved feed, sitemap or API answer); every other file or folder holds article
files (:mod:`listen.sources`). Each listing goes through :func:`listen.fetch.fetch_source`,
with the catalogue as the validator store, so a second run asks conditionally. Each fetched
article becomes a :class:`~listen.sources.Source` keyed by its URL, with its bytes in memory;
a 304 is an unchanged key; a page that cannot be fetched is a failed article; a listing that
cannot be fetched at all is a failed source. The validators are written only by
``Fetched.remember``, once the episodes are published, so a failed render is fetched again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from listen.catalogue import Catalogue
from listen.errors import FetchError
from listen.fetch import (
    FetchResult,
    FetchSettings,
    FetchValidators,
    ValidatorStore,
    fetch_source,
)
from listen.sources import LISTING_SUFFIXES, Source, is_listing, is_url

__all__ = ["LISTING_SUFFIXES", "Fetched", "StaleAwareStore", "fetch_listings", "is_listing"]


@dataclass(frozen=True)
class Fetched:
    """What every listing of a run gave."""

    sources: tuple[Source, ...] = ()
    """New or changed articles (and unchanged ones a server sent again: their digest tells)."""
    unchanged: tuple[str, ...] = ()
    """Article keys answered 304: published before, skipped without a render."""
    failed: tuple[tuple[str, str], ...] = ()
    """(article or source, reason) for each page or listing that could not be fetched."""
    complete: bool = True
    """False when a listing was unchanged (304) or failed: its articles are not all known."""
    results: tuple[FetchResult, ...] = ()

    def remember(self, store: ValidatorStore, published: Collection[str]) -> None:
        """Store the validators of the published articles (and of a listing all of whose
        articles were published), so the next run asks for them conditionally."""
        for result in self.results:
            result.remember(store, published=published)


class StaleAwareStore:
    """The catalogue's validators, withheld once any fetched episode needs a re-render (a new
    voice profile or listen version): then every page must be fetched again, not answered 304."""

    def __init__(self, catalogue: Catalogue, digest: str) -> None:
        self.catalogue = catalogue
        fetched = [r for r in catalogue.all(["published"]) if is_url(r.source)]
        self.stale = any(r.voice_hash != digest for r in fetched)

    def validators(self, url: str) -> FetchValidators | None:
        return None if self.stale else self.catalogue.validators(url)

    def put_validators(self, validators: FetchValidators) -> None:
        self.catalogue.put_validators(validators)


def fetch_listings(
    listings: Sequence[str],
    catalogue: Catalogue,
    digest: str,
    allowed_hosts: Iterable[str] = (),
    settings: FetchSettings | None = None,
) -> Fetched:
    """Fetch every listing; a listing that fails is a failed source, and the others go on.

    ``digest`` is the run's profile digest: validators are not sent when an earlier fetched
    episode was rendered with another profile, so that it is fetched and rendered again.
    """
    if not listings:
        return Fetched()
    store = StaleAwareStore(catalogue, digest)
    known = {r.source for r in catalogue.all()}
    sources: dict[str, Source] = {}
    unchanged: list[str] = []
    failed: list[tuple[str, str]] = []
    results: list[FetchResult] = []
    complete = True
    for listing in listings:
        try:
            result = fetch_source(listing, store, allowed_hosts=allowed_hosts, settings=settings)
        except FetchError as exc:
            failed.append((listing, str(exc)))
            complete = False
            continue
        results.append(result)
        for article in result.articles:
            digest_hex = hashlib.sha256(article.data).hexdigest()
            source = Source(Path(article.name), article.key, digest_hex, article.data)
            sources.setdefault(article.key, source)
        unchanged += [key for key in result.unchanged if key in known]
        complete = complete and all(key in known for key in result.unchanged)
        failed += [(f.key, f.message) for f in result.failures]
    return Fetched(
        tuple(sources.values()), tuple(unchanged), tuple(failed), complete, tuple(results)
    )
