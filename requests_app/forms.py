"""The support desk's intake form (django-crispy-forms, Bootstrap 5)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from consents.models import ContactChannel
from consents.selectors import Reason
from consents.selectors import purpose_choices as consent_purposes
from dpo_portal.models import ProcessingActivity
from subjects.models import DataSubject
from subjects.validators import validate_phone

from .eml import ParsedEmail, max_bytes, parse_eml
from .models import (
    ART18_GROUNDS,
    Channel,
    CopyRecipient,
    DataSubjectRequest,
    ExportFormat,
    IdentityMethod,
    IdentityResult,
    RequestType,
)
from .models.request import validate_received_not_future
from .selectors import contact_purpose_choices
from .services import ItemSpec


def purpose_choices() -> list[tuple[str, str]]:
    """The consent purposes one can withdraw from, with an empty choice first."""
    return [("", "—"), *consent_purposes()]


class SubjectChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("There is no data subject with this id. Search again and choose one from the list."),
    }


class DraftMixin:
    """A desk form shown again as typed, unchecked (no errors for what was not filled in yet), e.g. in another
    language."""

    @classmethod
    def draft(cls, data) -> dict:
        """What was typed into the form (a QueryDict), as initial values. An uploaded file cannot be shown again."""
        return {
            name: data.getlist(name) if isinstance(field, forms.MultipleChoiceField) else data.get(name)
            for name, field in cls.base_fields.items()
            if name in data and not isinstance(field, forms.FileField)
        }


def chosen_subject_field() -> SubjectChoiceField:
    """The person chosen from the desk's search (hidden): only people not erased; named in error summaries."""
    return SubjectChoiceField(
        label=_("Data subject"),
        queryset=DataSubject.objects.filter(erased_at__isnull=True),
        required=False,
        widget=forms.HiddenInput,
    )


class IntakeForm(DraftMixin, forms.Form):
    """One request with one or more rights; fields left empty are filled from an uploaded .eml."""

    subject = chosen_subject_field()
    create_subject = forms.BooleanField(
        label=_("Not found: create a new data subject from the requester's name"), required=False
    )
    eml = forms.FileField(
        label=_("E-mail as .eml file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,message/rfc822"}),
        help_text=_("Sender, date, subject and text are taken from the e-mail; it is kept as evidence."),
    )
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices, initial=Channel.PHONE)
    received_at = forms.DateTimeField(
        label=_("received"),
        required=False,
        validators=[validate_received_not_future],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now."),
    )
    requester_name = forms.CharField(label=_("requester's name"), max_length=200, required=False)
    requester_email = forms.EmailField(label=_("requester's e-mail"), required=False)
    requester_phone = forms.CharField(
        label=_("requester's phone"), max_length=40, required=False, validators=[validate_phone]
    )
    requester_address = forms.CharField(
        label=_("requester's postal address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    language = forms.ChoiceField(
        label=_("correspondence language"), choices=[("de", _("German")), ("en", _("English"))], initial="de"
    )
    kinds = forms.MultipleChoiceField(
        label=_("What does the person ask for?"),
        choices=RequestType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one thing the person asks for.")},
    )
    export_format = forms.ChoiceField(
        label=_("copy: format"), choices=[("", "—"), *ExportFormat.choices], required=False
    )
    copy_recipient = forms.ChoiceField(
        label=_("copy: send to"), choices=[("", "—"), *CopyRecipient.choices], required=False
    )
    copy_recipient_name = forms.CharField(label=_("copy: named controller"), max_length=200, required=False)
    restriction_ground = forms.ChoiceField(
        label=_("restriction: ground (Art. 18(1) GDPR)"),
        choices=[("", "—"), *[(g.value, g.label) for g in ART18_GROUNDS]],
        required=False,
    )
    objection_activity = forms.ModelChoiceField(
        label=_("objection: which processing"),
        queryset=ProcessingActivity.objects.filter(objection_possible=True).order_by("name_de"),
        required=False,
        empty_label="—",  # as the other choices of the form, not Django's "---------"
    )
    purpose_code = forms.ChoiceField(label=_("withdrawal: which consent"), choices=(), required=False)
    details = forms.CharField(
        label=_("rectification: what is wrong"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("the request in the requester's words"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    identity_method = forms.ChoiceField(
        label=_("identity check: method"), choices=IdentityMethod.choices, required=False
    )
    identity_result = forms.ChoiceField(
        label=_("identity check: result"), choices=IdentityResult.choices, initial=IdentityResult.PENDING
    )
    identity_note = forms.CharField(label=_("identity check: note"), max_length=300, required=False)
    confirm_duplicate = forms.BooleanField(label=_("Log it anyway: it is a new request, not a repeat"), required=False)

    # The service names its errors by the model's fields; where the form calls a field otherwise, this maps it.
    SERVICE_FIELDS = {"activity": "objection_activity"}

    def __init__(self, *args, subject: DataSubject | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The labels reuse the models' lower-case names; a form label starts with a capital (as in the admin).
            field.label = capfirst(field.label)
        self.fields["purpose_code"].choices = purpose_choices()
        self.parsed_email: ParsedEmail | None = None
        self.chosen_subject = subject
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Received"),
                Div(
                    Div("channel", css_class="col-md-4"),
                    Div("received_at", css_class="col-md-4"),
                    Div("language", css_class="col-md-4"),
                    css_class="row",
                ),
                "eml",
            ),
            Fieldset(
                _("Requester"),
                Div(
                    Div("requester_name", css_class="col-md-6"),
                    Div("requester_email", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("requester_phone", css_class="col-md-6"),
                    Div("requester_address", css_class="col-md-6"),
                    css_class="row",
                ),
                "subject",
                "create_subject",
            ),
            Fieldset(
                _("Request"),
                Field("kinds"),
                Div(
                    Div("export_format", css_class="col-md-4"),
                    Div("copy_recipient", css_class="col-md-4"),
                    Div("copy_recipient_name", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("restriction_ground", css_class="col-md-4"),
                    Div("objection_activity", css_class="col-md-4"),
                    Div("purpose_code", css_class="col-md-4"),
                    css_class="row",
                ),
                "details",
                "description",
            ),
            Fieldset(
                _("Identity check"),
                Div(
                    Div("identity_method", css_class="col-md-4"),
                    Div("identity_result", css_class="col-md-3"),
                    Div("identity_note", css_class="col-md-5"),
                    css_class="row",
                ),
            ),
            Submit("save", _("Log request"), css_class="btn btn-primary btn-lg"),
        )

    def clean_eml(self):
        upload = self.cleaned_data.get("eml")
        if not upload:
            return None
        # The name is checked, not only the content: a file with a From line may still be HTML (or anything a
        # browser would run), and the evidence must be what it says it is.
        if not upload.name.lower().endswith(".eml"):
            raise ValidationError(
                _("Only e-mails saved as .eml files can be uploaded. Save the e-mail from the mail program as .eml."),
                code="not_eml_file",
            )
        if upload.size > max_bytes():
            raise ValidationError(
                _("The e-mail file is too large (%(size)s MB; at most %(max)s MB)."),
                params={"size": round(upload.size / 1_048_576, 1), "max": round(max_bytes() / 1_048_576, 1)},
            )
        upload.seek(0)
        self.parsed_email = parse_eml(upload.read())
        upload.seek(0)
        return upload

    def clean(self):
        data = super().clean()
        mail = self.parsed_email
        if mail is not None:
            data["channel"] = Channel.EMAIL
            data["requester_name"] = data.get("requester_name") or mail.sender_name or mail.sender_email
            data["requester_email"] = data.get("requester_email") or mail.sender_email
            if not data.get("received_at") and mail.sent_at:
                data["received_at"] = mail.sent_at
                try:  # the field's validators don't see the e-mail's date: check it here
                    validate_received_not_future(mail.sent_at)
                except ValidationError as exc:
                    self.add_error("eml", exc)
            body = f"{mail.subject}\n\n{mail.body}".strip()
            data["description"] = data.get("description") or body
        if not data.get("received_at"):
            data["received_at"] = timezone.now()
        if not (data.get("requester_name") or "").strip():
            self.add_error("requester_name", _("Enter the requester's name."))
        if data.get("subject") and data.get("create_subject"):
            self.add_error("create_subject", _("A data subject is already chosen."))
        return data

    def add_service_error(self, exc: ValidationError) -> None:
        """Shows the service's errors at their fields (one that belongs to none above the form)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            name = self.SERVICE_FIELDS.get(name, name)
            self.add_error(name if name in self.fields else None, errors)

    def item_specs(self) -> list[ItemSpec]:
        data = self.cleaned_data
        return [
            ItemSpec(
                kind=kind,
                export_format=data.get("export_format") or "",
                copy_recipient=data.get("copy_recipient") or "",
                copy_recipient_name=data.get("copy_recipient_name") or "",
                restriction_ground=data.get("restriction_ground") or "",
                activity=data.get("objection_activity"),
                purpose_code=data.get("purpose_code") or "",
                details=(data.get("details") or "") if kind == RequestType.RECTIFICATION else "",
            )
            for kind in data.get("kinds", [])
        ]


class SubjectSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the data subject"),
        min_length=2,
        max_length=100,
        help_text=_("Name, e-mail address, phone number or customer number."),
    )


# Why `may_contact` says no, in words for support. A sanctions-screening block is named as a block only: whether a
# person is a possible match on a sanctions list is for the DPO to clarify, not for the desk to tell.
CONTACT_REASONS = {
    Reason.UNKNOWN_PURPOSE: _("The purpose is unknown."),
    Reason.CHANNEL_NOT_COVERED: _("The purpose does not cover this channel."),
    Reason.INVALID_EMAIL: _("The e-mail address is invalid."),
    Reason.UNKNOWN_PERSON: _("Nobody with this e-mail address is known."),
    Reason.NO_CONSENT: _("The person has not consented to this purpose."),
    Reason.CONSENT_NOT_CONFIRMED: _("The consent is not confirmed yet (double opt-in)."),
    Reason.CONSENT_WITHDRAWN: _("The person has withdrawn the consent."),
    Reason.NO_CUSTOMER_RELATIONSHIP: _("The person is no existing customer."),
    Reason.OBJECTION: _("The person has objected to this processing."),
    Reason.OBJECTION_PENDING: _("The person has objected; the DPO has not decided yet."),
    Reason.RESTRICTED: _("Processing of the person's data is restricted."),
    Reason.RECORD_RESTRICTED: _("The consent or the contact details are restricted."),
    Reason.NO_CONTACT_DATA: _("There are no contact details for this channel."),
    Reason.SUPPRESSED: _("The address is on the suppression list."),
    Reason.BLOCKED: _("The person is blocked; the DPO clarifies why."),
    Reason.ERASED: _("The person's data has been erased."),
}


class ContactCheckForm(DraftMixin, forms.Form):
    """May the company contact a person for a purpose on a channel (R22): a chosen person or an e-mail address."""

    subject = chosen_subject_field()
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Without a chosen person: also answers for people already erased (suppression list)."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=())
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices, initial=ContactChannel.EMAIL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [("", "—"), *contact_purpose_choices()]

    def clean(self):
        data = super().clean()
        if not data.get("subject") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Choose the person above or enter an e-mail address."))
        return data


class DataSubjectRequestAdminForm(forms.ModelForm):
    """The request's change page in the admin: the requester's phone checked as at intake (a form check: a model
    validator would need a migration), and only persons not erased to choose from."""

    class Meta:
        model = DataSubjectRequest
        fields = ()  # the admin passes the fields of its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "requester_phone" in self.fields:
            self.fields["requester_phone"].validators.append(validate_phone)  # as at intake
        if "subject" in self.fields:
            field = self.fields["subject"]
            # An erased person is no one to link a request to; the one already linked stays choosable, so that the
            # request of a person erased at their own request can still be edited.
            field.queryset = field.queryset.filter(Q(erased_at__isnull=True) | Q(pk=self.instance.subject_id))
            field.error_messages["invalid_choice"] = _("Choose a data subject who has not been erased.")
