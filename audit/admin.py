from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everybody: history cannot be changed or deleted here."""

    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_id", "subject_id", "short_fields")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("=object_id", "=subject_id", "actor_name", "object_type")
    list_select_related = True
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("fields"))
    def short_fields(self, obj):
        return ", ".join(obj.fields)[:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
