"""HTML templates rendered to PDF (pure Python, so the embedded demo needs no system libraries)."""

import io

from django.template.loader import render_to_string
from xhtml2pdf import pisa


class PdfRenderError(RuntimeError):
    pass


# The PDFs' built-in font (Helvetica, WinAnsi) has no glyph for the bullet of masked numbers ("DE60 •••• 7522"):
# it printed as a blank. The middle dot it has stands in.
PDF_GLYPHS = str.maketrans({"\u2022": "\u00b7"})


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, {**context, "as_pdf": True}, request=request).translate(PDF_GLYPHS)
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise PdfRenderError(f"{template_name}: {result.err} errors")
    return out.getvalue()
