"""Admin integration: every view, create, change, delete and export of personal data is audited."""

from django.contrib.admin.utils import flatten_fieldsets

from .admin_log import AdminLogByIdMixin
from .services import Action, audit_list_view, audit_record, audit_record_many, event_for


class AuditedAdminMixin(AdminLogByIdMixin):
    """For ModelAdmins of models that hold personal data.

    Logs the change page (a view), each save with the names of the changed fields
    (including inlines), each deletion, and each list page with the ids it showed. Django's own
    admin history names the objects by id (audit.admin_log).
    """

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            obj = response.context_data.get("original") if hasattr(response, "context_data") else None
            if obj is not None:
                # The fields the page showed: a field left out for this user (the auditor's payment page has no
                # IBAN) was not read, and the trail must not say it was.
                adminform = response.context_data.get("adminform")
                on_page = set(flatten_fieldsets(adminform.fieldsets)) if adminform is not None else None
                shown = [f.name for f in obj._meta.concrete_fields if on_page is None or _on_page(f.name, on_page)]
                inlines = [
                    fs.opts.model._meta.model_name for fs in response.context_data.get("inline_admin_formsets", [])
                ]
                audit_record(obj, Action.VIEW, fields=shown + inlines)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if cl is not None:
            audit_list_view(self.model, (o.pk for o in cl.result_list), fields=list(self.get_list_display(request)))
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and not form.changed_data:
            return
        audit_record(obj, Action.CHANGE if change else Action.CREATE, fields=form.changed_data)

    def save_formset(self, request, form, formset, change):
        # Deleted instances lose their pk on delete: describe them first (and keep their ids for the admin history).
        formset.deleted_pks = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
        events = [event_for(f.instance, Action.DELETE) for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        events += [event_for(o, Action.CREATE) for o in formset.new_objects]
        events += [event_for(o, Action.CHANGE, fields=fields) for o, fields in formset.changed_objects]
        audit_record_many(events)

    def delete_model(self, request, obj):
        event = event_for(obj, Action.DELETE)
        super().delete_model(request, obj)
        audit_record_many([event])

    def delete_queryset(self, request, queryset):
        events = [event_for(obj, Action.DELETE) for obj in queryset]
        super().delete_queryset(request, queryset)
        audit_record_many(events)


def _on_page(field: str, on_page: set) -> bool:
    """A field is read when the page shows it, itself or as `<field>_shown` (German and English text read in the
    page's language: `reasons_shown` reads `reasons` and `reasons_en`)."""
    return field in on_page or f"{field.removesuffix('_en')}_shown" in on_page


def audit_export(obj_or_none, *, detail: str, fields=()) -> None:
    """Every export is audited, whatever produced it."""
    audit_record(obj_or_none, Action.EXPORT, fields=fields, detail=detail)
