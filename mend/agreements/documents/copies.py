"""Each party's copy of an agreement: who the parties are, what each term asks, who has
agreed and how, and a line to sign for each who has not.

Built from a list of fields, not from the models: the parties by name and role, and of
each term what was agreed. A term's payee, a placement's address or contact, anyone's
address, phone or e-mail are not on the list, so the responsible party's copy can never
carry the harmed party's details.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from mend.agreements import progress, services
from mend.agreements.documents import pdf
from mend.agreements.documents.words import day, money, name_of, reader_language
from mend.agreements.models import Agreement, Signature, Term
from mend.cases.models import Participant

# Terms shown on a copy: a renegotiated term is replaced by the term that took its place.
SHOWN = [s for s in Term.Status.values if s != Term.Status.RENEGOTIATED]


def copy_for(agreement: Agreement, reader: Participant) -> pdf.Document:
    """The agreement as `reader` gets it, in their language."""
    program = agreement.case.program
    language = reader_language(reader, program)
    parties = services.signers(agreement)
    signed = {s.participant_id: s for s in agreement.signatures.all()}
    with translation.override(language):
        return pdf.Document(
            title=_("Copy of the agreement"),
            language=language,
            footer=agreement.case.reference,
            blocks=[
                pdf.Heading(_("Copy of the agreement")),
                pdf.Facts(_about(agreement, reader)),
                pdf.Heading(_("The parties"), 2),
                pdf.Items(_parties(agreement, parties, signed)),
                pdf.Heading(_("What was agreed"), 2),
                *_terms(agreement),
                *_to_sign(parties, signed),
            ],
        )


def _about(agreement: Agreement, reader: Participant) -> list[tuple[str, str]]:
    program = agreement.case.program
    if agreement.agreed_at:
        when = (_("Agreed by every party on"), day(agreement.agreed_at, program))
    else:
        when = (_("Drafted on"), day(agreement.created_at, program))
    return [
        (_("Program"), program.name),
        (_("Case reference"), agreement.case.reference),
        (_("Version of the agreement"), str(agreement.number)),
        when,
        (_("Status"), str(agreement.get_status_display())),
        (_("Copy for"), name_of(reader)),
    ]


def _parties(
    agreement: Agreement, parties: list[Participant], signed: dict[int, Signature]
) -> list[str]:
    program = agreement.case.program
    lines = []
    for person in parties:
        who = _("%(name)s, %(role)s") % {
            "name": name_of(person),
            "role": str(person.get_role_display()).lower(),
        }
        signature = signed.get(person.pk)
        if signature is None:
            lines.append(_("%(who)s: has not agreed yet.") % {"who": who})
        else:
            lines.append(
                _("%(who)s: agreed on %(date)s (%(how)s).")
                % {
                    "who": who,
                    "date": day(signature.agreed_on, program),
                    "how": str(signature.get_method_display()).lower(),
                }
            )
    return lines


def _terms(agreement: Agreement) -> list[pdf.Block]:
    terms = (
        agreement.terms.filter(status__in=SHOWN)
        .select_related("serves__person", "placement")
        .prefetch_related("instalments")
    )
    program = agreement.case.program
    blocks: list[pdf.Block] = []
    for number, term in enumerate(terms, start=1):
        heading = _("Term %(number)s: %(kind)s") % {
            "number": number,
            "kind": term.get_kind_display(),
        }
        rows = [
            (_("Serves"), name_of(term.serves) if term.serves else _("The community")),
            (_("What was agreed"), term.description),
            (_("Due by"), day(term.due_on, program) if term.due_on else _("No date set")),
            *_details(term, agreement),
        ]
        if term.status != Term.Status.PENDING:
            rows.append((_("Status"), str(term.get_status_display())))
        blocks.append(pdf.Group([pdf.Heading(heading, 3), pdf.Facts(rows)]))
    if not blocks:
        blocks.append(pdf.Text(_("No terms have been written yet.")))
    return blocks


def _details(term: Term, agreement: Agreement) -> list[tuple[str, str]]:
    """What a term of its kind adds: the sum and its schedule, the hours and where, the
    program and who runs it."""
    program = agreement.case.program
    if term.kind == Term.Kind.RESTITUTION and term.amount is not None:
        rows = [(_("Amount"), money(term.amount, term.currency))]
        instalments = list(term.instalments.all())
        if instalments:
            schedule = "\n".join(
                _("%(amount)s by %(date)s")
                % {"amount": money(i.amount, term.currency), "date": day(i.due_on, program)}
                for i in instalments
            )
            rows.append((_("Paid in instalments"), schedule))
        return rows
    if term.kind == Term.Kind.COMMUNITY_SERVICE:
        rows = [(_("Hours of service"), progress.hours(term.service_minutes or 0))]
        if term.placement is not None:
            rows.append(
                (
                    _("Where"),
                    _("%(worksite)s, run by %(organisation)s")
                    % {
                        "worksite": term.placement.name,
                        "organisation": term.placement.organisation,
                    },
                )
            )
        return rows
    if term.kind == Term.Kind.PROGRAM:
        return [
            (_("Kind of program"), str(term.get_program_kind_display())),
            (_("Provider"), term.provider),
        ]
    return []


def _to_sign(parties: list[Participant], signed: dict[int, Signature]) -> list[pdf.Block]:
    waiting = [p for p in parties if p.pk not in signed]
    if not waiting:
        return [pdf.Heading(_("Signatures"), 2), pdf.Text(_("Every party has agreed."))]
    return [
        pdf.Heading(_("Signatures"), 2),
        pdf.Text(_("By signing, I agree to the terms above.")),
        *(pdf.SignatureLine(name_of(person)) for person in waiting),
    ]
