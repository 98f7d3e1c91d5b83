"""Consents (read-only proof), objections (recorded and decided through the services), the suppression list."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from audit.admin_mixins import AuditedAdminMixin, audit_export
from dpo_portal.admin_mixins import titled
from dpo_portal.models import ProcessingActivity
from requests_app.models import RequestItem
from requests_app.selectors import open_objection_items
from requests_app.services import objection_decide_with_request
from subjects.admin import (
    RecordPageFieldsMixin,
    record_list_filters,
    record_page_fields,
    register_not_erased_autocomplete,
)
from subjects.models import DataSubject

from .. import exports
from ..models import Consent, ConsentChannel, ConsentEvent, ConsentPurpose, Objection, SuppressionEntry
from ..services import consent_withdraw, objection_record
from .inlines import STATUS_LABELS


class ConsentEventInline(admin.TabularInline):
    model = ConsentEvent
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("kind", "at", "channel", "origin", "recorded_at", "recorded_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoEditMixin:
    """History: nobody changes or deletes it in the admin, not even the DPO."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _subject_in_query(request) -> DataSubject | None:
    """The data subject a link names by ?subject=<id>; None without one, 404 for an id that names nobody (a link
    edited by hand or gone stale)."""
    raw = request.GET.get("subject")
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit():
        raise Http404
    return get_object_or_404(DataSubject, pk=int(raw))


class WithdrawForm(forms.Form):
    # Labels start with a capital, as the admin's own forms (capfirst of the verbose name) do.
    subject = forms.ModelChoiceField(
        DataSubject.objects.filter(erased_at__isnull=True), label=capfirst(_("data subject"))
    )
    purpose = forms.ModelChoiceField(
        ConsentPurpose.objects.exclude(basis=ConsentPurpose.Basis.OPT_OUT), label=capfirst(_("consent purpose"))
    )
    channel = forms.ChoiceField(choices=ConsentChannel.choices, label=capfirst(_("channel")))
    source = forms.CharField(
        label=capfirst(_("source")), max_length=200, required=False, help_text=_("E.g. the request number.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Found by name or customer number, as on the consent list (its autocomplete), not by database id; made per
        # form, as the widget takes the language of the page it is made for.
        field = self.fields["subject"]
        field.widget = AutocompleteSelect(Consent._meta.get_field("subject"), admin.site)
        field.widget.choices = field.choices
        field.widget.is_required = field.required  # as the field's own widget would be: no "clear" cross


@admin.register(Consent)
class ConsentAdmin(RecordPageFieldsMixin, AuditedAdminMixin, NoEditMixin, admin.ModelAdmin):
    list_display = ("subject", "purpose", "text_version", "channel", "given_at", "status_display", "withdrawn_at")
    list_filter = (
        "purpose",
        "channel",
        ("withdrawn_at", titled(admin.EmptyFieldListFilter, _("withdrawal"))),
        "needs_confirmation",
        ("given_at", titled(admin.DateFieldListFilter, _("date given"))),
    )
    search_fields = ("subject__last_name", "subject__first_name", "=subject__customer_number", "=email")
    list_select_related = ("subject", "purpose", "text")
    autocomplete_fields = ("subject",)
    date_hierarchy = "given_at"
    show_full_result_count = False
    readonly_fields = (
        "subject",
        "purpose",
        "text",
        "language",
        "channel",
        "given_at",
        "origin",
        "evidence",
        "email",
        "ip_network",
        "needs_confirmation",
        "doi_expires_at",
        "confirmed_at",
        "confirmed_ip_network",
        "withdrawn_at",
        "withdrawal_channel",
        "withdrawal_origin",
        "activity",
        "category",
        "restricted_at",
        "restriction_ground",
        "anonymised_at",
        "text_shown",
    )
    exclude = ("doi_token_digest",)
    inlines = [ConsentEventInline]

    @admin.display(description=_("text version"), ordering="text__version")
    def text_version(self, obj):
        return obj.text.version

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return STATUS_LABELS.get(obj.status, obj.status)

    @admin.display(description=_("text shown"))
    def text_shown(self, obj):
        return obj.text.text_en if obj.language == "en" else obj.text.text_de

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("withdraw/", wrap(self.withdraw_view), name="consents_consent_withdraw"),
            path("history.csv", wrap(self.history_csv_view), name="consents_consent_history_csv"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "withdraw_url": reverse("admin:consents_consent_withdraw")}
        return super().changelist_view(request, extra_context)

    def withdraw_view(self, request):
        """Support or the DPO records a withdrawal on a caller's behalf."""
        if not request.user.has_perm("consents.record_withdrawal"):
            raise PermissionDenied
        subject = _subject_in_query(request)
        form = WithdrawForm(request.POST or None, initial={"subject": subject.pk if subject else None})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                withdrawn = consent_withdraw(
                    subject=data["subject"],
                    purpose_code=data["purpose"].code,
                    channel=data["channel"],
                    source=data["source"] or request.user.get_username(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if data["purpose"].basis == ConsentPurpose.Basis.EXPLICIT_CONSENT and not request.user.has_perm(
                    "subjects.view_special_category"
                ):
                    # Whether there was a consent to, say, health data for an event would tell support that such data
                    # exists: one answer either way (what was withdrawn is in the audit trail and the consent list).
                    messages.success(
                        request,
                        _(
                            "The withdrawal is recorded: a consent of this data subject to this purpose no longer applies."
                        ),
                    )
                elif withdrawn:
                    n = len(withdrawn)
                    messages.success(
                        request, ngettext("%(n)s consent withdrawn.", "%(n)s consents withdrawn.", n) % {"n": n}
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "Nothing was withdrawn: this data subject has no consent to this purpose that is not already withdrawn."
                        ),
                    )
                # Support records withdrawals without reading consents: the consent list would refuse it,
                # so it goes back to its start page (the desk), where the message above is shown.
                if self.has_view_permission(request):
                    return redirect("admin:consents_consent_changelist")
                return redirect("admin:index")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a withdrawal of consent"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/consents/withdraw.html", context)

    def history_csv_view(self, request):
        """Consent history of one data subject (?subject=<id>), as CSV for an auditor."""
        if not request.user.has_perm("consents.export_consents"):
            raise PermissionDenied
        subject = _subject_in_query(request)
        if subject is None:
            raise Http404
        content, count = exports.history_csv(subject=subject)
        audit_export(subject, detail=f"consent history of data subject {subject.pk}: {count} rows")
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="consent-history-{subject.pk}.csv"'
        return response


class ObjectionForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ("subject", "objected_activity", "channel", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "objected_activity" in self.fields:  # absent on the read-only page of an existing objection
            self.fields["objected_activity"].queryset = ProcessingActivity.objects.filter(objection_possible=True)
        if "subject" in self.fields:
            self.fields["subject"].queryset = DataSubject.objects.filter(erased_at__isnull=True)

    def clean(self):
        data = super().clean()
        # Checked again by the service; here so that the page shows it instead of failing on save.
        if data.get("subject") and data.get("objected_activity"):
            try:
                Objection.check_new(subject=data["subject"], objected_activity=data["objected_activity"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class DecideForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons for the decision"), widget=forms.Textarea(attrs={"rows": 5, "cols": 80}))


register_not_erased_autocomplete("consents", "objection")


@admin.register(Objection)
class ObjectionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "objected_activity", "is_marketing", "channel", "received_at", "status", "decided_at")
    list_filter = ("status", "is_marketing", "objected_activity", "channel")
    search_fields = ("subject__last_name", "subject__first_name", "=subject__customer_number")
    list_select_related = ("subject", "objected_activity")
    autocomplete_fields = ("subject",)
    show_full_result_count = False
    form = ObjectionForm
    readonly_fields = (
        "is_marketing",
        "received_at",
        "status",
        "decided_at",
        "decided_by",
        "reasons_shown",
        "came_with",
        "decide_buttons",
    )

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), *record_list_filters(request))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("subject", "objected_activity", "channel", "note")
        return (
            "subject",
            "objected_activity",
            "is_marketing",
            "channel",
            "received_at",
            "note",
            "came_with",
            "status",
            "decided_at",
            "decided_by",
            "reasons_shown",
            # Buttons only for whoever may decide: the auditor was offered two that led to "access denied".
            *(("decide_buttons",) if request.user.has_perm("consents.decide_objection") else ()),
            *record_page_fields(request),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("subject", "objected_activity", "channel", "note", *self.readonly_fields, *record_page_fields(request))

    @admin.display(description=Objection._meta.get_field("reasons").verbose_name)
    def reasons_shown(self, obj):
        return obj.reasons_shown

    @admin.display(description=_("came in with request"))
    def came_with(self, obj):
        item = RequestItem.for_objection(obj.pk) if obj is not None and obj.pk else None
        if item is None:
            return "—"
        url = reverse("admin:requests_app_datasubjectrequest_change", args=[item.request_id])
        return format_html('<a href="{}">{}</a>', url, item.request.receipt_number)

    def has_change_permission(self, request, obj=None):
        # The change page only shows the objection; decisions go through the decide buttons.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("decision"))
    def decide_buttons(self, obj):
        if obj is None or obj.status != Objection.Status.PENDING:
            return "—"
        buttons = format_html(
            '<a class="button" href="{}">{}</a> <a class="button" href="{}">{}</a>',
            reverse("admin:consents_objection_decide", args=[obj.pk, "uphold"]),
            _("Uphold"),
            reverse("admin:consents_objection_decide", args=[obj.pk, "reject"]),
            pgettext_lazy("objection", "Reject"),
        )
        item = next(iter(open_objection_items(obj.pk)), None)
        if item is None:
            return buttons
        # Came in with a request: decided through it, which must be in progress (its identity verified).
        request = item.request
        link = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:requests_app_datasubjectrequest_change", args=[request.pk]),
            request.receipt_number,
        )
        if request.state != request.State.IN_PROGRESS:
            return format_html("{} {}", _("Decided with the request it came in with, once that is in progress:"), link)
        return format_html("{} ({} {})", buttons, _("came in with request"), link)

    def save_model(self, request, obj, form, change):
        # Through the service: it upholds a marketing objection at once and suppresses the addresses.
        data = form.cleaned_data
        created = objection_record(
            subject=data["subject"],
            activity_code=data["objected_activity"].code,
            channel=data["channel"],
            note=data["note"],
        )
        obj.pk = created.pk
        obj.status = created.status

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/decide/<str:decision>/", wrap(self.decide_view), name="consents_objection_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk, decision):
        if not request.user.has_perm("consents.decide_objection") or decision not in ("uphold", "reject"):
            raise PermissionDenied
        objection = get_object_or_404(Objection.objects.select_related("objected_activity"), pk=pk)
        form = DecideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                objection_decide_with_request(
                    objection=objection,
                    upheld=decision == "uphold",
                    reasons=form.cleaned_data["reasons"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("admin:consents_objection_change", objection.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Uphold the objection") if decision == "uphold" else _("Reject the objection"),
            "opts": self.model._meta,
            "objection": objection,
            "form": form,
        }
        return TemplateResponse(request, "admin/consents/decide.html", context)


@admin.register(SuppressionEntry)
class SuppressionEntryAdmin(admin.ModelAdmin):
    """Hashes only: nobody can read an address back. The DPO may lift an entry (delete), audited."""

    list_display = ("value_hash", "kind", "reason", "activity", "subject_ref", "created_at")
    list_filter = ("kind", "reason")
    search_fields = ("=value_hash", "=subject_ref")
    list_select_related = ("activity",)
    readonly_fields = ("kind", "value_hash", "reason", "activity", "subject_ref", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        from audit.services import Action, audit_record

        audit_record(obj, Action.DELETE, fields=["value_hash"])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        from audit.services import Action, audit_record_many, event_for

        audit_record_many([event_for(o, Action.DELETE, fields=["value_hash"]) for o in queryset])
        super().delete_queryset(request, queryset)
