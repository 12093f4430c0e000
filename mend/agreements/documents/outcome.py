"""The outcome report for the referrer (police, prosecutor or court): the least they may
know. Whether a restorative process took place, whether an agreement was reached and
completed, and the case's outcome; of the terms only their kinds, and only the kinds the
program chose to share. No notes, no names, nothing anyone said.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from mend.agreements.documents import pdf
from mend.agreements.documents.words import day, program_language
from mend.agreements.models import Agreement, AgreementSettings, Term
from mend.cases.models import Case
from mend.cases.stages import Outcome
from mend.processes.models import Letter, Meeting
from mend.programs.practice import DIRECT_PROCESSES

# An agreement every party agreed to, whatever came of it.
REACHED = [Agreement.Status.BINDING, Agreement.Status.COMPLETED, Agreement.Status.NOT_COMPLETED]


def process_took_place(case: Case) -> bool:
    """A joint meeting was held, or a letter between the parties was delivered."""
    met = Meeting.objects.filter(
        case=case, status=Meeting.Status.HELD, kind__in=list(DIRECT_PROCESSES)
    )
    wrote = Letter.objects.filter(case=case, status=Letter.Status.DELIVERED)
    return met.exists() or wrote.exists()


def shared_kinds(case: Case) -> list[str]:
    """The kinds of the terms agreed that the program shares with referrers (none unless
    it chose some), in the order of Term.Kind."""
    found = AgreementSettings.objects.filter(program_id=case.program_id).first()
    shared = set(found.kinds_shared_with_referrer) if found else set()
    agreed = set(
        Term.objects.filter(agreement__case=case, agreement__status__in=REACHED)
        .exclude(status=Term.Status.RENEGOTIATED)
        .values_list("kind", flat=True)
    )
    return [kind for kind in Term.Kind.values if kind in shared & agreed]


def outcome_report(case: Case) -> pdf.Document:
    """The report of an ended case, in the program's language."""
    program = case.program
    language = program_language(program)
    statuses = list(
        Agreement.objects.filter(case=case, status__in=REACHED).values_list("status", flat=True)
    )
    reached = bool(statuses)
    with translation.override(language):
        yes, no = _("Yes"), _("No")
        if not reached:
            completed = _("No agreement was reached")
        else:
            completed = yes if set(statuses) == {Agreement.Status.COMPLETED} else no
        agency = case.referral.agency
        rows = [
            (_("Program"), program.name),
            (_("Referred by"), agency.name if agency else ""),
            (_("Case reference"), case.reference),
            (_("Incident reference"), case.referral.incident_reference),
            (_("Closed on"), day(case.closed_at, program) if case.closed_at else ""),
            (_("Outcome"), str(Outcome(case.outcome).label)),
            (_("A restorative process took place"), yes if process_took_place(case) else no),
            (_("An agreement was reached"), yes if reached else no),
            (_("The agreement was completed"), completed),
        ]
        blocks: list[pdf.Block] = [pdf.Heading(_("Outcome report")), pdf.Facts(rows)]
        kinds = shared_kinds(case) if reached else []
        if kinds:
            blocks += [
                pdf.Heading(_("What the agreement asked, by kind"), 2),
                pdf.Items([str(Term.Kind(kind).label) for kind in kinds]),
            ]
        blocks.append(
            pdf.Text(
                _(
                    "This report holds only what the program shares with the referrer. What "
                    "the parties said, and the details of their agreement, stay with the "
                    "program."
                )
            )
        )
        return pdf.Document(
            title=_("Outcome report"), language=language, footer=case.reference, blocks=blocks
        )
