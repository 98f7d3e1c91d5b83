"""Writes to the register: loading the default register derived from the privacy policy."""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from . import register_data as data
from .apphooks import call_app_hooks
from .models import DataCategory, Organisation, ProcessingActivity, Recipient, SupervisoryAuthority, System


@transaction.atomic
def register_load(*, log: Callable[[str], None] = lambda msg: None) -> dict[str, int]:
    """Loads (again) the default register; idempotent: entries are matched by name or code.

    Returns how many entries of each kind the default register has.
    """
    controller, _ = Organisation.objects.update_or_create(
        role=Organisation.Role.CONTROLLER, defaults={**data.CONTROLLER}
    )
    orgs = {controller.name: controller}
    for aff in data.AFFILIATES:
        orgs[aff["name"]], _ = Organisation.objects.update_or_create(
            name=aff["name"], defaults={**aff, "role": Organisation.Role.AFFILIATE, "parent": controller}
        )
    # Only one authority may be the competent one: clear the flag before setting it.
    SupervisoryAuthority.objects.exclude(name__in=[a["name"] for a in data.AUTHORITIES if a["is_competent"]]).update(
        is_competent=False
    )
    for auth in data.AUTHORITIES:
        SupervisoryAuthority.objects.update_or_create(name=auth["name"], defaults=auth)

    categories = {}
    for code, name_de, name_en, special, payment, desc_de, desc_en in data.CATEGORIES:
        categories[code], _ = DataCategory.objects.update_or_create(
            code=code,
            defaults={
                "name_de": name_de,
                "name_en": name_en,
                "is_special": special,
                "is_payment": payment,
                "description_de": desc_de,
                "description_en": desc_en,
            },
        )
    recipients = {}
    for name, kind, country, basis, org, dpa, desc in data.RECIPIENTS:
        recipients[name], _ = Recipient.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "country": country,
                "transfer_basis": basis,
                "organisation": orgs.get(org),
                "has_processing_agreement": dpa,
                "description": desc,
            },
        )
    systems = {}
    for name, country, basis, operator, desc in data.SYSTEMS:
        systems[name], _ = System.objects.update_or_create(
            name=name,
            defaults={
                "country": country,
                "transfer_basis": basis,
                "operator": recipients.get(operator),
                "description": desc,
            },
        )

    review = timezone.localdate() + datetime.timedelta(days=365)
    for spec in data.ACTIVITIES:
        activity, created = ProcessingActivity.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name_de": spec["name_de"],
                "name_en": spec["name_en"],
                "controller": controller,
                "purpose_de": spec["purpose_de"],
                "purpose_en": spec["purpose_en"],
                "legal_basis": spec["legal_basis"],
                "special_category_basis": spec.get("special_category_basis", ""),
                "legal_basis_note": spec["legal_basis_note"],
                "legitimate_interest_de": spec.get("legitimate_interest_de", ""),
                "legitimate_interest_en": spec.get("legitimate_interest_en", ""),
                "objection_possible": spec.get("objection_possible", spec["legal_basis"] == "6_1_f"),
                "is_marketing": spec.get("is_marketing", False),
                "data_subject_categories_de": spec["subjects"][0],
                "data_subject_categories_en": spec["subjects"][1],
                "source_de": spec["source"][0],
                "source_en": spec["source"][1],
                "toms_de": data.TOMS_DE,
                "toms_en": data.TOMS_EN,
                "policy_section": spec["section"],
                "policy_excerpt": spec["excerpt"],
                "status": ProcessingActivity.Status.ACTIVE,
            },
        )
        if created:
            activity.next_review = review
            activity.save(update_fields=["next_review"])
        cats = [categories[c] for c in spec["categories"]]
        activity.validate_special_categories(cats)
        activity.full_clean()
        activity.data_categories.set(cats)
        activity.recipients.set([recipients[r] for r in spec["recipients"]])
        activity.systems.set([systems[s] for s in spec["systems"]])
        activity.joint_controllers.set(
            [orgs[r] for r in spec["recipients"] if r in orgs and orgs[r].role == Organisation.Role.AFFILIATE]
        )
    counts = {
        "organisations": len(orgs),
        "authorities": len(data.AUTHORITIES),
        "categories": len(categories),
        "recipients": len(recipients),
        "systems": len(systems),
        "activities": len(data.ACTIVITIES),
    }
    for app_counts in call_app_hooks("defaults", "load_defaults", log=log):
        counts.update(app_counts or {})
    return counts
