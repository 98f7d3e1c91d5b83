"""The copy of the data for the person or another controller (Art. 15(3), 20 GDPR) as a ZIP.

Art. 20 covers data the person provided on the basis of consent or a contract; data we derived
ourselves (the interaction profile) is not "provided". Restricted data is stored, not processed
(Art. 18(2)), so it is left out and the README says so.
"""

import io
import json
import zipfile

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dpo_portal.csv_export import csv_bytes
from dpo_portal.models import LegalBasis
from subjects.models import DataSubject, Source

from .models import CopyRecipient, ExportFormat
from .records import identity_data, kinds_payload, records_of

PORTABLE_BASES = (LegalBasis.CONSENT, LegalBasis.CONTRACT)


def _portable(model, qs):
    return (
        qs.processable()
        .filter(activity__legal_basis__in=PORTABLE_BASES)
        .exclude(source=Source.DERIVED)
        .exclude(anonymised_at__isnull=False)
    )


def portable_data(subject: DataSubject) -> dict:
    kinds = records_of(subject, querysets=_portable)
    return {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "identity": {row["name"]: row["value"] for row in identity_data(subject)},
        "records": kinds_payload(kinds),
    }


def portability_zip(
    subject: DataSubject, *, export_format: str, recipient: str, recipient_name: str = "", language: str
) -> bytes:
    """A ZIP with data.json and/or one CSV per kind of record, plus a README naming the recipient."""
    with translation.override(language):
        data = portable_data(subject)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            if export_format in (ExportFormat.JSON, ExportFormat.BOTH):
                archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
            if export_format in (ExportFormat.CSV, ExportFormat.BOTH):
                archive.writestr(
                    "identity.csv",
                    csv_bytes([_("field"), _("value")], [[k, v] for k, v in data["identity"].items()]),
                )
                for kind in data["records"]:
                    header = [
                        _("id"),
                        _("category"),
                        _("collected on"),
                        *[f["label"] for f in kind["records"][0]["fields"]],
                    ]
                    rows = [
                        [r["id"], r["category_name"], r["collected_on"], *[f["value"] for f in r["fields"]]]
                        for r in kind["records"]
                    ]
                    archive.writestr(f"{kind['kind']}.csv", csv_bytes(header, rows))
            who = recipient_name if recipient == CopyRecipient.CONTROLLER else _("the data subject")
            archive.writestr(
                "README.txt",
                "\n".join(
                    [
                        _("Copy of personal data (Art. 15(3), 20 GDPR)"),
                        _("Generated: %(at)s") % {"at": data["generated_at"]},
                        _("Recipient: %(who)s") % {"who": who},
                        _(
                            "Contains the data provided on the basis of consent or a contract. "
                            "Data whose processing is restricted (Art. 18 GDPR) is not included."
                        ),
                        "",
                    ]
                ),
            )
        return out.getvalue()
