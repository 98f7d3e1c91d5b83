"""When the controller was last in contact with a person: the start of the period of their contact details.

An e-mail address, phone number or postal address is kept for the limitation period after the last contact
with its person (rule `contact-limitation`), not after the last contact recorded on the address itself:
an order, a contract's end, a message from the person, an event the person registered for, a survey answered, a course taken,
a consent given or withdrawn and a request received are contact too. While a
relationship runs (a contract or subscription without an end, or a live consent from another app) the
last contact has not happened yet, so the details are never due.

One SQL expression, evaluated per row by the registration's UPDATE and by the check before a sweep acts
(retention.registration): correlated subqueries on indexed `subject_id`, never a query per record.
"""

from collections.abc import Callable

from django.db.models import Case, DateField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, Greatest, TruncDate

# Other apps name what keeps a relationship running: callables taking the OuterRef of the subject's id and
# returning an Exists (registered in their AppConfig.ready(); consents: a consent not withdrawn).
RUNNING_RELATIONSHIPS: list[Callable[[OuterRef], Exists]] = []
# ... and what else is contact: callables taking that OuterRef and returning a date subquery (consents: the last
# consent given or withdrawn; requests: the last request received).
CONTACT_DATES: list[Callable[[OuterRef], Subquery]] = []


def register_running_relationship(source: Callable[[OuterRef], Exists]) -> None:
    if source not in RUNNING_RELATIONSHIPS:
        RUNNING_RELATIONSHIPS.append(source)


def register_contact_date(source: Callable[[OuterRef], Subquery]) -> None:
    if source not in CONTACT_DATES:
        CONTACT_DATES.append(source)


def latest_contact(queryset, date: Expression | str, subject: OuterRef) -> Subquery:
    """The latest `date` of the subject's rows in `queryset`."""
    rows = queryset.filter(subject_id=subject).annotate(contact_on=date).order_by(F("contact_on").desc(nulls_last=True))
    return Subquery(rows.values("contact_on")[:1], output_field=DateField())


def person_last_contact() -> Case:
    """The date of the last contact with the record's person, or NULL while the relationship runs."""
    from .models import Communication, EventRegistration, Order, SurveyAnswer, TrainingProgress

    subject = OuterRef("subject_id")
    # A contact once known stays known: when the record that showed it (a chat) is deleted by its own rule, the
    # date registered before (`retention_start`) still counts, so the details do not fall due earlier.
    own = Greatest(
        Coalesce("last_contact", "collected_on"), Coalesce("retention_start", "collected_on"), output_field=DateField()
    )
    dates = [
        latest_contact(Order.objects.all(), Coalesce("contract_end", "ordered_on"), subject),
        # Only what came from the person: writing to someone does not make them a contact of ours.
        latest_contact(
            Communication.objects.filter(direction=Communication.Direction.INBOUND), TruncDate("occurred_at"), subject
        ),
        latest_contact(EventRegistration.objects.all(), F("event_date"), subject),  # a coming event counts from its day
        latest_contact(SurveyAnswer.objects.all(), F("submitted_on"), subject),
        latest_contact(TrainingProgress.objects.all(), Coalesce("completed_on", "started_on"), subject),
        *(source(subject) for source in CONTACT_DATES),
    ]
    # SQLite's MAX() of several values is NULL when one is: each stands in for a missing one with the own date.
    latest = Greatest(own, *(Coalesce(d, own) for d in dates), output_field=DateField())
    running = [
        Exists(Order.objects.filter(Order.RUNNING, subject_id=subject)),
        *(source(subject) for source in RUNNING_RELATIONSHIPS),
    ]
    return Case(*(When(r, then=Value(None)) for r in running), default=latest, output_field=DateField())
