"""The DPO's screening back office: list versions and entries (read-only), cases and decisions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin_log import field_labels, log_by_id
from audit.admin_mixins import AuditedAdminMixin
from audit.services import Action as AuditAction
from audit.services import audit_record
from dpo_portal.admin_mixins import ReadOnlyAdminMixin  # list data and job records: imports and jobs write them
from subjects.admin import RecordPageFieldsMixin, register_block_reason, register_subject_inline

from .models import (
    CaseCandidate,
    EntryBirthDate,
    EntryCountry,
    EntryIdentifier,
    EntryName,
    InvalidTransition,
    ListEntry,
    ListVersion,
    ScreeningCase,
    ScreeningRun,
)
from .selectors import subject_block_reason, subject_screening, version_names
from .services import case_clear, case_confirm, case_letter, case_mark_contacted, cases_csv


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


@admin.register(ListVersion)
class ListVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("source", "published_on", "imported_at", "entry_count", "name_count", "is_active", "short_hash")
    list_filter = ("source", "is_active")
    list_select_related = ("replaces",)
    search_fields = ("=sha256", "file_name")
    readonly_fields = (
        "source",
        "published_on",
        "imported_at",
        "file_name",
        "sha256",
        "entry_count",
        "name_count",
        "is_active",
        "replaces",
    )
    date_hierarchy = "imported_at"

    @admin.display(description=_("content hash"))
    def short_hash(self, obj):
        return obj.sha256[:12]


class EntryNameInline(ReadOnlyInline):
    model = EntryName
    fields = ("name", "is_primary", "is_weak")


class EntryBirthDateInline(ReadOnlyInline):
    model = EntryBirthDate
    fields = ("year", "month", "day", "circa")


class EntryCountryInline(ReadOnlyInline):
    model = EntryCountry
    fields = ("country", "kind")


class EntryIdentifierInline(ReadOnlyInline):
    model = EntryIdentifier
    fields = ("kind", "number", "country")


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("primary_name", "schema", "external_id", "reference", "programmes", "version")
    list_filter = ("version__source", "schema", "version__is_active")
    list_select_related = ("version",)
    search_fields = ("primary_name", "names__name", "=external_id", "=reference")
    readonly_fields = (
        "version",
        "external_id",
        "schema",
        "primary_name",
        "programmes",
        "reference",
        "gender",
        "remarks",
        "fingerprint",
    )
    inlines = [EntryNameInline, EntryBirthDateInline, EntryCountryInline, EntryIdentifierInline]
    show_full_result_count = False


class CaseCandidateInline(ReadOnlyInline):
    model = CaseCandidate
    fields = ("matched_name", "entry_link", "source", "external_id", "is_weak_alias", "name_score", "score")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry")

    @admin.display(description=_("list entry"))
    def entry_link(self, obj):
        if obj.entry_id is None:
            return "—"
        url = reverse("admin:screening_listentry_change", args=[obj.entry_id])
        return format_html('<a href="{}">{}</a>', url, obj.entry.primary_name)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the identity was verified, or why the person is the listed party."),
    )


@admin.register(ScreeningCase)
class ScreeningCaseAdmin(RecordPageFieldsMixin, AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "subject",
        "status",
        "best_score",
        "candidate_count",
        "trigger",
        "opened_at",
        "contact_due",
        "decided_at",
    )
    list_filter = ("status", "trigger", "opened_at")
    list_select_related = ("subject",)
    search_fields = (
        "subject__last_name",
        "subject__first_name",
        "=subject__customer_number",
        "candidates__matched_name",
    )
    readonly_fields = (
        "subject",
        "status",
        "trigger",
        "opened_at",
        "best_score",
        "contact_due",
        "letter_sent_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "activity",
        "category",
        "collected_on",
        "subject_fingerprint",
    )
    fields = readonly_fields
    inlines = [CaseCandidateInline]
    date_hierarchy = "opened_at"
    change_form_template = "admin/screening/screeningcase/change_form.html"
    actions = ["export_csv"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(candidate_total=Count("candidates"))

    @admin.display(description=_("candidates"), ordering="candidate_total")
    def candidate_count(self, obj):
        return obj.candidate_total

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/letter/<str:language>/", view(self.letter_view), name="screening_case_letter"),
            path("<int:pk>/contacted/", view(self.contacted_view), name="screening_case_contacted"),
            path("<int:pk>/decide/<str:decision>/", view(self.decide_view), name="screening_case_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_decide": request.user.has_perm("screening.decide_screeningcase"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _log_change(self, request, case: ScreeningCase, fields) -> None:
        # The case's history page shows workflow steps taken here, as it shows a change made in a form.
        log_by_id(request.user.pk, [case], CHANGE, [{"changed": {"fields": field_labels(ScreeningCase, fields)}}])

    def _case(self, request, pk, perm: str) -> ScreeningCase:
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return get_object_or_404(ScreeningCase.objects.select_related("subject"), pk=pk)

    def letter_view(self, request, pk: int, language: str):
        case = self._case(request, pk, "screening.view_screeningcase")
        if language not in ("de", "en"):
            return HttpResponse(status=404)
        response = HttpResponse(case_letter(case=case, language=language), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="verification-{case.pk}-{language}.pdf"'
        return response

    def contacted_view(self, request, pk: int):
        case = self._case(request, pk, "screening.decide_screeningcase")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            case_mark_contacted(case=case, user=request.user)
        except InvalidTransition as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self._log_change(request, case, ["status", "letter_sent_at"])
            self.message_user(request, _("The case is marked as contacted."), messages.SUCCESS)
        return redirect("admin:screening_screeningcase_change", case.pk)

    def decide_view(self, request, pk: int, decision: str):
        case = self._case(request, pk, "screening.decide_screeningcase")
        services = {"clear": case_clear, "confirm": case_confirm}
        if decision not in services:
            return HttpResponse(status=404)
        if not case.is_open:
            # A decided case offers no second decision: back to the case, which shows the first one.
            self.message_user(request, _("This case has already been decided."), messages.ERROR)
            return redirect("admin:screening_screeningcase_change", case.pk)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services[decision](case=case, user=request.user, reason=form.cleaned_data["reason"])
            except InvalidTransition as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self._log_change(request, case, ["status", "decided_at", "decided_by", "decision_reason"])
                message = _("Cleared as a false positive.") if decision == "clear" else _("Match confirmed.")
                self.message_user(request, message, messages.SUCCESS)
            return redirect("admin:screening_screeningcase_change", case.pk)
        # The page names the person: an access to their data, like the case's own page.
        audit_record(case, AuditAction.VIEW, fields=["subject"], detail=f"decision page ({decision})")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "case": case,
            "form": form,
            "decision": decision,
            "title": _("Clear as false positive") if decision == "clear" else _("Confirm the match"),
        }
        return TemplateResponse(request, "admin/screening/screeningcase/decide.html", context)

    @admin.action(description=_("Export selected cases (CSV)"), permissions=["export"])
    def export_csv(self, request, queryset):
        response = HttpResponse(cases_csv(cases=queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="screening-cases.csv"'
        return response

    def has_export_permission(self, request):
        return request.user.has_perm("screening.export_screeningcase")


class ScreeningRunChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # The versions of the whole page in one query: a run stores their ids, which say nothing to a reader.
        self.result_list = list(self.result_list)
        names = version_names(pk for run in self.result_list for pk in run.version_ids)
        for run in self.result_list:
            run.version_names = [names.get(pk, f"#{pk}") for pk in run.version_ids]


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("started_at", "trigger", "subjects_screened", "cases_opened", "finished_at", "list_versions")
    list_filter = ("trigger",)
    list_select_related = ()
    readonly_fields = list_display
    date_hierarchy = "started_at"

    def get_changelist(self, request, **kwargs):
        return ScreeningRunChangeList

    @admin.display(description=_("list versions"))
    def list_versions(self, obj):
        found = getattr(obj, "version_names", None)
        if found is None:  # the run's own page: one run, one query
            names = version_names(obj.version_ids)
            found = [names.get(pk, f"#{pk}") for pk in obj.version_ids]
        return "; ".join(found) or "—"


@register_subject_inline
class ScreeningCaseInline(admin.TabularInline):
    """The person's screening cases on their page (read-only; decisions are taken on the case), under them when the
    person was last screened and on which legal basis: an empty table alone proves nothing."""

    model = ScreeningCase
    fk_name = "subject"
    template = "admin/screening/subject_cases_inline.html"
    screening = None
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ("status", "trigger", "opened_at", "best_score", "contact_due", "letter_sent_at", "decided_at")
    readonly_fields = fields

    def get_formset(self, request, obj=None, **kwargs):
        # The inline is made per request: what its template says under the table is the page's person's.
        self.screening = subject_screening(obj) if obj is not None else None
        return super().get_formset(request, obj, **kwargs)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The person's page names a block by screening in its own language (the stored reason is German).
register_block_reason(subject_block_reason)
