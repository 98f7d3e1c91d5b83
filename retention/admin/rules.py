"""Deletion rules (with their versions) and the forecast of what comes due."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from audit.admin_mixins import audit_export
from dpo_portal.admin_mixins import titled
from dpo_portal.admin_site import register_index_notice

from ..concept import concept_context, concept_pdf
from ..models import Action, DeletionRule
from ..models.rules import TIMING_FIELDS
from ..selectors import (
    FORECAST_HORIZONS,
    FORECAST_WINDOWS,
    categories_without_rule,
    forecast,
    newly_due,
    next_sweep_day,
)
from ..services import rule_save, timing_changes
from .confirmation import CHANGE_FORM_TEMPLATE, CONFIRMATION_FIELDS, ConfirmedChangeForm, prepare_confirmation
from .records import ComingDueFilter

# "By from the end of the calendar year" would read badly.
YearEndFilter = titled(admin.BooleanFieldListFilter, _("counting from the year end"))


class DeletionRuleForm(ConfirmedChangeForm):
    """The rule's form; DeletionRuleAdmin supplies its model and fields. A change that has the next sweep process
    records at once asks first (see _post_clean)."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        rule = self.instance
        previous = DeletionRule.objects.filter(pk=rule.pk).first() if rule.pk else None
        if previous is not None and not timing_changes(previous, rule) and previous.action == rule.action:
            return
        if due := newly_due(rule, today=next_sweep_day()):
            details = "; ".join(
                f"{capfirst(d.model._meta.verbose_name_plural)}: {number_format(d.count, force_grouping=True)} "
                f"({Action(d.action).label})"
                for d in due
            )
            total = sum(d.count for d in due)
            message = ngettext(
                "After this change the next sweep processes %(count)s record at once: %(details)s. "
                "Confirm to save the change.",
                "After this change the next sweep processes %(count)s records at once: %(details)s. "
                "Confirm to save the change.",
                total,
            ) % {"count": number_format(total, force_grouping=True), "details": details}
            values = [str(getattr(rule, f)) for f in (*TIMING_FIELDS, "action")]
            self.ask_to_confirm(
                asked="|".join([*values, *(f"{d.model._meta.label}={d.count}" for d in due)]), message=message
            )


@admin.register(DeletionRule)
class DeletionRuleAdmin(admin.ModelAdmin):
    form = DeletionRuleForm
    change_form_template = CHANGE_FORM_TEMPLATE
    list_display = ("category", "code", "period", "action", "retention_duty", "reference", "is_active")
    list_filter = ("is_active", "action", "start_event", "retention_duty", ("from_year_end", YearEndFilter))
    search_fields = (
        "code",
        "legal_reference",
        "legal_reference_en",
        "category__name_de",
        "category__name_en",
        "note",
        "note_en",
    )
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    readonly_fields = ("updated_at", "summary", "history")
    fieldsets = (
        (None, {"fields": ("code", "category", "is_active", "summary")}),
        (_("Period"), {"fields": ("start_event", ("years", "months", "days"), "from_year_end")}),
        (_("Action"), {"fields": ("action", "retention_duty")}),
        (
            _("Legal source"),
            {
                "fields": (
                    "legal_reference",
                    "legal_reference_en",
                    "description_de",
                    "description_en",
                    "note",
                    "note_en",
                    "updated_at",
                )
            },
        ),
        (_("Versions"), {"fields": ("history",)}),
    )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Sent back (a confirmation, an error), the page's heading and breadcrumb name the rule as saved: the form
        # has already put the values typed in on `obj`, and "8 years" must not read as "5 years" before it is saved.
        if change and obj is not None and context["adminform"].form.errors:
            saved = DeletionRule.objects.select_related("category").get(pk=obj.pk)
            context.update(original=saved, subtitle=str(saved))
            obj.saved_version = saved  # what "in the register" shows until the change is saved
        prepare_confirmation(context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_fieldsets(self, request, obj=None):
        # The confirmation shows only on a page sent back with errors (a successful save redirects).
        if request.method == "POST":
            return ((_("Confirmation"), {"fields": CONFIRMATION_FIELDS}), *self.fieldsets)
        return self.fieldsets

    @admin.display(description=_("period"))
    def period(self, obj):
        return obj.describe()

    @admin.display(description=_("legal reference"), ordering="legal_reference")
    def reference(self, obj):
        return obj.reference

    @admin.display(description=_("which period applied when"))
    def history(self, obj):
        # A table in a read-only field, not an inline: the rule's form posts no formset for history nobody edits.
        versions = list(obj.versions.all()) if obj.pk else []
        if not versions:
            return "—"
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            capfirst(_("valid from")),
            capfirst(_("period")),
            capfirst(pgettext("retention", "action")),
            capfirst(_("changed by")),
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(v.valid_from), "SHORT_DATETIME_FORMAT"),
                    v.describe(),
                    "" if v.is_active else format_html(" ({})", _("inactive")),
                    v.get_action_display(),
                    v.changed_by_label,
                )
                for v in versions
            ),
        )
        return format_html("<table>{}{}</table>", head, rows)

    @admin.display(description=_("in the register"))
    def summary(self, obj):
        if not obj.pk:
            return "—"
        return getattr(obj, "saved_version", obj).register_line(translation.get_language() or "de")

    def save_model(self, request, obj, form, change):
        # The service recomputes the category's deletion dates at once and refreshes the register.
        rule_save(rule=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the protocol refers to rules

    def get_urls(self):
        extra = [
            path("forecast/", self.admin_site.admin_view(self.forecast_view), name="retention_deletionrule_forecast"),
            path(
                "concept/<str:fmt>/<str:language>/",
                self.admin_site.admin_view(self.concept_view),
                name="retention_deletionrule_concept",
            ),
        ]
        return extra + super().get_urls()

    def forecast_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        rows = forecast(today=today)
        for row in rows:
            for kind in row["kinds"]:
                kind["name"] = capfirst(kind["model"]._meta.verbose_name_plural)
                kind["links"] = self._due_links(request, kind["model"], row["rule"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Forecast: what becomes due"),
            "today": today,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/retention/deletionrule/forecast.html", context)

    def concept_view(self, request, fmt: str, language: str):
        """The deletion concept, to print (HTML) or as PDF, in German or English: for everyone who may read the rules."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if language not in dict(settings.LANGUAGES) or fmt not in ("html", "pdf"):
            raise Http404
        audit_export(None, detail=f"deletion concept {fmt} {language}")
        with_holds = request.user.has_perm("retention.view_legalhold")
        if fmt == "pdf":
            response = HttpResponse(
                concept_pdf(language=language, with_holds=with_holds), content_type="application/pdf"
            )
            response["Content-Disposition"] = f'attachment; filename="deletion-concept-{language}.pdf"'
            return response
        with translation.override(language):
            context = concept_context(language=language, with_holds=with_holds)
            return TemplateResponse(request, "retention/concept.html", context).render()

    def _due_links(self, request, model, rule) -> dict[str, str]:
        """Per figure of the forecast, the list of those records (where the reader may see that kind's list)."""
        model_admin = self.admin_site._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            return {}
        if ComingDueFilter not in model_admin.get_list_filter(request):
            return {}
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        keys = ("due", *(f"next_{days}" for days in FORECAST_HORIZONS))
        return {
            key: f"{url}?{urlencode({'due': w, 'due_rule': rule.pk})}"
            for key, w in zip(keys, FORECAST_WINDOWS, strict=True)
        }


@register_index_notice
def rule_gap_notice(request) -> str:
    """On the start page, for whoever reads the rules: a data category without an active deletion rule, whose records
    the sweep never processes (the system check says so only to whoever runs `manage.py check`)."""
    if not request.user.has_perm("retention.view_deletionrule"):
        return ""
    names = [category.name for category in categories_without_rule()]
    if not names:
        return ""
    return ngettext(
        "The data category %(names)s has no active deletion rule: the sweep never deletes its records.",
        "The data categories %(names)s have no active deletion rule: the sweep never deletes their records.",
        len(names),
    ) % {"names": ", ".join(names)}
