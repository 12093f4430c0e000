"""Attachments to letters: what is accepted, where it is kept, and every write to them.

A file is accepted by its content, never by its name or the browser's word: its kind is
found from its first bytes, must be one of KINDS, and its name's extension must agree.
Images are decoded and encoded afresh, which drops their EXIF and other metadata (a phone
photo's location, say). Files are kept in the private storage (settings.MEND_PRIVATE_FILES)
under a random name; nothing serves that folder, only the view that checks the reader.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import filetype  # type: ignore[import-untyped]
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from mend.cases.models import Case
from mend.cases.services.base import Blocked, changed, lock_case
from mend.core import audit
from mend.core.crypto import decrypt_bytes, encrypt_bytes
from mend.processes.letter_services import _check_writing, _latest, _lock_letter
from mend.processes.models import Letter, LetterAttachment, LetterVersion

if TYPE_CHECKING:
    from mend.accounts.models import User


@dataclass(frozen=True)
class Kind:
    label: Any
    extensions: tuple[str, ...]


# What a letter may carry, by the type found in the content. Office documents are not
# accepted: they can carry macros and other files; a scan or a PDF says the same.
KINDS: dict[str, Kind] = {
    "application/pdf": Kind(gettext_lazy("a PDF document"), ("pdf",)),
    "image/jpeg": Kind(gettext_lazy("a JPEG image"), ("jpg", "jpeg")),
    "image/png": Kind(gettext_lazy("a PNG image"), ("png",)),
    "audio/mpeg": Kind(gettext_lazy("an MP3 recording"), ("mp3",)),
    "audio/mp4": Kind(gettext_lazy("an M4A recording"), ("m4a",)),
    "audio/ogg": Kind(gettext_lazy("an Ogg recording"), ("ogg", "oga", "opus")),
    "video/mp4": Kind(gettext_lazy("an MP4 video"), ("mp4", "m4v")),
    "video/webm": Kind(gettext_lazy("a WebM video"), ("webm",)),
}
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
MOST_PER_VERSION = 10
LONGEST_NAME = 120
# Larger images are refused rather than decoded (a small file can hold a huge picture).
MOST_PIXELS = 50_000_000


def _context(stored_name: str) -> str:
    return f"processes.letterattachment:{stored_name}"


def read(attachment: LetterAttachment) -> bytes:
    """The file as it was accepted (decrypted). FileNotFoundError if it is gone."""
    with storage().open(attachment.stored_name, "rb") as stream:
        blob = stream.read()
    return decrypt_bytes(blob, context=_context(attachment.stored_name))


def storage() -> FileSystemStorage:
    """The private storage, read from the settings each time (tests point it elsewhere)."""
    return FileSystemStorage(
        location=settings.MEND_PRIVATE_FILES,
        base_url=None,
        # Readable by Mend's own account only.
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )


def safe_name(raw: str) -> str:
    """The name to keep and offer back: its last part only, without control characters,
    leading dots or "..", and not too long (the extension is kept)."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip().lstrip(".").strip()
    if len(name) > LONGEST_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot else ""
        name = (stem or name)[: LONGEST_NAME - len(ext) - 1].rstrip() + (dot + ext if ext else "")
    return name or "attachment"


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _read(upload: IO[bytes], limit: int) -> bytes:
    """At most one byte past the limit: enough to know it is too big."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(limit + 1)


def _too_big(limit: int) -> ValidationError:
    return ValidationError(
        {
            "file": _("A file can be %(size)s MB at most. This one is larger.")
            % {"size": limit // 1_048_576}
        }
    )


def check_content(data: bytes, name: str) -> str:
    """The content type found in the content, if it is accepted and agrees with the name."""
    found = filetype.guess(data[:8192])
    mime = found.mime if found is not None else ""
    if mime == "application/pdf" and not data.startswith(b"%PDF-"):
        mime = ""
    if mime not in KINDS:
        raise ValidationError(
            {
                "file": _(
                    "This kind of file cannot be attached. Attach a PDF, a JPEG or PNG "
                    "image, an MP3, M4A or Ogg recording, or an MP4 or WebM video."
                )
            }
        )
    if _extension(name) not in KINDS[mime].extensions:
        raise ValidationError(
            {
                "file": _(
                    "The file's name does not match what it contains (%(kind)s). "
                    "Rename it to end in .%(extension)s."
                )
                % {"kind": KINDS[mime].label, "extension": KINDS[mime].extensions[0]}
            }
        )
    return mime


def without_metadata(data: bytes, mime: str) -> bytes:
    """An image decoded and encoded afresh, keeping only its pixels (upright)."""
    unreadable = ValidationError({"file": _("This image cannot be read. Scan it again.")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != IMAGE_FORMATS[mime]:
                    raise unreadable
                if image.width * image.height > MOST_PIXELS:
                    raise unreadable
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as error:
        raise unreadable from error
    if mime == "image/jpeg":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA")
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    out = io.BytesIO()
    clean.save(out, IMAGE_FORMATS[mime], **({"quality": 90} if mime == "image/jpeg" else {}))
    return out.getvalue()


def _pending_version(letter: Letter) -> LetterVersion:
    if letter.status != Letter.Status.AWAITING_REVIEW:
        raise Blocked(_("Files are attached only to a version awaiting review."))
    return _latest(letter)


@transaction.atomic
def add_attachment(
    *,
    case: Case,
    letter: Letter,
    upload: IO[bytes],
    name: str,
    by: User,
    expected_version: int | None,
) -> LetterAttachment:
    """Staff attach a file, on the author's behalf, to the version awaiting review."""
    lock_case(case, expected_version)
    _check_writing(case)
    letter = _lock_letter(case, letter)
    version = _pending_version(letter)
    if version.attachments.count() >= MOST_PER_VERSION:
        raise ValidationError(
            {"file": _("A letter can have %(count)s files at most.") % {"count": MOST_PER_VERSION}}
        )
    limit = settings.MEND_ATTACHMENT_MAX_BYTES
    data = _read(upload, limit)
    if len(data) > limit:
        raise _too_big(limit)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    name = safe_name(name)
    mime = check_content(data, name)
    if mime in IMAGE_FORMATS:
        data = without_metadata(data, mime)
    stored_name = f"letters/{secrets.token_hex(20)}"
    # Sealed with the field keys, bound to its name: a copied or swapped file won't open.
    sealed = encrypt_bytes(data, context=_context(stored_name))
    stored = storage().save(stored_name, ContentFile(sealed))
    if stored != stored_name:
        storage().delete(stored)
        raise RuntimeError("a random attachment name was taken")
    try:
        attachment = LetterAttachment.objects.create(
            version=version,
            original_name=name,
            stored_name=stored,
            content_type=mime,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=by,
        )
        letter.version += 1
        letter.save(update_fields=["version"])
        changed(case, by=by, action="letter.attachment_added", obj=letter, kind=mime)
    except BaseException:
        # Nothing half-saved: a file without its row is never left behind.
        storage().delete(stored)
        raise
    return attachment


@transaction.atomic
def remove_attachment(
    *,
    case: Case,
    letter: Letter,
    attachment: LetterAttachment,
    by: User,
    expected_version: int | None,
) -> LetterAttachment:
    """The facilitator, reviewing, takes a file out of what the recipient may get.

    Like a redacted passage, it is kept for the record; the recipient's copy says that a
    file was removed.
    """
    lock_case(case, expected_version)
    _check_writing(case)
    letter = _lock_letter(case, letter)
    version = _pending_version(letter)
    fresh = (
        LetterAttachment.objects.select_for_update()
        .filter(pk=attachment.pk, version=version, removed=False)
        .first()
    )
    if fresh is None:
        raise ValidationError({"attachment": _("Choose a file of the version under review.")})
    fresh.removed = True
    fresh.save(update_fields=["removed"])
    letter.version += 1
    letter.save(update_fields=["version"])
    changed(case, by=by, action="letter.attachment_removed", obj=letter)
    return fresh


def carry_forward(previous: LetterVersion, version: LetterVersion) -> None:
    """A revised version keeps the files of the one it replaces (not those removed); they
    are reviewed again with it."""
    LetterAttachment.objects.bulk_create(
        LetterAttachment(
            version=version,
            original_name=a.original_name,
            stored_name=a.stored_name,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            uploaded_by=a.uploaded_by,
        )
        for a in previous.attachments.filter(removed=False)
    )


@dataclass(frozen=True)
class ForRecipient:
    attachments: list[LetterAttachment]
    removed: int


def attachments_for_recipient(letter: Letter) -> ForRecipient:
    """The files the recipient may get: those of the delivered, approved version that the
    facilitator did not remove, and how many were removed. Like copy_for_recipient, the
    only read of attachments any recipient-facing page may use."""
    version = (
        LetterVersion.objects.filter(
            letter_id=letter.pk,
            letter__status=Letter.Status.DELIVERED,
            decision=LetterVersion.Decision.APPROVED,
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        return ForRecipient([], 0)
    files = list(version.attachments.all())
    return ForRecipient([a for a in files if not a.removed], sum(a.removed for a in files))


@transaction.atomic
def record_download(*, case: Case, attachment: LetterAttachment, by: User) -> None:
    """Every copy of a file taken out of Mend is recorded, as every look at a case is."""
    audit.record(
        actor=by,
        action="letter.attachment_downloaded",
        obj=attachment.version.letter,
        subject=case,
        program=case.program,
    )
