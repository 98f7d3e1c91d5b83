"""One-way forms of personal values: suppression-list hashes, truncated IP addresses, token digests."""

import hashlib
import hmac
import ipaddress
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from subjects.validators import normalise_phone

# The everyday shape of an address: a strict subset of what Django's EmailValidator accepts,
# checked in a fraction of its time; anything else goes through the full validator.
_PLAIN_EMAIL = re.compile(r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")


def normalise_email(value: str) -> str:
    """Lower-cased and stripped; ValidationError when it is not an e-mail address."""
    email = (value or "").strip().lower()
    if len(email) > 254 or not _PLAIN_EMAIL.match(email):
        validate_email(email)
    return email


class ContactHasher:
    """contact_hash for many values at once: the keyed HMAC state is set up once and copied."""

    def __init__(self) -> None:
        self._base = hmac.new(settings.HASH_SALT.encode(), digestmod=hashlib.sha256)
        # The C object behind hmac.HMAC where there is one (CPython with OpenSSL): copying it
        # directly halves the cost of a hash, which an audience of 100,000 addresses feels.
        self._fast = getattr(self._base, "_hmac", None) or self._base
        self._seen: dict[tuple[str, str], str | None] = {}

    def email(self, normal: str) -> str:
        """contact_hash("email", normal) of an address already normalised (normalise_email), uncached:
        the per-address cost of an audience, kept to one copy of the keyed state."""
        mac = self._fast.copy()
        mac.update(b"email:" + normal.encode())
        return mac.hexdigest()

    def __call__(self, kind: str, value: str) -> str | None:
        """The hash, or None for a phone number that does not parse (it cannot be listed either)."""
        key = (kind, value)
        if key not in self._seen:
            if kind == "email":
                normal = value.strip().lower()
            else:
                try:
                    normal = normalise_phone(value)
                except ValidationError:
                    self._seen[key] = None
                    return None
            mac = self._base.copy()
            mac.update(f"{kind}:{normal}".encode())
            self._seen[key] = mac.hexdigest()
        return self._seen[key]


def contact_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 (key settings.HASH_SALT) of a normalised e-mail address or E.164 phone number.

    Salted with a secret so that the suppression list cannot be reversed by hashing a list of
    known addresses; normalised so that "Anna@Example.org " and "anna@example.org" agree.
    """
    if kind == "email":
        normal = (value or "").strip().lower()
    elif kind == "phone":
        normal = normalise_phone(value)
    else:
        raise ValueError(f"unknown contact kind {kind!r}")
    digest = hmac.new(settings.HASH_SALT.encode(), f"{kind}:{normal}".encode(), hashlib.sha256)
    return digest.hexdigest()


def truncate_ip(value: str | None) -> str:
    """The network, not the host: IPv4 to /24, IPv6 to /48 (as analytics tools anonymise them).

    Enough to show where a sign-up came from, too little to identify a device.
    """
    if not value:
        return ""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise ValidationError("invalid IP address", code="invalid_ip") from None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def new_token() -> tuple[str, str]:
    """(raw token, its SHA-256 digest): the raw value is handed out once, only the digest is stored.

    Tokens carry 256 bits of randomness, so an unsalted digest cannot be brute-forced.
    """
    raw = secrets.token_urlsafe(32)
    return raw, token_digest(raw)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
