"""The data subject's page: everything held about a person, grouped by kind, with category and activity."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import AuditedAdminMixin

from .models import (
    AdConversion,
    Communication,
    DataSubject,
    EmailAddress,
    EventHealthData,
    EventRegistration,
    InteractionProfile,
    Order,
    PaymentMethod,
    PersonalRecord,
    PhoneNumber,
    PostalAddress,
    SurveyAnswer,
    TrainingProgress,
)
from .selectors import subject_data_overview
from .services import RecordDefaults, subject_saved_in_admin

# Inlines other apps add to the data subject's page (consent history, screening cases, …),
# registered from their own admin modules so that the core does not import them.
SUBJECT_PAGE_INLINES: list[type[admin.options.InlineModelAdmin]] = []


def register_subject_inline(inline: type[admin.options.InlineModelAdmin]) -> type[admin.options.InlineModelAdmin]:
    if inline not in SUBJECT_PAGE_INLINES:
        SUBJECT_PAGE_INLINES.append(inline)
    return inline


# Shown on every record row; foreign keys are read-only so that no row renders a select
# (a select per row would be a query per row).
RECORD_META = ("category", "activity", "collected_on", "restricted_marker")


# Links other apps put among the tools of the data subject's page (consents: the person's consent history as CSV), as
# link(request, subject) -> (url, label), or None for a user who may not follow it; registered from their own admin
# modules so that the core does not import them.
SUBJECT_PAGE_LINKS: list = []


def register_subject_link(link):
    if link not in SUBJECT_PAGE_LINKS:
        SUBJECT_PAGE_LINKS.append(link)
    return link


# Readers of why a person is blocked, as reader(subject) -> str ("" when the block is not theirs), registered by the
# apps that block (screening): the stored reason is written once, for the systems that read it, and a page names it in
# its own language.
BLOCK_REASON_READERS: list = []


def register_block_reason(reader):
    if reader not in BLOCK_REASON_READERS:
        BLOCK_REASON_READERS.append(reader)
    return reader


def block_reason(subject) -> str:
    """Why `subject` is blocked, in the active language where the app that blocked them can say it."""
    for reader in BLOCK_REASON_READERS:
        if text := reader(subject):
            return text
    return subject.blocked_reason


# Fields (app label, model name, field name) whose autocomplete offers only people not erased: they pick a person for
# something new (an objection), which an erased person cannot have; registered from the other apps' admin modules.
NOT_ERASED_AUTOCOMPLETES: set[tuple[str, str, str]] = set()


def register_not_erased_autocomplete(app_label: str, model_name: str, field_name: str = "subject") -> None:
    NOT_ERASED_AUTOCOMPLETES.add((app_label, model_name, field_name))


# Read-only fields and list filters other apps add to every kind of record's admin (retention: why the record is
# still kept, R1, and what comes due), each with the permission a user needs to see it (support sees neither):
# registered from their own admin modules so that the core does not import them.
RECORD_PAGE_FIELDS: dict = {}
RECORD_LIST_FILTERS: dict = {}


def _register_in(registry: dict, permission: str):
    def register(thing):
        registry[thing] = permission
        return thing

    return register


def _permitted(registry: dict, request) -> tuple:
    return tuple(thing for thing, permission in registry.items() if request.user.has_perm(permission))


def register_record_field(*, permission: str):
    """Decorator: `field` (an admin display function) on every record's page, for users with `permission`."""
    return _register_in(RECORD_PAGE_FIELDS, permission)


def register_record_list_filter(*, permission: str):
    """Decorator: a list filter on every kind of record's list, for users with `permission`."""
    return _register_in(RECORD_LIST_FILTERS, permission)


def record_page_fields(request) -> tuple:
    return _permitted(RECORD_PAGE_FIELDS, request)


def record_list_filters(request) -> tuple:
    return _permitted(RECORD_LIST_FILTERS, request)


# Services other apps run on records an admin page created or changed, called as hook(model=..., pks=[...])
# (retention: their first deletable day at once, so that the forecast counts an edited date the same minute).
RECORDS_SAVED: list = []


def register_records_saved(hook):
    """Registers `hook`, called as hook(model=..., pks=[...]) after an admin page saved records of `model`."""
    if hook not in RECORDS_SAVED:
        RECORDS_SAVED.append(hook)
    return hook


def records_saved(model, pks) -> None:
    """Tells the registered hooks that the admin saved these records."""
    if pks:
        for hook in RECORDS_SAVED:
            hook(model=model, pks=list(pks))


class RecordPageFieldsMixin:
    """For the admin pages of any kind of personal record (here and in other apps): adds RECORD_PAGE_FIELDS,
    read-only, after the fields the admin shows, and RECORD_LIST_FILTERS to its list; tells RECORDS_SAVED of a save."""

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), *record_list_filters(request))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        records_saved(type(obj), [obj.pk])

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *(record_page_fields(request) if obj is not None else ()))

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        extra = record_page_fields(request) if obj is not None else ()
        return fields + [f for f in extra if f not in fields]


class NoHardDelete:
    """Personal data leaves through the erasure workflow and the retention sweep only: they respect legal holds,
    retention duties and restrictions, and write the suppression list, the deletion protocol and the replay
    journal. An admin delete would do none of it, and cascade silently to the person's other records."""

    def has_delete_permission(self, request, obj=None):
        return False


class RecordInline(NoHardDelete, admin.TabularInline):
    extra = 0
    show_change_link = True
    fields: tuple = ()
    readonly_fields = ("category", "activity", "restricted_marker")
    # A row of a table, not a page: long texts and lines get small boxes that wrap (the full-size admin widgets
    # made the interaction profile row over 3,000 px wide).
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 20})},
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "activity")

    def get_fields(self, request, obj=None):
        return (*self.fields, *RECORD_META)

    @admin.display(description=_("restricted"))
    def restricted_marker(self, obj):
        if obj is None or not obj.restricted_at:
            return ""
        return format_html('<span class="restricted">⛔ {}</span>', obj.get_restriction_ground_display())


class EmailInline(RecordInline):
    model = EmailAddress
    fields = ("email", "is_primary")


class PhoneInline(RecordInline):
    model = PhoneNumber
    fields = ("number", "kind")


class AddressInline(RecordInline):
    model = PostalAddress
    fields = ("street", "postal_code", "city", "country")


class OrderInline(RecordInline):
    model = Order
    fields = ("number", "kind", "ordered_on", "description", "total", "currency", "contract_end")


class PaymentInline(RecordInline):
    """Masked numbers for whoever may see payment data at all; the encrypted values for the DPO only."""

    model = PaymentMethod
    fields = ("kind", "masked")

    def get_fields(self, request, obj=None):
        secret = ("account_holder", "iban") if request.user.has_perm("subjects.view_payment_data") else ()
        return (*self.fields, *secret, *RECORD_META)


class CommunicationInline(RecordInline):
    model = Communication
    fields = ("channel", "direction", "occurred_at", "subject_line", "is_recording", "recording_notice")


class EventInline(RecordInline):
    model = EventRegistration
    fields = ("event_name", "event_date", "attended", "share_with_participants")


class HealthInline(RecordInline):
    """Special categories (Art. 9): only with the explicit permission, which only the DPO role has."""

    model = EventHealthData
    fields = ("registration", "accessibility_needs", "dietary_needs")
    readonly_fields = ("registration", *RecordInline.readonly_fields)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("subjects.view_special_category") and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False  # added with its registration, through the consent it rests on


class TrainingInline(RecordInline):
    model = TrainingProgress
    fields = ("course", "started_on", "progress_percent", "completed_on", "score")


class SurveyInline(RecordInline):
    model = SurveyAnswer
    fields = ("survey", "submitted_on", "answers")


class ProfileInline(RecordInline):
    model = InteractionProfile
    fields = ("purchases", "events_attended", "web_usage", "interests", "industry")
    max_num = 1


class AdConversionInline(RecordInline):
    model = AdConversion
    fields = ("click_id", "campaign", "clicked_at", "converted_at")


@admin.register(DataSubject)
class DataSubjectAdmin(NoHardDelete, AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "last_name",
        "first_name",
        "customer_number",
        "company",
        "country",
        "is_blocked",
        "restricted",
        "created_at",
    )
    list_filter = ("is_blocked", ("restricted_at", admin.EmptyFieldListFilter), "country", "language", "source")
    search_fields = (
        "last_name",
        "first_name",
        "=customer_number",
        "company",
        "emailaddress__email",
        "phonenumber__number",
    )
    list_select_related = True
    show_full_result_count = False
    readonly_fields = (
        "status_banner",
        "is_blocked",
        "block_reason",
        "restricted_at",
        "restriction_ground",
        "erased_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("status_banner",)}),
        (
            _("Identity data"),
            {
                "fields": (
                    ("salutation", "title"),
                    ("first_name", "last_name"),
                    "birth_date",
                    "gender",
                    "country",
                    ("company", "job_title"),
                    "customer_number",
                    "language",
                    "source",
                )
            },
        ),
        (
            _("Status"),
            {
                "fields": (
                    "is_blocked",
                    "block_reason",
                    "restricted_at",
                    "restriction_ground",
                    "erased_at",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    inlines = [
        EmailInline,
        PhoneInline,
        AddressInline,
        OrderInline,
        PaymentInline,
        CommunicationInline,
        EventInline,
        HealthInline,
        TrainingInline,
        SurveyInline,
        ProfileInline,
        AdConversionInline,
    ]

    def get_inlines(self, request, obj):
        return [*self.inlines, *SUBJECT_PAGE_INLINES]

    def get_fieldsets(self, request, obj=None):
        # The banner only when there is something to say: a lone "Status: —" above the "Status" section read as a
        # status of its own.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.is_blocked or obj.restricted_at or obj.erased_at:
            return fieldsets
        return [fs for fs in fieldsets if "status_banner" not in fs[1]["fields"]]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = tuple(request.GET.get(key, "") for key in ("app_label", "model_name", "field_name"))
        if source in NOT_ERASED_AUTOCOMPLETES:
            queryset = queryset.filter(erased_at__isnull=True)
        return queryset, may_have_duplicates

    @admin.display(description=_("restricted"), boolean=True)
    def restricted(self, obj):
        return obj.restricted_at is not None

    @admin.display(description=DataSubject._meta.get_field("blocked_reason").verbose_name)
    def block_reason(self, obj):
        return block_reason(obj) or self.get_empty_value_display()

    @admin.display(description=_("status"))
    def status_banner(self, obj):
        notes = []
        if obj.is_blocked:
            notes.append(format_html('<strong class="blocked">⛔ {}</strong> {}', _("Blocked"), block_reason(obj)))
        if obj.restricted_at:
            notes.append(
                format_html(
                    '<strong class="restricted">⛔ {}</strong> {}',
                    _("Processing restricted"),
                    obj.get_restriction_ground_display(),
                )
            )
        if obj.erased_at:
            notes.append(format_html("<strong>{}</strong>", _("Erased")))
        return format_html("<br>".join(["{}"] * len(notes)), *notes) if notes else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        subject = self.get_object(request, object_id)
        if subject is not None:
            special = request.user.has_perm("subjects.view_special_category")
            extra_context = {
                **(extra_context or {}),
                "data_overview": subject_data_overview(subject, include_special=special),
                "subject_links": [found for link in SUBJECT_PAGE_LINKS if (found := link(request, subject))],
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        subject_saved_in_admin(subject=obj, created=not change, changed_fields=form.changed_data)

    def save_formset(self, request, form, formset, change):
        defaults = RecordDefaults()
        for inline_form in formset.forms:
            if inline_form.instance.pk is None and inline_form.has_changed():
                defaults.apply(inline_form.instance)
        super().save_formset(request, form, formset, change)
        if issubclass(formset.model, PersonalRecord):
            records_saved(
                formset.model, [o.pk for o in formset.new_objects + [o for o, _fields in formset.changed_objects]]
            )


class RecordAdmin(RecordPageFieldsMixin, NoHardDelete, AuditedAdminMixin, admin.ModelAdmin):
    """Every record of one kind across all data subjects (for the DPO and the auditor)."""

    list_filter = ("category", "activity", ("restricted_at", admin.EmptyFieldListFilter), "collected_on")
    list_select_related = ("subject", "category", "activity")
    search_fields = ("subject__last_name", "subject__first_name", "=subject__customer_number")
    autocomplete_fields = ("subject",)
    readonly_fields = ("restricted_at", "restriction_ground", "anonymised_at", "created_at", "updated_at")
    date_hierarchy = "collected_on"
    show_full_result_count = False

    def get_list_display(self, request):
        return ("__str__", "subject", "category", "activity", "collected_on", "restricted_at")


@admin.register(EmailAddress)
class EmailAddressAdmin(RecordAdmin):
    search_fields = (*RecordAdmin.search_fields, "email")


@admin.register(PhoneNumber)
class PhoneNumberAdmin(RecordAdmin):
    search_fields = (*RecordAdmin.search_fields, "number")


@admin.register(Order)
class OrderAdmin(RecordAdmin):
    search_fields = (*RecordAdmin.search_fields, "number")
    autocomplete_fields = ("subject", "supplier")


@admin.register(PaymentMethod)
class PaymentMethodAdmin(RecordAdmin):
    def get_exclude(self, request, obj=None):
        return () if request.user.has_perm("subjects.view_payment_data") else ("account_holder", "iban")


@admin.register(EventHealthData)
class EventHealthDataAdmin(RecordAdmin):
    autocomplete_fields = ("subject",)
    raw_id_fields = ("registration",)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("subjects.view_special_category") and super().has_view_permission(request, obj)


for _model in (
    PostalAddress,
    Communication,
    EventRegistration,
    TrainingProgress,
    SurveyAnswer,
    InteractionProfile,
    AdConversion,
):
    admin.site.register(_model, RecordAdmin)
