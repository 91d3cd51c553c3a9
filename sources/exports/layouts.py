"""Column layouts of the review exports the `file` source reads, and how one row becomes a `ReviewRecord`.

Each layout names the columns it needs and maps one row (a dict of column -> value; strings from CSV,
typed values from JSON) to a record, raising `ValueError` with a short reason for a broken row.

Exports without a review id get a *derived* id: a hash of fields that do not change when the same
review is exported again (see `derived_id`), so importing the same file twice never duplicates reviews.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import ftfy

from monitor.core.errors import BadExport, LayoutChanged
from monitor.core.records import ReplyRecord, ReviewRecord
from sources.fields import derived_id as fields_derived_id
from sources.fields import parse_datetime, parse_rating

__all__ = [
    "GENERIC_COLUMN_OPTIONS",
    "LAYOUTS",
    "Layout",
    "RowContext",
    "check_layout_available",
    "derived_id",
    "detect_layout",
    "generic_layout",
    "parse_developer_response",
    "repair_text",
]

# Only undo encoding damage (UTF-8 read as Windows-1252 and the like); leave quotes, ligatures,
# full-width characters and HTML entities exactly as the reviewer wrote them.
_FIX_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    fix_line_breaks=False,
    explain=False,
)
_BLANK = {"", "nan", "none", "null", "nat"}
_MAX_RESPONSE_CHARS = 200_000
_NUMERIC_DATE = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}\b")


@dataclass(frozen=True, slots=True)
class RowContext:
    """Reading options a row mapper needs."""

    day_first: bool = True
    rating_scale: int = 5
    columns: Mapping[str, str] = field(default_factory=dict)  # generic layout: role -> column name


RowMapper = Callable[[Mapping[str, Any], RowContext], ReviewRecord]


@dataclass(frozen=True, slots=True)
class Layout:
    """One known export layout: the columns that identify it and the row mapper."""

    name: str
    help: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    to_record: RowMapper
    # A review id that is a hash of review fields (not the site's own) may collide for two different reviews.
    derives_ids: bool = True

    def missing(self, columns: Sequence[str]) -> list[str]:
        """Required columns not present in `columns`."""
        return [c for c in self.required if c not in columns]

    def matched(self, columns: Sequence[str]) -> int:
        """How many of this layout's known columns are present."""
        return sum(1 for c in (*self.required, *self.optional) if c in columns)


def repair_text(value: Any) -> str:
    """Text with mojibake repaired, line endings as `\\n` and outer whitespace stripped; '' when blank."""
    if value is None:
        return ""
    text = str(value)
    if text.strip().lower() in _BLANK:
        return ""
    if not text.isascii():  # plain ASCII cannot hold mojibake; skipping ftfy keeps big imports fast
        text = ftfy.fix_text(text, _FIX_ENCODING_ONLY)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _optional_text(value: Any) -> str | None:
    return repair_text(value) or None


def _date(value: Any, ctx: RowContext, what: str) -> datetime | None:
    try:
        return parse_datetime(value, day_first=ctx.day_first)
    except (ValueError, OverflowError, OSError) as exc:
        hint = ""
        if _NUMERIC_DATE.match(str(value).strip()):
            hint = "; if dates are month-first set day_first=false" if ctx.day_first else "; try day_first=true"
        raise ValueError(f"{what} {str(value)[:40]!r} is not a date/time{hint}") from exc


def _rating(value: Any, ctx: RowContext) -> float | None:
    rating = parse_rating(value)
    if rating is not None and not 0 <= rating <= ctx.rating_scale:
        raise ValueError(f"rating {rating:g} is outside 0..{ctx.rating_scale}")
    return rating


def _count(value: Any, what: str) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if text.lower() in _BLANK:
        return None
    try:
        number = float(text)
    except ValueError as exc:
        raise ValueError(f"{what} {text[:20]!r} is not a number") from exc
    if number < 0 or number != int(number):
        raise ValueError(f"{what} {text[:20]!r} is not a count")
    return int(number)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    return None


def derived_id(*parts: Any) -> str:
    """A stable review id hashed from `parts`, with export text repaired first (see `sources.fields.derived_id`)."""
    return fields_derived_id(*(repair_text(p) if isinstance(p, str) else p for p in parts))


# ----- developerResponse: a Python dict printed as text --------------------------------------------


def parse_developer_response(value: Any) -> dict[str, Any] | None:
    """The App Store `developerResponse` cell as a dict, parsed without evaluating anything.

    The export holds `repr()` of a dict, e.g. `{'id': 1, 'body': '...', 'modified': '2020-10-03T01:46:05Z'}`
    or with `'modified': datetime.datetime(2020, 10, 3, 1, 46, 5)`. The text is parsed into a syntax tree
    and only literals and `datetime.datetime(<integers>)` calls are accepted; nothing is ever executed.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    text = str(value).strip()
    if text.lower() in _BLANK:
        return None
    if len(text) > _MAX_RESPONSE_CHARS:
        raise ValueError(f"developerResponse is longer than {_MAX_RESPONSE_CHARS} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ValueError("developerResponse is not a readable dict") from exc
    result = _literal(tree.body)
    if not isinstance(result, dict):
        raise ValueError("developerResponse is not a dict")
    return result


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise ValueError("developerResponse uses ** unpacking")
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        operand = node.operand.value
        if isinstance(operand, int | float) and not isinstance(operand, bool):
            return -operand
    if isinstance(node, ast.Call) and _is_datetime_name(node.func):
        return _datetime_call(node)
    raise ValueError(f"developerResponse contains an unsupported expression ({type(node).__name__})")


def _is_datetime_name(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "datetime"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "datetime"
        and isinstance(func.value, ast.Name)
        and func.value.id == "datetime"
    )


def _datetime_call(node: ast.Call) -> datetime:
    numbers = []
    for arg in node.args:
        if not (isinstance(arg, ast.Constant) and type(arg.value) is int):
            raise ValueError("developerResponse has a datetime(...) with a non-integer argument")
        numbers.append(arg.value)
    # Only a UTC tzinfo is understood; naive values are taken as UTC like everywhere else.
    for kw in node.keywords:
        if kw.arg != "tzinfo" or "utc" not in ast.unparse(kw.value).lower():
            raise ValueError("developerResponse has a datetime(...) with an unsupported keyword")
    if not 3 <= len(numbers) <= 7:
        raise ValueError("developerResponse has a datetime(...) with a wrong number of arguments")
    year, month, day, hour, minute, second, micro = numbers + [0] * (7 - len(numbers))
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


# ----- row mappers ----------------------------------------------------------------------------------


def _app_store(row: Mapping[str, Any], ctx: RowContext) -> ReviewRecord:
    author = _optional_text(row.get("userName"))
    app = _optional_text(row.get("app"))
    published = _date(row.get("date"), ctx, "date")
    body = repair_text(row.get("review"))
    rating = _rating(row.get("rating"), ctx)
    response = parse_developer_response(row.get("developerResponse"))
    reply = None
    extra: dict[str, Any] = {}
    if response is not None:
        reply_text = repair_text(response.get("body"))
        if reply_text:
            reply = ReplyRecord(text=reply_text, published_at=_date(response.get("modified"), ctx, "reply date"))
        if response.get("id") not in (None, ""):
            extra["reply_id"] = str(response["id"])
    if app:
        extra["app"] = app
    edited = _flag(row.get("isEdited"))
    if edited is not None:
        extra["is_edited"] = edited
    # The App Store allows one review per account and app, and nicknames are unique in a storefront, so
    # (app, nickname) names a review across edits: an edited review stays one review with a new revision.
    review_id = derived_id("app_store", app, author) if author else derived_id(app, published, body, rating)
    return ReviewRecord(
        site_review_id=review_id,
        body=body,
        author_name=author,
        author_handle=author,  # App Store nicknames are unique, so the name is the reviewer's identity
        rating=rating,
        rating_scale=ctx.rating_scale,
        title=_optional_text(row.get("title")),
        published_at=published,
        reply=reply,
        extra=extra,
    )


def _google_play(row: Mapping[str, Any], ctx: RowContext) -> ReviewRecord:
    author = _optional_text(row.get("userName"))
    published = _date(row.get("at"), ctx, "date 'at'")
    body = repair_text(row.get("content"))
    rating = _rating(row.get("score"), ctx)
    reply = None
    reply_text = repair_text(row.get("replyContent"))
    if reply_text:
        reply = ReplyRecord(text=reply_text, published_at=_date(row.get("repliedAt"), ctx, "repliedAt"))
    extra: dict[str, Any] = {}
    for column, key in (("appVersion", "app_version"), ("reviewCreatedVersion", "review_created_version")):
        value = _optional_text(row.get(column))
        if value:
            extra[key] = value
    site_id = _optional_text(row.get("reviewId"))
    return ReviewRecord(
        site_review_id=site_id or derived_id("google_play", author, published, body, rating),
        body=body,
        author_name=author,
        rating=rating,
        rating_scale=ctx.rating_scale,
        published_at=published,
        helpful_votes=_count(row.get("thumbsUpCount"), "thumbsUpCount"),
        reply=reply,
        extra=extra,
    )


def _hellopeter_mapping() -> Callable[[dict[str, Any]], ReviewRecord]:
    # Imported late: the API mapping lives with the HelloPeter adapter and is shared, not copied.
    try:
        from sources.hellopeter import record_to_review
    except ImportError as exc:
        raise BadExport(f"the hellopeter export layout needs sources.hellopeter.record_to_review ({exc})") from exc
    return record_to_review


def _hellopeter(row: Mapping[str, Any], ctx: RowContext) -> ReviewRecord:
    try:
        return _hellopeter_mapping()(dict(row))
    except (KeyError, TypeError, AttributeError, LayoutChanged) as exc:
        # In an export a malformed record is one broken row, not a changed site layout.
        raise ValueError(f"not a HelloPeter review record ({type(exc).__name__}: {exc})") from exc


def check_layout_available(layout: Layout) -> None:
    """Raise `BadExport` now, before reading, when the layout's mapping cannot be loaded."""
    if layout.to_record is _hellopeter:
        _hellopeter_mapping()


GENERIC_COLUMN_OPTIONS = (
    "id_column",
    "text_column",
    "rating_column",
    "date_column",
    "author_column",
    "reply_column",
    "reply_date_column",
    "title_column",
)
# Tried in order when the generic layout is asked for without a text_column.
_TEXT_COLUMN_GUESSES = ("text", "body", "review", "content", "comment", "review_text", "review_body")


def _generic(row: Mapping[str, Any], ctx: RowContext) -> ReviewRecord:
    cols = ctx.columns

    def get(role: str) -> Any:
        name = cols.get(role)
        return row.get(name) if name else None

    author = _optional_text(get("author_column"))
    published = _date(get("date_column"), ctx, "date")
    body = repair_text(get("text_column"))
    rating = _rating(get("rating_column"), ctx)
    reply_text = repair_text(get("reply_column"))
    reply = None
    if reply_text:
        reply = ReplyRecord(text=reply_text, published_at=_date(get("reply_date_column"), ctx, "reply date"))
    site_id = _optional_text(get("id_column"))
    if not body and rating is None:
        raise ValueError("neither review text nor rating")
    return ReviewRecord(
        site_review_id=site_id or derived_id("generic", author, published, body, rating),
        body=body,
        author_name=author,
        rating=rating,
        rating_scale=ctx.rating_scale if rating is not None else None,
        title=_optional_text(get("title_column")),
        published_at=published,
        reply=reply,
    )


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout(
            name="app_store",
            help="app_store_scraper output: date, review, rating, title, userName, developerResponse, isEdited",
            required=("date", "review", "rating", "userName"),
            optional=("title", "developerResponse", "isEdited", "app"),
            to_record=_app_store,
        ),
        Layout(
            name="google_play",
            help="google-play-scraper output: reviewId, userName, content, score, at, replyContent, repliedAt",
            required=("content", "score", "at"),
            optional=(
                "reviewId",
                "userName",
                "userImage",
                "thumbsUpCount",
                "reviewCreatedVersion",
                "replyContent",
                "repliedAt",
                "appVersion",
            ),
            to_record=_google_play,
        ),
        Layout(
            name="hellopeter",
            help="HelloPeter API review records: id, review_content, review_rating, created_at, messages",
            required=("id", "review_content", "review_rating", "created_at"),
            optional=("review_title", "author", "authorDisplayName", "messages", "permalink", "business_slug"),
            to_record=_hellopeter,
            derives_ids=False,
        ),
    )
}


def generic_layout(
    columns: Sequence[str], options: Mapping[str, str | None], *, where: str
) -> tuple[Layout, dict[str, str]]:
    """The generic layout and its role -> column map for these options, checked against the file's columns."""
    chosen = {role: name for role, name in options.items() if name}
    if "text_column" not in chosen:
        lowered = {c.lower(): c for c in columns}
        guess = next((lowered[g] for g in _TEXT_COLUMN_GUESSES if g in lowered), None)
        if guess is None:
            raise BadExport(
                f"{where}: the generic format needs text_column (the review text); columns found: {_names(columns)}"
            )
        chosen["text_column"] = guess
    for role, name in chosen.items():
        if name not in columns:
            raise BadExport(f"{where}: column {name!r} ({role}) not found; columns found: {_names(columns)}")
    return Layout(
        name="generic",
        help="any CSV/JSON, columns named by the *_column options",
        required=tuple(chosen.values()),
        optional=(),
        to_record=_generic,
        derives_ids="id_column" not in chosen,
    ), chosen


def detect_layout(columns: Sequence[str], *, where: str, wanted: str = "auto") -> Layout:
    """The known layout for `columns` (`wanted` forces one); `BadExport` when none fits."""
    if wanted != "auto":
        layout = LAYOUTS[wanted]
        missing = layout.missing(columns)
        if missing:
            raise BadExport(f"{where}: {wanted} export without column {missing[0]!r}; columns found: {_names(columns)}")
        return layout
    complete = [layout for layout in LAYOUTS.values() if not layout.missing(columns)]
    if complete:
        return max(complete, key=lambda layout: layout.matched(columns))
    # A file that has most of one layout's columns is that layout with a column missing, not an unknown one.
    near = max(LAYOUTS.values(), key=lambda layout: layout.matched(columns))
    if near.matched(columns) >= 2 and len(near.missing(columns)) <= len(near.required) // 2:
        raise BadExport(
            f"{where}: looks like a {near.name} export but has no column {near.missing(columns)[0]!r}; "
            f"columns found: {_names(columns)}"
        )
    known = "; ".join(f"{layout.name} ({', '.join(layout.required)})" for layout in LAYOUTS.values())
    raise BadExport(
        f"{where}: unknown export layout; columns found: {_names(columns)}. Known layouts: {known}; "
        "or use format=generic with text_column=... (and id_column, rating_column, date_column, ...)"
    )


def _names(columns: Sequence[str]) -> str:
    shown = [repr(c) for c in list(columns)[:30]]
    more = f" (+{len(columns) - 30} more)" if len(columns) > 30 else ""
    return (", ".join(shown) or "none") + more
