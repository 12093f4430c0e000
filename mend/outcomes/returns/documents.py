"""The returns as files: a PDF laid out by mend.agreements.documents.pdf (its fonts,
title, author and language), and a CSV with one row per figure. Both carry each
figure's counting rule beside its number."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mend.agreements.documents import pdf
from mend.outcomes.periods import Period
from mend.outcomes.returns.lines import Figure, Return
from mend.programs.models import Program

CSV_COLUMNS = ("return", "code", "label", "value", "definition", "period")


def plain_value(figure: Figure) -> str:
    """The value for a spreadsheet: the bare number, or the words when it is withheld."""
    if figure.suppressed or figure.value is None:
        return figure.shown
    return str(figure.value)


def as_csv(returns: list[tuple[Return, list[Figure]]], period: Period) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for ret, figures in returns:
        for figure in figures:
            writer.writerow(
                (ret.code, figure.code, figure.label, plain_value(figure), figure.rule, period.code)
            )
    return out.getvalue()


def as_pdf(
    returns: list[tuple[Return, list[Figure]]],
    program: Program,
    period: Period,
    today: date,
    *,
    exact: bool,
) -> bytes:
    title = _("Funder returns: %(period)s") % {"period": period.label}
    blocks: list[pdf.Block] = [
        pdf.Heading(title),
        pdf.Facts(
            [
                (_("Program"), program.name),
                (_("Period"), period.label),
                (_("Produced on"), date_format(today, "DATE_FORMAT")),
            ]
        ),
    ]
    if not exact:
        blocks.append(pdf.Text(_("Small counts are not shown, so that no one can be recognised.")))
    for ret, figures in returns:
        blocks += [pdf.Heading(str(ret.title), 2), pdf.Text(str(ret.about))]
        for figure in figures:
            blocks.append(
                pdf.Group(
                    [
                        pdf.Facts([(figure.label, figure.shown)]),
                        pdf.Text(_("How it is counted: %(rule)s") % {"rule": figure.rule}),
                    ]
                )
            )
    document = pdf.Document(
        title=title,
        language=translation.get_language() or "en",
        footer=f"{program.name} · {period.code}",
        blocks=blocks,
    )
    return pdf.render(document)
