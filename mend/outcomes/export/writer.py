"""Writing the package as a zip, streamed: rows are read in chunks and each chunk's bytes
are handed on as soon as they are compressed, so a large program never sits in memory."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mend.outcomes.export.package import descriptor, resource_name
from mend.outcomes.export.tables import TABLES, Variant, columns, rows, selected
from mend.programs.models import Program

CHUNK = 2000


class _Pipe:
    """A write-only file the zip writes into; what it holds is taken out after each
    chunk. It cannot seek or tell, so zipfile writes a streamable archive."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        taken = b"".join(self._parts)
        self._parts.clear()
        return taken


def cell(value: Any) -> str:
    """One value as CSV text: ISO dates, decimals as stored, JSON for JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def stream(program: Program, variant: Variant) -> Iterator[bytes]:
    pipe = _Pipe()
    created = timezone.now()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        described = json.dumps(descriptor(program, variant, created), indent=2, ensure_ascii=False)
        archive.writestr("datapackage.json", described)
        yield pipe.take()
        for table in TABLES:
            kept = columns(table.model, variant)
            entry = archive.open(f"data/{resource_name(table.label)}.csv", "w", force_zip64=True)
            text = io.TextIOWrapper(entry, encoding="utf-8", newline="", write_through=True)
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([f.attname for f in kept])
            found = rows(table, program).values_list(*selected(table.model, variant))
            for number, row in enumerate(found.iterator(chunk_size=CHUNK), start=1):
                writer.writerow([cell(value) for value in row])
                if number % CHUNK == 0:
                    yield pipe.take()
            text.close()  # closes the zip entry too
            yield pipe.take()
    yield pipe.take()
