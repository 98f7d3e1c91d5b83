from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin_mixins import AuditedAdminMixin
from subjects.admin import record_list_filters, register_not_erased_autocomplete, register_subject_inline

from .. import services
from ..forms import DataSubjectRequestAdminForm
from ..models import DataSubjectRequest, RecipientNotification, RequestItem, TimelineEntry
from ..selectors import with_purpose_names
from . import workflow_views
from .filters import DeadlineFilter, TypeFilter


def user_display(model, field_name: str):
    """A read-only column naming the user in `field_name`, without the admin's link to the user: the DPO and
    the auditor may not open user accounts (the link led to a 403)."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name, ordering=field_name)
    def display(self, obj):
        user = getattr(obj, field_name)
        if user is None:
            return self.get_empty_value_display()
        return user.get_full_name() or user.get_username()

    return display


def request_types(obj: DataSubjectRequest) -> str:
    """The rights a request asks for (its items prefetched)."""
    return ", ".join(str(i.get_kind_display()) for i in obj.items.all())


def deadline_kept(obj: DataSubjectRequest) -> str:
    """Whether the request was answered within its deadline (Art. 12(3) GDPR), and by how many days."""
    days = obj.days_to_spare
    if days is None:
        return "—"
    if days == 0:
        return _("yes – answered on the last day of the deadline")
    if days > 0:
        return ngettext(
            "yes – answered %(days)s day before the deadline",
            "yes – answered %(days)s days before the deadline",
            days,
        ) % {"days": days}
    return format_html(
        '<span class="blocked">⚠ {}</span>',
        ngettext(
            "no – answered %(days)s day after the deadline",
            "no – answered %(days)s days after the deadline",
            -days,
        )
        % {"days": -days},
    )


def with_item_kinds(queryset):
    return queryset.prefetch_related(Prefetch("items", queryset=RequestItem.objects.only("pk", "request_id", "kind")))


class ReadOnlyInline(admin.TabularInline):
    """History: shown, never edited or deleted in the admin."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ItemInline(ReadOnlyInline):
    model = RequestItem
    fields = readonly_fields = (
        "kind",
        "export_format",
        "copy_recipient",
        "copy_recipient_name",
        "restriction_ground",
        "activity",
        "purpose",
        "details",
        "outcome",
        "outcome_note_shown",
        "done_at",
    )

    def get_queryset(self, request):
        return with_purpose_names(super().get_queryset(request).select_related("activity"))

    @admin.display(description=RequestItem._meta.get_field("outcome_note").verbose_name)
    def outcome_note_shown(self, obj):
        return obj.outcome_note_shown

    @admin.display(description=RequestItem._meta.get_field("purpose_code").verbose_name)
    def purpose(self, obj):
        return obj.purpose_name


def evidence_file_name(entry: TimelineEntry) -> str:
    """The name a downloaded evidence file gets: the entry's id only (the stored name may be the uploader's)."""
    return f"evidence-{entry.pk}.eml"


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fields = readonly_fields = ("at", "kind", "author_name", "channel", "title_shown", "text_shown", "evidence")
    author_name = user_display(TimelineEntry, "author")

    # What the portal wrote, in the page's language (people's notes and messages as written).
    @admin.display(description=TimelineEntry._meta.get_field("title").verbose_name)
    def title_shown(self, obj):
        return obj.title_shown or self.get_empty_value_display()

    @admin.display(description=TimelineEntry._meta.get_field("text").verbose_name)
    def text_shown(self, obj):
        return obj.text_shown or self.get_empty_value_display()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    # Through the request admin's download (audited, sent as an attachment), never a link into MEDIA_ROOT.
    @admin.display(description=TimelineEntry._meta.get_field("attachment").verbose_name)
    def evidence(self, obj):
        if not obj.attachment:
            return self.get_empty_value_display()
        url = reverse("admin:requests_app_request_evidence", args=[obj.request_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, evidence_file_name(obj))


class NotificationInline(ReadOnlyInline):
    model = RecipientNotification
    fields = readonly_fields = ("recipient_name", "kind", "notified_on", "notified_by_name", "note")
    notified_by_name = user_display(RecipientNotification, "notified_by")

    # The recipient's name in the page's language, as the letters and the workflow panel name it (its __str__ is
    # the register's German name).
    @admin.display(description=RecipientNotification._meta.get_field("recipient").verbose_name)
    def recipient_name(self, obj):
        return obj.recipient.display_name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient", "notified_by")


class RequestColumns:
    """What a request asked for and whether it was answered in time: columns of the request list and of the person's
    requests on their page."""

    @admin.display(description=_("type"))
    def types(self, obj):
        return request_types(obj)

    @admin.display(description=_("answered within the deadline"))
    def in_time(self, obj):
        return deadline_kept(obj)


# A request's person is chosen from the living: an erased person's request is already linked (and stays so).
register_not_erased_autocomplete("requests_app", "datasubjectrequest")


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(RequestColumns, AuditedAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/requests_app/datasubjectrequest/change_form.html"
    list_display = (
        "receipt_number",
        "requester_name",
        "subject",
        "types",
        "state",
        "received_at",
        "deadline",
        "logged_by",
    )
    list_display_links = ("receipt_number",)
    list_filter = (TypeFilter, "state", DeadlineFilter, "channel", "identity_result")
    list_select_related = ("subject", "logged_by")

    def get_list_filter(self, request):
        # A request file is a record the retention engine keeps too: the forecast's figures lead here.
        return (*super().get_list_filter(request), *record_list_filters(request))

    search_fields = (
        "=receipt_number",
        "requester_name",
        "requester_email",
        "subject__last_name",
        "=subject__customer_number",
    )
    form = DataSubjectRequestAdminForm
    autocomplete_fields = ("subject",)
    date_hierarchy = "received_at"
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("receipt_number", "state", "channel", "received_at", "logged_by_name")}),
        (
            _("Requester"),
            {
                "fields": (
                    "requester_name",
                    "requester_email",
                    "requester_phone",
                    "requester_address",
                    "language",
                    "subject",
                )
            },
        ),
        (_("Request"), {"fields": ("description",)}),
        (_("Identity check"), {"fields": ("identity_method", "identity_result", "identity_note")}),
        (
            _("Deadline"),
            {"fields": ("original_due_on", "due_on", "extended_at", "extension_reason", "extension_told_on")},
        ),
        (_("Closed"), {"fields": ("rejection_reason", "rejection_reference", "closed_at", "in_time")}),
        # The file itself is personal data under a deletion rule (request-files): why and how long it is kept.
        (_("Retention of this file"), {"fields": ("category", "deletable_from")}),
    )
    readonly_fields = (
        "receipt_number",
        "state",
        "channel",
        "received_at",
        "logged_by_name",
        "identity_method",
        "identity_result",
        "identity_note",
        "original_due_on",
        "due_on",
        "extended_at",
        "extension_reason",
        "extension_told_on",
        "rejection_reason",
        "rejection_reference",
        "closed_at",
        "in_time",
        "category",
        "deletable_from",
    )
    inlines = [ItemInline, NotificationInline, TimelineInline]

    def get_queryset(self, request):
        return with_item_kinds(super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # requests are logged at /support/, where the deadline and receipt number are set

    def add_view(self, request, form_url="", extra_context=None):
        # Whoever may log requests is sent to the support desk's form, not shown a 403 telling them to ask the DPO.
        if request.user.has_perm("requests_app.log_request"):
            return redirect("requests_app:intake")
        return super().add_view(request, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False  # proof of how a request was handled (Art. 5(2) GDPR)

    logged_by_name = user_display(DataSubjectRequest, "logged_by")

    @admin.display(description=_("deadline"), ordering="due_on")
    def deadline(self, obj):
        text = date_format(obj.due_on, "SHORT_DATE_FORMAT")
        if obj.is_overdue:
            return format_html('<span class="blocked">⚠ {}</span>', text)
        return format_html("{} {}", text, "⏱" if obj.is_extended else "")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/do/<str:step>/", view(workflow_views.step_view), name="requests_app_request_step"),
            path(
                "<int:pk>/item/<int:item_pk>/<str:step>/",
                view(workflow_views.item_view),
                name="requests_app_request_item",
            ),
            path("<int:pk>/letter/<str:kind>/", view(workflow_views.letter_view), name="requests_app_request_letter"),
            path("<int:pk>/evidence/<int:entry_pk>/", view(self.evidence_view), name="requests_app_request_evidence"),
            *super().get_urls(),
        ]

    def evidence_view(self, request, pk: int, entry_pk: int):
        """The e-mail kept as evidence on a timeline entry, as a download, for whoever sees the request's timeline.

        Sent as an attachment of a type no browser renders, so that a file crafted as HTML never runs on the
        portal's origin; each download is an audited export.
        """
        timeline = TimelineInline(self.model, self.admin_site)
        if not (self.has_view_or_change_permission(request) and timeline.has_view_permission(request)):
            raise PermissionDenied
        entry = get_object_or_404(TimelineEntry.objects.select_related("request"), pk=entry_pk, request_id=pk)
        try:
            content = services.evidence_export(entry=entry)
        except FileNotFoundError:
            raise Http404 from None
        response = HttpResponse(content, content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="{evidence_file_name(entry)}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **workflow_views.panel_context(request, object_id)}
        return super().change_view(request, object_id, form_url, extra_context)


@register_subject_inline
class SubjectRequestInline(RequestColumns, admin.TabularInline):
    """The person's data-subject requests on their page (read-only): what they asked, the deadline and whether it
    was kept; each request's own page shows how it was handled."""

    model = DataSubjectRequest
    fk_name = "subject"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("data-subject requests")
    fields = readonly_fields = ("receipt_number", "types", "received_at", "due_on", "state", "closed_at", "in_time")

    def get_queryset(self, request):
        return with_item_kinds(super().get_queryset(request)).order_by("-received_at", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
