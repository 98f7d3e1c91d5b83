"""Scheduled jobs of the request workflow (the beat entry is in settings.CELERY_BEAT_SCHEDULE)."""

import datetime

from celery import shared_task

from .evidence import evidence_orphans_delete
from .services.digest import deadline_digest_send


@shared_task(name="requests_app.tasks.send_deadline_digest")
def send_deadline_digest(today: str | None = None) -> int:
    """E-mails the DPO the requests due within 7 days and overdue; returns how many it listed.

    Idempotent in effect: a repeat sends the same digest again, it changes no data.
    """
    return deadline_digest_send(today=datetime.date.fromisoformat(today) if today else None)


@shared_task(name="requests_app.tasks.delete_evidence_orphans")
def delete_evidence_orphans() -> int:
    """Removes evidence files whose timeline entry is gone (a deletion the storage refused); returns how many.

    Idempotent: a repeat finds nothing left; a file of the last day is never taken (see requests_app.evidence).
    """
    return evidence_orphans_delete()
