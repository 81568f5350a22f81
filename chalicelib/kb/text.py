"""An article's text: Markdown rendered and sanitised, and its words as stems for search.

Rendering is markdown-it-py (CommonMark, raw HTML off, tables on) and then nh3 (the Ammonia sanitiser) with a short
list of tags, attributes and URL schemes: a ``javascript:`` link, an event handler or a ``<script>`` smuggled into
Markdown never reaches a page. Stems come from Snowball: Russian for Cyrillic words, English for the rest, after
folding (NFKD, case, yo as ye), so "заказы" finds "заказ" and "deliveries" finds "delivery".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote", "ul", "ol",
        "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "del", "s"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"},
              "ol": {"start"}, "code": {"class"}}
SCHEMES = {"http", "https", "mailto"}
WORD = re.compile(r"[^\W_]+", re.UNICODE)
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
MAX_STEMS = 300


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table") \
        .enable("strikethrough")


def render(markdown: str) -> str:
    """Safe HTML of an article's Markdown."""
    import nh3

    html = _markdown().render(markdown or "")
    return str(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                         link_rel="noopener noreferrer nofollow"))


def plain(markdown: str, limit: int = 200) -> str:
    """A short excerpt of an article without its markup."""
    import nh3

    text = nh3.clean(_markdown().render(markdown or ""), tags=set())
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return text[:limit]


def message_text(markdown: str) -> str:
    """An article as the plain text of a message to a customer (a chat or an e-mail's text), no Markdown symbols
    left: paragraphs and headings apart, list items as "• " or "1. ", links as "label (address)", a table's rows
    with their cells joined by " | ", code as written."""
    lines: list[str] = []
    lists: list[int | None] = []  # the open lists, innermost last: None for bullets, else the last number used
    cells: list[str] | None = None
    prefix = ""
    for token in _markdown().parse(markdown or ""):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(None if kind == "bullet_list_open" else int(token.attrGet("start") or 1) - 1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                lines.append("")
        elif kind == "list_item_open":
            number = lists[-1]
            if number is not None:
                lists[-1] = number = number + 1
            prefix = "  " * (len(lists) - 1) + ("• " if number is None else f"{number}. ")
        elif kind == "tr_open":
            cells = []
        elif kind == "tr_close":
            lines.append(" | ".join(cells or []))
            cells = None
        elif kind == "inline" and cells is not None:
            cells.append(_inline_text(token.children))
        elif kind == "inline":
            lines.append(prefix + _inline_text(token.children))
            prefix = ""
        elif kind in ("fence", "code_block"):
            lines += [token.content.rstrip("\n"), ""]
        elif kind in ("paragraph_close", "heading_close", "table_close", "hr") and not lists:
            lines.append("———\n" if kind == "hr" else "")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _inline_text(children: list[Any] | None) -> str:
    parts: list[str] = []
    link: tuple[str, int] | None = None  # the open link's address and where its label starts
    for child in children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n" if child.type == "hardbreak" else " ")
        elif child.type == "link_open":
            link = (str(child.attrGet("href") or ""), len(parts))
        elif child.type == "link_close" and link is not None:
            href, start = link
            label = "".join(parts[start:])
            if href and href not in (label, f"mailto:{label}"):
                parts.append(f" ({href})")
            link = None
        elif child.type == "image":
            parts.append(f"{child.content} ({child.attrGet('src')})" if child.content else str(child.attrGet("src")))
    return "".join(parts)


def fold(word: str) -> str:
    """A word as search compares it: no accents, lower case, yo (U+0451) as ye (U+0435)."""
    decomposed = unicodedata.normalize("NFKD", word.replace("ё", "е").replace("Ё", "Е"))  # noqa: RUF001
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold().replace("ё", "е")  # noqa: RUF001


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(language)


def stem(word: str) -> str:
    """The Snowball stem of a folded word, in its script's language."""
    language = "russian" if CYRILLIC.search(word) else "english"
    return str(_stemmer(language).stemWord(word))


def stems(*texts: str | None, limit: int = MAX_STEMS) -> list[str]:
    """The distinct stems of texts, in order of first appearance, at most ``limit``."""
    found: dict[str, None] = {}
    for text in texts:
        for word in WORD.findall(fold(text or "")):
            if len(found) >= limit:
                return list(found)
            found.setdefault(stem(word), None)
    return list(found)


def query_stems(q: str) -> list[str]:
    """A query's stems, longest first (the longest is the most selective bucket)."""
    return sorted(set(stems(q, limit=10)), key=len, reverse=True)
