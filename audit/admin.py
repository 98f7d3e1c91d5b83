from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dpo_portal.kinds import KindListFilter

from .models import AuditEntry, kind_label


class ObjectKindFilter(KindListFilter):
    title = _("kind of object")
    parameter_name = "object_type"

    def kind_label(self, label: str):
        return kind_label(label)


# The kind of object named in the page's language, where the model stores its label; the field names as a list to
# read, not as the JSON they are stored in.
SHOWN_AS = {"object_type": "object_kind", "fields": "field_names"}


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everybody: history cannot be changed or deleted here."""

    list_display = ("seq", "at", "actor_name", "action", "object_kind", "object_id", "subject_id", "short_fields")
    list_filter = ("action", ObjectKindFilter, ("at", admin.DateFieldListFilter))
    search_fields = ("=object_id", "=subject_id", "actor_name", "object_type")
    list_select_related = True
    date_hierarchy = "at"
    readonly_fields = [SHOWN_AS.get(f.name, f.name) for f in AuditEntry._meta.fields]
    fields = readonly_fields
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("kind of object"), ordering="object_type")
    def object_kind(self, obj):
        return kind_label(obj.object_type)

    @admin.display(description=_("fields"))
    def short_fields(self, obj):
        return ", ".join(obj.fields)[:120]

    @admin.display(description=_("fields"))
    def field_names(self, obj):
        return ", ".join(obj.fields) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
