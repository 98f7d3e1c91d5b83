"""Reacts to subjects.signals.identity_changed: the person is screened once the change is committed."""

from django.db import transaction

from .models import Trigger


def screen_on_identity_change(sender, subject, created, fields, **kwargs) -> None:
    from .tasks import screen_subject

    trigger = Trigger.CREATED if created else Trigger.IDENTITY_CHANGED
    transaction.on_commit(lambda: screen_subject.delay(subject.pk, trigger))
