"""The pager of the pages read in the query (`db.keyset`): next / previous / first-page links.

The next link carries the last row's position (`after`), the previous link the first row's
(`before`), each with the page number it shows (shown only: the position decides the rows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from xinyong.db import keyset


class Paged(Protocol):
    @property
    def next_key(self) -> keyset.Key | None: ...
    @property
    def first_key(self) -> keyset.Key | None: ...
    @property
    def has_previous(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Pager:
    page: int
    next_url: str | None
    previous_url: str | None
    first_url: str | None  # the first page, when this is not it

    @property
    def shown(self) -> bool:
        return bool(self.next_url or self.previous_url)


def pager_links(path: str, params: dict[str, Any], page: int, found: Paged,
                fragment: str = "") -> Pager:  # fmt: skip
    """The links of a paged list at `path` with its filters `params` (empty ones left out)."""
    kept = {k: v for k, v in params.items() if v not in ("", None)}

    def url(**more: Any) -> str:
        query = urlencode({**kept, **more})
        return f"{path}?{query}{fragment}" if query else f"{path}{fragment}"

    previous = None
    if found.has_previous and found.first_key is not None:
        previous = url(before=keyset.encode(found.first_key), page=max(1, page - 1))
    next_url = None
    if found.next_key is not None:
        next_url = url(after=keyset.encode(found.next_key), page=page + 1)
    return Pager(page, next_url, previous, url() if found.has_previous else None)
