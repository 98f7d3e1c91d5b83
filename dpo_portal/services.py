"""Writes to the register: loading the default register derived from the privacy policy."""

import datetime
from collections.abc import Callable

from django.db import models, transaction
from django.utils import timezone

from . import register_data as data
from .apphooks import call_app_hooks
from .countries import is_eea
from .models import DataCategory, Organisation, ProcessingActivity, Recipient, SupervisoryAuthority, System

_OUTSIDE_EEA_RECIPIENTS = {name for name, _kind, country, *_ in data.RECIPIENTS if not is_eea(country)}
_OUTSIDE_EEA_SYSTEMS = {name for name, country, *_ in data.SYSTEMS if not is_eea(country)}


def _columns(model: type[models.Model], spec: dict) -> dict:
    """A spec by column: a related row by its id, so comparing it never loads the row."""
    columns = {}
    for name, value in spec.items():
        field = model._meta.get_field(name)
        columns[field.attname] = value.pk if field.is_relation and value is not None else value
    return columns


def _load(model: type[models.Model], key: str, specs: list[dict], *, reset: bool, keep: tuple = ()) -> dict:
    """Creates the defaults that are missing (matched by `key`); `reset` restores the policy's values of the
    others, except the fields in `keep`. Returns every default row by key; three queries whatever the count.
    """
    specs = [_columns(model, spec) for spec in specs]
    rows = model.objects.in_bulk([spec[key] for spec in specs], field_name=key)
    new = [model(**spec) for spec in specs if spec[key] not in rows]
    model.objects.bulk_create(new)
    if reset and specs:
        fields = [f for f in specs[0] if f != key and f not in keep]
        changed = []
        for spec in specs:
            row = rows.get(spec[key])
            if row is not None and any(getattr(row, f) != spec[f] for f in fields):
                for f in fields:
                    setattr(row, f, spec[f])
                changed.append(row)
        if changed:
            model.objects.bulk_update(changed, fields)
    return {**rows, **{getattr(row, key): row for row in new}}


def _activity_values(spec: dict, controller: Organisation) -> dict:
    """The fields of an activity that the privacy policy determines."""
    # The EEA sentence of the TOMs holds only where the activity names no recipient or system in a third country.
    third_country = any(r in _OUTSIDE_EEA_RECIPIENTS for r in spec["recipients"]) or any(
        s in _OUTSIDE_EEA_SYSTEMS for s in spec["systems"]
    )
    return {
        "name_de": spec["name_de"],
        "name_en": spec["name_en"],
        "controller_id": controller.pk,
        "purpose_de": spec["purpose_de"],
        "purpose_en": spec["purpose_en"],
        "legal_basis": spec["legal_basis"],
        "special_category_basis": spec.get("special_category_basis", ""),
        "legal_basis_note": spec["legal_basis_note"],
        "legal_basis_note_en": spec["legal_basis_note_en"],
        "legitimate_interest_de": spec.get("legitimate_interest_de", ""),
        "legitimate_interest_en": spec.get("legitimate_interest_en", ""),
        "objection_possible": spec.get("objection_possible", spec["legal_basis"] == "6_1_f"),
        "is_marketing": spec.get("is_marketing", False),
        "data_subject_categories_de": spec["subjects"][0],
        "data_subject_categories_en": spec["subjects"][1],
        "source_de": spec["source"][0],
        "source_en": spec["source"][1],
        "toms_de": data.TOMS_DE + (data.TOMS_TRANSFER_DE if third_country else data.TOMS_EEA_DE),
        "toms_en": data.TOMS_EN + (data.TOMS_TRANSFER_EN if third_country else data.TOMS_EEA_EN),
        "policy_section": spec["section"],
        "policy_excerpt": spec["excerpt"],
    }


def _load_activities(controller, orgs, categories, recipients, systems, *, reset: bool) -> None:
    activities = ProcessingActivity.objects.prefetch_related("data_categories") if reset else ProcessingActivity.objects
    existing = activities.in_bulk([spec["code"] for spec in data.ACTIVITIES], field_name="code")
    review = timezone.localdate() + datetime.timedelta(days=365)
    new, changed, fields = [], [], set()
    for spec in data.ACTIVITIES:
        values = _activity_values(spec, controller)
        activity = existing.get(spec["code"])
        if activity is None:
            activity = ProcessingActivity(
                code=spec["code"], status=ProcessingActivity.Status.ACTIVE, next_review=review, **values
            )
            activity.validate_special_categories([categories[c] for c in spec["categories"]])
            new.append(activity)
            continue
        if not reset:
            # A text the DPO never touched (still a retired default, verbatim) follows the policy's current one.
            values = {f: v for f, v in values.items() if getattr(activity, f) in data.RETIRED_TEXTS.get(f, ())}
        elif not values["special_category_basis"] and any(c.is_special for c in activity.data_categories.all()):
            # Keep the Art. 9 basis the DPO gave a special category they added: the reset keeps their relations.
            del values["special_category_basis"]
        values = {f: v for f, v in values.items() if getattr(activity, f) != v}
        if values:
            for f, v in values.items():
                setattr(activity, f, v)
            changed.append(activity)
            fields |= values.keys()
    for activity in new + changed:
        # Uniqueness and the controller are known here; full_clean would query for each.
        activity.full_clean(exclude=["controller"], validate_unique=False, validate_constraints=False)
    ProcessingActivity.objects.bulk_create(new)
    if changed:
        ProcessingActivity.objects.bulk_update(changed, sorted(fields))

    # Relations only for activities created now: on an existing one, a default that is missing is one the
    # DPO removed, and one that is there in addition is one the DPO added. `reset` leaves them alone too.
    specs = {spec["code"]: spec for spec in data.ACTIVITIES}
    links = {
        ProcessingActivity.data_categories: ("datacategory", lambda s: [categories[c] for c in s["categories"]]),
        ProcessingActivity.recipients: ("recipient", lambda s: [recipients[r] for r in s["recipients"]]),
        ProcessingActivity.systems: ("system", lambda s: [systems[n] for n in s["systems"]]),
        ProcessingActivity.joint_controllers: (
            "organisation",
            lambda s: [orgs[r] for r in s["recipients"] if r in orgs and orgs[r].role == Organisation.Role.AFFILIATE],
        ),
    }
    for descriptor, (target, related) in links.items():
        through = descriptor.through
        through.objects.bulk_create(
            [through(processingactivity=a, **{target: obj}) for a in new for obj in related(specs[a.code])]
        )


@transaction.atomic
def register_load(*, reset: bool = False, log: Callable[[str], None] = lambda msg: None) -> dict[str, int]:
    """Loads the default register: creates what is missing, matched by name or code; idempotent.

    Existing entries stay as the DPO left them: their texts, status, relations and the choice of the
    competent authority. `reset` restores the policy's texts and values of the default entries; it still
    keeps their status, next review and relations (the DPO's decisions, not the policy's) and the
    competent authority. Returns how many entries of each kind the default register has.
    """
    controller = Organisation.controller()
    if controller is None:
        controller = Organisation.objects.create(role=Organisation.Role.CONTROLLER, **data.CONTROLLER)
    elif reset:
        for field, value in data.CONTROLLER.items():
            setattr(controller, field, value)
        controller.save(update_fields=list(data.CONTROLLER))
    orgs = {controller.name: controller}
    affiliates = [{**aff, "role": Organisation.Role.AFFILIATE, "parent": controller} for aff in data.AFFILIATES]
    orgs.update(_load(Organisation, "name", affiliates, reset=reset))

    # A new default authority is the competent one only if the DPO has not chosen another; a reset keeps the choice.
    has_competent = SupervisoryAuthority.objects.filter(is_competent=True).exists()
    authorities = [{**a, "is_competent": a["is_competent"] and not has_competent} for a in data.AUTHORITIES]
    _load(SupervisoryAuthority, "name", authorities, reset=reset, keep=("is_competent",))

    categories = _load(
        DataCategory,
        "code",
        [
            {
                "code": code,
                "name_de": name_de,
                "name_en": name_en,
                "is_special": special,
                "is_payment": payment,
                "description_de": desc_de,
                "description_en": desc_en,
            }
            for code, name_de, name_en, special, payment, desc_de, desc_en in data.CATEGORIES
        ],
        reset=reset,
    )
    recipients = _load(
        Recipient,
        "name",
        [
            {
                "name": name,
                "name_en": data.RECIPIENT_NAMES_EN.get(name, ""),
                "kind": kind,
                "country": country,
                "transfer_basis": basis,
                "organisation": orgs.get(org),
                "has_processing_agreement": dpa,
                "description": desc,
            }
            for name, kind, country, basis, org, dpa, desc in data.RECIPIENTS
        ],
        reset=reset,
    )
    # Recipients loaded before they had English names get them (a name the DPO gave is kept).
    unnamed = [r for n, r in recipients.items() if not r.name_en and data.RECIPIENT_NAMES_EN.get(n)]
    for recipient in unnamed:
        recipient.name_en = data.RECIPIENT_NAMES_EN[recipient.name]
    Recipient.objects.bulk_update(unnamed, ["name_en"])
    systems = _load(
        System,
        "name",
        [
            {
                "name": name,
                "name_en": data.SYSTEM_NAMES_EN.get(name, ""),
                "country": country,
                "transfer_basis": basis,
                "operator": recipients.get(operator),
                "description": desc,
            }
            for name, country, basis, operator, desc in data.SYSTEMS
        ],
        reset=reset,
    )
    # Systems loaded before they had English names get them (a name the DPO gave is kept).
    unnamed_systems = [s for n, s in systems.items() if not s.name_en and data.SYSTEM_NAMES_EN.get(n)]
    for system in unnamed_systems:
        system.name_en = data.SYSTEM_NAMES_EN[system.name]
    System.objects.bulk_update(unnamed_systems, ["name_en"])
    _load_activities(controller, orgs, categories, recipients, systems, reset=reset)

    counts = {
        "organisations": len(orgs),
        "authorities": len(data.AUTHORITIES),
        "categories": len(categories),
        "recipients": len(recipients),
        "systems": len(systems),
        "activities": len(data.ACTIVITIES),
    }
    for app_counts in call_app_hooks("defaults", "load_defaults", reset=reset, log=log):
        counts.update(app_counts or {})
    return counts
