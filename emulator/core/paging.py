"""One pager for every operation. Each operation declares a `PageSpec`; `paginate()` does the arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class PageStyle(StrEnum):
    PAGE_NUMBER = "page_number"  # 1-based page number + page size (Alibaba)
    OFFSET_LIMIT = "offset_limit"  # rows to skip + page size (Huawei, Fixie)


class Source(Protocol):
    def total(self) -> int: ...
    def slice(self, offset: int, limit: int, descending: bool) -> Sequence[bytes]: ...


@dataclass(frozen=True)
class PageSpec:
    """Where an operation's request model keeps its paging values (python field names, not wire names)."""

    style: PageStyle
    size_field: str
    position_field: str


@dataclass(frozen=True)
class Page:
    items: Sequence[bytes]  # serialized wire records (UTF-8, as stored)
    total: int
    offset: int
    size: int


def paginate(spec: PageSpec, request: object, source: Source, *, descending: bool) -> Page:
    size = int(getattr(request, spec.size_field))
    position = int(getattr(request, spec.position_field))
    offset = (position - 1) * size if spec.style is PageStyle.PAGE_NUMBER else position
    total = source.total()
    # Offsets past the end (or beyond SQLite's integer range) are plain empty pages, never an error.
    items = () if offset >= total else source.slice(offset, size, descending)
    return Page(items, total, offset, size)
