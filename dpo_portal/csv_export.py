"""CSV written for spreadsheets: cells that could start a formula are neutralised."""

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A sign before a plain number (a phone number "+49 30 2230496", an amount "-12.50") starts no formula that
# could call anything; prefixing it would corrupt the value in a machine-readable export (Art. 20 GDPR).
PLAIN_NUMBER = re.compile(r"[+-][\d\s().,/-]*\Z")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with BOM (Excel opens umlauts correctly), semicolon-free comma CSV, every cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
