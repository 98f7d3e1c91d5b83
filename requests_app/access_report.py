"""The access report (Art. 15 GDPR): the person's data and, per processing activity, everything
Art. 15(1)(a)–(h) asks for, in German or English, as HTML, PDF or JSON."""

import copy
import datetime
import decimal
import json

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from dpo_portal.models import Organisation, SupervisoryAuthority
from dpo_portal.pdf import render_pdf
from dpo_portal.selectors import register_activities
from retention.selectors import active_rules_by_category, rule_for_category
from subjects.models import DataSubject

from .records import identity_data, kinds_payload, record_models, records_of

TEMPLATE = "requests_app/access_report.html"


def retention_text(activity, categories, language: str, *, rules: dict | None = None) -> list[dict]:
    """How long each category is kept: from its deletion rule, else the register's own text.

    `rules` (category id -> rule, as `active_rules_by_category` returns them) saves a query per category.
    """
    rows = []
    for category in categories:
        rule = rules.get(category.pk) if rules is not None else rule_for_category(category)
        rows.append(
            {
                "category": category.name,
                "period": (rule.describe(language) if rule is not None else activity.retention)
                or _("not yet recorded in the register"),
            }
        )
    return rows


def access_report_data(subject: DataSubject, *, language: str) -> dict:
    """Everything the report shows, JSON-serialisable, in `language`."""
    with translation.override(language):
        kinds = records_of(subject)
        used_categories: dict[int, dict[int, object]] = {}
        for _model, rows in kinds:
            for record in rows:
                used_categories.setdefault(record.activity_id, {})[record.category_id] = record.category
        rules = active_rules_by_category()
        activities = []
        for activity in register_activities(include_inactive=True).filter(pk__in=list(used_categories)):
            categories = sorted(used_categories[activity.pk].values(), key=lambda c: c.name)
            basis = activity.get_legal_basis_display()
            if activity.special_category_basis:
                basis += "; " + activity.get_special_category_basis_display()
            activities.append(
                {
                    "code": activity.code,
                    "name": activity.name,
                    "purpose": activity.purpose,
                    "legal_basis": basis,
                    "legal_basis_note": activity.legal_basis_details,
                    "legitimate_interest": activity.legitimate_interest,
                    "categories": [c.name for c in categories],
                    "recipients": [
                        {
                            "name": r.display_name,
                            "kind": r.get_kind_display(),
                            "country": r.country.name,
                            "third_country": r.is_third_country,
                            "transfer_basis": r.get_transfer_basis_display() if r.is_third_country else "",
                        }
                        for r in activity.recipients.all()
                    ],
                    "third_country_systems": [
                        {
                            "name": s.display_name,
                            "country": s.country.name,
                            "transfer_basis": s.get_transfer_basis_display(),
                        }
                        for s in activity.systems.all()
                        if s.is_third_country
                    ],
                    "retention": retention_text(activity, categories, language, rules=rules),
                    "source": activity.source,
                    "objection_possible": activity.objection_possible,
                    "is_marketing": activity.is_marketing,
                }
            )
        controller = Organisation.controller()
        authority = SupervisoryAuthority.competent()
        return {
            "language": language,
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "subject": {
                "id": subject.pk,
                "name": subject.name_in(language),  # as the letters greet the person
                "restricted": subject.is_restricted,
                "restriction_ground": subject.get_restriction_ground_display() if subject.restriction_ground else "",
                "identity": identity_data(subject),
            },
            "records": kinds_payload(kinds),
            "activities": activities,
            "controller": _organisation(controller),
            "authority": _organisation(authority, address=authority.postal_address if authority else ""),
        }


def _organisation(org, *, address: str = "") -> dict | None:
    if org is None:
        return None
    return {
        "name": org.name,
        "address": address or ", ".join(p for p in (org.street, f"{org.postal_code} {org.city}".strip()) if p),
        "email": org.email,
        "phone": getattr(org, "phone", ""),
        "website": org.website,
        "dpo_contact": getattr(org, "dpo_contact", ""),
    }


def readable_value(field: models.Field, value):
    """A value of the report's data (ISO dates, plain numbers: machine-readable) as the person reads it in the
    active language: 09.12.2024 and 18.438,00 in German, 12/09/2024 and 18,438.00 in English."""
    if value is None or value == "" or isinstance(value, bool) or field.choices:
        return value
    if isinstance(field, models.DateTimeField):
        moment = datetime.datetime.fromisoformat(value)
        return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if isinstance(field, models.DecimalField):
        return number_format(decimal.Decimal(value), force_grouping=True)
    if isinstance(field, models.FloatField):
        return number_format(value, force_grouping=True)
    return value


def _after_preposition(name: str, language: str) -> str:
    """The name as the report's sentence needs it: German declines "Herr" after "über" ("über Herrn Max Muster");
    "Frau" and English stay as they are."""
    salutation, _sep, rest = name.partition(" ")
    if language == "de" and salutation == "Herr" and rest:
        return f"Herrn {rest}"
    return name


def readable(data: dict) -> dict:
    """A copy of the report's data for reading (HTML, PDF), dates and numbers in the active language; the JSON
    export keeps the data as it is."""
    data = copy.deepcopy(data)
    data["subject"]["name_after_preposition"] = _after_preposition(data["subject"]["name"], data["language"])
    data["generated_on"] = date_format(
        timezone.localtime(datetime.datetime.fromisoformat(data["generated_at"])), "SHORT_DATE_FORMAT"
    )
    for row in data["subject"]["identity"]:
        row["value"] = readable_value(DataSubject._meta.get_field(row["name"]), row["value"])
    kinds = {model._meta.model_name: model for model in record_models()}
    for kind in data["records"]:
        meta = kinds[kind["kind"]]._meta
        for record in kind["records"]:
            record["collected_on"] = readable_value(meta.get_field("collected_on"), record["collected_on"])
            for field in record["fields"]:
                field["value"] = readable_value(meta.get_field(field["name"]), field["value"])
    return data


def access_report_html(data: dict, *, request_number: str = "") -> str:
    with translation.override(data["language"]):
        return render_to_string(TEMPLATE, {"report": readable(data), "request_number": request_number})


def access_report_pdf(data: dict, *, request_number: str = "") -> bytes:
    with translation.override(data["language"]):
        return render_pdf(TEMPLATE, {"report": readable(data), "request_number": request_number})


def access_report_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
