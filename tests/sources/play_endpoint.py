"""Google Play test material: the real saved app page, and reviews-endpoint answers built around its reviews.

No live answer of the reviews endpoint is on file. The answers here wrap the REAL review arrays of the
saved page (tests/fixtures/google_play/) in the envelope the endpoint is documented to use: the `)]}'`
anti-XSSI line, then `[["wrb.fr", "UsvDTd", "<payload JSON>", ...], ...]`, the payload being
`[[review, ...], [null, "<next token>"]]`.
"""

from __future__ import annotations

import gzip
import json
from typing import Any
from urllib.parse import urlencode

from sources.base import Page
from tests.fixture_path import fixture

APP = "runner.dunzo.com.dunzo_runner"
DETAILS_PATH = f"/store/apps/details?{urlencode({'id': APP, 'hl': 'en', 'gl': 'us'})}"
ENDPOINT_PATH = "/_/PlayStoreUi/data/batchexecute?hl=en&gl=us"
# The key of the saved page's review block (the adapter finds the block by shape, not by this key).
REVIEW_BLOCK_KEY = "key: 'ds:18'"


def details_html() -> str:
    """The real saved app details page (Dunzo Delivery Partner, 2021)."""
    path = fixture("google_play", "dunzo-delivery-partner_play_listing_2021.html.gz")
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def _review_block_span(html: str) -> tuple[int, int, Any]:
    """Start, end and value of the `data` of the saved page's review block."""
    key_at = html.index(REVIEW_BLOCK_KEY)
    start = html.index("data:", key_at) + len("data:")
    while html[start].isspace():
        start += 1
    value, end = json.JSONDecoder().raw_decode(html, start)
    return start, end, value


def real_review_arrays() -> list[list[Any]]:
    """The 40 review arrays exactly as the saved page embeds them."""
    _, _, data = _review_block_span(details_html())
    reviews: list[list[Any]] = data[0]
    return reviews


def details_with_embedded(arrays: list[list[Any]]) -> str:
    """The real page with its review block holding only `arrays` (none: a page without embedded reviews)."""
    html = details_html()
    start, end, _ = _review_block_span(html)
    return html[:start] + json.dumps([arrays, None]) + html[end:]


def endpoint_answer(arrays: list[list[Any]] | None, token: str | None, *, chunked: bool = False) -> str:
    """An endpoint answer carrying `arrays` (None: the valid empty answer `[]`) and the next page's token."""
    if arrays is None:
        payload: list[Any] = []
    else:
        payload = [arrays, [None, token] if token else None]
    rows = [["wrb.fr", "UsvDTd", json.dumps(payload), None, None, None, "generic"], ["di", 51], ["af.httprm", 50]]
    if not chunked:
        return ")]}'\n\n" + json.dumps(rows) + "\n"
    # The framed form: each JSON chunk preceded by its length on a line of its own.
    first, trailer = json.dumps([rows[0]]), json.dumps([["e", 4, None, None, 1234]])
    return f")]}}'\n\n{len(first)}\n{first}\n{len(trailer)}\n{trailer}\n"


def sent_token(form: dict[str, str]) -> Any:
    """The continuation token an endpoint request asked for, read from its `f.req` form field."""
    return inner_request(form)[2][2][2]


def inner_request(form: dict[str, str]) -> Any:
    """The decoded inner request of an `f.req` form field."""
    outer = json.loads(form["f.req"])
    assert outer[0][0][0] == "UsvDTd" and outer[0][0][3] == "generic"
    return json.loads(outer[0][0][1])


def page(url: str, text: str, content_type: str = "application/json; charset=utf-8", status: int = 200) -> Page:
    """A fetched page, as the fetcher would hand it to the adapter."""
    return Page(url=url, status=status, body=text.encode("utf-8"), headers={"content-type": content_type})
