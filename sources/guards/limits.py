"""How much markup an adapter builds a document tree for.

The fetcher bounds a body's bytes (20 MB by default), but a parse tree costs far more than its bytes: a 7.9 MB
page of 200,000 tiny reviews took 570 MB and 12 s to parse into BeautifulSoup's tree. No review page comes near
it (the largest captured pages hold under 5,000 tags), so markup beyond `MAX_MARKUP_TAGS` is refused before any
tree is built, with a message that says so.
"""

from __future__ import annotations

from monitor.core.errors import LayoutChanged
from monitor.http.page import Page

__all__ = ["MAX_MARKUP_TAGS", "check_markup_size"]

# Twenty times the '<' of the largest real review pages seen (opening and closing tags); about 70 MB of tree.
MAX_MARKUP_TAGS = 100_000


def check_markup_size(page: Page, what: str) -> None:
    """Raise `LayoutChanged` when `page` holds more tags than any review page does; `what` names the page kind."""
    # Every tag starts with "<" (so does a "<" in text or scripts: the count is an upper bound, found at C speed).
    opened = page.body.count(b"<")
    if opened > MAX_MARKUP_TAGS:
        raise LayoutChanged(
            f"{what} {page.url}: the markup opens {opened} tags (counting every '<'), more than the "
            f"{MAX_MARKUP_TAGS} any review page needs; it was not parsed (its tree could take gigabytes of memory)"
        )
