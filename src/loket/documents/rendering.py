"""HTML templates → PDF/A with WeasyPrint.

A template body is Django template text written by staff. It is compiled by an engine of
its own: no loaders (no ``{% include %}`` of other files), autoescaping on, and every
unknown placeholder turned into a marker that makes the render fail, so a typo shows in
the preview instead of reaching a resident as a hole in a certificate.

Every page is wrapped in ``templates/documents/pdf/document.html``: the municipality's
letterhead and colours, the address block for a window envelope, and a footer with the
verification code, a QR code to the verification page and "page X of Y".
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import translation

from loket.core.services import DomainError
from loket.documents.constants import PDF_VARIANT
from loket.documents.types import RenderedPdf, TemplateProblem

# WeasyPrint logs every layout step at INFO: keep its warnings only.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

_INVALID = "\x00LOKET-UNKNOWN:%s\x00"
_INVALID_PATTERN = re.compile("\x00LOKET-UNKNOWN:([^\x00]*)\x00")


class TemplateBroken(DomainError):
    """The template cannot be rendered; ``problem`` says where and why."""

    def __init__(self, problem: TemplateProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@functools.cache
def _engine() -> Engine:
    return Engine(
        dirs=[],
        app_dirs=False,
        loaders=[("django.template.loaders.locmem.Loader", {})],
        string_if_invalid=_INVALID,
        autoescape=True,
        libraries={},
        debug=True,
    )


def body_render(body: str, context: Mapping[str, Any]) -> str:
    """Render a template body; raises ``TemplateBroken`` on a syntax error, an unknown
    placeholder or an error while rendering."""
    try:
        template = _engine().from_string(body)
    except TemplateSyntaxError as exc:
        line = None
        info = getattr(exc, "template_debug", None)
        if isinstance(info, dict):
            line = info.get("line")
        raise TemplateBroken(TemplateProblem(str(exc), line)) from exc
    from django.template.defaulttags import DebugNode

    if template.nodelist.get_nodes_by_type(DebugNode):
        raise TemplateBroken(TemplateProblem("The {% debug %} tag is not allowed."))
    try:
        html = template.render(Context(dict(context), autoescape=True))
    except Exception as exc:
        raise TemplateBroken(TemplateProblem(f"{type(exc).__name__}: {exc}")) from exc
    unknown = sorted(set(_INVALID_PATTERN.findall(html)))
    if unknown:
        raise TemplateBroken(
            TemplateProblem("Unknown placeholder(s): " + ", ".join(unknown or ["?"]))
        )
    return html


def qr_data_uri(url: str) -> str:
    import segno

    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=0))


def page_html(
    *,
    title: str,
    language: str,
    body_html: str,
    css: str,
    organisation: Mapping[str, Any],
    recipient: Mapping[str, Any] | None,
    code: str,
    verify_url: str,
) -> str:
    with translation.override(language):
        return render_to_string(
            "documents/pdf/document.html",
            {
                "title": title,
                "language": language,
                "body": body_html,
                "css": css,
                "organisation": organisation,
                "recipient": recipient,
                "code": code,
                "verify_url": verify_url,
                "qr": qr_data_uri(verify_url) if verify_url else "",
            },
        )


def pdf_render(html: str, *, title: str, language: str, variant: str = PDF_VARIANT) -> RenderedPdf:
    """HTML → PDF/A (tagged, fonts embedded, sRGB output intent)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=None).render(
        pdf_variant=variant, pdf_tags=True, uncompressed_pdf=False
    )
    document.metadata.title = title
    document.metadata.lang = language
    pdf = document.write_pdf(pdf_variant=variant, pdf_tags=True)
    return RenderedPdf(pdf=bytes(pdf), pages=len(document.pages))
