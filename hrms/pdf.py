"""Django templates to PDF with xhtml2pdf, set in embedded fonts that cover Vietnamese.

xhtml2pdf 0.2.28 confines local reads to a resource policy and, when a font file is
refused, still reports success and draws in Helvetica, which has no Vietnamese
letters (DESIGN.md §6). So every render here runs under a server policy whose only
root is ``settings.FONT_DIR``, the templates get absolute font paths in ``pdf_fonts``,
and a font that fails to load is an error, not a quiet fallback.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

# Keys are what templates use: {{ pdf_fonts.serif_bold }}.
FONT_FILES = {
    "serif": "LiberationSerif-Regular.ttf",
    "serif_bold": "LiberationSerif-Bold.ttf",
    "serif_italic": "LiberationSerif-Italic.ttf",
    "serif_bold_italic": "LiberationSerif-BoldItalic.ttf",
    "sans": "DejaVuSans.ttf",
    "sans_bold": "DejaVuSans-Bold.ttf",
}

# xhtml2pdf keeps only the format string in its status log; these prefixes are the
# warnings that mean text will be drawn in a font other than the one asked for.
_FONT_FAILURES = (
    "@font-face for",
    "@fontface, unknown value",
    "None of the font families",
    "Cannot embed the font",
)

_XHTML2PDF_LOG = logging.getLogger("xhtml2pdf")


class PdfRenderError(Exception):
    """xhtml2pdf reported errors, or a font could not be embedded."""


class _ThreadMessages(logging.Handler):
    """Collects this thread's xhtml2pdf messages, with their arguments filled in."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage().splitlines()[0])


def pdf_fonts() -> dict[str, str]:
    """Absolute paths of the embedded fonts, for the templates' @font-face rules."""
    font_dir = Path(settings.FONT_DIR).resolve()
    return {key: (font_dir / name).as_posix() for key, name in FONT_FILES.items()}


def pdf_resource_policy() -> ResourceAccessPolicy:
    """What a rendered document may read: the font folder, and nothing remote."""
    return ResourceAccessPolicy.server(
        Path(settings.FONT_DIR).resolve(), allow_remote=False
    )


def html_to_pdf(html: str) -> bytes:
    """Convert an HTML string to PDF bytes; raise PdfRenderError on any failure."""
    output = BytesIO()
    handler = _ThreadMessages()
    _XHTML2PDF_LOG.addHandler(handler)
    try:
        status = pisa.CreatePDF(
            html,
            dest=output,
            encoding="utf-8",
            resource_policy=pdf_resource_policy(),
        )
    except Exception as exc:
        raise PdfRenderError(f"xhtml2pdf failed: {exc}") from exc
    finally:
        _XHTML2PDF_LOG.removeHandler(handler)
    font_failures = [
        msg
        for _mode, _line, msg, _fragment in status.log
        if msg.startswith(_FONT_FAILURES)
    ]
    if status.err or font_failures:
        details = "; ".join(handler.messages) or "; ".join(font_failures)
        raise PdfRenderError(
            f"xhtml2pdf reported {status.err} error(s) and "
            f"{len(font_failures)} font failure(s): {details}"
        )
    return output.getvalue()


def render_pdf(
    template_name: str, context: dict, *, request: HttpRequest | None = None
) -> bytes:
    """Render a Django template to PDF bytes, with ``pdf_fonts`` in its context."""
    html = render_to_string(
        template_name, {"pdf_fonts": pdf_fonts(), **context}, request=request
    )
    return html_to_pdf(html)


def ascii_filename(filename: str) -> str:
    """A plain-ASCII stand-in for a file name: "Quyết định.pdf" -> "Quyet dinh.pdf"."""
    folded = filename.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", folded)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    safe = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;/' else "_"
        for c in folded
    )
    return safe.strip() or "document.pdf"


def content_disposition(filename: str) -> str:
    """An attachment header any browser reads: RFC 6266 with an RFC 5987 name."""
    fallback = ascii_filename(filename)
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    encoded = quote(unicodedata.normalize("NFC", filename), safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def pdf_response(
    template_name: str,
    context: dict,
    *,
    filename: str,
    request: HttpRequest | None = None,
) -> HttpResponse:
    """Render a template to a PDF download named ``filename`` (may be Vietnamese)."""
    if not filename.lower().endswith(".pdf"):
        filename += ".pdf"
    data = render_pdf(template_name, context, request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename)
    return response
