"""A deleted timeline entry (its request's file came due, or the request was deleted) takes its evidence
file along: an uploaded e-mail or identity document must not outlive the record that holds it."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import TimelineEntry


@receiver(post_delete, sender=TimelineEntry, dispatch_uid="requests_app.evidence_file_delete")
def evidence_file_delete(sender, instance: TimelineEntry, **kwargs) -> None:
    if instance.attachment:
        storage, name = instance.attachment.storage, instance.attachment.name
        # On commit: a deletion rolled back keeps its file.
        transaction.on_commit(lambda: storage.delete(name))
