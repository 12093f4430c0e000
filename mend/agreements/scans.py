"""The signed copy of an agreement, uploaded as a party's agreement: a PDF or an image.

Accepted by its content, as letters' files are (mend.processes.attachments): the kind is
found from the first bytes; images are encoded afresh without their metadata. Sealed with
the field keys, bound to a random name in the private storage; only the download view,
which checks the reader, ever opens it.
"""

from __future__ import annotations

import secrets
from typing import IO

import filetype  # type: ignore[import-untyped]
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from mend.agreements.models import Signature
from mend.core.crypto import decrypt_bytes, encrypt_bytes
from mend.processes.attachments import IMAGE_FORMATS, storage, without_metadata

ACCEPTED = {"application/pdf", *IMAGE_FORMATS}


def _context(stored_name: str) -> str:
    return f"agreements.signature:{stored_name}"


def _checked(upload: IO[bytes]) -> tuple[bytes, str]:
    limit = settings.MEND_ATTACHMENT_MAX_BYTES
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {
                "scan": _("A file can be %(size)s MB at most. This one is larger.")
                % {"size": limit // 1_048_576}
            }
        )
    found = filetype.guess(data[:8192]) if data else None
    mime = found.mime if found is not None else ""
    if mime == "application/pdf" and not data.startswith(b"%PDF-"):
        mime = ""
    if mime not in ACCEPTED:
        raise ValidationError(
            {"scan": _("Upload the signed copy as a PDF, or as a JPEG or PNG image.")}
        )
    if mime in IMAGE_FORMATS:
        try:
            data = without_metadata(data, mime)
        except ValidationError:
            raise ValidationError(
                {"scan": _("This image cannot be read. Scan it again.")}
            ) from None
    return data, mime


def store(upload: IO[bytes]) -> tuple[str, str]:
    """Check and seal the upload; its stored name and content type. Delete it with
    `discard` if the signature is not recorded after all."""
    data, mime = _checked(upload)
    stored_name = f"agreements/{secrets.token_hex(20)}"
    stored = storage().save(
        stored_name, ContentFile(encrypt_bytes(data, context=_context(stored_name)))
    )
    if stored != stored_name:
        storage().delete(stored)
        raise RuntimeError("a random signature file name was taken")
    return stored, mime


def discard(stored_name: str) -> None:
    storage().delete(stored_name)


def read(signature: Signature) -> bytes:
    """The signed copy as accepted. FileNotFoundError if gone, DecryptionError if swapped."""
    with storage().open(signature.scan_name, "rb") as stream:
        blob = stream.read()
    return decrypt_bytes(blob, context=_context(signature.scan_name))


def download_name(signature: Signature) -> str:
    extension = "pdf" if signature.scan_type == "application/pdf" else signature.scan_type[6:]
    return f"agreement-{signature.agreement_id}-signed-{signature.pk}.{extension}"
