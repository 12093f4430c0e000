"""The letter that tells a party their case has closed: thanks, how it ended in plain
words, and whether the agreement was carried out. Of the other party, at most their name.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.agreements.documents import pdf
from mend.agreements.documents.words import day, name_of, reader_language
from mend.agreements.models import Agreement
from mend.cases.models import Case, Participant
from mend.cases.stages import Outcome

# How each outcome reads to a party, in plain words.
PLAIN: dict[str, Any] = {
    Outcome.COMPLETED_WITH_AGREEMENT: gettext_lazy(
        "The restorative process took place and an agreement was reached."
    ),
    Outcome.AGREEMENT_NOT_COMPLETED: gettext_lazy(
        "The restorative process took place and an agreement was reached, but not all of it "
        "was carried out. The program has recorded this and nothing more."
    ),
    Outcome.COMPLETED_WITHOUT_AGREEMENT: gettext_lazy(
        "The restorative process took place. It ended without a written agreement."
    ),
    Outcome.WITHDRAWN_BY_HARMED_PARTY: gettext_lazy(
        "The person who was harmed decided not to go on with the process."
    ),
    Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY: gettext_lazy(
        "The person responsible for the harm decided not to go on with the process."
    ),
    Outcome.NOT_SUITABLE: gettext_lazy(
        "After talking with everyone, the program decided that a restorative process was "
        "not the right way forward in this case."
    ),
    Outcome.NOT_ELIGIBLE: gettext_lazy(
        "The case did not meet the program's criteria for a restorative process."
    ),
    Outcome.UNABLE_TO_CONTACT: gettext_lazy(
        "The program could not reach everyone it needed to, so the process could not go ahead."
    ),
    Outcome.REFERRED_ELSEWHERE: gettext_lazy("The case was passed to another service."),
}


def closure_letter(case: Case, reader: Participant) -> pdf.Document:
    """The letter for one party of an ended case, in their language."""
    program = case.program
    language = reader_language(reader, program)
    with translation.override(language):
        blocks: list[pdf.Block] = [
            pdf.Heading(_("Your case has closed")),
            pdf.Facts(
                [
                    (_("Program"), program.name),
                    (_("Case reference"), case.reference),
                    (_("Closed on"), day(case.closed_at, program) if case.closed_at else ""),
                ]
            ),
            pdf.Text(_("Dear %(name)s,") % {"name": name_of(reader)}),
            pdf.Text(
                _(
                    "Thank you for taking part in %(program)s. We are writing to let you know "
                    "that your case has now closed."
                )
                % {"program": program.name}
            ),
            pdf.Facts([(_("How the case ended"), str(Outcome(case.outcome).label))]),
            pdf.Text(str(PLAIN[case.outcome])),
            *_completed(case, reader),
            pdf.Text(_contact(case)),
            pdf.Text(_("With thanks,\n%(program)s") % {"program": program.name}),
        ]
        return pdf.Document(
            title=_("Your case has closed"),
            language=language,
            footer=case.reference,
            blocks=blocks,
        )


def _completed(case: Case, reader: Participant) -> list[pdf.Block]:
    """For each completed agreement the reader was a party to, that its terms were done."""
    done = Agreement.objects.filter(case=case, status=Agreement.Status.COMPLETED).select_related(
        "responsible__person"
    )
    lines = []
    for agreement in done:
        if agreement.responsible_id == reader.pk:
            lines.append(_("You completed every term of your agreement. Thank you."))
        elif reader.role == Participant.Role.HARMED and reader.takes_part:
            lines.append(
                _("The terms of the agreement made with %(name)s were completed.")
                % {"name": name_of(agreement.responsible)}
            )
    return [pdf.Text(line) for line in lines]


def _contact(case: Case) -> str:
    program = case.program
    reach = [value for value in (program.contact_phone, program.contact_email) if value]
    if not reach:
        return _("If you have any questions, please get in touch with the program.")
    return _("If you have any questions, please get in touch with the program: %(how)s.") % {
        "how": ", ".join(reach)
    }
