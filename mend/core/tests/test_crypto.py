"""Field encryption: AES-256-GCM tokens at rest, bound to their column, keys that rotate."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import override_settings

from mend.core import crypto
from mend.core.models import AuditEvent
from mend.core.tests.crypto_app.models import Secret

ROOT = Path(settings.BASE_DIR)
CANARY = "555-0199 canary Rúa das Flores 7"


def new_key(kid: str) -> tuple[str, bytes]:
    return kid, secrets.token_bytes(32)


def as_entry(key: tuple[str, bytes]) -> str:
    return f"{key[0]}:{base64.urlsafe_b64encode(key[1]).decode()}"


def stored(secret: Secret, column: str) -> str:
    """The column's value as the database holds it, read with raw SQL."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(Secret._meta.db_table)} WHERE id = %s",
            [secret.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def store(secret: Secret, column: str, value: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Secret._meta.db_table)} SET {quote(column)} = %s WHERE id = %s",
            [value, secret.pk],
        )


def test_encrypted_column_holds_no_plaintext(db: None) -> None:
    secret = Secret.objects.create(name="canary", phone=CANARY, note="")
    phone = stored(secret, "phone")
    assert phone.startswith(f"enc1:{crypto.current_key_id()}:")
    assert "555" not in phone
    assert "canary" not in phone.lower()
    assert "Flores" not in phone
    # Empty values are encrypted too: the column does not reveal who has a note on file.
    assert stored(secret, "note").startswith("enc1:")


def test_value_reads_back_as_plaintext(db: None) -> None:
    secret = Secret.objects.create(phone=CANARY, note="line one\nline two ☎")
    again = Secret.objects.get(pk=secret.pk)
    assert again.phone == CANARY
    assert again.note == "line one\nline two ☎"
    assert list(Secret.objects.values_list("phone", flat=True)) == [CANARY]
    secret.note = ""
    secret.save()
    assert Secret.objects.get(pk=secret.pk).note == ""


def test_same_plaintext_encrypts_differently_each_time(db: None) -> None:
    first = Secret.objects.create(phone=CANARY)
    second = Secret.objects.create(phone=CANARY)
    assert stored(first, "phone") != stored(second, "phone")
    context = "crypto_test.secret.phone"
    assert crypto.encrypt("x", context=context) != crypto.encrypt("x", context=context)


def test_ciphertext_moved_to_another_column_does_not_decrypt(db: None) -> None:
    secret = Secret.objects.create(phone=CANARY, note="nothing to see")
    store(secret, "note", stored(secret, "phone"))
    with pytest.raises(crypto.DecryptionError):
        Secret.objects.get(pk=secret.pk)
    # Copying inside the database is refused on reading just the same.
    other = Secret.objects.create(phone=CANARY, note="")
    Secret.objects.filter(pk=other.pk).update(note=F("phone"))
    with pytest.raises(crypto.DecryptionError):
        Secret.objects.get(pk=other.pk)
    token = crypto.encrypt(CANARY, context="cases.person.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="cases.person.email")


def test_tampered_ciphertext_is_refused(db: None) -> None:
    secret = Secret.objects.create(phone=CANARY)
    token = stored(secret, "phone")
    prefix, kid, body = token.split(":", 2)
    data = bytearray(base64.urlsafe_b64decode(body))
    data[20] ^= 0x01
    tampered = f"{prefix}:{kid}:{base64.urlsafe_b64encode(bytes(data)).decode()}"
    store(secret, "phone", tampered)
    with pytest.raises(crypto.DecryptionError):
        Secret.objects.get(pk=secret.pk)

    context = "crypto_test.secret.phone"
    for bad in (
        token[:-8],  # truncated
        f"{prefix}:{kid}:{body[:10]}",  # shorter than a nonce and a tag
        f"{prefix}:{kid}:{body}!",  # not base64
        f"{prefix}:nokey:{body}",  # a key id nobody configured
        f"enc2:{kid}:{body}",  # an unknown format
        CANARY,  # plaintext where a token belongs
        "",
    ):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(bad, context=context)
    assert crypto.decrypt(token, context=context) == CANARY


def test_rotation_keeps_old_values_readable_and_rekeys_them(db: None) -> None:
    old, new = new_key("old"), new_key("new")
    with override_settings(MEND_FIELD_KEYS=[old]):
        secret = Secret.objects.create(name="a", phone=CANARY, note="safety note")
        # More than one batch of 500, so paging is exercised.
        Secret.objects.bulk_create(Secret(name=str(i), phone=str(i)) for i in range(510))
    assert crypto.key_id_of(stored(secret, "phone")) == "old"

    with override_settings(MEND_FIELD_KEYS=[new, old]):
        assert Secret.objects.get(pk=secret.pk).phone == CANARY
        dry = StringIO()
        call_command("rotate_field_keys", "--dry-run", stdout=dry)
        assert "crypto_test.Secret: would re-encrypt 511 row(s)" in dry.getvalue()
        assert crypto.key_id_of(stored(secret, "phone")) == "old"
        assert not AuditEvent.objects.filter(action="fields.rekeyed").exists()

        out = StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "crypto_test.Secret: re-encrypted 511 row(s) under key 'new'" in out.getvalue()
        again = StringIO()
        call_command("rotate_field_keys", stdout=again)
        assert "crypto_test.Secret: re-encrypted 0 row(s)" in again.getvalue()

    for pk in Secret.objects.values_list("pk", flat=True):
        row = Secret(pk=pk)
        assert crypto.key_id_of(stored(row, "phone")) == "new"
        assert crypto.key_id_of(stored(row, "note")) == "new"
    with override_settings(MEND_FIELD_KEYS=[new]):
        secret = Secret.objects.get(pk=secret.pk)
        assert (secret.phone, secret.note) == (CANARY, "safety note")
        assert sorted(int(s.phone) for s in Secret.objects.exclude(pk=secret.pk)) == list(
            range(510)
        )
    event = AuditEvent.objects.get(action="fields.rekeyed")  # one row, the rerun wrote none
    assert event.actor is None
    assert event.details == {"model": "crypto_test.Secret", "rows": "511", "key_id": "new"}


def test_lookup_on_encrypted_field_is_refused(db: None) -> None:
    Secret.objects.create(phone=CANARY)
    for lookup in ("phone__icontains", "phone", "phone__exact", "phone__in", "note__startswith"):
        with pytest.raises(FieldError, match="encrypted and cannot be searched"):
            Secret.objects.filter(**{lookup: [CANARY] if lookup.endswith("in") else CANARY})
    with pytest.raises(FieldError, match="encrypted and cannot be searched"):
        Secret.objects.filter(phone__lower__contains="x")
    # Whether a value is there at all is still a question the database can answer.
    assert Secret.objects.filter(phone__isnull=False).count() == 1


def _django_setup(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MEND_DEMO", "DJANGO_DEBUG", "MEND_TESTING"}
        and not key.startswith("MEND_FIELD_KEYS")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "mend.example.org",
        **extra_env,
    }
    script = (
        "import django; django.setup();"
        "from mend.core import crypto; print('current', crypto.current_key_id())"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_keys_refuses_to_start() -> None:
    refused = _django_setup({})
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "MEND_FIELD_KEYS" in refused.stderr
    assert "generate_field_key" in refused.stderr

    # The same process starts once a key is given, so the refusal was about the keys.
    started = _django_setup({"MEND_FIELD_KEYS": as_entry(new_key("prod1"))})
    assert started.returncode == 0, started.stderr
    assert "current prod1" in started.stdout

    public = _django_setup({"MEND_FIELD_KEYS": as_entry(crypto.DEVELOPMENT_KEY)})
    assert public.returncode != 0
    assert "development field key" in public.stderr


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"k1:{_b64(bytes(31))}", "exactly 32"),
        (f"k1:{_b64(bytes(33))}", "exactly 32"),
        (f"bad id:{_b64(bytes(32))}", "key id"),
        (f"{'k' * 17}:{_b64(bytes(32))}", "key id"),
        (f":{_b64(bytes(32))}", "key id"),
        ("k1:not*base64", "not urlsafe base64"),
        (_b64(bytes(32)), "'id:base64'"),
        (f"k1:{_b64(bytes(32))},k1:{_b64(bytes(32))}", "unique"),
        (" , ", "no keys"),
    ],
    ids=[
        "short",
        "long",
        "space-in-id",
        "id-too-long",
        "empty-id",
        "not-base64",
        "no-id",
        "duplicate-id",
        "empty",
    ],
)
def test_bad_key_configuration_is_refused(value: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.field_keys_from_environment({"MEND_FIELD_KEYS": value}, production=True)
    key_file = tmp_path / "keys"
    key_file.write_text(value.replace(",", "\n"))
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.field_keys_from_environment({"MEND_FIELD_KEYS_FILE": str(key_file)}, production=True)


def test_bad_keys_in_settings_are_refused_when_used() -> None:
    context = "crypto_test.secret.phone"
    short = override_settings(MEND_FIELD_KEYS=[("k1", bytes(16))])
    with short, pytest.raises(ImproperlyConfigured, match="exactly 32"):
        crypto.encrypt("x", context=context)
    none = override_settings(MEND_FIELD_KEYS=[])
    with none, pytest.raises(ImproperlyConfigured, match="no keys"):
        crypto.encrypt("x", context=context)


def test_keys_come_from_one_source_and_the_first_is_current(tmp_path: Path) -> None:
    first, second = new_key("k2"), new_key("k1")
    inline = f"{as_entry(first)},{as_entry(second)}"
    assert crypto.field_keys_from_environment({"MEND_FIELD_KEYS": inline}, production=True) == [
        first,
        second,
    ]
    key_file = tmp_path / "keys"
    key_file.write_text(f"# rotated 2025-01\n{as_entry(first)}\n\n{as_entry(second)}\n")
    from_file = {"MEND_FIELD_KEYS_FILE": str(key_file)}
    assert crypto.field_keys_from_environment(from_file, production=True) == [first, second]
    with pytest.raises(ImproperlyConfigured, match="not both"):
        crypto.field_keys_from_environment(
            {**from_file, "MEND_FIELD_KEYS": inline}, production=True
        )
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        crypto.field_keys_from_environment(
            {"MEND_FIELD_KEYS_FILE": str(tmp_path / "missing")}, production=True
        )
    # Outside production, no configuration means the public development key.
    assert crypto.field_keys_from_environment({}, production=False) == [crypto.DEVELOPMENT_KEY]


def test_generated_key_is_a_valid_configuration() -> None:
    out = StringIO()
    call_command("generate_field_key", "--id", "k2025", stdout=out)
    [(kid, key)] = crypto.field_keys_from_environment(
        {"MEND_FIELD_KEYS": out.getvalue().strip()}, production=True
    )
    assert kid == "k2025"
    assert len(key) == 32
    other = StringIO()
    call_command("generate_field_key", "--id", "k2025", stdout=other)
    assert other.getvalue() != out.getvalue()
