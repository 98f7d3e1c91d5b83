"""The enumerations of the request workflow, in the law's own words."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from subjects.models import RestrictionGround


class Channel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    CHAT = "chat", _("chat")
    IN_PERSON = "in_person", _("in person")
    WEB_FORM = "web_form", _("web form")


class RequestType(models.TextChoices):
    ACCESS = "access", _("access (Art. 15 GDPR)")
    COPY = "copy", _("copy / data portability (Art. 15(3), 20 GDPR)")
    RECTIFICATION = "rectification", _("rectification (Art. 16 GDPR)")
    ERASURE = "erasure", _("erasure (Art. 17 GDPR)")
    RESTRICTION = "restriction", _("restriction of processing (Art. 18 GDPR)")
    OBJECTION = "objection", _("objection (Art. 21 GDPR)")
    CONSENT_WITHDRAWAL = "consent_withdrawal", _("withdrawal of consent (Art. 7(3) GDPR)")
    COMPLAINT = "complaint", _("complaint or question")


# Types whose fulfilment changes data that recipients may hold (Art. 19 GDPR).
ART19_TYPES = (RequestType.RECTIFICATION, RequestType.ERASURE, RequestType.RESTRICTION)

# The four grounds of Art. 18(1) GDPR a person can invoke (a retention duty and a legal hold are the controller's).
ART18_GROUNDS = (
    RestrictionGround.ACCURACY_CONTESTED,
    RestrictionGround.UNLAWFUL,
    RestrictionGround.LEGAL_CLAIMS,
    RestrictionGround.OBJECTION_PENDING,
)
ART18_GROUND_CHOICES = [(g.value, g.label) for g in ART18_GROUNDS]


class ExportFormat(models.TextChoices):
    JSON = "json", _("JSON")
    CSV = "csv", _("CSV")
    BOTH = "both", _("JSON and CSV")


class CopyRecipient(models.TextChoices):
    PERSON = "person", _("the data subject")
    CONTROLLER = "controller", _("another controller named by the data subject (Art. 20(2) GDPR)")


class IdentityMethod(models.TextChoices):
    NONE = "", _("not yet checked")
    KNOWN_CHANNEL = "known_channel", _("contact from a stored e-mail address or phone number")
    CALLBACK = "callback", _("call back to a stored phone number")
    CUSTOMER_DATA = "customer_data", _("customer number and further customer data")
    ID_DOCUMENT = "id_document", _("identity document seen (copy not kept)")
    IN_PERSON = "in_person", _("known in person")
    OTHER = "other", _("other")


class IdentityResult(models.TextChoices):
    PENDING = "pending", _("pending")
    VERIFIED = "verified", _("verified")
    FAILED = "failed", _("not verifiable")


class RejectionReason(models.TextChoices):
    UNFOUNDED_OR_EXCESSIVE = "art12_5", _("manifestly unfounded or excessive (Art. 12(5) GDPR)")
    IDENTITY = "identity", _("identity not verifiable (Art. 11(2), 12(6) GDPR)")
    NO_DATA = "no_data", _("no data held about the person")
    LEGAL_EXCEPTION = "exception", _("legal exception (with its reference)")
