"""Demo data: consents given, confirmed and withdrawn, a few objections and suppressed addresses."""

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from dpo_portal.models import DataCategory, ProcessingActivity
from dpo_portal.models.bilingual import in_both_languages
from subjects.models import DataSubject, EmailAddress, EventRegistration

from .hashing import contact_hash, new_token
from .models import Consent, ConsentEvent, ConsentPurpose, Objection, SuppressionEntry
from .services import PARTICIPANT_SHARING, SOURCE_FOR_CHANNEL

CONSENT_PURPOSES = ("product-news", "marketing-communication", "event-participant-sharing", "affiliate-transfer")
CAMPAIGNS = ("Newsletter-Formular Website", "Messe Hannover", "Webinar-Anmeldung", "Kundenhotline")


@transaction.atomic
def load_demo(*, subjects: list[DataSubject], rng: random.Random, log: Callable[[str], None]) -> dict[str, int]:
    """About 60 % of the subjects get consents over the last 14 months; bulk-created, fast."""
    purposes = {p.code: p for p in ConsentPurpose.objects.filter(code__in=CONSENT_PURPOSES).prefetch_related("texts")}
    if not purposes:
        log("consents: no purposes (run load_register first)")
        return {}
    activity = ProcessingActivity.objects.get(code=Consent.default_activity)
    category = DataCategory.objects.get(code=Consent.default_category)
    emails = dict(EmailAddress.objects.filter(subject__in=subjects).order_by("-pk").values_list("subject_id", "email"))
    now = timezone.now()
    consents, plans = [], []
    for subject in subjects:
        if rng.random() > 0.6:
            continue
        for code in rng.sample(sorted(purposes), k=rng.randint(1, 2)):
            purpose = purposes[code]
            text = max(purpose.texts.all(), key=lambda t: t.version)
            channel = rng.choice(["web_form", "web_form", "email", "phone", "paper", "event"])
            given = now - datetime.timedelta(days=rng.randint(1, 420), minutes=rng.randint(0, 1440))
            email = emails.get(subject.pk, "")
            doi = purpose.double_opt_in and channel in ("web_form", "email") and bool(email)
            confirmed = given + datetime.timedelta(minutes=rng.randint(2, 600)) if doi and rng.random() < 0.85 else None
            withdrawn = None
            if rng.random() < 0.15:
                withdrawn = min(now, (confirmed or given) + datetime.timedelta(days=rng.randint(1, 200)))
            consent = Consent(
                subject=subject,
                activity=activity,
                category=category,
                purpose=purpose,
                text=text,
                language=subject.language,
                channel=channel,
                given_at=given,
                collected_on=timezone.localdate(given),
                source=SOURCE_FOR_CHANNEL[channel],
                origin=rng.choice(CAMPAIGNS),
                evidence="" if channel in ("web_form", "email") else f"Beleg {rng.randint(1000, 9999)}",
                email=email if channel in ("web_form", "email") else "",
                ip_network=f"198.51.{rng.randint(0, 255)}.0/24" if channel == "web_form" else "",
                needs_confirmation=doi,
                doi_token_digest=new_token()[1] if doi else "",
                doi_expires_at=given + datetime.timedelta(hours=72) if doi else None,
                confirmed_at=confirmed,
                withdrawn_at=withdrawn,
                withdrawal_channel=rng.choice(["email", "phone"]) if withdrawn else "",
                withdrawal_origin="Demo" if withdrawn else "",
                contract_end=timezone.localdate(withdrawn) if withdrawn else None,
            )
            consents.append(consent)
            plans.append((given, confirmed, withdrawn))
    Consent.objects.bulk_create(consents)
    events = []
    for consent, (given, confirmed, withdrawn) in zip(consents, plans, strict=True):
        events.append(
            ConsentEvent(
                consent=consent,
                purpose=consent.purpose,
                kind="given",
                at=given,
                channel=consent.channel,
                origin=consent.origin,
                recorded_by="demo",
            )
        )
        if confirmed:
            events.append(
                ConsentEvent(
                    consent=consent,
                    purpose=consent.purpose,
                    kind="confirmed",
                    at=confirmed,
                    channel="email",
                    origin="double opt-in",
                    recorded_by="demo",
                )
            )
        if withdrawn:
            events.append(
                ConsentEvent(
                    consent=consent,
                    purpose=consent.purpose,
                    kind="withdrawn",
                    at=withdrawn,
                    channel=consent.withdrawal_channel,
                    origin="Demo",
                    recorded_by="demo",
                )
            )
    ConsentEvent.objects.bulk_create(events)
    # Registrations are shared with the other participants only by those whose consent to it is in force.
    sharing = {
        c.subject_id
        for c in consents
        if c.purpose.code == PARTICIPANT_SHARING and not c.withdrawn_at and (c.confirmed_at or not c.needs_confirmation)
    }
    EventRegistration.objects.filter(subject__in=sharing).update(share_with_participants=True)

    objecting = rng.sample(subjects, k=min(len(subjects), max(1, len(subjects) // 25)))
    activities = {
        a.code: a
        for a in ProcessingActivity.objects.filter(
            code__in=["existing-customer-marketing", "surveys", "feedback-requests"]
        )
    }
    objections = []
    marketing_reasons, marketing_reasons_en = in_both_languages(Objection.marketing_reasons)
    for i, subject in enumerate(objecting):
        target = activities[("existing-customer-marketing", "surveys", "feedback-requests")[i % 3]]
        received = now - datetime.timedelta(days=rng.randint(1, 90))
        status = Objection.Status.UPHELD if target.is_marketing or i % 2 else Objection.Status.PENDING
        objections.append(
            Objection(
                subject=subject,
                activity=activity,
                category=category,
                objected_activity=target,
                is_marketing=target.is_marketing,
                channel=rng.choice(["email", "phone", "paper"]),
                received_at=received,
                collected_on=timezone.localdate(received),
                status=status,
                decided_at=received if status == Objection.Status.UPHELD else None,
                decided_by="demo" if status == Objection.Status.UPHELD else "",
                reasons=marketing_reasons if target.is_marketing else "",
                reasons_en=marketing_reasons_en if target.is_marketing else "",
            )
        )
    Objection.objects.bulk_create(objections)
    suppressed = [
        SuppressionEntry(kind="email", value_hash=contact_hash("email", f"geloescht{i}@example.org"), reason="erasure")
        for i in range(5)
    ]
    suppressed += [
        SuppressionEntry(
            kind="email",
            value_hash=contact_hash("email", emails[o.subject_id]),
            reason="marketing_objection",
            subject_ref=o.subject_id,
        )
        for o in objections
        if o.is_marketing and o.subject_id in emails
    ]
    SuppressionEntry.objects.bulk_create(suppressed, ignore_conflicts=True)
    log(f"consents: {len(consents)} consents, {len(objections)} objections, {len(suppressed)} suppressed addresses")
    return {"consents": len(consents), "objections": len(objections), "suppressed": len(suppressed)}
