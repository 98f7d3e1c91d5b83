"""A deleted timeline entry (its request's file came due, or the request was deleted) takes its evidence
file along: an uploaded e-mail or identity document must not outlive the record that holds it."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import TimelineEntry

logger = logging.getLogger(__name__)


def evidence_file_remove(storage, name: str, entry_id: int) -> None:
    """Deletes the file; a failure is logged by the entry's id (the file's name may name the person) and goes no
    further: other work waiting for the same commit (the sweep's replay journal) must still happen."""
    try:
        storage.delete(name)
    except Exception:  # noqa: BLE001  (whatever the storage backend raises)
        logger.error("evidence file of deleted timeline entry %s could not be deleted; see evidence_orphans", entry_id)


@receiver(post_delete, sender=TimelineEntry, dispatch_uid="requests_app.evidence_file_delete")
def evidence_file_delete(sender, instance: TimelineEntry, **kwargs) -> None:
    if instance.attachment:
        storage, name, entry_id = instance.attachment.storage, instance.attachment.name, instance.pk
        # On commit: a deletion rolled back keeps its file.
        transaction.on_commit(lambda: evidence_file_remove(storage, name, entry_id))
