"""Kinds of record named for people: the audit trail, the deletion protocol and the admin store a model's label
("subjects.AdConversion", "subjects.adconversion"); pages and documents show its name."""

from django.apps import apps
from django.contrib import admin


def kind_name(label: str):
    """The verbose name of the model `label` names (lazy: renders in the active language); the label itself when
    no such model exists (any more)."""
    try:
        return apps.get_model(label)._meta.verbose_name
    except (LookupError, ValueError):
        return label


class KindListFilter(admin.SimpleListFilter):
    """An admin filter on a column holding model labels, offering the kinds present by name (sorted in the page's
    language). Subclasses set `title` and `parameter_name` (the column)."""

    def lookups(self, request, model_admin):
        column = self.parameter_name
        labels = model_admin.model._default_manager.order_by().values_list(column, flat=True).distinct()
        kinds = ((label, self.kind_label(label)) for label in labels if label)
        return sorted(kinds, key=lambda lookup: str(lookup[1]).lower())

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() else queryset

    def kind_label(self, label: str):
        return kind_name(label)
