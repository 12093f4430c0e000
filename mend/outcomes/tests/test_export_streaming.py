"""A large program's export streams: rows are read a chunk at a time and the zip's bytes
leave as they are written, never the whole program in memory at once."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mend.cases.models import Person
from mend.outcomes.export import writer
from mend.outcomes.export.tables import Variant
from mend.testing.personas import World


def test_the_description_leaves_before_any_row_is_read(world: World) -> None:
    chunks = writer.stream(world.program, Variant.PERSON_FREE)
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)
    assert first.startswith(b"PK")  # a zip's first entry: datapackage.json
    assert not any("cases_person" in q["sql"] for q in queries.captured_queries)
    rest = b"".join(chunks)
    with zipfile.ZipFile(io.BytesIO(first + rest)) as archive:
        assert archive.namelist()[0] == "datapackage.json"


def test_many_rows_leave_in_many_chunks_and_all_arrive(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A program of 250 people, read 40 at a time.
    monkeypatch.setattr(writer, "CHUNK", 40)
    Person.objects.bulk_create(
        Person(program=world.program, given_name=f"P{n}", family_name="Many", phone="0117")
        for n in range(250)
    )
    with CaptureQueriesContext(connection) as queries:
        pieces = list(writer.stream(world.program, Variant.FULL))
    people_reads = [q for q in queries.captured_queries if 'FROM "cases_person"' in q["sql"]]
    # SQLite fetches chunk by chunk from one query; PostgreSQL uses a server-side cursor.
    assert people_reads
    monkeypatch.setattr(writer, "CHUNK", 100_000)
    in_one_go = list(writer.stream(world.program, Variant.FULL))
    # One more hand-over per chunk of 40 people: the bytes leave while the rows are read.
    assert len(pieces) - len(in_one_go) >= 250 // 40
    with zipfile.ZipFile(io.BytesIO(b"".join(pieces))) as archive:
        text = archive.read("data/cases.person.csv").decode()
    people = list(csv.DictReader(io.StringIO(text)))
    assert len(people) == 250
    assert {p["phone"] for p in people} == {"0117"}
