from django.db import migrations


def clear_copy_details(apps, schema_editor):
    # Intake had stored the copy's format and recipient on every right of the request (access, erasure, ...).
    RequestItem = apps.get_model("requests_app", "RequestItem")
    RequestItem.objects.exclude(kind="copy").exclude(export_format="", copy_recipient="", copy_recipient_name="").update(
        export_format="", copy_recipient="", copy_recipient_name=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0005_art18_grounds_only"),
    ]

    operations = [
        migrations.RunPython(clear_copy_details, migrations.RunPython.noop),
    ]
