"""The DPO's daily digest of deadlines (Art. 12(3) GDPR), in German and English."""

import datetime

from django.utils import timezone

from audit.services import Action, audit_record
from dpo_portal.mail import mail_dpo

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
    mail_dpo(
        subject_template="requests_app/email/digest_subject.txt",
        body_template="requests_app/email/digest.txt",
        context=context,
    )
    audit_record(
        None, Action.EXPORT, detail=f"deadline digest: {len(data['overdue'])} overdue, {len(data['due_soon'])} due soon"
    )
    return count
