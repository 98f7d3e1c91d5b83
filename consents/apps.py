from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents")
    # Support takes withdrawals and objections from callers and sees which purposes exist;
    # it does not read consent records, decide objections or touch the suppression list.
    support_permissions = (
        "view_consentpurpose",
        "record_withdrawal",
        "add_objection",
    )

    def ready(self):
        from django.db.models import Exists, Q
        from django.db.models.functions import Coalesce, TruncDate

        from subjects.consent_gates import PARTICIPANT_SHARING_GATE, register_gate
        from subjects.last_contact import latest_contact, register_contact_date, register_running_relationship

        from .models import Consent

        # A consent in force (not withdrawn, confirmed where it must be) is a relationship that runs: the
        # person's contact details are not due while it lasts.
        register_running_relationship(
            lambda subject: Exists(
                Consent.objects.filter(subject_id=subject, withdrawn_at=None, anonymised_at=None).filter(
                    Q(needs_confirmation=False) | Q(confirmed_at__isnull=False)
                )
            )
        )
        # Giving or withdrawing a consent is contact with the person.
        register_contact_date(
            lambda subject: latest_contact(
                Consent.objects.all(), TruncDate(Coalesce("withdrawn_at", "given_at")), subject
            )
        )
        # A registration is shared with the other participants only while that consent is in force.
        register_gate(PARTICIPANT_SHARING_GATE, _participant_sharing_consented)


def _participant_sharing_consented(subject_id: int) -> bool:
    from .selectors import may_contact
    from .services import PARTICIPANT_SHARING

    return may_contact(purpose_code=PARTICIPANT_SHARING, channel="data", subject=subject_id).allowed
