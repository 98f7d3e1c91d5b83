from django.apps import apps
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


def kind_label(object_type: str) -> str:
    """The kind of object an entry is about ("subjects.paymentmethod"), named in the page's language."""
    try:
        return capfirst(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type  # a kind that no longer exists, or none


class ObjectKindFilter(admin.SimpleListFilter):
    title = _("kind of object")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        kinds = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
        return sorted(((kind, kind_label(kind)) for kind in kinds if kind), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everybody: history cannot be changed or deleted here."""

    list_display = ("seq", "at", "actor_name", "action", "object_kind", "object_id", "subject_id", "short_fields")
    list_filter = ("action", ObjectKindFilter, ("at", admin.DateFieldListFilter))
    search_fields = ("=object_id", "=subject_id", "actor_name", "object_type")
    list_select_related = True
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("kind of object"), ordering="object_type")
    def object_kind(self, obj):
        return kind_label(obj.object_type)

    @admin.display(description=_("fields"))
    def short_fields(self, obj):
        return ", ".join(obj.fields)[:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
