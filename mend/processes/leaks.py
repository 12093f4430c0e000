"""Whether a text on its way to someone in a case carries another person's contact details.

A harmed person's address must never reach the person who harmed them, even when the
harmed person writes it into their own letter. Before a letter is approved, its copy for
the recipient is searched for the phone number, e-mail address and address of everyone
else in the case; what is found must be removed first.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from mend.cases.models import Case, Participant, Person

# A phone number is compared by its digits; fewer than this many would match dates.
MIN_PHONE_DIGITS = 7


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _found(person: Person, text: str) -> list[str]:
    """Which of this person's contact details the text contains, as field codes."""
    words, digits = _words(text), _digits(text)
    found = []
    phone = _digits(person.phone)
    if len(phone) >= MIN_PHONE_DIGITS and phone in digits:
        found.append("phone")
    if person.email.strip() and _words(person.email) in words:
        found.append("email")
    # An address is found by its first line: "1 Hidden Lane" is enough to find someone.
    first_line = _words(re.split(r"[,\n]", person.address, maxsplit=1)[0])
    if len(first_line) >= 5 and first_line in words:
        found.append("address")
    return found


def contact_details_in(text: str, case: Case, recipient: Participant) -> list[str]:
    """Sentences naming each other person whose contact details `text` contains ([]: none).

    The recipient's own details are theirs to read.
    """
    sentences_for = {
        "phone": _(
            "The copy for %(recipient)s still contains the phone number of %(name)s. "
            "Remove it before approving."
        ),
        "email": _(
            "The copy for %(recipient)s still contains the e-mail address of %(name)s. "
            "Remove it before approving."
        ),
        "address": _(
            "The copy for %(recipient)s still contains the address of %(name)s. "
            "Remove it before approving."
        ),
    }
    people = (
        Person.objects.filter(participations__case=case)
        .exclude(pk=recipient.person_id)
        .distinct()
        .order_by("family_name", "given_name", "pk")
    )
    sentences = []
    for person in people:
        for field in _found(person, text):
            sentences.append(sentences_for[field] % {"recipient": recipient.person, "name": person})
    return sentences
