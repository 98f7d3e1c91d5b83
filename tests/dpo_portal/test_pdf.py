"""PDFs keep what the screen shows: a masked number's dots do not vanish."""

import io
from unittest import mock

from pypdf import PdfReader

from dpo_portal.pdf import render_pdf


def test_masked_numbers_keep_their_dots_in_a_pdf():
    html = "<html><body><p>Maskierte Nummer: DE60 •••• 7522 – „Zitat“ € ä</p></body></html>"
    with mock.patch("dpo_portal.pdf.render_to_string", return_value=html):
        text = PdfReader(io.BytesIO(render_pdf("any.html", {}))).pages[0].extract_text()
    assert "DE60 ···· 7522" in text and "„Zitat“ € ä" in text
