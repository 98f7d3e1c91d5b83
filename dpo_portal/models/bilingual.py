"""Register content is data, kept in German and English side by side."""

from django.utils.translation import get_language


def localized(obj, field: str, language: str | None = None) -> str:
    """The German or English value of `field` (stored as `field_de` / `field_en`), German as fallback."""
    lang = (language or get_language() or "de")[:2]
    value = getattr(obj, f"{field}_{lang}", "") if lang in ("de", "en") else ""
    return value or getattr(obj, f"{field}_de")
