"""Keeps the values PostgreSQL quotes in its error messages out of the logs.

A unique violation says "DETAIL:  Key (email)=(max@example.org) already exists", a not-null
violation "DETAIL:  Failing row contains (…)" with the whole row. Such an error, unhandled in a
view or a Celery task, is logged with its message and traceback, and so would put personal data
in the log. The formatter of every log handler (settings.LOGGING, which the Celery worker uses
too) cuts those lines after their label; the first line (which constraint, which column) stays.
"""

import logging
import re

# The error fields of PostgreSQL that quote data, which psycopg appends to the message on lines of their
# own: at the start of a line, or after an escaped newline where the exception is logged by its repr()
# (Celery's "raised unexpected: IntegrityError('…\nDETAIL:  …')"). Everything after the label goes, to
# the end of the line.
_QUOTING_FIELDS = re.compile(r"(?:^|(?<=\\n))([ \t]*(?:DETAIL|CONTEXT|HINT):)[^\n]*", re.MULTILINE)
REDACTED = " [values withheld]"


def redact(text: str) -> str:
    return _QUOTING_FIELDS.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """A logging.Formatter whose output (message and traceback) carries no quoted database values."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
