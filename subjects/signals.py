"""Sent explicitly by the subjects services (never from save()): other apps react to it.

`identity_changed(sender=DataSubject, subject=..., created=bool, fields=[...])` goes out when a
data subject is created or their name, date of birth or country changes; the screening app
re-screens on it.
"""

from django.dispatch import Signal

identity_changed = Signal()

IDENTITY_FIELDS = ("first_name", "last_name", "birth_date", "country", "gender", "company")
