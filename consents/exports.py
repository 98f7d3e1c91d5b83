"""CSV exports: the newsletter audience, consent history for auditors, the re-consent list.

Every cell goes through dpo_portal.csv_export (formula injection neutralised); callers audit
the export with audit.admin_mixins.audit_export.
"""

from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dpo_portal.csv_export import csv_bytes

from .models import ConsentPurpose
from .selectors import consent_history, eligible_audience, reconsent_audience


def local_time(moment) -> str:
    """A time in a CSV: ISO 8601 in local time with its offset, to the second (what people compare with)."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def audience_csv(*, purpose: ConsentPurpose) -> tuple[bytes, int]:
    """Everyone who may be written to by e-mail for `purpose` now; (CSV, number of rows)."""
    members = eligible_audience(purpose_code=purpose.code)
    header = [_("e-mail address"), _("first name"), _("last name"), _("language"), _("data subject id")]
    rows = [(m.email, m.first_name, m.last_name, m.language, m.subject_id) for m in members]
    return csv_bytes(header, rows), len(rows)


def history_csv(*, subject=None, purpose=None) -> tuple[bytes, int]:
    """Every consent event of one person or one purpose: what was agreed to, when, how, with what proof."""
    header = [
        _("time"),
        pgettext("consent history", "event"),
        _("data subject id"),
        _("customer number"),
        _("consent purpose"),
        _("text version"),
        _("language of the text shown"),
        _("channel"),
        _("source"),
        _("evidence"),
        _("e-mail address consented with"),
        _("network of the IP address"),
        _("double opt-in required"),
        _("recorded by"),
        _("consent id"),
    ]
    # Values in the document's language, as its header: a German history read "given", "web_form", "False".
    rows = [
        (
            local_time(e.at),
            e.get_kind_display(),
            e.consent.subject_id,
            e.consent.subject.customer_number or "",
            e.purpose.code,
            e.consent.text.version,
            e.consent.get_language_display(),
            e.get_channel_display(),
            e.origin,
            e.consent.evidence if e.kind == e.Kind.GIVEN else "",
            e.consent.email,
            e.consent.ip_network if e.kind == e.Kind.GIVEN else e.consent.confirmed_ip_network,
            yesno(e.consent.needs_confirmation),
            e.recorded_by,
            e.consent_id,
        )
        for e in consent_history(subject=subject, purpose=purpose)
    ]
    return csv_bytes(header, rows), len(rows)


def reconsent_csv(*, purpose: ConsentPurpose) -> tuple[bytes, int]:
    """Who must be asked again after the purpose's last material change, and may be."""
    header = [
        _("data subject id"),
        _("customer number"),
        _("first name"),
        _("last name"),
        _("e-mail address consented with"),
        _("text version"),
        _("given"),
    ]
    rows = [
        (
            c.subject_id,
            c.subject.customer_number or "",
            c.subject.first_name,
            c.subject.last_name,
            c.email,
            c.text.version,
            local_time(c.given_at),
        )
        for c in reconsent_audience(purpose=purpose)
    ]
    return csv_bytes(header, rows), len(rows)
