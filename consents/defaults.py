"""The default consent purposes and their first texts, derived from the privacy policy.

Called by `load_register` (idempotent: purposes are matched by code, a text by purpose and
version). Loading again never rewrites a published text: once a person has agreed to a
version, it is evidence. A changed wording belongs in a new version, made in the admin.
"""

from collections.abc import Callable

from django.db import transaction

from dpo_portal.models import ProcessingActivity

from .models import ConsentPurpose, ConsentText

CONSENT, EXPLICIT, OPT_OUT = (
    ConsentPurpose.Basis.CONSENT,
    ConsentPurpose.Basis.EXPLICIT_CONSENT,
    ConsentPurpose.Basis.OPT_OUT,
)

# code (= the register's activity code), basis, channels, double opt-in, text (German), text (English)
PURPOSES = [
    (
        "product-news",
        CONSENT,
        ["email", "post", "phone", "web"],
        True,
        "Ja, ich möchte über aktuelle Produktankündigungen, Software-Updates und -Upgrades, Sonderangebote und "
        "andere Informationen zu Software und Services von cplus (auch per Marketing-Newsletter) sowie über "
        "Veranstaltungen von cplus per E-Mail, Post und Telefon auf dem Laufenden gehalten werden. Dazu darf cplus "
        "meinen Namen, meine E-Mail- und Postadresse, meine Telefonnummer, meine Stellenbezeichnung und grundlegende "
        "Informationen über meinen Arbeitgeber (Name, Adresse und Branche) sowie ein auf meinen früheren "
        "Interaktionen mit cplus basierendes Interaktionsprofil (frühere Käufe, Teilnahme an Webinaren, Seminaren "
        "oder Events, Nutzung von (Web-)Services) nutzen und mir relevante Inhalte auf den Websites von cplus "
        "anzeigen. Ich kann diese Einwilligung jederzeit mit Wirkung für die Zukunft widerrufen, z. B. unter "
        "info@cplus-gmbh.de.",
        "Yes, I would like to be kept up to date by e-mail, post and phone about product announcements, software "
        "updates and upgrades, special offers and other information about cplus software and services (including "
        "by marketing newsletter) and about cplus events. For this, cplus may use my name, my e-mail and postal "
        "address, my phone number, my job title and basic information about my employer (name, address and "
        "industry), as well as an interaction profile based on my earlier interactions with cplus (earlier "
        "purchases, attendance of webinars, seminars or events, use of (web) services), and show me relevant "
        "content on the cplus websites. I can withdraw this consent at any time with effect for the future, "
        "e.g. at info@cplus-gmbh.de.",
    ),
    (
        "marketing-communication",
        CONSENT,
        ["email", "phone"],
        True,
        "Ja, cplus darf mir marketingbezogene Informationen per E-Mail senden und mich zu diesem Zweck telefonisch "
        "kontaktieren. Ich kann dieser Kommunikation jederzeit widersprechen und meine Einwilligung jederzeit mit "
        "Wirkung für die Zukunft widerrufen, z. B. unter info@cplus-gmbh.de.",
        "Yes, cplus may send me marketing information by e-mail and call me for this purpose. I can object to "
        "this communication and withdraw my consent at any time with effect for the future, e.g. at "
        "info@cplus-gmbh.de.",
    ),
    (
        "event-health-data",
        EXPLICIT,
        ["data"],
        False,
        "Ich willige ausdrücklich ein, dass cplus meine Angaben zu einer Behinderung oder zu besonderen "
        "Ernährungsbedürfnissen (Gesundheitsdaten, Art. 9 Abs. 2 lit. a DSGVO) verarbeitet, um diese Bedürfnisse "
        "während der Veranstaltung oder des Seminars berücksichtigen zu können. Mir ist bewusst, dass cplus "
        "entsprechende Vorkehrungen nur treffen kann, wenn ich diese Angaben mache. Ich kann diese Einwilligung "
        "jederzeit mit Wirkung für die Zukunft widerrufen, z. B. unter info@cplus-gmbh.de.",
        "I explicitly consent to cplus processing my information about a disability or particular dietary "
        "requirements (health data, Art. 9(2)(a) GDPR) so that these needs can be accommodated during the event or "
        "seminar. I understand that cplus can only make such arrangements if I provide this information. I can "
        "withdraw this consent at any time with effect for the future, e.g. at info@cplus-gmbh.de.",
    ),
    (
        "event-participant-sharing",
        CONSENT,
        ["data"],
        False,
        "Ja, cplus darf meine grundlegenden Teilnehmerdaten (Name, Unternehmen und E-Mail-Adresse) zum Zwecke des "
        "Informations- und Ideenaustauschs an andere Teilnehmer derselben Veranstaltung weitergeben. Ich kann "
        "diese Einwilligung jederzeit mit Wirkung für die Zukunft widerrufen, z. B. unter info@cplus-gmbh.de.",
        "Yes, cplus may share my basic participant data (name, company and e-mail address) with other participants "
        "of the same event for the exchange of information and ideas. I can withdraw this consent at any time with "
        "effect for the future, e.g. at info@cplus-gmbh.de.",
    ),
    (
        "affiliate-transfer",
        CONSENT,
        ["data"],
        False,
        "Ja, cplus darf meine personenbezogenen Daten an die verbundenen Unternehmen conplus "
        "Mittelstandslösungen Ahrensburg und Mönchengladbach übermitteln, die sie für die gleichen Zwecke und unter "
        "den gleichen Bedingungen nutzen, wie in Abschnitt C der Datenschutzerklärung beschrieben. Ich kann diese "
        "Einwilligung jederzeit mit Wirkung für die Zukunft widerrufen, z. B. unter info@cplus-gmbh.de.",
        "Yes, cplus may transfer my personal data to its affiliated companies conplus Mittelstandslösungen "
        "Ahrensburg and Mönchengladbach, which use it for the same purposes and on the same conditions as described "
        "in section C of the privacy policy. I can withdraw this consent at any time with effect for the future, "
        "e.g. at info@cplus-gmbh.de.",
    ),
    (
        "google-ads-conversion",
        CONSENT,
        ["web"],
        False,
        "Ja, ich bin mit dem Google Ads Conversion-Tracking einverstanden: Komme ich über eine Google-Anzeige auf "
        "die Website, setzt Google ein Cookie, das nach 30 Tagen seine Gültigkeit verliert und nicht der "
        "persönlichen Identifizierung dient. cplus und Google können so erkennen, dass ich auf die Anzeige "
        "geklickt habe und zu einer Seite mit Conversion-Tracking-Tag weitergeleitet wurde. Ich kann diese "
        "Einwilligung jederzeit mit Wirkung für die Zukunft widerrufen.",
        "Yes, I agree to Google Ads conversion tracking: if I reach the website through a Google ad, Google sets a "
        "cookie that expires after 30 days and is not used to identify me personally. cplus and Google can thus "
        "recognise that I clicked the ad and was sent to a page with a conversion tracking tag. I can withdraw this "
        "consent at any time with effect for the future.",
    ),
    # Section B: legitimate interest, open to objection; no consent text, only the purpose.
    ("existing-customer-marketing", OPT_OUT, ["email", "post"], False, "", ""),
    ("feedback-requests", OPT_OUT, ["email", "phone"], False, "", ""),
    ("surveys", OPT_OUT, ["email"], False, "", ""),
]


@transaction.atomic
def load_defaults(*, reset: bool = False, log: Callable[[str], None] = lambda msg: None) -> dict[str, int]:
    """Creates the default purposes that are missing and adds any missing version-1 text. A purpose that exists
    stays as the DPO left it; `reset` restores the defaults' values (texts are versions: never rewritten)."""
    activities = {a.code: a for a in ProcessingActivity.objects.filter(code__in=[p[0] for p in PURPOSES])}
    texts = 0
    for code, basis, channels, doi, text_de, text_en in PURPOSES:
        activity = activities[code]
        values = {
            "activity": activity,
            "name_de": activity.name_de,
            "name_en": activity.name_en,
            "basis": basis,
            "channels": channels,
            "double_opt_in": doi,
        }
        create_or_restore = ConsentPurpose.objects.update_or_create if reset else ConsentPurpose.objects.get_or_create
        purpose, created = create_or_restore(code=code, defaults=values)
        purpose.full_clean()
        if text_de:
            _, made = ConsentText.objects.get_or_create(
                purpose=purpose, version=1, defaults={"text_de": text_de, "text_en": text_en}
            )
            texts += made
        if created:
            log(f"consent purpose {code} created")
    if texts:
        log(f"{texts} consent text(s) created")
    return {"consent_purposes": len(PURPOSES), "consent_texts": sum(1 for p in PURPOSES if p[4])}
