"""The default deletion rules, one per data category of the default register, each with its source.

Statutory duties (HGB § 257, AO § 147, UStG § 14b) as amended by the Bürokratieentlastungsgesetz IV:
booking vouchers and invoices 8 years since 1 January 2025, books and annual accounts 10 years,
business letters 6 years, each counted from the end of the calendar year. Purpose-based periods
follow the privacy policy (Google Ads conversion cookie: 30 days) or, where it names none, the
regular limitation period (§§ 195, 199 BGB: 3 years from the end of the year).
`load_register` calls `load_defaults`; loading again restores these fields by rule code.
"""

from collections.abc import Callable

from django.utils import timezone

from audit.context import SYSTEM
from dpo_portal.models import DataCategory

from .models import Action, DeletionRule, DeletionRuleVersion, StartEvent

C, E, L, P = StartEvent.COLLECTION, StartEvent.CONTRACT_END, StartEvent.LAST_CONTACT, StartEvent.END_OF_PURPOSE
DEL, ANON, RESTR = Action.DELETE, Action.ANONYMISE, Action.RESTRICT

# Legal references are citations, read in German and English reports alike; what they mean goes in the note.
LIMITATION = "§§ 195, 199 Abs. 1 BGB"
# References earlier defaults gave (with German words in them), and the citation that replaces each on a rule
# that still carries it verbatim: a reference the DPO wrote is left alone.
RETIRED_REFERENCES = {
    "§§ 195, 199 Abs. 1 BGB (regelmäßige Verjährung)": LIMITATION,
    "§ 675u, § 676b Abs. 2 BGB (Erstattungsfrist 13 Monate)": "§ 675u, § 676b Abs. 2 BGB",
}

# The legal references as an English text cites them (by rule code).
REFERENCES_EN = {
    "identity-limitation": "§§ 195, 199(1) BGB",
    "contact-limitation": "§§ 195, 199(1) BGB",
    "order-booking-voucher": "§ 257(1) no. 4, (4) HGB; § 147(1) no. 4, (3) AO; § 14b(1) UStG",
    "payment-chargeback": "§ 675u, § 676b(2) BGB",
    "accounting-books": "§ 257(1) no. 1, (4) HGB; § 147(1) no. 1, (3) AO",
    "business-letters": "§ 257(1) nos. 2, 3, (4) HGB; § 147(1) nos. 2, 3, 5, (3) AO",
    "support-communication": "Art. 6(1)(b), (f), Art. 5(1)(e) GDPR",
    "recordings-quality": "Art. 6(1)(f), Art. 5(1)(e) GDPR",
    "learning-progress": "§§ 195, 199(1) BGB",
    "event-registrations": "Art. 6(1)(b), Art. 5(1)(e) GDPR",
    "event-health-data": "Art. 9(2)(a), Art. 5(1)(c), (e) GDPR",
    "survey-answers": "Art. 6(1)(f), Art. 89(1) GDPR",
    "interaction-profile": "Art. 6(1)(a), Art. 7(3) GDPR",
    "ad-conversion-30-days": "§ 25(1) TDDDG, Art. 6(1)(a) GDPR; privacy policy: the cookie is valid for 30 days",
    "sanctions-screening": (
        "Art. 6(1)(c) GDPR with Regulations (EC) 2580/2001 and 881/2002; period following § 8(4) GwG"
    ),
    "consent-evidence": "Art. 7(1), Art. 17(3)(e) GDPR; §§ 195, 199 BGB",
    "request-files": "Art. 5(2), Art. 12, Art. 17(3)(e) GDPR; §§ 195, 199(1) BGB",
}

# The notes in English (by rule code).
NOTES_EN = {
    "identity-limitation": "Identity data of customers with booking vouchers is kept with these (order data).",
    "contact-limitation": (
        "Contact details are kept to defend against claims until the regular limitation period after the last "
        "contact has ended."
    ),
    "order-booking-voucher": (
        "8 years since 1 January 2025 (BEG IV); contracts and subscriptions from their end, never while they run; "
        "then anonymised: amount, currency and date remain for statistics."
    ),
    "payment-chargeback": (
        "Until the period for refund claims from direct debits and card payments has ended (13 months)."
    ),
    "business-letters": (
        "Only e-mails that serve as business letters; other support communication has a rule of its own."
    ),
    "support-communication": "Purpose: handling the enquiry and questions about it; two years after the last contact.",
    "recordings-quality": "No longer needed once evaluated for quality assurance.",
    "learning-progress": "Then anonymised: course and progress remain for statistics.",
    "event-registrations": (
        "The purpose ends with the event; one year for questions and certificates of attendance, then anonymised."
    ),
    "event-health-data": (
        "Needed for the event only: deleted 14 days after it, at once when the consent is withdrawn."
    ),
    "survey-answers": "Anonymised after the evaluation; only the number of answers and their date remain.",
    "interaction-profile": "Based on consent: deleted as soon as it is withdrawn.",
    "ad-conversion-30-days": "The conversion cookie expires after 30 days; so does the data about it.",
    "sanctions-screening": "Proof of the screening for the authorities (foreign trade audit).",
    "consent-evidence": "Proof of the consent until the limitation period after its end (withdrawal) has ended.",
    "request-files": (
        "Proof of how the request was handled until the regular limitation period after its closure has ended; "
        "an open request never becomes due."
    ),
}

# code, category, start, (years, months, days), from year end, action, retention duty, legal reference,
# description (de), description (en), note
RULES = [
    (
        "identity-limitation",
        "identity",
        L,
        (3, 0, 0),
        True,
        DEL,
        False,
        LIMITATION,
        "Identitätsdaten aus Anfragen und Kontakten ohne Vertrag",
        "identity data from enquiries and contacts without a contract",
        "Identitätsdaten von Kunden mit Buchungsbelegen bleiben mit diesen (Bestelldaten) erhalten.",
    ),
    (
        "contact-limitation",
        "contact",
        L,
        (3, 0, 0),
        True,
        DEL,
        False,
        LIMITATION,
        "E-Mail-Adressen, Telefonnummern, Postanschriften",
        "e-mail addresses, phone numbers, postal addresses",
        "Kontaktdaten werden zur Abwehr von Ansprüchen bis zum Ende der regelmäßigen Verjährung nach dem letzten "
        "Kontakt gehalten.",
    ),
    (
        "order-booking-voucher",
        "order",
        C,
        (8, 0, 0),
        True,
        ANON,
        True,
        "§ 257 Abs. 1 Nr. 4, Abs. 4 HGB; § 147 Abs. 1 Nr. 4, Abs. 3 AO; § 14b Abs. 1 UStG",
        "Buchungsbelege und Rechnungen (Bestellungen, Verträge)",
        "booking vouchers and invoices (orders, contracts)",
        "8 Jahre seit 1. 1. 2025 (BEG IV); Verträge und Abonnements ab ihrem Ende, solange sie laufen nie; danach "
        "anonymisiert: Betrag, Währung und Datum bleiben für die Statistik.",
    ),
    (
        "payment-chargeback",
        "payment",
        E,
        (0, 13, 0),
        False,
        DEL,
        False,
        "§ 675u, § 676b Abs. 2 BGB",
        "Bankverbindungen und maskierte Kartennummern",
        "bank accounts and masked card numbers",
        "Bis zum Ablauf der Frist für Erstattungsansprüche aus Lastschriften und Kartenzahlungen (13 Monate).",
    ),
    (
        "accounting-books",
        "accounting",
        C,
        (10, 0, 0),
        True,
        DEL,
        True,
        "§ 257 Abs. 1 Nr. 1, Abs. 4 HGB; § 147 Abs. 1 Nr. 1, Abs. 3 AO",
        "Handelsbücher, Inventare, Eröffnungsbilanzen, Jahresabschlüsse, Lageberichte",
        "books of account, inventories, opening balance sheets, annual accounts, management reports",
        "",
    ),
    (
        "business-letters",
        "business-correspondence",
        C,
        (6, 0, 0),
        True,
        DEL,
        True,
        "§ 257 Abs. 1 Nr. 2, 3, Abs. 4 HGB; § 147 Abs. 1 Nr. 2, 3, 5, Abs. 3 AO",
        "empfangene und abgesandte Handels- und Geschäftsbriefe, auch E-Mails",
        "business letters received and sent, e-mails included",
        "Nur E-Mails mit der Funktion eines Geschäftsbriefs; sonstige Support-Kommunikation hat eine eigene Regel.",
    ),
    (
        "support-communication",
        "support-communication",
        L,
        (2, 0, 0),
        False,
        DEL,
        False,
        "Art. 6 Abs. 1 lit. b, f, Art. 5 Abs. 1 lit. e DSGVO",
        "Chats, Kontaktformulare und Gesprächsnotizen im Support",
        "chats, contact forms and call notes in support",
        "Zweck: Bearbeitung der Anfrage und Rückfragen dazu; zwei Jahre nach dem letzten Kontakt.",
    ),
    (
        "recordings-quality",
        "recording",
        C,
        (0, 0, 90),
        False,
        DEL,
        False,
        "Art. 6 Abs. 1 lit. f, Art. 5 Abs. 1 lit. e DSGVO",
        "Gesprächs- und Chataufzeichnungen zur Qualitätsverbesserung",
        "call and chat recordings for quality improvement",
        "Nach der Auswertung zur Qualitätssicherung nicht mehr erforderlich.",
    ),
    (
        "learning-progress",
        "learning",
        L,
        (3, 0, 0),
        True,
        ANON,
        False,
        LIMITATION,
        "Kurse, Fortschritt, Abschlüsse und Ergebnisse",
        "courses, progress, completion and results",
        "Danach anonymisiert: Kurs und Fortschritt bleiben für die Statistik.",
    ),
    (
        "event-registrations",
        "event",
        P,
        (1, 0, 0),
        False,
        ANON,
        False,
        "Art. 6 Abs. 1 lit. b, Art. 5 Abs. 1 lit. e DSGVO",
        "Anmeldungen und Teilnahme an Veranstaltungen",
        "event registrations and attendance",
        "Zweck endet mit der Veranstaltung; ein Jahr für Rückfragen und Teilnahmebestätigungen, dann anonymisiert.",
    ),
    (
        "event-health-data",
        "health",
        P,
        (0, 0, 14),
        False,
        DEL,
        False,
        "Art. 9 Abs. 2 lit. a, Art. 5 Abs. 1 lit. c, e DSGVO",
        "Angaben zu Barrierefreiheit und Ernährung für eine Veranstaltung",
        "accessibility and dietary needs for an event",
        "Nur für die Veranstaltung erforderlich: 14 Tage danach gelöscht, sofort bei Widerruf der Einwilligung.",
    ),
    (
        "survey-answers",
        "survey",
        C,
        (0, 6, 0),
        False,
        ANON,
        False,
        "Art. 6 Abs. 1 lit. f, Art. 89 Abs. 1 DSGVO",
        "Antworten in Kundenbefragungen",
        "answers in customer surveys",
        "Nach der Auswertung anonymisiert; nur die Zahl der Antworten und ihr Datum bleiben.",
    ),
    (
        "interaction-profile",
        "interaction-profile",
        P,
        (0, 0, 0),
        False,
        DEL,
        False,
        "Art. 6 Abs. 1 lit. a, Art. 7 Abs. 3 DSGVO",
        "Interaktionsprofil für Produktneuigkeiten",
        "interaction profile for product news",
        "Beruht auf Einwilligung: gelöscht, sobald sie widerrufen ist.",
    ),
    (
        "ad-conversion-30-days",
        "ad-conversion",
        C,
        (0, 0, 30),
        False,
        DEL,
        False,
        "§ 25 Abs. 1 TDDDG, Art. 6 Abs. 1 lit. a DSGVO; Datenschutzerklärung: Cookie 30 Tage gültig",
        "Google-Ads-Conversion-Daten",
        "Google Ads conversion data",
        "Das Conversion-Cookie verliert nach 30 Tagen seine Gültigkeit; die Daten dazu ebenso.",
    ),
    (
        "sanctions-screening",
        "screening",
        E,
        (5, 0, 0),
        True,
        DEL,
        True,
        "Art. 6 Abs. 1 lit. c DSGVO i. V. m. VO (EG) 2580/2001, VO (EU) 881/2002; Frist angelehnt an § 8 Abs. 4 GwG",
        "Ergebnisse der Sanktionslistenprüfung und Prüffälle",
        "results of sanctions list screening and screening cases",
        "Nachweis der Prüfung gegenüber Behörden (Außenwirtschaftsprüfung).",
    ),
    (
        "consent-evidence",
        "consent-records",
        P,
        (3, 0, 0),
        True,
        DEL,
        True,
        "Art. 7 Abs. 1, Art. 17 Abs. 3 lit. e DSGVO; §§ 195, 199 BGB",
        "Einwilligungen, Widerrufe und Widersprüche als Nachweis",
        "consents, withdrawals and objections as evidence",
        "Nachweis der Einwilligung bis zum Ende der Verjährung nach ihrem Ende (Widerruf).",
    ),
    (
        "request-files",
        "data-subject-requests",
        P,  # the request's purpose (handling it) ends the day it is closed
        (3, 0, 0),
        True,
        DEL,
        False,
        "Art. 5 Abs. 2, Art. 12, Art. 17 Abs. 3 lit. e DSGVO; §§ 195, 199 Abs. 1 BGB",
        "Vorgänge zu Anträgen betroffener Personen mit Verlauf und Nachweisen",
        "data-subject request files with timeline and evidence",
        "Nachweis der Bearbeitung bis zum Ende der regelmäßigen Verjährung nach dem Abschluss des Antrags; "
        "ein offener Antrag wird nie fällig.",
    ),
]


def _references_set(rule: DeletionRule, **references: str) -> None:
    """Brings a rule's citation up to date without validating the rest (a DPO's rule may predate a check) and
    records it as a new version, as rule_save would: the certificate cites per version."""
    if all(getattr(rule, name) == value for name, value in references.items()):
        return
    DeletionRule.objects.filter(pk=rule.pk).update(**references)
    for name, value in references.items():
        setattr(rule, name, value)
    DeletionRuleVersion.of(rule, valid_from=timezone.now(), changed_by=SYSTEM.name).save()


def load_defaults(*, reset: bool = False, log: Callable[[str], None] = lambda msg: None) -> dict[str, int]:
    """Creates the default rule of every category of the default register that lacks it (by rule code).

    A default rule that exists stays as the DPO left it (`load_register` runs on every deploy: restoring
    a shortened or lengthened period would move records' deletion days behind the DPO's back); `reset`
    restores the defaults' values. A category that already has another active rule (the DPO's own)
    keeps it: the default is then stored inactive. Fills the register's Art. 30(1)(f) texts.
    """
    from .services import register_retention_texts_refresh, rule_save

    categories = {c.code: c for c in DataCategory.objects.all()}
    loaded = 0
    for code, category_code, start, (years, months, days), year_end, action, duty, ref, de, en, note in RULES:
        category = categories.get(category_code)
        if category is None:
            log(f"retention: no data category {category_code!r}, rule {code} skipped")
            continue
        rule = DeletionRule.objects.filter(code=code).first() or DeletionRule(code=code)
        if rule.pk and not reset:
            if not rule.legal_reference_en and rule.legal_reference in (ref, *RETIRED_REFERENCES):
                # Loaded before rules had English references, and the reference is still the default's.
                _references_set(rule, legal_reference_en=REFERENCES_EN.get(code, ""))
            if not rule.note_en and rule.note == note and NOTES_EN.get(code):
                # Loaded before rules had English notes, and the note is still the default's (a note says nothing
                # about the data's timing: no new version of the rule).
                DeletionRule.objects.filter(pk=rule.pk).update(note_en=NOTES_EN[code])
            loaded += 1
            continue
        own_active = DeletionRule.objects.active().filter(category=category).exclude(code=code).exists()
        values = {
            "category": category,
            "start_event": start,
            "years": years,
            "months": months,
            "days": days,
            "from_year_end": year_end,
            "action": action,
            "retention_duty": duty,
            "legal_reference": ref,
            "legal_reference_en": REFERENCES_EN.get(code, ""),
            "description_de": de,
            "description_en": en,
            "note": note,
            "note_en": NOTES_EN.get(code, ""),
            "is_active": rule.is_active if rule.pk else not own_active,
        }
        if rule.pk and all(getattr(rule, k) == v for k, v in values.items()):
            loaded += 1
            continue
        for key, value in values.items():
            setattr(rule, key, value)
        if own_active:
            rule.is_active = False
        rule_save(rule=rule, refresh_register=False)
        loaded += 1
    for old, new in RETIRED_REFERENCES.items():
        for rule in DeletionRule.objects.filter(legal_reference=old):
            _references_set(rule, legal_reference=new)
    register_retention_texts_refresh()
    log(f"retention: {loaded} deletion rules")
    return {"deletion rules": loaded}
