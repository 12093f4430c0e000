"""Letters for tests, written, reviewed and delivered through the real services."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mend.cases.models import Case, Participant
from mend.cases.stages import Stage
from mend.processes import letter_services as services
from mend.processes.attachments import add_attachment
from mend.processes.models import Letter, LetterAttachment
from mend.programs.models import ConsentPurpose
from mend.testing.cases import consent_all, parties, submit, to_stage
from mend.testing.personas import World


def letters_case(world: World) -> Case:
    """A case in the restorative process whose parties agreed to indirect communication."""
    case = to_stage(world, submit(world), Stage.PROCESS)
    consent_all(world, case, ConsentPurpose.INDIRECT)
    case.refresh_from_db()
    return case


def write(
    world: World,
    case: Case,
    body: str = "I am sorry for what I did.",
    *,
    author: Participant | None = None,
    recipient: Participant | None = None,
) -> Letter:
    return services.draft_letter(
        case=case,
        author=author or parties(case, "responsible")[0],
        recipient=recipient or parties(case, "harmed")[0],
        body=body,
        by=world["facilitator"],
        expected_version=None,
    )


def approve(world: World, case: Case, letter: Letter, redact: tuple[str, ...] = ()) -> Letter:
    services.review_version(
        case=case,
        letter=letter,
        decision="approved",
        redact=redact,
        by=world["facilitator"],
        expected_version=None,
    )
    letter.refresh_from_db()
    return letter


def deliver(world: World, case: Case, letter: Letter, outcome: str = "delivered") -> Letter:
    return services.record_delivery(
        case=case,
        letter=letter,
        outcome=outcome,
        method="post",
        on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )


# The smallest file a PDF reader accepts as one.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Upload(SimpleUploadedFile):
    """A file for the test client that can be sent more than once (it reads from the start)."""

    def read(self, *args: Any) -> bytes:
        self.seek(0)
        return super().read(*args)  # type: ignore[no-any-return]


def attach(
    world: World, case: Case, letter: Letter, data: bytes = PDF, name: str = "scan.pdf"
) -> LetterAttachment:
    return add_attachment(
        case=case,
        letter=letter,
        upload=io.BytesIO(data),
        name=name,
        by=world["facilitator"],
        expected_version=None,
    )
