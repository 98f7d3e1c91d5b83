"""HTML templates rendered to PDF (pure Python, so the embedded demo needs no system libraries)."""

import io

from django.template.loader import render_to_string
from xhtml2pdf import pisa


class PdfRenderError(RuntimeError):
    pass


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, {**context, "as_pdf": True}, request=request)
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise PdfRenderError(f"{template_name}: {result.err} errors")
    return out.getvalue()
