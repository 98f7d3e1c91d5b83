"""Checking the chain: any changed, deleted, inserted or reordered entry breaks it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import GENESIS_HASH, AuditChainHead, AuditEntry


@dataclass
class VerificationResult:
    ok: bool
    checked: int
    message: str


def audit_verify_chain(*, chunk_size: int = 5000) -> VerificationResult:
    """Walks the trail in sequence order, streaming; stops at the first broken entry."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return VerificationResult(
                False,
                checked,
                _("Entry #%(seq)s: expected #%(expected)s; entries are missing or reordered.")
                % {"seq": entry.seq, "expected": expected_seq},
            )
        if entry.prev_hash != prev_hash:
            return VerificationResult(
                False, checked, _("Entry #%(seq)s does not follow its predecessor (chain broken).") % {"seq": entry.seq}
            )
        if entry.compute_hash() != entry.hash:
            return VerificationResult(
                False, checked, _("Entry #%(seq)s was changed after it was written.") % {"seq": entry.seq}
            )
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.last_hash != prev_hash):
        return VerificationResult(
            False,
            checked,
            _("The trail ends at #%(last)s but #%(head)s was written: entries at the end were deleted.")
            % {"last": checked, "head": head.seq},
        )
    return VerificationResult(True, checked, _("Audit trail intact: %(count)s entries verified.") % {"count": checked})
