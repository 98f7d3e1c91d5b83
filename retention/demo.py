"""Demo data for the retention engine: some records already due, some coming due, some held.

After `load_demo`, `retention_sweep --dry-run` and then `retention_sweep` report the same counts,
and the forecast (Retention > Deletion rules > Forecast) shows what comes next.
"""

import datetime
from collections.abc import Callable
from random import Random

from django.db import transaction
from django.utils import timezone

from dpo_portal.models import DataCategory
from subjects.models import AdConversion, Communication, DataSubject, EmailAddress, Order, TrainingProgress

from .models import HoldReason
from .registration import register_pending
from .selectors import forecast
from .services import hold_place


def _backdate(model, pks, **dates) -> int:
    return model.objects.filter(pk__in=pks).update(**dates) if pks else 0


@transaction.atomic
def load_demo(*, subjects: list[DataSubject], rng: Random, log: Callable[[str], None] = lambda msg: None) -> None:
    today = timezone.localdate()
    ids = [s.pk for s in subjects]
    if not ids:
        return
    pick = lambda model, share: [  # noqa: E731
        pk for pk in model.objects.filter(subject_id__in=ids).values_list("pk", flat=True) if rng.random() < share
    ]
    days = datetime.timedelta
    # Google Ads conversions: a third past their 30 days, a third ending within the month.
    ads = pick(AdConversion, 0.66)
    half = max(1, len(ads) // 2) if ads else 0
    _backdate(AdConversion, ads[:half], collected_on=today - days(rng.randint(35, 90)))
    _backdate(AdConversion, ads[half:], collected_on=today - days(rng.randint(5, 25)))
    # Orders: booking vouchers from nine years ago are due (anonymised), from eight years ago due on 1 January.
    orders = pick(Order, 0.3)
    third = max(1, len(orders) // 3) if orders else 0
    old, next_year = datetime.date(today.year - 9, 6, 15), datetime.date(today.year - 8, 3, 10)
    _backdate(Order, orders[:third], collected_on=old, ordered_on=old)
    _backdate(Order, orders[third : 2 * third], collected_on=next_year, ordered_on=next_year)
    # Support chats whose last contact is more than two years ago.
    chats = list(
        Communication.objects.filter(subject_id__in=ids, category__code="support-communication").values_list(
            "pk", flat=True
        )
    )
    stale = [pk for pk in chats if rng.random() < 0.3]
    _backdate(Communication, stale, collected_on=today - days(900), last_contact=today - days(800))
    # Contact data of people not heard from for four years; learning progress from long ago.
    _backdate(EmailAddress, pick(EmailAddress, 0.1), collected_on=datetime.date(today.year - 5, 2, 1))
    _backdate(TrainingProgress, pick(TrainingProgress, 0.2), collected_on=datetime.date(today.year - 5, 2, 1))
    # Legal holds: a litigation on one customer with due data, a tax audit on one old order.
    held_subject = AdConversion.objects.filter(pk__in=ads[:half]).values_list("subject_id", flat=True).first()
    holds = 0
    if held_subject:
        hold_place(
            reason=HoldReason.LITIGATION,
            subject=DataSubject.objects.get(pk=held_subject),
            reference="3 O 118/26 LG Kiel",
            note="Demo",
        )
        holds += 1
    if orders[:third]:
        hold_place(
            reason=HoldReason.TAX_AUDIT,
            record=Order.objects.get(pk=orders[0]),
            reference="Betriebsprüfung 2026",
            note="Ablaufhemmung § 171 Abs. 4 AO",
        )
        holds += 1
    registered = register_pending(batch_size=1000)
    # What the forecast counts (held data and running contracts left out), not how many rows were backdated.
    due = sum(row["due"] for row in forecast())
    log(
        f"retention: {registered} records registered, {due} due now, {holds} legal holds "
        f"({DataCategory.objects.count()} categories with rules)"
    )
