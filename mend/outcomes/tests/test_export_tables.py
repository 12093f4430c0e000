"""Every model is decided on: exported with its path to the program, or left out with a
reason. Secrets never leave, and text stays out of the person-free package by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import models

from mend.core.fields import EncryptedTextField
from mend.outcomes.export.package import column_type
from mend.outcomes.export.tables import (
    LEFT_OUT,
    PERSON_FREE_TEXT,
    PERSONAL_DATES,
    SECRETS,
    TABLES,
    Variant,
    all_models,
    columns,
    exported_labels,
    key,
    rows,
)
from mend.testing.personas import World

# Column names that smell of a credential: each must be in SECRETS.
SECRET_LOOKING = re.compile(r"password|token|secret|hash|session_key|stored_name|scan_name")
# Flags about a credential, not the credential.
NOT_SECRETS = {"accounts.User.must_change_password"}


def test_every_model_is_exported_or_left_out_with_a_reason() -> None:
    labels = {model._meta.label for model in all_models()}
    undecided = sorted(labels - exported_labels() - set(LEFT_OUT))
    assert not undecided, (
        f"Decide for these models in mend/outcomes/export/tables.py: add them to TABLES "
        f"with their path to the program, or to LEFT_OUT with the reason: {undecided}"
    )
    assert not exported_labels() & set(LEFT_OUT)
    assert all(reason.strip() for reason in LEFT_OUT.values())
    # No stale names: each one names a model that exists.
    assert not (exported_labels() | set(LEFT_OUT)) - labels


def test_a_new_model_would_fail_the_guard() -> None:
    labels = {model._meta.label for model in all_models()} | {"outcomes.Teleport"}
    assert labels - exported_labels() - set(LEFT_OUT) == {"outcomes.Teleport"}


def test_each_table_is_found_once_and_its_path_reaches_the_program(world: World) -> None:
    assert len(exported_labels()) == len(TABLES)
    for table in TABLES:
        rows(table, world.program).count()  # a wrong path raises FieldError here


def test_every_column_that_looks_like_a_credential_is_a_secret() -> None:
    for table in TABLES:
        for field in table.model._meta.concrete_fields:
            if SECRET_LOOKING.search(field.name) and key(table.model, field) not in NOT_SECRETS:
                assert key(table.model, field) in SECRETS, key(table.model, field)
    for name in SECRETS | PERSON_FREE_TEXT | PERSONAL_DATES:
        label, field_name = name.rsplit(".", 1)
        model = next(m for m in all_models() if m._meta.label == label)
        model._meta.get_field(field_name)  # a stale name raises here


@pytest.mark.parametrize("variant", list(Variant))
def test_secrets_are_no_column_of_either_variant(variant: Variant) -> None:
    for table in TABLES:
        for field in columns(table.model, variant):
            assert key(table.model, field) not in SECRETS


def test_person_free_keeps_no_encrypted_field_and_no_unlisted_text() -> None:
    for table in TABLES:
        for field in columns(table.model, Variant.PERSON_FREE):
            name = key(table.model, field)
            assert not isinstance(field, EncryptedTextField), name
            assert name not in PERSONAL_DATES, name
            free_text = isinstance(field, models.CharField | models.TextField | models.JSONField)
            if free_text and not field.choices:
                assert name in PERSON_FREE_TEXT, name


def test_every_exported_column_has_a_table_schema_type() -> None:
    known = {
        "integer",
        "number",
        "string",
        "boolean",
        "date",
        "datetime",
        "time",
        "object",
        "array",
    }
    for table in TABLES:
        for field in columns(table.model, Variant.FULL):
            assert column_type(field) in known


def test_the_documentation_names_every_table_left_out() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "export.md").read_text()
    missing = [label for label in LEFT_OUT if f"`{label}`" not in text and "crypto" not in label]
    assert not missing, f"docs/export.md should say why these are left out: {missing}"
