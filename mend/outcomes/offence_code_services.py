"""The one write to a program's mapping of offence categories to a national code list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mend.core import audit
from mend.outcomes.models import NationalOffenceCode, OutcomeSettings
from mend.outcomes.offence_codes import LISTS, CodeList
from mend.outcomes.settings_services import STALE
from mend.programs.models import OffenceCategory, Program

if TYPE_CHECKING:
    from mend.accounts.models import User


@transaction.atomic
def map_offence_codes(
    *,
    program: Program,
    code_list: str,
    codes: dict[int, str],
    by: User | None,
    expected_version: int | None,
) -> OutcomeSettings:
    """Choose the list (or none) and each category's code in it ("" leaves one unmapped).
    Changing the list drops every code of the old one."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    found = OutcomeSettings.objects.select_for_update().filter(program=program).first()
    current = found or OutcomeSettings(program=program)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(
            _("Someone changed these settings since you opened the form. Nothing was saved."),
            code=STALE,
        )
    if code_list not in ("", *CodeList.values):
        raise ValidationError({"code_list": _("Choose a list from the options.")})
    known = {code for code, _label in LISTS.get(code_list, [])}
    categories = {c.pk: c for c in OffenceCategory.objects.filter(program=program)}
    errors = {}
    for category_id, code in codes.items():
        if category_id not in categories:
            raise ValidationError(_("That offence category is not this program's."))
        if code and code not in known:
            errors[f"category_{category_id}"] = _("Choose a code from the list.")
    if errors:
        raise ValidationError(errors)
    NationalOffenceCode.objects.filter(category__program=program).exclude(
        code_list=code_list
    ).delete()
    for category_id, code in codes.items():
        if code:
            NationalOffenceCode.objects.update_or_create(
                category=categories[category_id], defaults={"code_list": code_list, "code": code}
            )
        else:
            NationalOffenceCode.objects.filter(category_id=category_id).delete()
    current.offence_code_list = code_list
    if found is not None:
        current.version += 1
    current.save()
    audit.record(
        actor=by,
        action="offence_codes.mapped",
        obj=current,
        program=program,
        code_list=code_list,
        mapped=sum(1 for code in codes.values() if code),
    )
    return current
