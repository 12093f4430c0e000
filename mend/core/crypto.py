"""Encryption of confidential field values: AES-256-GCM under keys kept apart from SECRET_KEY.

A stored value reads "enc1:<key id>:<urlsafe base64 of nonce + ciphertext + tag>". The key id
lets keys rotate: the first key in settings.MEND_FIELD_KEYS encrypts, every key listed
decrypts, and `manage.py rotate_field_keys` moves old values onto the current key.

Every value is encrypted, the empty string too: an empty token still hides whether a person
has a phone number or a safety note on file, and "every value in an encrypted column is a
token" is an invariant a test can check. NULL stays NULL (the database must know it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
# DJANGO_DEBUG=1 because production settings refuse to load without keys; the command
# only prints random bytes, so debug mode changes nothing about it.
GENERATE_HINT = "Generate a key with: DJANGO_DEBUG=1 python manage.py generate_field_key"

# Used only outside production (demo, development, tests) when no keys are configured.
# It is derived from a public constant, so it is NOT secret: anything encrypted under it
# is as good as plaintext. Production refuses to start with it.
DEVELOPMENT_KEY: tuple[str, bytes] = (
    "dev",
    hashlib.sha256(b"mend development field key - public, never for real data").digest(),
)

FieldKeys = list[tuple[str, bytes]]


class DecryptionError(Exception):
    """A stored value cannot be decrypted: unknown key id, wrong column, or tampered."""


def _checked(kid: str, key: bytes, source: str) -> tuple[str, bytes]:
    if not KEY_ID.fullmatch(kid):
        raise ImproperlyConfigured(
            f"{source}: key id {kid!r} must be 1-16 letters, digits, '_' or '-'."
        )
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{source}: key {kid!r} is {len(key)} bytes; it must be exactly {KEY_BYTES}. "
            + GENERATE_HINT
        )
    return kid, key


def _checked_ring(keys: Sequence[tuple[str, bytes]], source: str) -> FieldKeys:
    ring = [_checked(kid, key, source) for kid, key in keys]
    if not ring:
        raise ImproperlyConfigured(f"{source} lists no keys. {GENERATE_HINT}")
    ids = [kid for kid, _key in ring]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(f"{source}: key ids must be unique, got {', '.join(ids)}.")
    return ring


def parse_field_keys(entries: Sequence[str], *, source: str) -> FieldKeys:
    """Parse "kid:urlsafe-base64" entries; blank entries and "#" comments are skipped."""
    keys = []
    for raw in entries:
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        kid, sep, encoded = entry.partition(":")
        if not sep:
            raise ImproperlyConfigured(f"{source}: each key must read 'id:base64'. {GENERATE_HINT}")
        try:
            key = base64.b64decode(encoded.strip(), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(
                f"{source}: key {kid.strip()!r} is not urlsafe base64. {GENERATE_HINT}"
            ) from None
        keys.append((kid.strip(), key))
    return _checked_ring(keys, source)


def field_keys_from_environment(environ: Mapping[str, str], *, production: bool) -> FieldKeys:
    """The keyring for settings: MEND_FIELD_KEYS or MEND_FIELD_KEYS_FILE (first key current)."""
    inline = environ.get("MEND_FIELD_KEYS", "").strip()
    path = environ.get("MEND_FIELD_KEYS_FILE", "").strip()
    if inline and path:
        raise ImproperlyConfigured("Set MEND_FIELD_KEYS or MEND_FIELD_KEYS_FILE, not both.")
    if inline:
        keys = parse_field_keys(inline.split(","), source="MEND_FIELD_KEYS")
    elif path:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ImproperlyConfigured(
                f"MEND_FIELD_KEYS_FILE: cannot read {path}: {error.strerror}."
            ) from None
        keys = parse_field_keys(lines, source="MEND_FIELD_KEYS_FILE")
    elif production:
        raise ImproperlyConfigured(
            "MEND_FIELD_KEYS (or MEND_FIELD_KEYS_FILE) must be set in production: confidential "
            "fields are encrypted with these keys. " + GENERATE_HINT + ", then set "
            "MEND_FIELD_KEYS=<its output>."
        )
    else:
        return [DEVELOPMENT_KEY]
    if production and any(key == DEVELOPMENT_KEY[1] for _kid, key in keys):
        raise ImproperlyConfigured("The public development field key cannot be used in production.")
    return keys


class _Keyring:
    def __init__(self, keys: FieldKeys) -> None:
        self.current = keys[0][0]
        self.ciphers = {kid: AESGCM(key) for kid, key in keys}


@lru_cache(maxsize=8)
def _build(keys: tuple[tuple[str, bytes], ...]) -> _Keyring:
    return _Keyring(_checked_ring(keys, "MEND_FIELD_KEYS"))


def _keyring() -> _Keyring:
    # Read settings on every call, cache on their value: override_settings just works.
    return _build(tuple((str(kid), bytes(key)) for kid, key in settings.MEND_FIELD_KEYS))


def current_key_id() -> str:
    return _keyring().current


def _aad(context: str) -> bytes:
    # The column's name is bound as associated data: a value copied elsewhere won't decrypt.
    if not context:
        raise ValueError("An encryption context (such as 'cases.person.phone') is required.")
    return context.encode()


def encrypt(plaintext: str, *, context: str) -> str:
    ring = _keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = ring.ciphers[ring.current].encrypt(nonce, plaintext.encode(), _aad(context))
    return f"{PREFIX}:{ring.current}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str | None:
    """The key id a stored value was encrypted under, or None if it is not a token."""
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not KEY_ID.fullmatch(parts[1]) or not parts[2]:
        return None
    return parts[1]


def decrypt(token: str, *, context: str) -> str:
    aad = _aad(context)
    kid = key_id_of(token)
    if kid is None:
        raise DecryptionError(f"{context}: the stored value is not an encrypted token.")
    cipher = _keyring().ciphers.get(kid)
    if cipher is None:
        raise DecryptionError(f"{context}: no key with id {kid!r} is configured.")
    try:
        data = base64.b64decode(token.split(":", 2)[2], altchars=b"-_", validate=True)
        return cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], aad).decode()
    except (binascii.Error, ValueError, InvalidTag, UnicodeDecodeError):
        # Never say more: the reason could help someone forging values.
        raise DecryptionError(f"{context}: the stored value was altered or moved.") from None


# Files (letter attachments) are sealed whole with the same keys: this header, the key id
# and a newline, then the nonce and the sealed bytes.
FILE_MAGIC = b"MENDFILE1:"


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    ring = _keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = ring.ciphers[ring.current].encrypt(nonce, data, _aad(context))
    return FILE_MAGIC + ring.current.encode() + b"\n" + nonce + sealed


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    aad = _aad(context)
    header, _newline, body = blob.partition(b"\n")
    kid = header.removeprefix(FILE_MAGIC).decode(errors="replace")
    if not header.startswith(FILE_MAGIC) or not KEY_ID.fullmatch(kid):
        raise DecryptionError(f"{context}: the stored file is not encrypted.")
    cipher = _keyring().ciphers.get(kid)
    if cipher is None:
        raise DecryptionError(f"{context}: no key with id {kid!r} is configured.")
    try:
        return cipher.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], aad)
    except (ValueError, InvalidTag):
        raise DecryptionError(f"{context}: the stored file was altered or moved.") from None
