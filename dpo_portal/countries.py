"""The European Economic Area (Art. 44 ff. GDPR): where the policy promises all processing happens."""

from django.utils.translation import gettext_lazy as _

# EU-27 plus Iceland, Liechtenstein and Norway.
EEA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)


def is_eea(country_code: str) -> bool:
    return str(country_code).upper() in EEA_COUNTRIES


EEA_HELP = _("Outside the European Economic Area a transfer basis (Chapter V GDPR) is required.")
