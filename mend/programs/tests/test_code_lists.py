"""The code lists of a program (languages, processes, consent purposes) accept only a flat
list of known codes, each once; anything else is a ValidationError, never a crash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from mend.core.forms import CodeListFormField
from mend.programs.models import (
    ConsentPurpose,
    ProcessType,
    Program,
    known_codes,
    language_codes,
)


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    # The messages are asserted in English, whatever language an earlier test left active.
    with translation.override("en"):
        yield


FIELDS = {
    "languages": language_codes(),
    "process_types": list(ProcessType.values),
    "consent_purposes": list(ConsentPurpose.values),
}
ALL_CODES = sorted({code for codes in FIELDS.values() for code in codes})

# Leaves that are often real codes, so that accepted values are found too.
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(ALL_CODES)
)
json_values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)


def _clean(field: str, value: Any) -> Any:
    return Program._meta.get_field(field).clean(value, None)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(sorted(FIELDS)), value=json_values)
def test_any_json_value_is_accepted_as_known_codes_or_refused_with_a_validation_error(
    field: str, value: Any
) -> None:
    try:
        cleaned = _clean(field, value)
    except ValidationError as error:
        assert error.messages and all(message for message in error.messages)
        return
    assert isinstance(cleaned, list) and cleaned
    assert all(isinstance(code, str) and code in FIELDS[field] for code in cleaned)
    assert len(set(cleaned)) == len(cleaned)


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(sorted(FIELDS)), value=json_values)
def test_json_text_from_a_form_is_accepted_as_known_codes_or_refused(
    field: str, value: Any
) -> None:
    form_field = Program._meta.get_field(field).formfield()
    assert isinstance(form_field, CodeListFormField)
    try:
        cleaned = _clean(field, form_field.clean(json.dumps(value)))
    except ValidationError:
        return
    assert all(code in FIELDS[field] for code in cleaned)


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_readers_take_only_the_known_codes_of_any_stored_value(value: Any) -> None:
    codes = known_codes(value, ProcessType.values)
    assert all(code in ProcessType.values for code in codes)
    assert len(set(codes)) == len(codes)


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mediation", "Give a list of codes"),
        ({"mediation": True}, "Give a list of codes"),
        (["mediation", ["circle"]], "Each entry must be a code in quotes"),
        (["mediation", 3], "Each entry must be a code in quotes"),
        (["mediation", "duel"], "Unknown code: duel."),
        (["mediation", "mediation"], "Give each code only once."),
    ],
)
def test_each_kind_of_bad_value_has_a_clear_message(value: Any, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _clean("process_types", value)
    assert message in " ".join(refused.value.messages)


def test_five_thousand_nested_brackets_are_a_validation_error() -> None:
    nested: Any = []
    for _level in range(5000):
        nested = [nested]
    with pytest.raises(ValidationError):
        _clean("process_types", nested)
    form_field = Program._meta.get_field("process_types").formfield()
    with pytest.raises(ValidationError):
        form_field.clean(DEEP)
    # Showing the refused text again in the form does not fail either.
    assert form_field.bound_data(DEEP, []) == DEEP
    assert form_field.has_changed([], DEEP)


def test_a_program_with_a_bad_list_fails_full_clean_not_with_a_crash(db: None) -> None:
    program = Program(name="X", slug="x", reference_prefix="X", languages=["en"])
    program.process_types = [["mediation"]]
    program.consent_purposes = ["contact"]
    with pytest.raises(ValidationError) as refused:
        program.full_clean()
    assert "process_types" in refused.value.message_dict
