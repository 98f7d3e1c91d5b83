"""One-way forms of personal values: suppression-list hashes, truncated IP addresses, token digests."""

import hashlib
import hmac
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from subjects.validators import normalise_phone


def normalise_email(value: str) -> str:
    """Lower-cased and stripped; ValidationError when it is not an e-mail address."""
    email = (value or "").strip().lower()
    validate_email(email)
    return email


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
