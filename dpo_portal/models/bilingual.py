"""Text kept in German and English side by side: register content, and what the portal writes itself."""

from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language

# What people wrote (a plain text, kept as written), or a function wording what the portal writes in the active
# language (kept in German and in English).
Written = str | Callable[[], str]


def localized(obj, field: str, language: str | None = None) -> str:
    """The German or English value of `field` (stored as `field_de` / `field_en`), German as fallback."""
    lang = (language or get_language() or "de")[:2]
    value = getattr(obj, f"{field}_{lang}", "") if lang in ("de", "en") else ""
    return value or getattr(obj, f"{field}_de")


def in_both_languages(value: Written) -> tuple[str, str]:
    """(German, English) of what the portal writes itself, given as a function that words it in the active language
    (called once in each); a plain text, which people wrote, as it is, with no English version."""
    if not callable(value):
        return value, ""
    with translation.override(settings.LANGUAGE_CODE):
        german = str(value())
    with translation.override("en"):
        english = str(value())
    return german, english


def in_active_language(german: str, english: str) -> str:
    """The English text to an English reader where there is one; otherwise the German, or what people wrote."""
    return (english if (get_language() or "de").startswith("en") else "") or german
