"""Reads about a data subject across every kind of record."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q
from django.utils.translation import get_language

from dpo_portal.models.register import LegalBasis, SpecialCategoryBasis

from .models import DataSubject, PersonalRecord


def record_models(*, rights_only: bool = False) -> list[type[PersonalRecord]]:
    """Every concrete kind of personal record, including those other apps define; with `rights_only`, the
    kinds a data subject's request acts on (PersonalRecord.subject_rights)."""
    return [m for m in apps.get_models() if issubclass(m, PersonalRecord) and (m.subject_rights or not rights_only)]


@dataclass(frozen=True)
class HeldData:
    category: str
    activity: str
    kind: str
    count: int
    restricted: int
    legal_basis: str = ""


def legal_basis_label(basis: str, special_basis: str = "") -> str:
    """An activity's legal basis as the register names it, with its basis for special categories (Art. 9) if any."""
    labels = [str(LegalBasis(basis).label) if basis in LegalBasis.values else basis or ""]
    if special_basis and special_basis in SpecialCategoryBasis.values:
        labels.append(str(SpecialCategoryBasis(special_basis).label))
    return "; ".join(label for label in labels if label)


def subject_data_overview(subject: DataSubject, *, include_special: bool = True) -> list[HeldData]:
    """What is held about `subject`, per data category, kind of record and processing activity (with its legal basis).

    One aggregate query per kind of record, whatever the number of records.
    """
    lang = "en" if (get_language() or "de").startswith("en") else "de"
    result = []
    for model in record_models():
        qs = model.objects.filter(subject=subject)
        if not include_special:
            qs = qs.exclude(category__is_special=True)
        grouped = qs.values(
            f"category__name_{lang}",
            f"activity__name_{lang}",
            "activity__legal_basis",
            "activity__special_category_basis",
        ).annotate(n=Count("pk"), restricted=Count("pk", filter=Q(restricted_at__isnull=False)))
        result += [
            HeldData(
                # A request file taken before the register had its entries has neither yet (load_register fills them).
                category=g[f"category__name_{lang}"] or "—",
                activity=g[f"activity__name_{lang}"] or "—",
                kind=str(model._meta.verbose_name_plural),
                count=g["n"],
                restricted=g["restricted"],
                legal_basis=legal_basis_label(g["activity__legal_basis"], g["activity__special_category_basis"]),
            )
            for g in grouped
        ]
    return sorted(result, key=lambda h: (h.category, h.kind, h.activity))
