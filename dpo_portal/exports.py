"""The record of processing activities as CSV and as a printable document, in German or English."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .csv_export import csv_bytes
from .models import Organisation, SupervisoryAuthority
from .pdf import render_pdf
from .selectors import register_activities

LANGUAGES = ("de", "en")


def _transfers(activity) -> str:
    parties = activity.third_country_parties()
    if not parties:
        return _("none (processing only within the EEA)")
    return "; ".join(_transfer(p) for p in parties)


def _transfer(party) -> str:
    text = f"{party.display_name} ({party.country.code}): {party.get_transfer_basis_display()}"
    if party.transfer_note:  # the Art. 46 safeguards, Art. 30(1)(e)
        text += f", {_('transfer safeguards')}: {party.transfer_note}"
    return text


def _contact_details(org) -> str:
    """Art. 30(1)(a): how to reach the controller or a joint controller."""
    return ", ".join(p for p in (org.postal_address, org.email, org.phone, org.website) if p)


def register_rows(language: str) -> tuple[list[str], list[list[str]]]:
    with translation.override(language):
        header = [
            _("code"),
            _("processing activity"),
            _("controller / joint controllers"),
            _("purpose"),
            _("legal basis"),
            _("legal basis, details"),
            _("categories of data subjects"),
            _("categories of personal data"),
            _("recipients"),
            _("third-country transfers"),
            _("time limits for erasure"),
            _("technical and organisational measures"),
            _("status"),
            _("next review"),
            _("section of the privacy policy"),
            # Appended, so the columns above keep their places for whoever reads the file by position.
            _("contact details (controller / joint controllers)"),
            _("data protection officer contact"),
        ]
        rows = []
        for a in register_activities():
            basis = a.get_legal_basis_display()
            if a.special_category_basis:
                basis += "; " + a.get_special_category_basis_display()
            rows.append(
                [
                    a.code,
                    a.name,
                    ", ".join([a.controller.name, *(o.name for o in a.joint_controllers.all())]),
                    a.purpose,
                    basis,
                    a.legal_basis_details,
                    a.data_subject_categories,
                    ", ".join(c.name for c in a.data_categories.all()),
                    ", ".join(f"{r.display_name} ({r.get_kind_display()})" for r in a.recipients.all()) or "—",
                    _transfers(a),
                    a.retention,
                    a.toms,
                    a.get_status_display(),
                    a.next_review.isoformat() if a.next_review else "",
                    a.policy_section,
                    "; ".join(f"{o.name}: {_contact_details(o)}" for o in [a.controller, *a.joint_controllers.all()]),
                    a.controller.dpo_contact,
                ]
            )
    return header, rows


def register_csv(language: str) -> bytes:
    header, rows = register_rows(language)
    return csv_bytes(header, rows)


def register_context(language: str) -> dict:
    with translation.override(language):
        activities = list(register_activities())
        for a in activities:
            a.transfers_text = _transfers(a)
            a.joint_controller_contacts = [(o, _contact_details(o)) for o in a.joint_controllers.all()]
        controller = Organisation.controller()
        return {
            "activities": activities,
            "controller": controller,
            "controller_contact": _contact_details(controller) if controller else "",
            "affiliates": Organisation.objects.filter(role=Organisation.Role.AFFILIATE),
            "authority": SupervisoryAuthority.competent(),
            "generated_at": timezone.now(),
            "language": language,
        }


def register_pdf(language: str) -> bytes:
    with translation.override(language):
        return render_pdf("dpo_portal/register_print.html", register_context(language))
