from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dpo_portal.kinds import KindListFilter

from .models import AuditEntry, kind_label
from .verification import audit_verify_chain


class ObjectKindFilter(KindListFilter):
    title = _("kind of object")
    parameter_name = "object_type"

    def kind_label(self, label: str):
        return kind_label(label)


# The kind of object named in the page's language, where the model stores its label; the fields by the names a reader
# knows them by (the stored names are shown on the entry's page too).
SHOWN_AS = {"object_type": "object_kind", "fields": "field_labels"}


def field_label(model, name: str):
    """What a page calls the field (or column, or inline) `name` of `model`, in the active language: the trail stores
    the code's names ("__str__", "collected_on", "status_display", "emailaddress"), which an inspector cannot read."""
    if model is None:
        return name
    if name == "__str__":
        return model._meta.verbose_name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        pass
    else:  # a reverse relation names the related records
        return getattr(field, "verbose_name", None) or field.related_model._meta.verbose_name_plural
    model_admin = admin.site._registry.get(model)
    description = getattr(getattr(model_admin, name, None), "short_description", None)
    if description:
        return description
    for related in apps.get_models():  # an inline on the page, stored by its model's name
        if related._meta.model_name == name:
            return related._meta.verbose_name_plural
    return name


def field_labels_of(entry: AuditEntry) -> list[str]:
    try:
        model = apps.get_model(entry.object_type) if entry.object_type else None
    except (LookupError, ValueError):
        model = None
    return [str(field_label(model, name)) for name in entry.fields]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everybody: history cannot be changed or deleted here."""

    list_display = ("seq", "at", "actor_name", "action", "object_kind", "object_id", "subject_id", "short_fields")
    list_filter = ("action", ObjectKindFilter, ("at", admin.DateFieldListFilter))
    search_fields = ("=object_id", "=subject_id", "actor_name", "object_type")
    list_select_related = True
    date_hierarchy = "at"
    readonly_fields = [SHOWN_AS.get(f.name, f.name) for f in AuditEntry._meta.fields]
    readonly_fields.insert(readonly_fields.index("field_labels") + 1, "field_names")
    fields = readonly_fields
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("kind of object"), ordering="object_type")
    def object_kind(self, obj):
        return kind_label(obj.object_type)

    @admin.display(description=_("fields"))
    def short_fields(self, obj):
        return ", ".join(field_labels_of(obj))[:120]

    @admin.display(description=_("fields"))
    def field_labels(self, obj):
        return ", ".join(field_labels_of(obj)) or "—"

    @admin.display(description=_("fields as stored"))
    def field_names(self, obj):
        return ", ".join(obj.fields) or "—"

    def get_urls(self):
        verify = path("verify/", self.admin_site.admin_view(self.verify_view), name="audit_auditentry_verify")
        return [verify, *super().get_urls()]

    def verify_view(self, request):
        """The chain checked now, as `audit_verify` checks it: proof for whoever reads the trail (the auditor
        runs no commands), read-only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Verification of the audit trail"),
            "result": audit_verify_chain(),
            "checked_at": timezone.now(),
        }
        return TemplateResponse(request, "admin/audit/auditentry/verify.html", context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
