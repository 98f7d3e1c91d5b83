"""Names the objects in Django's existing admin history by id, for the kinds whose admins now write it so
(audit.admin_log): entries written before kept names, e-mail addresses and phone numbers that no erasure
reached. Self-contained: the kinds are listed as they were when this ran, and the scrub is a copy."""

import json

from django.db import migrations
from django.db.models import Q

# The kinds whose admin (AuditedAdminMixin) names objects by id from this release on.
KINDS = {
    "subjects": None,  # every kind: the data subject and each kind of record
    "requests_app": ["datasubjectrequest"],
    "consents": ["consent", "objection"],
    "screening": ["screeningcase"],
}
# How an inline row is named once its id is not known.
GONE = "—"


def forwards(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    kinds = Q()
    for app_label, models in KINDS.items():
        condition = Q(content_type__app_label=app_label)
        kinds |= condition if models is None else condition & Q(content_type__model__in=models)
    changed = []
    for entry in LogEntry.objects.filter(kinds).order_by("pk").iterator(chunk_size=1000):
        message = entry.change_message
        try:
            parsed = json.loads(message) if message and message[0] == "[" else None
        except json.JSONDecodeError:
            parsed = None
        if parsed is not None:
            for part in parsed:
                for detail in part.values() if isinstance(part, dict) else ():
                    if isinstance(detail, dict) and "object" in detail:
                        detail["object"] = GONE
            message = json.dumps(parsed)
        by_id = f"#{entry.object_id}"
        if (entry.object_repr, entry.change_message) != (by_id, message):
            entry.object_repr, entry.change_message = by_id, message
            changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["object_repr", "change_message"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_keyed_chain"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Not reversible in substance: the names are gone; going back leaves the entries as they are.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
