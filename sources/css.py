"""Any review site described in configuration by CSS selectors.

`container` selects one element per review; every other field is looked up inside that element by a
field spec, one of:

- `selector`: the matched element's text, e.g. `.review-author`;
- `selector@attr`: an attribute of the matched element, e.g. `time@datetime`, `img.stars@alt`;
- `@attr`: an attribute of the container itself, e.g. `@data-review-id`.

`text` joins the text of every element its selector matches (sites that split a review into parts, like
pros and cons, keep it all); the other fields use the first match. Links (`href`, `src`) are resolved
against the page URL.

Ratings are read from text such as `4`, `4.5`, `4,5`, `4/5`, `8 out of 10` (that review's scale is then
10), `★★★★☆` (filled stars are counted) or a class list like `star-rating count-4` (via `@class`).
Dates are ISO 8601 (also year-month `2017-01`), epoch seconds, `DD-MM-YYYY`, or written with English
month names (`Feb 22, 2017`, `22 February 2017`, `January 2017`); option `date_format` (a `strptime`
format) covers the rest.

A field that cannot be read (a rating that is no number, a date in another format, a date that is impossible,
before 1990 or in the future) leaves the review in place with the field empty and a note in `problems`.
Without an `id` spec the review id is a stable hash of author + date + the first 200 characters of the text.

A page where `container` matches nothing, or where a `required` field is missing from every review,
raises `LayoutChanged`: the site's markup no longer matches the configuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin

import soupsieve
from bs4 import Tag

from monitor.core.errors import ConfigError, LayoutChanged
from monitor.core.records import ReplyRecord, ReviewRecord
from sources.base import Option, Page, PageResult, Source
from sources.fields import BadDate, html_to_text, in_range, parse_datetime, rating_from_text
from sources.guards.limits import check_markup_size
from sources.jsonld import ALLOWED_HOSTS, check_allowed_hosts, derived_review_id, parse_html

__all__ = ["CssSource", "FieldSpec", "parse_field_spec"]

# Fields a review may be given a spec for, in the order they are reported.
FIELDS = (
    "id",
    "url",
    "author",
    "author_handle",
    "rating",
    "title",
    "text",
    "date",
    "reply",
    "reply_date",
    "reply_author",
)
_URL_ATTRS = frozenset({"href", "src"})
_ATTR_SUFFIX = re.compile(r"^(.*?)@([A-Za-z_:][\w:.-]*)$", re.S)
# English month-name dates, as review sites print them; tried after ISO and day-first numeric forms.
_DATE_FORMATS = (
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%B %Y",
    "%b %Y",
    "%Y-%m",
)
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th)\b", re.I)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Where a field lives inside a review container: a selector (None: the container) and an attribute."""

    selector: str | None
    attr: str | None

    def describe(self) -> str:
        return (self.selector or "") + (f"@{self.attr}" if self.attr else "")


def parse_field_spec(spec: str) -> FieldSpec:
    """Split `selector@attr`, `@attr` or `selector` into its parts."""
    spec = spec.strip()
    match = _ATTR_SUFFIX.match(spec)
    # "a[href$='@x.com']" ends in a quote or bracket, so an attribute suffix never swallows a selector.
    if match:
        selector, attr = match.group(1).strip(), match.group(2)
        return FieldSpec(selector or None, attr)
    return FieldSpec(spec, None)


class CssSource(Source):
    """Reviews from any site whose review markup is described by CSS selectors in the configuration."""

    name = "css"
    help = "any site described by CSS selectors: one container per review, a selector per field"
    locator_help = "URL of the first page of reviews"
    options: ClassVar[tuple[Option, ...]] = (
        Option("container", "selector matching one element per review, e.g. 'div.review'", required=True),
        Option("text", "spec of the review text (all matches are joined), e.g. 'p.review-body'", required=True),
        Option("id", "spec of the site's review id, e.g. '@data-review-id'; else a hash of author+date+text"),
        Option("url", "spec of the review's own link, e.g. 'a.permalink@href'"),
        Option("author", "spec of the reviewer's name, e.g. '.reviewer-name'"),
        Option("author_handle", "spec of the reviewer's profile link or id, e.g. 'a.profile@href'"),
        Option("rating", "spec of the rating: text like '4.5', '4/5', '★★★★☆', or e.g. 'img.stars@alt'"),
        Option("rating_scale", "the best possible rating when the text does not say ('4/5' does)", int, 5),
        Option("title", "spec of the review title"),
        Option("date", "spec of the publication date, e.g. 'time@datetime'"),
        Option("date_format", "strptime format for dates the built-in forms miss, e.g. '%d.%m.%Y'"),
        Option("reply", "spec of the company's public reply text"),
        Option("reply_date", "spec of the reply's date"),
        Option("reply_author", "spec of who signed the reply"),
        Option("next", "spec of the next-page link, e.g. 'a.next' (its href) or 'link[rel=next]@href'"),
        Option(
            "required",
            "fields every review must have (default: text); missing from all reviews means the layout changed",
            list,
        ),
        ALLOWED_HOSTS,
    )
    newest_first = False  # the configured site's order is unknown

    def __init__(self, locator: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(locator, options)
        check_allowed_hosts(self)
        self.container = str(self.opts["container"]).strip()
        _check_selector("container", self.container)
        self.specs: dict[str, FieldSpec] = {}
        for field in FIELDS:
            if self.opts[field]:
                self.specs[field] = _checked_spec(field, str(self.opts[field]))
        self.next_spec = _checked_spec("next", str(self.opts["next"])) if self.opts["next"] else None
        if self.opts["rating_scale"] < 1:
            raise ConfigError(f"css: option 'rating_scale' must be at least 1, got {self.opts['rating_scale']}")
        required = self.opts["required"] if self.opts["required"] is not None else ["text"]
        for field in required:
            if field not in self.specs:
                raise ConfigError(
                    f"css: option 'required' names {field!r}, which has no selector configured "
                    f"(configured: {', '.join(self.specs)})"
                )
        self.required: list[str] = list(required)

    def parse(self, page: Page) -> PageResult:
        """One record per matched container; `next_url` from the `next` spec."""
        check_markup_size(page, "css source")
        soup = parse_html(page.body, page.charset)
        containers = soup.select(self.container)
        if not containers:
            raise LayoutChanged(f"css source {page.url}: container selector {self.container!r} matched nothing")

        problems: list[str] = []
        found: list[tuple[int, dict[str, str | None]]] = []
        missing_count = dict.fromkeys(self.required, 0)
        for position, container in enumerate(containers, start=1):
            values = {field: self._value(container, field, page.url) for field in self.specs}
            missing = [field for field in self.required if not values[field]]
            for field in missing:
                missing_count[field] += 1
            if missing:
                problems.append(f"review {position}: required {', '.join(missing)} not found; skipped")
                continue
            found.append((position, values))

        vanished = [field for field, count in missing_count.items() if count == len(containers)]
        if vanished:
            detail = ", ".join(f"{field} ({self.specs[field].describe()!r})" for field in vanished)
            raise LayoutChanged(
                f"css source {page.url}: required fields vanished: {detail} found in none of the "
                f"{len(containers)} elements matching {self.container!r}"
            )

        records: list[ReviewRecord] = []
        seen: dict[str, int] = {}
        for position, values in found:
            record = self._record(values, position, problems)
            if record.site_review_id in seen:
                problems.append(
                    f"review {position}: id {record.site_review_id!r} repeats review "
                    f"{seen[record.site_review_id]}; skipped"
                )
                continue
            seen[record.site_review_id] = position
            records.append(record)
        return PageResult(records=records, next_url=self._next_url(soup, page.url), problems=problems)

    def _value(self, container: Tag, field: str, page_url: str) -> str | None:
        spec = self.specs[field]
        if field == "text" and spec.attr is None and spec.selector:
            parts = [html_to_text(el.decode_contents()) for el in container.select(spec.selector)]
            return "\n\n".join(p for p in parts if p) or None
        return _read(container, spec, page_url, multiline=field == "reply")

    def _record(self, values: dict[str, str | None], position: int, problems: list[str]) -> ReviewRecord:
        def note(message: str) -> None:
            problems.append(f"review {position}: {message}")

        body = values.get("text") or ""
        rating, scale = None, None
        if values.get("rating"):
            try:
                rating, scale = rating_from_text(str(values["rating"]), self.opts["rating_scale"])
            except ValueError as exc:
                note(f"{exc} (rating spec {self.specs['rating'].describe()!r})")
            if rating is not None and scale is not None and not 0 <= rating <= scale:
                note(f"rating {rating:g} is outside 0..{scale}; left empty")
                rating = None
        published = self._date(values.get("date"), "date", note)
        author = values.get("author")
        site_id = values.get("id")
        if not site_id:
            if "id" in self.specs:
                note(f"no id found by {self.specs['id'].describe()!r}; used a derived id")
            site_id = derived_review_id(author, published, body)
        reply = None
        if values.get("reply"):
            reply = ReplyRecord(
                text=str(values["reply"]),
                published_at=self._date(values.get("reply_date"), "reply_date", note),
                author=values.get("reply_author"),
            )
        return ReviewRecord(
            site_review_id=site_id,
            body=body,
            url=values.get("url"),
            author_name=author,
            author_handle=values.get("author_handle"),
            rating=rating,
            rating_scale=scale if rating is not None else None,
            title=values.get("title"),
            published_at=published,
            reply=reply,
        )

    def _date(self, text: str | None, field: str, note: Callable[[str], None]) -> datetime | None:
        if not text:
            return None
        try:
            return parse_date(text, self.opts["date_format"])
        except BadDate as exc:
            note(f"{field} {text[:40]!r}: {exc}; left empty")
            return None
        except ValueError:
            note(f"{field} {text[:40]!r} is not a date this source understands (set option date_format)")
            return None

    def _next_url(self, soup: Any, page_url: str) -> str | None:
        if self.next_spec is None:
            return None
        spec = FieldSpec(self.next_spec.selector, self.next_spec.attr or "href")
        href = _read(soup, spec, page_url, multiline=False)
        return href if href and href != page_url else None


def parse_date(text: str, date_format: str | None = None) -> datetime:
    """A date as review sites print it, as an aware UTC datetime; ValueError when it is none of the forms.

    `BadDate` (a ValueError) when the text is a date but not a possible review date (see `in_range`).
    """
    cleaned = " ".join(text.split())
    if date_format:
        return in_range(datetime.strptime(cleaned, date_format))
    try:
        result = parse_datetime(cleaned)
    except BadDate:
        raise
    except ValueError:
        result = None
    if result is not None:
        return result
    words = _ORDINAL.sub(r"\1", cleaned.replace("Sept ", "Sep "))
    for form in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(words, form)
        except ValueError:
            continue
        return in_range(parsed.replace(tzinfo=UTC))
    raise ValueError(f"not a date: {cleaned[:40]!r}")


def _read(scope: Tag, spec: FieldSpec, page_url: str, *, multiline: bool) -> str | None:
    element = scope.select_one(spec.selector) if spec.selector else scope
    if element is None:
        return None
    if spec.attr:
        raw = element.get(spec.attr)
        value = " ".join(raw) if isinstance(raw, list) else str(raw or "")
        value = value.strip()
        if value and spec.attr.lower() in _URL_ATTRS:
            value = urljoin(page_url, value)
        return value or None
    if multiline:
        return html_to_text(element.decode_contents()) or None
    return " ".join(element.get_text(" ").split()) or None


def _check_selector(option: str, selector: str) -> None:
    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        raise ConfigError(f"css: option {option!r} is not a CSS selector ({selector!r}): {exc}") from exc


def _checked_spec(option: str, text: str) -> FieldSpec:
    spec = parse_field_spec(text)
    if spec.selector:
        _check_selector(option, spec.selector)
    if spec.selector is None and spec.attr is None:
        raise ConfigError(f"css: option {option!r} is empty")
    return spec
