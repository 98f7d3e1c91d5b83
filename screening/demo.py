"""Demo data: the sample lists, and demo people named like list entries so the DPO sees cases."""

import datetime
from pathlib import Path

from .models import ScreeningCase, Trigger
from .services import list_import, list_parse, subject_screen

SAMPLES = Path(__file__).resolve().parent / "sample_lists"

# (first name, last name, date of birth, country) of men: spelt as a customer would, not as the list does.
LOOKALIKES = [
    ("Dmitri", "Choroschew", datetime.date(1993, 4, 17), "RU"),
    ("Abid", "Hammadou", None, "DZ"),
]


def load_demo(*, subjects, rng, log) -> None:
    from subjects.services import subject_update

    for path, fmt in ((SAMPLES / "eu-fsf-sample.xml", "eu-xml"), (SAMPLES / "ofac", "ofac-csv")):
        version, created = list_import(parsed=list_parse(path=path, fmt=fmt))
        log(f"screening: {version.get_source_display()} {'imported' if created else 'already imported'}")
    candidates = [s for s in subjects if s.erased_at is None and not s.is_blocked]
    for (first, last, born, country), subject in zip(LOOKALIKES, rng.sample(candidates, len(LOOKALIKES)), strict=False):
        subject = subject_update(
            subject=subject, salutation="Herr", first_name=first, last_name=last, birth_date=born, country=country
        )
        # Screened here as well as on commit, so the case exists when load_demo returns.
        # None when the on-commit screening already opened it: then show that case.
        case = subject_screen(subject=subject, trigger=Trigger.IDENTITY_CHANGED) or (
            ScreeningCase.objects.filter(subject=subject, status__in=ScreeningCase.OPEN_STATES).first()
        )
        log(f"screening: demo subject {subject.pk} {'has case ' + str(case.pk) if case else 'has no case'}")
