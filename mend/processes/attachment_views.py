"""The one way a letter's file leaves Mend: a download, after the reader is checked."""

from __future__ import annotations

import io

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from mend.accounts.models import User
from mend.core.crypto import DecryptionError
from mend.processes import attachments
from mend.processes.queries import attachment_for
from mend.programs.access import program_view
from mend.programs.models import Membership


@program_view("cases.work")
@require_GET
def download_attachment(
    request: HttpRequest, membership: Membership, reference: str, letter: int, attachment: int
) -> HttpResponse:
    item = attachment_for(membership, reference, letter, attachment)
    assert isinstance(request.user, User)
    # Recorded before the file is opened, so an unreadable file is still a recorded attempt.
    attachments.record_download(case=item.version.letter.case, attachment=item, by=request.user)
    try:
        data = attachments.read(item)
    except (FileNotFoundError, DecryptionError) as unreadable:
        # Gone, or not the file that was stored under this name: never served.
        raise Http404 from unreadable
    response = FileResponse(
        io.BytesIO(data),
        # Always saved, never shown in the browser: a file is never run as a page of Mend.
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a FileResponse streams
