"""Names the objects in Django's existing admin history by id, for the admins that now write it so
(audit.admin_log): entries written before kept names, e-mail addresses and phone numbers that no
erasure reached."""

from functools import reduce
from operator import or_

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    from django.contrib import admin

    from audit.admin_log import AdminLogByIdMixin, scrub_log_entries

    # The registry is the project's current one (filled at start-up): the kinds whose admin writes by id now.
    kinds = [
        Q(content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, AdminLogByIdMixin)
    ]
    if kinds:
        scrub_log_entries(apps.get_model("admin", "LogEntry").objects.filter(reduce(or_, kinds)).order_by("pk"))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_keyed_chain"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Not reversible in substance: the names are gone; going back leaves the entries as they are.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
