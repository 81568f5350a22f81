"""A document's HTML laid out as a PDF by fpdf2, in DejaVu Sans embedded (Cyrillic, Greek, currency signs).

fpdf2 is pure Python with fontTools and Pillow beside it (no system libraries, light enough for Lambda) and is
imported here, inside the function, so only a request that makes a PDF pays its import. The fonts are vendored
under ``fonts/`` (subsets of DejaVu Sans 2.37, with their licence): nothing depends on the machine's fonts.
Its HTML reader lays out headings, paragraphs, bold and italics, lists, rules and tables; what it would fetch
(``<img>``: a path or a URL) or cannot print in our font (``<pre>``, ``<code>``: Courier) is refused before it
reads anything, and whatever else it cannot lay out is a 422 naming the problem, never a 500.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from chalicelib.core import errors
from chalicelib.core.observability import logger

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
              "BI": "DejaVuSans-BoldOblique.ttf"}
ALLOWED_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "b", "strong", "i", "em", "u", "font", "hr",
                          "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr",
                          "th", "td", "center", "sup", "sub", "div", "span", "small", "section"})
MAX_PAGES = 50
ITALIC = re.compile(r"<\s*(i|em)\b", re.IGNORECASE)


class LayoutProblem(errors.ValidationError):
    """HTML the PDF cannot be laid out from (422)."""

    def __init__(self, message: str, *, code: str = "document_layout") -> None:
        super().__init__(message, code=code, details=[{"loc": ["body", "body"], "msg": message, "type": code}])


class _TagCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refused: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.refused.append((tag, self.getpos()[0]))

    handle_startendtag = handle_starttag


def check_markup(html: str) -> None:
    """422 for a tag documents do not lay out (an image would make the PDF maker read a path or a URL)."""
    checker = _TagCheck()
    checker.feed(html)
    checker.close()
    if checker.refused:
        tag, line = checker.refused[0]
        raise LayoutProblem(f"Line {line} of the document: <{tag}> is not available in documents.",
                            code="document_tag_refused")


# Where US Letter is the paper in the printers (the Americas that use it, and the Philippines); A4 elsewhere.
LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "CR", "GT", "DO", "PA", "PR"})


def paper_of(country: str | None) -> str:
    """The paper a company's documents print on: US Letter in its countries, else A4."""
    return "Letter" if country in LETTER_COUNTRIES else "A4"


def render(html: str, *, title: str, paper: str = "A4") -> bytes:
    """The PDF of a document's HTML (A4 or US Letter, DejaVu Sans 10 pt), with its title in the file's properties."""
    from fpdf import FPDF
    from fpdf.errors import FPDFException

    check_markup(html)
    pdf = FPDF(format=paper, unit="mm")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    for style, name in FONT_FILES.items():
        if "I" in style and not ITALIC.search(html):
            continue  # each face is parsed anew per document (about 15 ms): the italic ones only when asked for
        pdf.add_font(FAMILY, style, str(FONTS / name))
    pdf.set_title(title)
    pdf.set_creator("CRM")
    pdf.add_page()
    pdf.set_font(FAMILY, size=10)
    try:
        pdf.write_html(html, font_family=FAMILY, warn_on_tags_not_matching=False, table_line_separators=True,
                       tag_styles=_heading_styles())
        if pdf.page > MAX_PAGES:
            raise LayoutProblem(f"A document may have at most {MAX_PAGES} pages.", code="document_too_long")
        return bytes(pdf.output())
    except LayoutProblem:
        raise
    except (FPDFException, ValueError, KeyError, IndexError, TypeError, AttributeError, NotImplementedError,
            AssertionError, ZeroDivisionError, RecursionError) as exc:
        # fpdf2's HTML reader answers a table it cannot lay out or a font it does not know with these
        logger.info("document layout refused", extra={"error": type(exc).__name__})
        raise LayoutProblem(f"The document cannot be laid out: {_reason(exc)}") from None


def _heading_styles() -> dict[str, Any]:
    """fpdf2's headings, in the ink of the text rather than its default dark red (a document is not a web page)."""
    from fpdf.html import DEFAULT_TAG_STYLES

    return {tag: DEFAULT_TAG_STYLES[tag].replace(color="#1b1f27") for tag in ("h1", "h2", "h3", "h4", "h5", "h6")}


def _reason(exc: Any) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
