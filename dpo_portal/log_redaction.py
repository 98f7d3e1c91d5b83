"""Keeps the values PostgreSQL quotes in its error messages out of the logs.

A unique violation says "DETAIL:  Key (email)=(max@example.org) already exists", a not-null
violation "DETAIL:  Failing row contains (…)" with the whole row (an address over several lines),
a bad cast 'invalid input syntax for type integer: "max@example.org"' and "LINE 1: …" with the
statement. Such an error, unhandled in a view or a Celery task, is logged with its message and
traceback, and so would put personal data in the log. The one handler of settings.LOGGING (which
the Celery workers use too) filters every record (RedactingFilter): what follows those labels goes,
up to where the traceback goes on; which constraint or column failed stays.

Django's request lines (the development server logs every request, `django.request` the failed ones) lose their
query strings and any e-mail address in their paths (QueryStringFilter on those two loggers): the admin's search and
autocomplete send what was typed, names and addresses, by GET. The support desk sends its search by POST.
"""

import logging
import re

REDACTED = " [values withheld]"

# From a label that quotes data to the end of that exception's message: the next chained exception's
# traceback, or the end. A value can span lines, so the end of the line is not the end. The label starts a
# line, or follows an escaped newline where an exception is logged by its repr() (Celery: "raised
# unexpected: IntegrityError('…\nDETAIL:  …')").
_QUOTING_FIELDS = re.compile(
    r"(?:^|(?<=\\n))([ \t]*(?:DETAIL|CONTEXT|HINT|LINE \d+):).*?"
    r"(?=\n\nThe above exception|\n\nDuring handling of the above exception|\nTraceback \(most recent call last\)|\Z)",
    re.MULTILINE | re.DOTALL,
)
# The first line of some errors quotes the value itself: a bad cast, a date or number out of range. From there to
# the end of that exception's message goes (the value can hold quotes and newlines). Bounded repeats: no
# backtracking over a long line.
_QUOTED_INPUT = re.compile(
    r"((?:invalid input (?:syntax|value) for (?:type|enum) [^:\n]{1,80}|(?:date/time )?field value out of range)):"
    r" \".*?(?=\n\nThe above exception|\n\nDuring handling of the above exception|\nTraceback \(most recent call last\)|\Z)",
    re.DOTALL,
)
_OUT_OF_RANGE = re.compile(r"value \"[^\"\n]{0,200}\" is out of range for type")


def redact(text: str) -> str:
    text = _OUT_OF_RANGE.sub("value" + REDACTED + " is out of range for type", text)
    text = _QUOTED_INPUT.sub(lambda m: m.group(1) + ":" + REDACTED, text)
    return _QUOTING_FIELDS.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites the record itself (message and formatted traceback), so that no handler or formatter after this
    one sees the values either."""

    def filter(self, record: logging.LogRecord) -> bool:
        # A filter runs outside logging's own error handling: a message that cannot be formatted must not raise
        # into the code that logged it (its arguments are left out: they may hold values).
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001
            message = f"{record.msg} (its arguments did not fit and are left out)"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            try:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            except Exception:  # noqa: BLE001
                record.exc_text = "(traceback could not be formatted)"
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


# A query string in a URL of a log line: from the "?" to the end of the request's target (before " HTTP/1.1", a
# closing quote, the end of the line); a malformed request line may hold spaces, so a space is not the end. The URL
# starts a word: a long path is then scanned once, not once from each of its slashes.
_QUERY_STRING = re.compile(
    r"(?<![^\s\"'(])((?:https?://[^\s/?#\"']{1,255})?/[^\s?#\"']*)\?[^\n]*?(?=\sHTTP/\d|[\"'](?:[\s),]|$)|$)",
    re.MULTILINE,
)
QUERY_WITHHELD = "?[query withheld]"
# An e-mail address in a path: the portal's own URLs name records by id only, so one there was typed or sent by a
# client (e.g. "Not Found: /api/…/max@example.org") and is withheld like a query.
# The local part may hold other escapes (%2B for "+", %C3%BC for "ü"); it starts a path segment, so that a long
# segment is scanned once, not once from each of its characters.
_ADDRESS_IN_PATH = re.compile(
    r"""(?<![^\s/?#"'])(?:[^\s/?#"'@%]|%(?!40))(?:[^\s/?#"'@%]|%(?!40)){0,253}(?:@|%40)[^\s/?#"'@]{1,254}""",
    re.IGNORECASE,
)
ADDRESS_WITHHELD = "[address withheld]"


def strip_query_strings(text: str) -> str:
    text = _QUERY_STRING.sub(lambda m: m.group(1) + QUERY_WITHHELD, text)
    return _ADDRESS_IN_PATH.sub(ADDRESS_WITHHELD, text)


class QueryStringFilter(logging.Filter):
    """Cuts the query strings from the request lines Django logs (`django.server`: every request to the development
    server; `django.request`: failed ones). The admin's search (`?q=`) and autocomplete (`?term=`) are sent by GET,
    so their query names people, addresses and numbers; which page was asked for stays. An e-mail address in a path
    is withheld too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (as RedactingFilter: never raise into the code that logged)
            message = f"{record.msg} (its arguments did not fit and are left out)"
        record.msg, record.args = strip_query_strings(message), None
        return True


class RedactingFormatter(logging.Formatter):
    """A logging.Formatter whose output carries no quoted database values, for handlers without the filter."""

    def formatException(self, ei) -> str:  # noqa: N802  (logging's name)
        return redact(super().formatException(ei))

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
