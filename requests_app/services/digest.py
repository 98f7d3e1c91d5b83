"""The DPO's daily digest of deadlines (Art. 12(3) GDPR), in German and English."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from audit.services import Action, audit_record

from ..selectors import digest_requests

DIGEST_DAYS = 7


def deadline_digest_send(*, today: datetime.date | None = None) -> int:
    """Sends the digest when anything is due within DIGEST_DAYS days or overdue; returns the count listed."""
    today = today or timezone.localdate()
    data = digest_requests(today, days=DIGEST_DAYS)
    count = len(data["overdue"]) + len(data["due_soon"])
    if not count:
        return 0
    context = {**data, "today": today, "days": DIGEST_DAYS}
    parts = []
    for language in ("de", "en"):
        with translation.override(language):
            parts.append(render_to_string("requests_app/email/digest.txt", context).strip())
    with translation.override("de"):
        subject = render_to_string("requests_app/email/digest_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body="\n\n----------------------------------------\n\n".join(parts),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.DPO_EMAIL],
    )
    message.send()
    audit_record(
        None, Action.EXPORT, detail=f"deadline digest: {len(data['overdue'])} overdue, {len(data['due_soon'])} due soon"
    )
    return count
