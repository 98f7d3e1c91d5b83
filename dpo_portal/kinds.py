"""Kinds of record named for people: the audit trail, the deletion protocol and the admin store a model's label
("subjects.AdConversion", "subjects.adconversion"); pages and documents show its name."""

from django.apps import apps


def kind_name(label: str):
    """The verbose name of the model `label` names (lazy: renders in the active language); the label itself when
    no such model exists (any more)."""
    try:
        return apps.get_model(label)._meta.verbose_name
    except (LookupError, ValueError):
        return label
