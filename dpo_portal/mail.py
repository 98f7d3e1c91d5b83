"""Mail to the DPO's office: German first, then English, in one message (an office, not one reader whose language
the portal knows)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

LANGUAGES = ("de", "en")
SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


def _in_each_language(template: str, context: dict) -> list[str]:
    rendered = []
    for language in LANGUAGES:
        with translation.override(language):
            rendered.append(render_to_string(template, context).strip())
    return rendered


def mail_dpo(*, subject_template: str, body_template: str, context: dict) -> None:
    """Sends settings.DPO_EMAIL the two templates rendered in German and in English ("Betreff / Subject")."""
    EmailMultiAlternatives(
        subject=" / ".join(_in_each_language(subject_template, context)),
        body=SEPARATOR.join(_in_each_language(body_template, context)),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.DPO_EMAIL],
    ).send()
