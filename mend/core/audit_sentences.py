"""Audit events as sentences, worded when read and in the reader's language.

An audit row stores codes and ids (`case.moved`, `{"new": "process"}`), never words. Each
app registers a renderer per action code in its AppConfig.ready(); a renderer turns one
event into a `Sentence`: a lazily translated text and its parameters (people, case
references as links, labels). The audit trail page and the "what changed since you opened
this form" notice both read events through here, so there is one set of sentences.

Renderers never query: `Reading.prepare()` loads every record the events name (their
object, their subject, ids in their details) with one query per kind of record, through
loaders the apps register, so a page of 60 events costs what a page of 10 does.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mend.core.models import AuditEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Link:
    """A parameter shown as a link on a page and as plain text elsewhere."""

    text: str
    url: str


@dataclass(frozen=True)
class Sentence:
    """A translatable text (with %(name)s placeholders) and its parameters.

    Parameters may be strings, lazy translations, Links or other Sentences; they are
    worded only when the sentence is, in the language active then.
    """

    text: str | Promise
    params: dict[str, Any] = field(default_factory=dict)
    # Further lines shown under the sentence (an override's justification, say).
    details: tuple[Sentence, ...] = ()

    def __str__(self) -> str:
        return str(self.text) % _Params({key: _plain(value) for key, value in self.params.items()})

    def as_html(self) -> SafeString:
        params = _Params({key: _html(value) for key, value in self.params.items()})
        return mark_safe(conditional_escape(str(self.text)) % params)  # noqa: S308  (escaped)


class _Params(dict[str, Any]):
    # An older row may lack a detail a newer sentence names: leave a blank, never fail.
    def __missing__(self, key: str) -> str:
        return ""


def _plain(value: Any) -> str:
    if isinstance(value, Link):
        return value.text
    return str(value)


def _html(value: Any) -> SafeString:
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, value.text)
    if isinstance(value, Sentence):
        return value.as_html()
    return conditional_escape(str(value))


Renderer = Callable[[AuditEvent, "Reading"], Sentence]
# ids -> {str(pk): record}, loaded for one reader (an opaque membership, or None).
Loader = Callable[[set[str], Any], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    renderer: Renderer
    group: str


_renderers: dict[str, Kind] = {}
_loaders: dict[str, Loader] = {}
# Detail keys that hold the id of a record: {"participant": "cases.participant"}.
_references: dict[str, str] = {}
_group_labels: dict[str, str | Promise] = {}


def register(action: str, renderer: Renderer, *, group: str = "other") -> None:
    _renderers[action] = Kind(renderer, group)


def register_group(group: str, label: str | Promise) -> None:
    """A kind of event the audit trail can be filtered by (sign-ins, cases...)."""
    _group_labels[group] = label


def register_loader(object_type: str, loader: Loader) -> None:
    _loaders[object_type] = loader


def register_reference(detail_key: str, object_type: str) -> None:
    _references[detail_key] = object_type


def is_registered(action: str) -> bool:
    return action in _renderers


def groups() -> list[tuple[str, str | Promise]]:
    return list(_group_labels.items())


def actions_in(group: str) -> list[str]:
    return sorted(code for code, kind in _renderers.items() if kind.group == group)


def in_group(group: str) -> Q:
    """The events of one kind, for filtering (changes in the admin site are "system")."""
    # Only the admin site writes "via"; a key test, never NULL, so ~ excludes nothing else.
    via_admin = Q(details__has_key="via")
    if group == "other":
        return ~Q(action__in=list(_renderers)) & ~via_admin
    if group == "system":
        return Q(action__in=actions_in(group)) | via_admin
    return Q(action__in=actions_in(group)) & ~via_admin


class Reading:
    """What renderers may look at: the records the events name, loaded in advance.

    `reader` is the membership of the person reading (None for a notice that names no
    one's rights); `name_cases` says whether sentences name the case they belong to (the
    audit trail) or say "the case" (a notice on the case itself).
    """

    def __init__(self, *, reader: Any = None, name_cases: bool = True) -> None:
        self.reader = reader
        self.name_cases = name_cases
        self._records: dict[str, dict[str, Any]] = {}

    @classmethod
    def prepare(
        cls, events: Iterable[AuditEvent], *, reader: Any = None, name_cases: bool = True
    ) -> Reading:
        reading = cls(reader=reader, name_cases=name_cases)
        wanted: dict[str, set[str]] = defaultdict(set)
        for event in events:
            if event.object_type:
                wanted[event.object_type].add(event.object_id)
            if event.subject_type:
                wanted[event.subject_type].add(event.subject_id)
            for key, object_type in _references.items():
                value = str(event.details.get(key, ""))
                if value.isdecimal():
                    wanted[object_type].add(value)
        for object_type, ids in wanted.items():
            loader = _loaders.get(object_type)
            if loader is not None:
                reading._records[object_type] = loader(ids, reader)
        return reading

    def record(self, object_type: str, object_id: Any) -> Any:
        return self._records.get(object_type, {}).get(str(object_id))

    def obj(self, event: AuditEvent) -> Any:
        return self.record(event.object_type, event.object_id)

    def subject(self, event: AuditEvent) -> Any:
        return self.record(event.subject_type, event.subject_id)

    def referenced(self, event: AuditEvent, detail_key: str) -> Any:
        return self.record(_references.get(detail_key, ""), event.details.get(detail_key, ""))

    def may(self, capability: str) -> bool:
        return self.reader is not None and bool(self.reader.can(capability))


def who(event: AuditEvent) -> str:
    """The person who acted, by name; the stored label when the account is gone or absent."""
    if event.actor_id is not None and event.actor is not None:
        return str(event.actor.display_name)
    return event.actor_label or gettext("Mend")


def humanised(action: str) -> str:
    text = action.replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def generic(event: AuditEvent) -> Sentence:
    return Sentence(
        _("%(who)s: %(action)s"), {"who": who(event), "action": humanised(event.action)}
    )


def describe(event: AuditEvent, reading: Reading | None = None) -> Sentence:
    """One event as a sentence. An unknown code or odd details give a plain sentence."""
    reading = reading or Reading.prepare([event])
    via_admin = event.details.get("via") == "admin"
    kind = _renderers.get("*.admin" if via_admin else event.action)
    if kind is None:
        return generic(event)
    try:
        return kind.renderer(event, reading)
    except (KeyError, ValueError, TypeError, AttributeError, LookupError):
        logger.exception("Audit event %s could not be worded", event.pk)
        return generic(event)


def field_labels(model: type[Model] | None, names: Iterable[str]) -> str:
    """Field names as the labels people see on forms ("processes offered, consent purposes")."""
    labels = []
    if model is not None:
        # In the order of the form, not the alphabetical order they were stored in.
        order = {f.name: i for i, f in enumerate(model._meta.get_fields())}
        names = sorted(names, key=lambda name: order.get(name, len(order)))
    for name in names:
        try:
            found = model._meta.get_field(name) if model else None
            label = getattr(found, "verbose_name", None) or humanised(name)
        except FieldDoesNotExist:
            label = humanised(name)
        labels.append(str(label))
    return ", ".join(labels)


# --- Events of the core itself --------------------------------------------------------


def _model_of(event: AuditEvent) -> type[Model] | None:
    try:
        return apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        return None


def _in_admin(event: AuditEvent, reading: Reading) -> Sentence:
    model = _model_of(event)
    params = {
        "who": who(event),
        "kind": str(model._meta.verbose_name) if model else humanised(event.object_type),
    }
    verb = event.action.rsplit(".", 1)[-1]
    if verb == "deleted":
        return Sentence(
            _("%(who)s deleted a record of type “%(kind)s” in the administration site"), params
        )
    if verb == "created":
        return Sentence(
            _("%(who)s created a record of type “%(kind)s” in the administration site"), params
        )
    if not event.changed_fields:
        return Sentence(
            _("%(who)s saved a record of type “%(kind)s” in the administration site"), params
        )
    return Sentence(
        _("%(who)s changed a record of type “%(kind)s” in the administration site: %(fields)s"),
        {**params, "fields": field_labels(model, event.changed_fields)},
    )


def _rekeyed(event: AuditEvent, reading: Reading) -> Sentence:
    return Sentence(
        _("Mend re-encrypted %(rows)s records of type %(model)s under a new key"),
        {"rows": event.details.get("rows", ""), "model": event.details.get("model", "")},
    )


# What was refused, by the start of the counted kind ("api.auth.refused:12").
REFUSAL_KINDS = {"api.": _("partner API requests"), "auth.": _("sign-ins")}


def _refusal_kind(event: AuditEvent) -> Any:
    kind = str(event.details.get("kind", ""))
    for start, label in REFUSAL_KINDS.items():
        if kind.startswith(start):
            return label
    return _("requests")


def _repeated(event: AuditEvent, reading: Reading) -> Sentence:
    return Sentence(
        _("%(count)s more refused %(kind)s came from %(address)s after the first one"),
        {
            "count": event.details.get("repeated", ""),
            "kind": _refusal_kind(event),
            "address": event.details.get("ip", ""),
        },
    )


def _limited(event: AuditEvent, reading: Reading) -> Sentence:
    return Sentence(
        _("%(address)s was made to wait: %(limit)s refused %(kind)s in a few minutes"),
        {
            "address": event.details.get("ip", ""),
            "limit": event.details.get("limit", ""),
            "kind": _refusal_kind(event),
        },
    )


def register_core() -> None:
    register_group("system", _("Mend itself"))
    register_group("other", _("Other"))
    # Changes made in the administration site ("offencecategory.changed", via="admin").
    register("*.admin", _in_admin, group="system")
    register("fields.rekeyed", _rekeyed, group="system")
    register("refusals.repeated", _repeated, group="refusals")
    register("refusals.limited", _limited, group="refusals")
