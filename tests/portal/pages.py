"""Reading the portal's pages in tests: the cells of each table, as text."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> list[list[list[str]]]:
    """Every table of the page: rows of cell texts, the header row first."""
    p = _Tables()
    p.feed(html)
    return p.tables


def table_with(html: str, header: str) -> list[dict[str, str]]:
    """The rows of the first table whose header row holds ``header``, as dicts by header."""
    for t in tables(html):
        if t and header in t[0]:
            return [dict(zip(t[0], row, strict=False)) for row in t[1:]]
    raise AssertionError(f"no table with a column {header!r}")


def tables_with(html: str, header: str) -> list[list[dict[str, str]]]:
    return [[dict(zip(t[0], row, strict=False)) for row in t[1:]] for t in tables(html) if t and header in t[0]]
