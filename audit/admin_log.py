"""Django's admin history (its "Recent actions" and each object's history page) without personal data.

Django keeps `str(obj)` of every object saved or deleted in the admin, and of every inline row a save
added, changed or deleted, in `django_admin_log`. Neither an erasure nor the retention sweep reaches
that table, so a deleted customer's name, e-mail address or phone number would outlive them there.
The admins of personal data (AuditedAdminMixin) name objects by their id instead; who did what is
recorded in the audit trail (audit.services), which holds no values either.
"""

import json
from itertools import repeat

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation

# How an inline row deleted in the same save is named: it has no id any more.
GONE = "—"


def log_repr(obj, pk=None) -> str:
    pk = obj.pk if obj.pk is not None else pk
    return f"#{pk}" if pk is not None else GONE


def field_labels(model, names) -> list[str]:
    """The changed fields as their verbose names, untranslated: the history page translates them (Django stores
    the form's capitalised labels, "Last name", which no catalogue holds, so they showed in English)."""
    labels = []
    with translation.override(None):
        for name in names:
            try:
                labels.append(str(model._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:
                labels.append(name)
    return labels


def change_message_by_id(message: list[dict], form, formsets) -> list[dict]:
    """Django's change message (admin.utils.construct_change_message) with each inline row named by id and the
    changed fields by their verbose names.

    Django lists, per formset, the added, the changed and then the deleted rows, each with an "object";
    the entry for the main form (if any) comes first and names no object.
    """
    rows = iter(
        [
            (row, fields, pk)
            for formset in formsets or ()
            for row, fields, pk in (
                *((o, None, None) for o in formset.new_objects),
                *((o, fields, None) for o, fields in formset.changed_objects),
                # A deleted row has lost its id; AuditedAdminMixin.save_formset noted it before (same order).
                *zip(formset.deleted_objects, repeat(None), getattr(formset, "deleted_pks", ()) or repeat(None)),
            )
        ]
    )
    for entry in message:
        for detail in entry.values():
            if "object" in detail:
                row, fields, pk = next(rows)
                detail["object"] = log_repr(row, pk)
                if fields is not None and "fields" in detail:
                    detail["fields"] = field_labels(type(row), fields)
            elif "fields" in detail and form is not None:
                detail["fields"] = field_labels(form._meta.model, form.changed_data)
    return message


def log_by_id(user_id, objects, action_flag: int, message="") -> list[LogEntry]:
    """Writes Django's admin log entries for `objects`, each named by its id."""
    if isinstance(message, list):
        message = json.dumps(message)
    return LogEntry.objects.bulk_create(
        [
            LogEntry(
                user_id=user_id,
                content_type_id=ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
                object_id=str(obj.pk),
                object_repr=log_repr(obj),
                action_flag=action_flag,
                change_message=message,
            )
            for obj in objects
        ]
    )


class AdminLogByIdMixin:
    """For ModelAdmins of personal data: Django's admin history names objects by id, never by value."""

    def construct_change_message(self, request, form, formsets, add=False):
        return change_message_by_id(super().construct_change_message(request, form, formsets, add), form, formsets)

    def log_addition(self, request, obj, message):
        return log_by_id(request.user.pk, [obj], ADDITION, message)[0]

    def log_change(self, request, obj, message):
        return log_by_id(request.user.pk, [obj], CHANGE, message)[0]

    def log_deletions(self, request, queryset):
        return log_by_id(request.user.pk, queryset, DELETION)
