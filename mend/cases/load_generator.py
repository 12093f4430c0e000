"""Synthetic load: a program of N cases, for benchmarks and capacity planning.

A few dozen template cases are built first, through the services, by the demo's case
stories (so each obeys the practice rules: consent through the ledger, assessments before
a process, an outcome on every ended case...). Every other case is a copy of one template,
written in bulk: COPY on PostgreSQL, batched INSERTs on SQLite. A copy keeps its template's
shape (people, consents, assessments, notes, meetings, letters, agreements, payments,
surveys, the audit events about it) with new keys, new names and every date moved back by
the same number of days, so a copy of a closed case lands anywhere in the last `years`
years and a copy of an open one within the last month. Encrypted values are copied as the
tokens their template was written with, so they decrypt as the models expect.

Which tables are copied is worked out from the models: every model with a foreign key to a
copied model is copied too, so a table added later is loaded without changing this file.
Only the rows that cannot be shared between copies need saying (LEFT_OUT), and a unique
column this file does not know how to vary stops it before it writes anything.

Deterministic: the templates come from the demo's seeded stories (dated from today) and
every choice about the copies from `seed`. It writes on a database of its own: never on
one holding real cases.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.test.utils import override_settings
from django.utils import timezone

from mend.cases.demo import FAMILY_NAMES, GIVEN_NAMES
from mend.cases.models import Case
from mend.cases.stages import ENDED
from mend.core import audit
from mend.core.models import AuditEvent
from mend.core.search import folded
from mend.programs import demo as programs_demo
from mend.programs.models import Program

# Followed forwards from a copied row: what belongs to the case though the key points out.
OWNED_FORWARD = {"cases.case": "referral", "cases.participant": "person"}
# Rows that stay with their template: a file's bytes, a partner's request keys.
LEFT_OUT = {"processes.letterattachment", "partners.idempotentrequest"}
# How many copies are written in one transaction (bounds memory and deferred key checks).
BATCH = 2000
# A copy of an open case (still being worked) is moved back at most this far.
OPEN_SPREAD_DAYS = 30
# Share of copies made from open templates: most cases in a program's history have ended.
OPEN_SHARE = 0.03


POSTGRES = connection.vendor == "postgresql"


@dataclass
class Table:
    """One copied model: its template rows and how each column changes in a copy."""

    model: type[models.Model]
    # The key that ties a row to its template: its attname, and the model it points at.
    owner: str = ""
    owner_label: str = ""
    columns: list[str] = field(default_factory=list)
    fields: list[models.Field[Any, Any]] = field(default_factory=list)
    # Per template: the rows as written to the database, and their primary keys.
    rows: dict[int, list[list[Any]]] = field(default_factory=lambda: defaultdict(list))
    keys: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    typed: dict[int, list[list[Any]]] = field(default_factory=lambda: defaultdict(list))
    next_key: int = 0
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.model._meta.label_lower

    def read_columns(self) -> list[str]:
        self.fields = list(self.model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        return [f.attname for f in self.fields]

    def add(self, template: int, pk: int, typed: tuple[Any, ...]) -> None:
        """A template row, as read (typed) and as written (each value made ready once)."""
        self.keys[template].append(pk)
        self.typed[template].append(list(typed))
        self.rows[template].append([_ready(f, v) for f, v in zip(self.fields, typed, strict=True)])


@dataclass
class Result:
    program: Program
    templates: int
    copies: int
    rows: dict[str, int]


def generate(
    *,
    cases: int,
    seed: int = 1,
    slug: str = "load",
    templates: int = 150,
    years: int = 10,
    say: Callable[[str], None] = lambda line: None,
) -> Result:
    """Fill the program `slug` (made if missing) up to `cases` cases."""
    program = Program.objects.filter(slug=slug).first()
    if program is None or not program.cases.exists():
        program = _templates(slug, min(templates, cases), say)
    template_ids = list(program.cases.order_by("pk").values_list("pk", flat=True)[:templates])
    wanted = cases - program.cases.count()
    copier = _Copier(program, template_ids, random.Random(seed), years)  # noqa: S311
    written: dict[str, int] = defaultdict(int)
    made = 0
    while made < wanted:
        size = min(BATCH, wanted - made)
        with transaction.atomic():
            for label, count in copier.write(size).items():
                written[label] += count
        made += size
        say(f"{made:,} of {wanted:,} copies written")
    _reset_sequences([table.model for table in copier.tables] + [AuditEvent])
    audit.record(
        actor=None,
        action="load.generated",
        obj=program,
        program=program,
        cases=made,
        seed=seed,
    )
    return Result(program, len(template_ids), made, dict(written))


def _templates(slug: str, stories: int, say: Callable[[str], None]) -> Program:
    """The program and its template cases, through the services as the demo builds them."""
    say(f"{stories} template cases, through the services")
    # Synthetic people must never be written to, and nothing is left for a worker to send.
    tasks_before = _last_task()
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        context = programs_demo.load(
            slug=slug,
            name=f"Load test program ({slug})",
            reference_prefix=re.sub("[^A-Z0-9]", "", slug.upper())[:10] or "LOAD",
            account_prefix=f"{slug}-",
        )
        context.case_stories = stories
        programs_demo.load_apps(context, say=lambda line: say(f"  {line}"))
    _forget_tasks(tasks_before)
    return context.program


def _last_task() -> Any:
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.order_by("-enqueued_at").values_list("enqueued_at", flat=True).first()
    )


def _forget_tasks(before: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.all()
    if before is not None:
        queued = queued.filter(enqueued_at__gt=before)
    queued.delete()


class _Copier:
    def __init__(
        self, program: Program, template_ids: list[int], rng: random.Random, years: int
    ) -> None:
        self.program = program
        self.rng = rng
        self.years = years
        self.tables = _tables()
        self.by_label = {table.label: table for table in self.tables}
        self.audit = Table(AuditEvent, owner="subject_id")
        self._read(template_ids)
        self.plans = {t.label: _column_plan(t, self.by_label) for t in [*self.tables, self.audit]}
        self.open = [t for t in template_ids if self._stage(t) not in ENDED]
        self.ended = [t for t in template_ids if self._stage(t) in ENDED] or self.open
        self.numbers: dict[int, int] = dict(
            Case.objects.filter(program=program)
            .values("year")
            .annotate(n=models.Max("number"))
            .values_list("year", "n")
        )
        for table in [*self.tables, self.audit]:
            table.next_key = (table.model._base_manager.aggregate(n=models.Max("pk"))["n"] or 0) + 1

    # --- Reading the templates ----------------------------------------------------------

    def _read(self, template_ids: list[int]) -> None:
        owned: dict[str, dict[int, int]] = {"cases.case": {pk: pk for pk in template_ids}}
        for table in self.tables:
            model = table.model
            names = table.read_columns()
            source = self._owned(table, owned)
            values = model._base_manager.filter(pk__in=list(source)).order_by("pk")
            owned[table.label] = {}
            at = names.index(model._meta.pk.attname)
            for typed in values.values_list(*names):
                owned[table.label][typed[at]] = source[typed[at]]
                table.add(source[typed[at]], typed[at], typed)
        self._read_audit(owned["cases.case"])

    def _owned(self, table: Table, owned: dict[str, dict[int, int]]) -> dict[int, int]:
        """The primary keys of this table's template rows, each with its template case."""
        model = table.model
        for parent, attname in OWNED_FORWARD.items():
            if apps.get_model(parent)._meta.get_field(attname).related_model is model:
                key = apps.get_model(parent)._meta.get_field(attname).attname
                pairs = (
                    apps.get_model(parent)
                    ._base_manager.filter(pk__in=list(owned[parent]))
                    .values_list("pk", key)
                )
                return {target: owned[parent][pk] for pk, target in pairs if target}
        if table.label == "cases.case":
            return owned["cases.case"]
        parents = owned[table.owner_label]
        pairs = model._base_manager.filter(**{f"{table.owner}__in": list(parents)}).values_list(
            "pk", table.owner
        )
        return {pk: parents[parent] for pk, parent in pairs}

    def _read_audit(self, cases: dict[int, int]) -> None:
        names = self.audit.read_columns()
        events = AuditEvent.objects.filter(
            subject_type="cases.case", subject_id__in=[str(pk) for pk in cases]
        ).order_by("pk")
        at, subject = names.index("id"), names.index("subject_id")
        for typed in events.values_list(*names):
            self.audit.add(cases[int(typed[subject])], typed[at], typed)

    def _stage(self, template: int) -> str:
        table = self.by_label["cases.case"]
        return str(table.typed[template][0][table.columns.index("stage")])

    # --- Writing copies -----------------------------------------------------------------

    def write(self, count: int) -> dict[str, int]:
        out: dict[str, list[list[Any]]] = defaultdict(list)
        for _ in range(count):
            self._copy(out)
        written = {}
        for table in [*self.tables, self.audit]:
            rows = out.get(table.label, [])
            if rows:
                _insert(table.model._meta.db_table, table.columns, rows)
            written[table.label] = len(rows)
        return written

    def _copy(self, out: dict[str, list[list[Any]]]) -> None:
        rng = self.rng
        if self.open and rng.random() < OPEN_SHARE:
            template = rng.choice(self.open)
            shift = timedelta(days=rng.randint(0, OPEN_SPREAD_DAYS))
        else:
            template = rng.choice(self.ended)
            shift = timedelta(days=rng.randint(1, 365 * self.years))
        # New keys first: a row may point at one written after it (a later term).
        keys: dict[str, dict[int, int]] = {}
        for table in [*self.tables, self.audit]:
            old = table.keys.get(template, [])
            keys[table.label] = {pk: table.next_key + i for i, pk in enumerate(old)}
            table.next_key += len(old)
        for table in [*self.tables, self.audit]:
            for row, typed in zip(table.rows[template], table.typed[template], strict=True):
                out[table.label].append(self._row(table, row, typed, keys, shift))

    def _row(
        self,
        table: Table,
        row: list[Any],
        typed: list[Any],
        keys: dict[str, dict[int, int]],
        shift: timedelta,
    ) -> list[Any]:
        new = list(row)
        for index, kind, extra in self.plans[table.label]:
            value = typed[index]
            if value is None:
                continue
            if kind == "key":
                new[index] = keys[table.label][value]
            elif kind == "points":
                mapped = keys[extra].get(value)
                new[index] = mapped if mapped is not None else row[index]
            elif kind == "date":
                new[index] = (
                    value - shift
                    if POSTGRES  # COPY takes dates as they are
                    else table.fields[index].get_db_prep_save(value - shift, connection)
                )
            elif kind == "unique":
                new[index] = _token(value, table.fields[index], row_key=new[0])
        if table.label == "cases.case":
            self._number(table, new, typed, shift)
        elif table.label == "cases.person":
            columns = table.columns
            given, family = self.rng.choice(GIVEN_NAMES), self.rng.choice(FAMILY_NAMES)
            new[columns.index("given_name")] = given
            new[columns.index("family_name")] = family
            new[columns.index("search_name")] = folded(f"{given} {family}")
        elif table is self.audit:
            self._point_event(new, typed, keys)
        return new

    def _point_event(
        self, new: list[Any], typed: list[Any], keys: dict[str, dict[int, int]]
    ) -> None:
        """An audit event names its case and its object by id, as text: move them too."""
        columns = self.audit.columns
        new[columns.index("subject_id")] = str(
            keys["cases.case"][int(typed[columns.index("subject_id")])]
        )
        kind, object_id = typed[columns.index("object_type")], typed[columns.index("object_id")]
        if kind in keys and object_id.isdigit() and int(object_id) in keys[kind]:
            new[columns.index("object_id")] = str(keys[kind][int(object_id)])

    def _number(self, table: Table, new: list[Any], typed: list[Any], shift: timedelta) -> None:
        columns = table.columns
        created = typed[columns.index("created_at")] - shift
        year = timezone.localtime(created).year
        self.numbers[year] = number = self.numbers.get(year, 0) + 1
        new[columns.index("year")] = year
        new[columns.index("number")] = number
        new[columns.index("reference")] = f"{self.program.reference_prefix}-{year}-{number:04d}"


def _target(column: Any) -> str:
    """The label of the model a key points at ("" for a column that is not a key)."""
    meta = getattr(column.related_model, "_meta", None)
    return str(meta.label_lower) if meta is not None else ""


def _ready(column: models.Field[Any, Any], value: Any) -> Any:
    """A value as written. JSON is encoded once here: COPY's text format takes it as text,
    where a psycopg adapter would encode it again for every copy of the row."""
    if POSTGRES and isinstance(column, models.JSONField) and value is not None:
        return json.dumps(value, cls=column.encoder)
    return column.get_db_prep_save(value, connection)


def _token(value: Any, column: models.Field[Any, Any], row_key: int) -> str:
    """A fresh value for a unique text column, as long as the one it replaces: unique
    because the row's new key is (a run with the same seed on the same database too)."""
    digest = hashlib.sha256(f"{column.model._meta.label}:{row_key}:{value}".encode())
    text = digest.hexdigest()
    return text[: min(max(len(str(value)), 16), column.max_length or 64, len(text))]


def _tables() -> list[Table]:
    """Every copied model, each after the one its rows are found through."""
    order: list[Table] = [Table(Case, owner="")]
    seen = {"cases.case"}
    grew = True
    while grew:
        grew = False
        for parent, attname in OWNED_FORWARD.items():
            if parent in seen:
                target = apps.get_model(parent)._meta.get_field(attname).related_model
                if target._meta.label_lower not in seen:
                    order.append(Table(target, owner=""))
                    seen.add(target._meta.label_lower)
                    grew = True
        for model in apps.get_models():
            label = model._meta.label_lower
            if label in seen or label in LEFT_OUT or label == "core.auditevent":
                continue
            links = [
                f
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not model and _target(f) in seen
            ]
            if links:
                # A key every row has, where there is one (a notice to a user has no invitee).
                link = sorted(links, key=lambda f: f.null)[0]
                order.append(Table(model, link.attname, _target(link)))
                seen.add(label)
                grew = True
    return order


def _column_plan(table: Table, by_label: dict[str, Table]) -> list[tuple[int, str, Any]]:
    """What changes in each column of a copy: its key, keys it points at, dates, uniques."""
    plan: list[tuple[int, str, Any]] = []
    varied = _unique_columns(table, by_label)
    if not table.fields[0].primary_key:
        raise ValueError(f"{table.label}: the load generator expects the key first.")
    for index, column in enumerate(table.fields):
        if column.primary_key:
            plan.append((index, "key", None))
        elif column.is_relation and _target(column) in by_label:
            plan.append((index, "points", _target(column)))
        elif isinstance(column, models.DateField):  # DateTimeField is one too
            plan.append((index, "date", None))
        elif column.name in varied:
            plan.append((index, "unique", None))
    return plan


# Unique columns varied by hand (the case's reference and number) or kept on purpose.
VARIED_BY_HAND = {"cases.case": {"program", "reference", "year", "number"}}


def _unique_columns(table: Table, by_label: dict[str, Table]) -> set[str]:
    """The text columns to give fresh values: those in a unique set no copied key varies."""
    meta = table.model._meta
    sets = [[f.name] for f in meta.concrete_fields if f.unique and not f.primary_key]
    sets += [list(names) for names in meta.unique_together]
    sets += [list(c.fields) for c in meta.constraints if isinstance(c, models.UniqueConstraint)]
    varied: set[str] = set()
    for names in sets:
        fields = [meta.get_field(name) for name in names]
        if any(f.is_relation and _target(f) in by_label for f in fields):
            continue  # a copied key in the set already makes each copy's row unique
        if set(names) <= VARIED_BY_HAND.get(table.label, set()):
            continue
        for f in fields:
            if not isinstance(f, models.CharField | models.TextField):
                raise ValueError(
                    f"{table.label}.{f.name} is unique and the load generator cannot vary it: "
                    "say how in mend/cases/load_generator.py."
                )
            varied.add(f.name)
    return varied


def _insert(db_table: str, columns: list[str], rows: list[list[Any]]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if POSTGRES:
            with cursor.cursor.copy(f"COPY {quote(db_table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(db_table)} ({names}) VALUES ({marks})"  # noqa: S608
            for chunk in _chunks(rows, 500):
                cursor.executemany(sql, chunk)


def _chunks(rows: list[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _reset_sequences(models_written: list[type[models.Model]]) -> None:
    """Keys were given by hand: the next row saved normally must not reuse one."""
    statements = connection.ops.sequence_reset_sql(no_style(), models_written)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
