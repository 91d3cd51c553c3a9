"""RSS 2.0, RSS 1.0 and Atom (RFC 4287) feeds of reviews or mentions: Google Alerts, app review feeds, forums.

Each item / entry becomes one record:
- id: RSS `guid`, Atom `id`; else the item's link; else a stable hash of author + date + body prefix;
- body: `content:encoded`, else `description` (RSS); `content`, else `summary` (Atom); HTML becomes text;
  an item with no body at all uses its title (headline-only alerts);
- author: RSS `author` / `dc:creator`, Atom `author/name` (the feed's author when the entry has none),
  Atom `author/uri` as the reviewer's handle;
- time: RSS `pubDate` (RFC 822) or `dc:date`; Atom `published`, else `updated` (`updated` is also kept as
  the edit time when it differs);
- rating: Apple's `im:rating` when the feed carries it; otherwise none: such items are unrated text that
  the negativity stage judges by its language.

Atom `<link rel="next">` (RFC 5005 paging, also as `atom:link` inside an RSS channel) gives the next page; like
every hop it must stay on the feed's host or one of the `allowed_hosts` (see `monitor.http.policy`).

A date that is impossible, out of range, before 1990 or in the future leaves the item without it, with a note.

The document is parsed with BeautifulSoup's XML parser; a feed that declares a DTD internal subset (where
entity declarations live) is refused before parsing, so entity expansion and external entities never
happen. An HTML page, JSON or any other XML document raises `LayoutChanged`.

No real feed capture is on file: the tests run on feeds written to the RSS 2.0 and Atom specifications,
around real review texts and two real feed items.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from monitor.core.errors import LayoutChanged
from monitor.core.records import ReviewRecord
from sources.base import Option, Page, PageResult, Source
from sources.fields import BadDate, html_to_text, in_range, parse_datetime, parse_rating
from sources.guards.limits import check_markup_size
from sources.jsonld import ALLOWED_HOSTS, check_allowed_hosts, derived_review_id

__all__ = ["Feed"]

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
APPLE = "http://itunes.apple.com/rss"
XML = "http://www.w3.org/XML/1998/namespace"
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((.+)\)$")  # RSS author: "jo@example.com (Jo Doe)"


class Feed(Source):
    """Items of an RSS or Atom feed as unrated reviews or mentions."""

    name = "feed"
    help = "RSS 2.0 / RSS 1.0 / Atom feed of reviews or mentions (Google Alerts, app reviews, forums)"
    locator_help = "feed URL"
    options: ClassVar[tuple[Option, ...]] = (
        Option("rating_scale", "best rating when the feed carries ratings (Apple's im:rating)", int, 5),
        ALLOWED_HOSTS,
    )
    newest_first = False  # most feeds are newest first, but nothing in the formats promises it

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        check_allowed_hosts(self)

    def parse(self, page: Page) -> PageResult:
        """Records for the feed's items; `next_url` from an RFC 5005 `rel="next"` link."""
        root = _root(page)
        if root.name == "feed" and root.namespace in (ATOM, None):
            channel, items, atom = root, _children(root, "entry"), True
        elif root.name == "rss":
            rss_channel = _child(root, "channel")
            if rss_channel is None:
                raise LayoutChanged(f"feed {page.url}: <rss> has no <channel>")
            channel, items, atom = rss_channel, _children(rss_channel, "item"), False
        elif root.name == "RDF" and root.namespace == RDF:
            channel = _child(root, "channel") or root
            items, atom = _children(root, "item"), False
        else:
            raise LayoutChanged(
                f"feed {page.url}: expected an RSS or Atom feed (<rss>, <feed> or <rdf:RDF>), got <{root.name}>"
            )

        records: list[ReviewRecord] = []
        problems: list[str] = []
        seen: set[str] = set()
        feed_author = _atom_person(channel) if atom else (None, None)
        language = _text(_child(channel, "language")) if not atom else _namespaced_attr(root, XML, "lang")
        for position, item in enumerate(items, start=1):
            record = self._record(item, atom, page.url, feed_author, problems, position)
            if record is None:
                continue
            if record.site_review_id in seen:
                problems.append(f"item {position}: id {record.site_review_id!r} repeats an earlier item; skipped")
                continue
            seen.add(record.site_review_id)
            if language and record.language is None:
                record = _with_language(record, str(language))
            records.append(record)
        return PageResult(records=records, next_url=_next_link(channel, page.url), problems=problems)

    def _record(
        self,
        item: Tag,
        atom: bool,
        page_url: str,
        feed_author: tuple[str | None, str | None],
        problems: list[str],
        position: int,
    ) -> ReviewRecord | None:
        def note(message: str) -> None:
            problems.append(f"item {position}: {message}")

        title = _markup_text(_child(item, "title"))
        if atom:
            body = _markup_text(_child(item, "content", ATOM)) or _markup_text(_child(item, "summary", ATOM))
            author, handle = _atom_person(item)
            if not author and not handle:
                author, handle = feed_author
            link = _alternate_link(item)
            site_id = _text(_child(item, "id"))
            published = _date(_child(item, "published"), note)
            updated = _date(_child(item, "updated"), note)
            if published is None:
                published, updated = updated, None
        else:
            body = _markup_text(_child(item, "encoded", CONTENT)) or _markup_text(_child(item, "description"))
            author, handle = _rss_author(item), None
            link = _text(_child(item, "link")) or _namespaced_attr(item, RDF, "about")
            site_id = _text(_child(item, "guid"))
            published = _date(_child(item, "pubDate"), note) or _date(_child(item, "date", DC), note)
            updated = None
        if updated == published:
            updated = None
        if not body and not title:
            note("has neither text nor title; skipped")
            return None
        url = urljoin(page_url, str(link)) if link else None
        rating = None
        rating_tag = _child(item, "rating", APPLE)
        if rating_tag is not None:
            try:
                rating = parse_rating(_text(rating_tag))
            except ValueError as exc:
                note(str(exc))
        body = body or title or ""
        return ReviewRecord(
            site_review_id=site_id or url or derived_review_id(author, published, body),
            body=body,
            url=url,
            author_name=author,
            author_handle=handle,
            rating=rating,
            rating_scale=self.opts["rating_scale"] if rating is not None else None,
            title=title,
            published_at=published,
            updated_at=updated,
        )


def _root(page: Page) -> Tag:
    if _INTERNAL_SUBSET.search(page.body):
        # Feeds never need entity declarations; refusing them rules out entity-expansion attacks.
        raise LayoutChanged(f"feed {page.url}: the document declares a DTD internal subset; refused")
    check_markup_size(page, "feed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        # The Content-Type charset overrides the XML declaration (RFC 7303), a byte order mark both.
        soup = BeautifulSoup(page.body, "lxml-xml", from_encoding=page.charset)
    root = next((c for c in soup.contents if isinstance(c, Tag)), None)
    if root is None:
        kind = page.content_type or "unknown content"
        raise LayoutChanged(f"feed {page.url}: expected an RSS or Atom feed, got no XML document ({kind})")
    return root


def _children(parent: Tag, name: str) -> Iterator[Tag]:
    for child in parent.children:
        if isinstance(child, Tag) and child.name == name:
            yield child


def _child(parent: Tag, name: str, namespace: str | None = None) -> Tag | None:
    """The first child element named `name`; in `namespace` when given, else in the parent's or none."""
    for child in _children(parent, name):
        if namespace is not None and child.namespace != namespace:
            continue
        if namespace is None and child.namespace not in (None, parent.namespace, ATOM, RSS1):
            continue  # e.g. a Media RSS <media:content> is not the item's content
        return child
    return None


def _text(tag: Tag | None) -> str | None:
    if tag is None:
        return None
    text = " ".join(tag.get_text(" ").split())
    return text or None


def _namespaced_attr(tag: Tag, namespace: str, name: str) -> str | None:
    """The attribute `name` in `namespace`, whatever prefix the document bound to it."""
    for key, value in tag.attrs.items():
        # BeautifulSoup releases differ in keying such attributes as "prefix:name" or bare "name";
        # the namespace they carry is what identifies them.
        if getattr(key, "namespace", None) == namespace and key.rsplit(":", 1)[-1] == name:
            return str(value).strip() or None
    return None


def _markup_text(tag: Tag | None) -> str | None:
    """Text of an element whose content may be escaped HTML (RSS, Atom type="html") or inline XHTML."""
    if tag is None:
        return None
    if tag.get("type") == "xhtml" or any(isinstance(c, Tag) for c in tag.children):
        # Inline markup: Atom type="xhtml", or unescaped HTML some RSS generators put in <description>.
        text = html_to_text(tag.decode_contents())
    else:
        text = html_to_text(tag.get_text())
    return text or None


def _date(tag: Tag | None, note: Callable[[str], None]) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom, Dublin Core) time in UTC; None and a note when it is neither."""
    text = _text(tag)
    if not text:
        return None
    try:
        try:
            return parse_datetime(text)
        except BadDate:
            raise
        except ValueError:
            pass
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            note(f"date {text[:40]!r} is neither RFC 822 nor ISO 8601")
            return None
        # RFC 822 "-0000" means "zone unknown"; like every naive time here it is taken as UTC.
        return in_range(parsed)
    except BadDate as exc:
        note(f"date {text[:40]!r}: {exc}; left empty")
        return None


def _atom_person(parent: Tag) -> tuple[str | None, str | None]:
    author = _child(parent, "author", ATOM) or _child(parent, "author")
    if author is None or not any(isinstance(c, Tag) for c in author.children):
        return None, None
    return _text(_child(author, "name")), _text(_child(author, "uri"))


def _rss_author(item: Tag) -> str | None:
    text = _text(_child(item, "creator", DC)) or _text(_child(item, "author"))
    if text:
        match = _EMAIL_NAME.match(text)
        return match.group(1).strip() if match else text
    return None


def _alternate_link(entry: Tag) -> str | None:
    links = [link for link in _children(entry, "link") if link.get("href")]
    for link in links:
        if link.get("rel") in (None, "alternate"):
            return str(link["href"])
    return None


def _next_link(channel: Tag, page_url: str) -> str | None:
    for link in _children(channel, "link"):
        rel = link.get("rel")
        if rel == "next" and link.get("href"):
            url = urljoin(page_url, str(link["href"]))
            return url if url != page_url else None
    return None


def _with_language(record: ReviewRecord, language: str) -> ReviewRecord:
    return replace(record, language=language)
