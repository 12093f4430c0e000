"""Files attached to letters are accepted by their content, kept outside anything served,
handed out only to those who may see the case, and reach the recipient only as part of an
approved version, without what the facilitator removed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import Image

from mend.cases.models import Case
from mend.cases.services import Blocked
from mend.core.models import AuditEvent
from mend.processes import attachments as services
from mend.processes import letter_services
from mend.processes.models import Letter, LetterAttachment
from mend.testing.cases import submit, to_stage
from mend.testing.forms import sent
from mend.testing.letters import PDF, Upload, approve, attach, deliver, letters_case, write
from mend.testing.personas import World

Clients = Callable[[str], Client]
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
ZIP = b"PK\x03\x04" + b"\x00" * 60
EXE = b"MZ\x90\x00" + b"\x00" * 60


def _refusal(world: World, case: Case, letter: Letter, data: bytes, name: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        attach(world, case, letter, data, name)
    return refused.value.message_dict["file"]


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 27.0, 0.0)}  # GPS position
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"where I live")
    return out.getvalue()


def _url(case: Case, attachment: LetterAttachment, letter: Letter | None = None) -> str:
    letter_id = letter.pk if letter is not None else attachment.version.letter_id
    return reverse("processes:letter_attachment", args=[case.reference, letter_id, attachment.pk])


def test_an_oversized_file_is_refused_by_field_and_nothing_is_stored(
    world: World, client_for: Clients, settings: object, private_files: Path
) -> None:
    settings.MEND_ATTACHMENT_MAX_BYTES = 2 * 1_048_576  # type: ignore[attr-defined]
    case = letters_case(world)
    letter = write(world, case)
    big = PDF + b"0" * (2 * 1_048_576)
    url = reverse("cases:action", args=[case.reference, "letter_attach"]) + f"?letter={letter.pk}"
    response = client_for("facilitator").post(
        url, {**sent(case, letter=letter.pk), "file": Upload("scan.pdf", big)}
    )
    assert response.status_code == 400
    assert "A file can be 2 MB at most. This one is larger." in response.content.decode()
    assert not LetterAttachment.objects.exists()
    assert _stored_files(private_files) == []


def test_a_request_far_over_the_upload_limit_is_refused_whole_before_it_is_read(
    world: World, client_for: Clients, settings: object
) -> None:
    case = letters_case(world)
    url = reverse("cases:action", args=[case.reference, "letter_attach"])
    too_long = settings.MEND_MAX_UPLOAD_REQUEST_BYTES + 1  # type: ignore[attr-defined]
    response = client_for("facilitator").generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(too_long),
    )
    assert response.status_code == 413


@pytest.mark.parametrize(("data", "name"), [(ZIP, "photo.png"), (EXE, "photo.png")])
def test_a_file_whose_content_is_not_an_accepted_kind_is_refused_whatever_its_name(
    world: World, data: bytes, name: str, private_files: Path
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    assert _refusal(world, case, letter, data, name)[0].startswith(
        "This kind of file cannot be attached."
    )
    assert _stored_files(private_files) == []


def test_an_html_file_named_pdf_is_refused(world: World, private_files: Path) -> None:
    case = letters_case(world)
    letter = write(world, case)
    assert _refusal(world, case, letter, HTML, "letter.pdf")[0].startswith(
        "This kind of file cannot be attached."
    )
    assert not LetterAttachment.objects.exists()


def test_a_name_whose_extension_disagrees_with_the_content_is_refused(world: World) -> None:
    case = letters_case(world)
    letter = write(world, case)
    assert _refusal(world, case, letter, PDF, "photo.png") == [
        "The file's name does not match what it contains (a PDF document). "
        "Rename it to end in .pdf."
    ]


def test_a_path_in_the_name_is_dropped_and_the_file_stays_inside_the_private_storage(
    world: World, private_files: Path
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    attachment = attach(world, case, letter, PDF, "../../etc/passwd.pdf")
    assert attachment.original_name == "passwd.pdf"
    assert "/" not in attachment.stored_name.removeprefix("letters/")
    stored = (private_files / attachment.stored_name).resolve()
    assert stored.is_relative_to(private_files.resolve())
    assert PDF not in stored.read_bytes()  # sealed at rest
    assert services.read(attachment) == PDF
    assert stored.stat().st_mode & 0o077 == 0  # nobody else on the server reads it
    assert _stored_files(private_files) == [private_files / attachment.stored_name]


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("..\\..\\windows\\scan.pdf", "scan.pdf"),
        ("scan\r\nSet-Cookie: x.pdf", "scanSet-Cookie: x.pdf"),
        ("....pdf", "pdf"),
        ("", "attachment"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_a_kept_name_is_one_short_line_without_paths_or_control_characters(
    raw: str, kept: str
) -> None:
    assert services.safe_name(raw) == kept


def test_exif_and_comments_are_stripped_from_an_attached_jpeg(
    world: World, private_files: Path
) -> None:
    original = _jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif()
    case = letters_case(world)
    attachment = attach(world, case, write(world, case), original, "photo.JPG")
    stored = services.read(attachment)
    assert b"PhoneMaker" not in stored
    assert b"where I live" not in stored
    with Image.open(io.BytesIO(stored)) as after:
        assert not after.getexif()
        assert after.size == (40, 30)
        assert "exif" not in after.info
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(stored)


def test_a_file_cannot_be_attached_to_an_approved_version(world: World) -> None:
    case = letters_case(world)
    letter = approve(world, case, write(world, case))
    with pytest.raises(Blocked):
        attach(world, case, letter, PDF, "scan.pdf")
    assert not LetterAttachment.objects.exists()


def test_a_removed_file_and_files_of_an_unapproved_letter_never_reach_the_recipient(
    world: World,
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    kept = attach(world, case, letter, PDF, "kept.pdf")
    taken = attach(world, case, letter, PDF, "taken.pdf")
    services.remove_attachment(
        case=case, letter=letter, attachment=taken, by=world["facilitator"], expected_version=None
    )
    assert services.attachments_for_recipient(letter).attachments == []
    letter = approve(world, case, letter)
    assert services.attachments_for_recipient(letter).attachments == []  # not delivered yet
    deliver(world, case, letter)
    copy = services.attachments_for_recipient(letter)
    assert copy.attachments == [kept]
    assert copy.removed == 1


def test_a_withheld_letter_gives_the_recipient_no_files(world: World) -> None:
    case = letters_case(world)
    letter = write(world, case)
    attach(world, case, letter, PDF, "scan.pdf")
    letter_services.review_version(
        case=case,
        letter=letter,
        decision="withheld",
        comments="Not now.",
        by=world["facilitator"],
        expected_version=None,
    )
    assert services.attachments_for_recipient(letter).attachments == []


def test_a_revised_version_keeps_the_files_not_removed_and_they_are_reviewed_again(
    world: World,
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    attach(world, case, letter, PDF, "kept.pdf")
    taken = attach(world, case, letter, PDF, "taken.pdf")
    services.remove_attachment(
        case=case, letter=letter, attachment=taken, by=world["facilitator"], expected_version=None
    )
    letter_services.review_version(
        case=case,
        letter=letter,
        decision="returned",
        comments="Shorter, please.",
        by=world["facilitator"],
        expected_version=None,
    )
    version = letter_services.revise_letter(
        case=case, letter=letter, body="Sorry.", by=world["facilitator"], expected_version=None
    )
    assert [a.original_name for a in version.attachments.all()] == ["kept.pdf"]
    assert not version.attachments.filter(removed=True).exists()


def test_a_stale_form_attaches_nothing(world: World, client_for: Clients) -> None:
    case = letters_case(world)
    letter = write(world, case)
    opened = sent(case, letter=letter.pk)
    attach(world, case, letter, PDF, "first.pdf")
    url = reverse("cases:action", args=[case.reference, "letter_attach"])
    response = client_for("facilitator").post(url, {**opened, "file": Upload("second.pdf", PDF)})
    assert response.status_code == 409
    assert LetterAttachment.objects.count() == 1


def test_the_attach_and_remove_forms_on_the_case_page_work_and_are_audited(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    client = client_for("facilitator")
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"letter_attach/?letter={letter.pk}" in page
    url = reverse("cases:action", args=[case.reference, "letter_attach"]) + f"?letter={letter.pk}"
    form = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in form
    case.refresh_from_db()
    response = client.post(url, {**sent(case, letter=letter.pk), "file": Upload("scan.pdf", PDF)})
    assert response.status_code == 302, response.content.decode()[:2000]
    attachment = LetterAttachment.objects.get()
    assert attachment.original_name == "scan.pdf"
    page = client.get(case.get_absolute_url()).content.decode()
    assert _url(case, attachment) in page
    case.refresh_from_db()
    remove = reverse("cases:action", args=[case.reference, "letter_attachment_remove"])
    response = client.post(remove, sent(case, attachment=attachment.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    attachment.refresh_from_db()
    assert attachment.removed
    assert set(
        AuditEvent.objects.filter(action__startswith="letter.attachment").values_list(
            "action", flat=True
        )
    ) == {"letter.attachment_added", "letter.attachment_removed"}


def test_a_download_is_saved_never_shown_and_never_cached(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    attachment = attach(world, case, write(world, case), PDF, "Carta de perdón.pdf")
    response = client_for("facilitator").get(_url(case, attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Carta%20de%20perd%C3%B3n.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="letter.attachment_downloaded").count() == 1


def test_another_cases_file_is_not_found_through_the_view(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    attachment = attach(world, case, letter, PDF, "scan.pdf")
    other = to_stage(world, submit(world), "preparation")
    other_letter_url = reverse(
        "processes:letter_attachment", args=[other.reference, letter.pk, attachment.pk]
    )
    client = client_for("coordinator")
    assert client.get(other_letter_url).status_code == 404
    assert client.get(_url(case, attachment)).status_code == 200
    # The right case, but a letter the file is not part of.
    second = write(world, case, "Another letter.")
    assert client.get(_url(case, attachment, letter=second)).status_code == 404


def test_another_programs_file_is_not_found(world: World, client_for: Clients) -> None:
    case = letters_case(world)
    attachment = attach(world, case, write(world, case), PDF, "scan.pdf")
    assert client_for("outsider").get(_url(case, attachment)).status_code == 404


def test_a_volunteer_who_cannot_read_letters_cannot_download_their_files(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    attachment = attach(world, case, write(world, case), PDF, "scan.pdf")
    case.assignments.get_or_create(user=world["volunteer"], role="volunteer")
    assert client_for("volunteer").get(_url(case, attachment)).status_code == 403


def test_a_stored_file_swapped_for_another_is_not_served(
    world: World, client_for: Clients, private_files: Path
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    first = attach(world, case, letter, PDF, "first.pdf")
    second = attach(world, case, letter, PDF + b"%second", "second.pdf")
    # Someone with access to the disk copies one sealed file over the other.
    (private_files / second.stored_name).write_bytes(
        (private_files / first.stored_name).read_bytes()
    )
    url = reverse("processes:letter_attachment", args=[case.reference, letter.pk, second.pk])
    assert client_for("facilitator").get(url).status_code == 404


def test_adding_and_removing_a_file_show_on_the_case_timeline(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    attach(world, case, letter, PDF, "scan.pdf")
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert "File attached: Letter from" in page
