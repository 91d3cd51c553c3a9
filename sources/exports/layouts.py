"""Column layouts of the review exports the `file` source reads, and how one row becomes a `ReviewRecord`.

Each layout names the columns it needs, the columns that hold dates (read first, to decide the file's day/month
order) and maps one row (a dict of column -> value; strings from CSV, typed values from JSON) to a record. A bad
cell costs that cell (`RowNotes.drop`); a row without readable text or identity raises `RowSkipped`. Column
names are matched whatever their case and outer spaces (`Rating`, ` rating `); a layout read under such names
gets each row with the names it knows.

Exports without a review id get a *derived* id: a hash of fields that do not change when the same
review is exported again (see `derived_id`), so importing the same file twice never duplicates reviews.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.core.errors import BadExport, LayoutChanged
from monitor.core.records import ReplyRecord, ReviewRecord
from sources.exports import play_console
from sources.exports.cells import (
    CellError,
    RowContext,
    RowNotes,
    RowSkipped,
    date_cell,
    derived_id,
    optional_text,
    read_count,
    read_flag,
    read_rating,
    read_text,
    required_rating,
    swapped_date,
    text_cell,
)

__all__ = [
    "GENERIC_COLUMN_OPTIONS",
    "LAYOUTS",
    "Layout",
    "check_layout_available",
    "detect_layout",
    "fold_column",
    "generic_layout",
    "parse_developer_response",
]

_BLANK = {"", "nan", "none", "null", "nat"}
_MAX_RESPONSE_CHARS = 200_000
_WHOLE_NUMBER = re.compile(r"(\d+)(?:\.0*)?")
_DECIMAL_WHOLE = re.compile(r"(\d+)\.0+")
# Backslash sequences that show a dict string was escaped twice (`\\n` stored where `\n` was meant).
_DOUBLED_ESCAPE = re.compile(r"\\[nrt'\"\\]")

RowMapper = Callable[[Mapping[str, Any], RowContext, RowNotes], ReviewRecord]


@dataclass(frozen=True, slots=True)
class Layout:
    """One known export layout: the columns that identify it, its date columns and the row mapper."""

    name: str
    help: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    to_record: RowMapper
    # A review id that is a hash of review fields (not the site's own) may collide for two different reviews.
    derives_ids: bool = True
    # Columns holding dates, read before any row is stored to decide the file's day/month order.
    date_columns: tuple[str, ...] = ()
    # The language its rows state is the reviewer's device setting (see `sources.base.Source.device_language`).
    device_language: bool = False

    def missing(self, columns: Sequence[str]) -> list[str]:
        """Required columns not present in `columns` (names matched whatever their case and outer spaces)."""
        present = {fold_column(c) for c in columns}
        return [c for c in self.required if fold_column(c) not in present]

    def matched(self, columns: Sequence[str]) -> int:
        """How many of this layout's known columns are present."""
        present = {fold_column(c) for c in columns}
        return sum(1 for c in (*self.required, *self.optional) if fold_column(c) in present)


def fold_column(name: str) -> str:
    """A column name as it is matched: `Review Date`, ` review date ` and `REVIEW DATE` are one column."""
    return name.strip().casefold()


def _bound(layout: Layout, columns: Sequence[str], *, where: str) -> Layout:
    """`layout` reading the file's own spelling of its column names (`Rating` for `rating`, `UserName `...).

    Two of the file's columns that are one known column once folded are refused: either may hold the data.
    """
    known = {fold_column(name): name for name in (*layout.required, *layout.optional)}
    spelled: dict[str, str] = {}  # the layout's name -> the file's
    for column in columns:
        name = known.get(fold_column(column))
        if name is None:
            continue
        if name in spelled:
            raise BadExport(
                f"{where}: the file names the {layout.name} column {name!r} more than once ({spelled[name]!r} and "
                f"{column!r}), so it is unclear which one holds the data; rename or remove one of them"
            )
        spelled[name] = column
    renames = {column: name for name, column in spelled.items() if column != name}
    if not renames:
        return layout
    mapper = layout.to_record

    def to_record(row: Mapping[str, Any], ctx: RowContext, notes: RowNotes) -> ReviewRecord:
        return mapper({renames.get(key, key): value for key, value in row.items()}, ctx, notes)

    def own(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(spelled.get(name, name) for name in names)

    return dataclasses.replace(
        layout,
        required=own(layout.required),
        optional=own(layout.optional),
        date_columns=own(layout.date_columns),
        to_record=to_record,
    )


def parse_developer_response(value: Any) -> dict[str, Any] | None:
    """The App Store `developerResponse` cell as a dict, parsed without evaluating anything.

    The export holds `repr()` of a dict, e.g. `{'id': 1, 'body': '...', 'modified': '2020-10-03T01:46:05Z'}`
    or with `'modified': datetime.datetime(2020, 10, 3, 1, 46, 5)`. The text is parsed into a syntax tree
    and only literals and `datetime.datetime(<integers>)` calls are accepted; nothing is ever executed. A
    string escaped twice (`\\\\r\\\\n`, `\\\\'`) is read as the string it was before.
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
        result = _parse_dict(text)
    except ValueError:
        if "\\\\" not in text:
            raise
        # Escaped twice by a tool that wrote the export (`\\'` for `\'`): undo one level and read it again.
        return _parse_dict(_undouble(text))
    if "\\\\" in text and any(_DOUBLED_ESCAPE.search(v) for v in result.values() if isinstance(v, str)):
        try:
            return _parse_dict(_undouble(text))
        except ValueError:
            return result
    return result


def _undouble(text: str) -> str:
    return text.replace("\\\\", "\\")


# CPython 3.11 before 3.11.8 keeps the AST builder's recursion depth in shared state: two threads parsing at once
# (two export sources read side by side) raise "SystemError: AST constructor recursion depth mismatch".
_PARSE_LOCK = threading.Lock()


def _parse_dict(text: str) -> dict[str, Any]:
    try:
        with _PARSE_LOCK:
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


def _site_id(value: Any) -> str:
    """A HelloPeter review id as the API gives it (a whole number): `3759376.0` and `003759376` are `3759376`.

    Spreadsheets and data-frame tools write whole numbers that way; read as written, each would store the
    review a second time under another id.
    """
    if isinstance(value, bool) or value is None:
        raise RowSkipped("no identity", f"the review id {value!r} is not an id")
    if isinstance(value, float):
        if not value.is_integer():
            raise RowSkipped("no identity", f"the review id {value!r} is not a whole number")
        return str(int(value))
    text = str(value).strip()
    if text.lower() in _BLANK:
        raise RowSkipped("no identity", "the review id is empty")
    whole = _WHOLE_NUMBER.fullmatch(text)
    return str(int(whole.group(1))) if whole else text


def _id_text(value: Any) -> str | None:
    """A review id cell, None when blank; a JSON object or list there skips the row (its identity is unknown).

    A whole number written with a decimal point (`123.0`, as data-frame tools and spreadsheets save integer
    columns that hold a blank) is the id `123`: read as written, a re-import of the same reviews saved once each
    way would store every review twice. Leading zeros are kept: in an id of unknown kind they may be part of it.
    """
    if isinstance(value, dict | list):
        raise RowSkipped("no identity", f"the review id is a JSON {type(value).__name__}, not an id")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = optional_text(value)
    whole = _DECIMAL_WHOLE.fullmatch(text) if text else None
    return whole.group(1) if whole else text


def _alias(ctx: RowContext, date_value: Any, make_id: Callable[[datetime], str]) -> str | None:
    """The derived id this row had with its date read in the other day/month order, when that differs."""
    other = swapped_date(date_value, ctx)
    return make_id(other) if other is not None else None


def _app_store(row: Mapping[str, Any], ctx: RowContext, notes: RowNotes) -> ReviewRecord:
    author = text_cell(row.get("userName"), notes, "reviewer name")
    app = text_cell(row.get("app"), notes, "app")
    body = read_text(row.get("review"), "review text")
    rating = required_rating(row.get("rating"), ctx)
    # The App Store allows one review per account and app, and nicknames are unique in a storefront, so
    # (app, nickname) names a review across edits: an edited review stays one review with a new revision.
    published = date_cell(row.get("date"), ctx, notes, "date", identity=not author)
    if author:
        review_id = derived_id("app_store", app, author)
    elif published is None and not body:
        raise RowSkipped("no identity", "neither a reviewer name, a date nor a review text to tell the review by")
    else:
        review_id = derived_id(app, published, body, rating)
        notes.alias = _alias(ctx, row.get("date"), lambda other: derived_id(app, other, body, rating))
    reply = None
    extra: dict[str, Any] = {}
    try:
        response = parse_developer_response(row.get("developerResponse"))
    except ValueError as exc:
        notes.drop("reply unreadable", f"{exc}; kept without the reply")
        response = None
    if response is not None:
        reply_text = text_cell(response.get("body"), notes, "reply")
        if reply_text:
            reply_date = date_cell(response.get("modified"), ctx, notes, "reply date")
            reply = ReplyRecord(text=reply_text, published_at=reply_date)
        if response.get("id") not in (None, ""):
            extra["reply_id"] = str(response["id"])
    if app:
        extra["app"] = app
    edited = read_flag(row.get("isEdited"))
    if edited is not None:
        extra["is_edited"] = edited
    return ReviewRecord(
        site_review_id=review_id,
        body=body,
        author_name=author,
        author_handle=author,  # App Store nicknames are unique, so the name is the reviewer's identity
        rating=rating,
        rating_scale=ctx.rating_scale,
        title=text_cell(row.get("title"), notes, "title"),
        published_at=published,
        reply=reply,
        extra=extra,
    )


def _google_play(row: Mapping[str, Any], ctx: RowContext, notes: RowNotes) -> ReviewRecord:
    author = text_cell(row.get("userName"), notes, "reviewer name")
    site_id = _id_text(row.get("reviewId"))
    body = read_text(row.get("content"), "review text")
    rating = required_rating(row.get("score"), ctx)
    published = date_cell(row.get("at"), ctx, notes, "date", identity=not site_id)
    notes.own_id = bool(site_id)
    if not site_id and not (author or published or body):
        raise RowSkipped("no identity", "neither a review id, a reviewer name, a date nor a text to tell it by")
    reply = None
    reply_text = text_cell(row.get("replyContent"), notes, "reply")
    if reply_text:
        reply = ReplyRecord(text=reply_text, published_at=date_cell(row.get("repliedAt"), ctx, notes, "reply date"))
    extra: dict[str, Any] = {}
    for column, key in (("appVersion", "app_version"), ("reviewCreatedVersion", "review_created_version")):
        value = text_cell(row.get(column), notes, column)
        if value:
            extra[key] = value
    try:
        votes = read_count(row.get("thumbsUpCount"), "thumbsUpCount")
    except CellError as exc:
        notes.drop("votes unreadable", f"{exc}; kept without the helpful votes")
        votes = None
    if not site_id:
        notes.alias = _alias(ctx, row.get("at"), lambda other: derived_id("google_play", author, other, body, rating))
    return ReviewRecord(
        site_review_id=site_id or derived_id("google_play", author, published, body, rating),
        body=body,
        author_name=author,
        rating=rating,
        rating_scale=ctx.rating_scale,
        published_at=published,
        helpful_votes=votes,
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


def _hellopeter(row: Mapping[str, Any], ctx: RowContext, notes: RowNotes) -> ReviewRecord:
    record = dict(row)
    record["id"] = _site_id(row.get("id"))
    record["review_rating"] = required_rating(row.get("review_rating"), ctx)
    content = row.get("review_content")
    if isinstance(content, dict | list):
        raise RowSkipped("review text unreadable", f"review text is a JSON {type(content).__name__}, not text")
    for key, what in _HELLOPETER_TEXT.items():
        value = record.get(key)
        if isinstance(value, dict | list):
            notes.drop(f"{what} unreadable", f"{key} is a JSON {type(value).__name__}, not text; kept without it")
            record[key] = None
        elif value is not None and not isinstance(value, str):
            record[key] = str(value)  # a number where the API writes a string (an id, a name of digits)
    nps = row.get("nps_rating")
    if isinstance(nps, float) and not math.isfinite(nps):
        # NaN or Infinity (as pandas writes a gap) is no score, and PostgreSQL's JSON refuses it.
        notes.drop("nps rating unreadable", f"nps_rating {nps!r} is not a score; kept without it")
        record["nps_rating"] = None
    # The API mapping reads only the API's own date spelling; an export's dates are read in the file's order,
    # as in every layout, and a bad one costs that date, not the review (the record has an id of its own).
    record["created_at"] = date_cell(row.get("created_at"), ctx, notes, "date")
    record["messages"] = [_dated_message(message, ctx, notes) for message in _thread(row.get("messages"), notes)]
    try:
        return _hellopeter_mapping()(record)
    except (KeyError, TypeError, AttributeError, ValueError, LayoutChanged) as exc:
        # In an export a malformed record is one broken row, not a changed site layout.
        raise RowSkipped(
            "not a HelloPeter review record", f"not a HelloPeter review record ({type(exc).__name__}: {exc})"
        ) from exc


# Fields of a HelloPeter record the API mapping stores as text, and what each is called in a problem.
_HELLOPETER_TEXT = {
    "authorDisplayName": "reviewer name",
    "author": "reviewer name",
    "user_id": "reviewer id",
    "author_id": "reviewer id",
    "review_title": "title",
    "permalink": "link",
    "business_slug": "link",
    "business": "link",
}


def _thread(value: Any, notes: RowNotes) -> list[Any]:
    """The messages of a HelloPeter record: the API's list, or that list as a CSV cell holds it (JSON or repr).

    Read as nothing, a thread that holds the business's reply would make an answered reviewer look unanswered.
    """
    if isinstance(value, list):
        return value
    if value is None or (isinstance(value, str) and value.strip().lower() in _BLANK):
        return []
    thread: Any = None
    if isinstance(value, str) and len(value) <= _MAX_RESPONSE_CHARS:
        try:
            thread = json.loads(value)
        except ValueError:
            try:
                with _PARSE_LOCK:
                    thread = _literal(ast.parse(value.strip(), mode="eval").body)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                thread = None
    if isinstance(thread, list) and all(isinstance(message, dict) for message in thread):
        return thread
    notes.drop("reply unreadable", "the messages cell is not a list of messages; kept without the thread and reply")
    return []


def _dated_message(message: Any, ctx: RowContext, notes: RowNotes) -> Any:
    """A thread message with its date read in the file's order (a reviewer's or the business's message)."""
    if not isinstance(message, dict) or "created_at" not in message:
        return message
    return {**message, "created_at": date_cell(message["created_at"], ctx, notes, "message date")}


def check_layout_available(layout: Layout) -> None:
    """Raise `BadExport` now, before reading, when the layout's mapping cannot be loaded."""
    if layout.name == "hellopeter":
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


def _generic(row: Mapping[str, Any], ctx: RowContext, notes: RowNotes) -> ReviewRecord:
    cols = ctx.columns

    def get(role: str) -> Any:
        name = cols.get(role)
        return row.get(name) if name else None

    site_id = _id_text(get("id_column"))
    notes.own_id = bool(site_id)
    author = text_cell(get("author_column"), notes, "reviewer name")
    body = read_text(get("text_column"), "review text")
    try:
        rating = read_rating(get("rating_column"), ctx)
    except CellError as exc:
        if not site_id:
            raise RowSkipped(
                f"rating {exc.reason}", f"{exc}; the review has no id of its own and its rating is part of it"
            ) from None
        notes.drop(f"rating {exc.reason}", f"{exc}; kept without a rating")
        rating = None
    if not body and rating is None:
        raise RowSkipped("no review text", "neither review text nor rating")
    published = date_cell(get("date_column"), ctx, notes, "date", identity=not site_id)
    reply_text = text_cell(get("reply_column"), notes, "reply")
    reply = None
    if reply_text:
        reply = ReplyRecord(text=reply_text, published_at=date_cell(get("reply_date_column"), ctx, notes, "reply date"))
    if not site_id:
        notes.alias = _alias(ctx, get("date_column"), lambda other: derived_id("generic", author, other, body, rating))
    return ReviewRecord(
        site_review_id=site_id or derived_id("generic", author, published, body, rating),
        body=body,
        author_name=author,
        rating=rating,
        rating_scale=ctx.rating_scale if rating is not None else None,
        title=text_cell(get("title_column"), notes, "title"),
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
            date_columns=("date",),
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
            date_columns=("at", "repliedAt"),
        ),
        Layout(
            name="play_console",
            help="Google Play Console reviews report (UTF-16 CSV): Package Name, Star Rating, Review Text, Review Link",
            required=play_console.REQUIRED,
            optional=play_console.OPTIONAL,
            to_record=play_console.play_console_record,
            date_columns=play_console.TIME_COLUMNS,
            device_language=True,
        ),
        Layout(
            name="hellopeter",
            help="HelloPeter API review records: id, review_content, review_rating, created_at, messages",
            required=("id", "review_content", "review_rating", "created_at"),
            optional=("review_title", "author", "authorDisplayName", "messages", "permalink", "business_slug"),
            to_record=_hellopeter,
            derives_ids=False,
            date_columns=("created_at",),
        ),
    )
}


def generic_layout(
    columns: Sequence[str], options: Mapping[str, str | None], *, where: str
) -> tuple[Layout, dict[str, str]]:
    """The generic layout and its role -> column map for these options, checked against the file's columns."""
    chosen = {role: name for role, name in options.items() if name}
    if "text_column" not in chosen:
        lowered = {fold_column(c): c for c in columns}
        guess = next((lowered[g] for g in _TEXT_COLUMN_GUESSES if g in lowered), None)
        if guess is None:
            raise BadExport(
                f"{where}: the generic format needs text_column (the review text); columns found: {_names(columns)}"
            )
        chosen["text_column"] = guess
    spelled = {fold_column(c): c for c in columns}
    for role, name in chosen.items():
        if name not in columns:
            if fold_column(name) not in spelled:
                raise BadExport(f"{where}: column {name!r} ({role}) not found; columns found: {_names(columns)}")
            chosen[role] = spelled[fold_column(name)]
    return Layout(
        name="generic",
        help="any CSV/JSON, columns named by the *_column options",
        required=tuple(chosen.values()),
        optional=(),
        to_record=_generic,
        derives_ids="id_column" not in chosen,
        date_columns=tuple(chosen[r] for r in ("date_column", "reply_date_column") if r in chosen),
    ), chosen


def detect_layout(columns: Sequence[str], *, where: str, wanted: str = "auto") -> Layout:
    """The known layout for `columns` (`wanted` forces one); `BadExport` when none fits."""
    if wanted != "auto":
        layout = LAYOUTS[wanted]
        missing = layout.missing(columns)
        if missing:
            raise BadExport(f"{where}: {wanted} export without column {missing[0]!r}; columns found: {_names(columns)}")
        return _bound(layout, columns, where=where)
    complete = [layout for layout in LAYOUTS.values() if not layout.missing(columns)]
    if complete:
        return _bound(max(complete, key=lambda layout: layout.matched(columns)), columns, where=where)
    # A file that has most of one layout's columns is that layout with a column missing, not an unknown one.
    near = max(LAYOUTS.values(), key=lambda layout: layout.matched(columns))
    if near.matched(columns) >= 2 and len(near.missing(columns)) <= len(near.required) // 2:
        raise BadExport(
            f"{where}: looks like a {near.name} export but has no column {near.missing(columns)[0]!r}; "
            f"columns found: {_names(columns)}"
        )
    known = "; ".join(f"{layout.name} ({', '.join(layout.required)})" for layout in LAYOUTS.values())
    # A report title above the header (`Reviews export, 2023`) is read as the header and names one column.
    title = " (a title line above the header? remove it)" if len([c for c in columns if c]) == 1 else ""
    raise BadExport(
        f"{where}: unknown export layout; columns found: {_names(columns)}{title}. Known layouts: {known}; "
        "or use format=generic with text_column=... (and id_column, rating_column, date_column, ...)"
    )


def _names(columns: Sequence[str]) -> str:
    shown = [repr(c) for c in list(columns)[:30]]
    more = f" (+{len(columns) - 30} more)" if len(columns) > 30 else ""
    return (", ".join(shown) or "none") + more
