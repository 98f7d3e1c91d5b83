"""Reading an e-mail saved as an .eml file, so that support can log it as a request with its evidence."""

import datetime
import email
import email.utils
import html
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Header names a message must start with: refuses PDFs, images and text files renamed to .eml.
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]")


@dataclass(frozen=True)
class ParsedEmail:
    sender_name: str
    sender_email: str
    sent_at: datetime.datetime | None
    subject: str
    body: str


def max_bytes() -> int:
    return getattr(settings, "REQUESTS_EML_MAX_BYTES", DEFAULT_MAX_BYTES)


def _not_an_email() -> ValidationError:
    return ValidationError(
        _("This file is not an e-mail (.eml): it has no sender. Save the e-mail from the mail program as .eml."),
        code="not_email",
    )


# The text read from an e-mail's body, in characters: enough for any request written by a person, and a
# bound on the work of stripping HTML from a 5 MB upload (the .eml itself is kept whole as evidence).
MAX_BODY_CHARS = 200_000

# Each found with one search from a position that only moves forward, so that stripping HTML stays linear in
# the text's length: the backtracking regexes `(?is)<(script|style).*?</\1>` and `<[^>]+>` used before took
# quadratic time (39 s for 320 KB of "<script ", hours for a 5 MB upload).
_RAW_TEXT_START = re.compile(r"<(script|style)", re.IGNORECASE)
_RAW_TEXT_END = {name: re.compile(rf"</{name}>", re.IGNORECASE) for name in ("script", "style")}


def _without_scripts(markup: str) -> str:
    """`markup` without its script and style elements, as `(?is)<(script|style).*?</\1>` removed them."""
    parts = []
    unclosed: set[str] = set()  # no closing tag after some point: none after any later one either
    i = 0
    while start := _RAW_TEXT_START.search(markup, i):
        name = start.group(1).lower()
        end = None if name in unclosed else _RAW_TEXT_END[name].search(markup, start.end())
        if end is None:
            unclosed.add(name)
            parts.append(markup[i : start.end()])
        else:
            parts.append(markup[i : start.start()])
        i = start.end() if end is None else end.end()
    parts.append(markup[i:])
    return "".join(parts)


def _html_text(markup: str) -> str:
    """The text of an HTML body: scripts and styles dropped, each tag replaced by a space (as `<[^>]+>` was)."""
    markup = _without_scripts(markup)
    parts = []
    i = 0
    # A "<" that no ">" follows stays text, and so does the rest after it.
    while (lt := markup.find("<", i)) != -1 and (gt := markup.find(">", lt + 1)) != -1:
        parts.append(markup[i:lt])
        if gt == lt + 1:  # "<>" is no tag
            parts.append("<")
            i = lt + 1
        else:
            parts.append(" ")
            i = gt + 1
    parts.append(markup[i:])
    return "".join(parts)


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, KeyError):
        raise ValidationError(_("The e-mail's text cannot be read (unknown character set)."), code="charset")
    text = text[:MAX_BODY_CHARS]
    if part.get_content_type() == "text/html":
        text = re.sub(r"[ \t]+", " ", html.unescape(_html_text(text)))
    return text.strip()


def parse_eml(data: bytes) -> ParsedEmail:
    """Sender, date, subject and body of an .eml file, or a translated ValidationError."""
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationError(
            _("The e-mail file is too large (%(size)s MB; at most %(max)s MB)."),
            code="too_large",
            params={"size": round(len(data) / 1_048_576, 1), "max": round(limit / 1_048_576, 1)},
        )
    if not data.strip() or not _HEADER_LINE.match(data.lstrip()):
        raise _not_an_email()
    try:
        message = email.message_from_bytes(data, policy=policy.default)
        sender = message.get("From")
        name, address = email.utils.parseaddr(str(sender or ""))
        raw_date = message.get("Date")
        subject = str(message.get("Subject") or "")
    except (ValueError, TypeError, IndexError, LookupError):
        raise ValidationError(_("The e-mail file is damaged and cannot be read."), code="malformed")
    if not address or "@" not in address:
        raise _not_an_email()
    sent_at = None
    if raw_date:
        try:
            sent_at = email.utils.parsedate_to_datetime(str(raw_date))
        except (ValueError, TypeError):
            raise ValidationError(_("The e-mail's date cannot be read."), code="bad_date")
        if timezone.is_naive(sent_at):
            sent_at = timezone.make_aware(sent_at)
    return ParsedEmail(
        sender_name=name.strip(),
        sender_email=address.strip().lower(),
        sent_at=sent_at,
        subject=subject.strip()[:300],
        body=_body_text(message),
    )
