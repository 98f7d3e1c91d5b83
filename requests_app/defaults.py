"""Request files in the register: their processing activity and data category (requests_app's part of
`load_register`)."""

from collections.abc import Callable

from django.db.models import Q

from dpo_portal.models import DataCategory, ProcessingActivity

from .models import DataSubjectRequest


def file_defaults() -> dict:
    """The processing activity and data category of a new request's file, from the register (None while the
    register lacks them: `load_register` fills them in later)."""
    return {
        "activity": ProcessingActivity.objects.filter(code=DataSubjectRequest.default_activity).first(),
        "category": DataCategory.objects.filter(code=DataSubjectRequest.default_category).first(),
    }


def load_defaults(*, reset: bool = False, log: Callable[[str], None] = lambda msg: None) -> dict[str, int]:
    """Gives the files of requests taken before the register had their entries (or before request files were
    registered with the retention engine) their activity and category; the next sweep registers them."""
    defaults = file_defaults()
    if None in defaults.values():
        return {}
    missing = DataSubjectRequest.objects.filter(Q(activity=None) | Q(category=None))
    if count := missing.update(**defaults, retention_computed_at=None):
        log(f"request files: {count} given their processing activity and data category")
    return {}
