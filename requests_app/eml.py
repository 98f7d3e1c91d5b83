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


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, KeyError):
        raise ValidationError(_("The e-mail's text cannot be read (unknown character set)."), code="charset")
    if part.get_content_type() == "text/html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style).*?</\1>", "", text)))
        text = re.sub(r"[ \t]+", " ", text)
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
