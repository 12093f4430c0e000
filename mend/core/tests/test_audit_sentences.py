"""Audit events read as sentences, in the reader's language, for every code Mend writes."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from mend.cases.models import ConsentEntry, Participant
from mend.cases.stages import Stage
from mend.core import audit
from mend.core.audit_sentences import Reading, describe, generic, is_registered
from mend.core.models import AuditEvent
from mend.programs.models import ConsentPurpose
from mend.testing.cases import consent_all, parties, submit
from mend.testing.personas import World

MEND = Path(__file__).resolve().parents[2]
CODE = r"[a-z_]+(?:\.[a-z_]+)+"
# Where an action code is written: `action="x"`, `action = "x" if ... else "y"`,
# `action, outcome = "x", ...`, and the API's `_record(key, "x", ...)`.
WRITTEN = re.compile(
    r"\baction(?:, outcome)?\s*=\s*(?P<expr>[^\n]+)|_record\(\s*key,\s*(?P<pos>\"[^\"]+\")"
)
LITERAL = re.compile(rf'(?<!f)"({CODE})"')
TEMPLATE = re.compile(r'f"([^"]+)"')
# Codes built at run time, and the values they take.
BUILT = {
    "consent.{decision}": [f"consent.{d}" for d in ConsentEntry.Decision.values],
    "auth.{reason}": ["auth.signed_out", "auth.session_expired"],
    # Offence categories and eligibility criteria, added and changed by one pair of helpers.
    "{kind}.created": ["offence_category.created", "eligibility_criterion.created"],
    "{kind}.{_active_change(was_active, record.is_active)}": [
        f"{kind}.{verb}"
        for kind in ("offence_category", "eligibility_criterion")
        for verb in ("changed", "deactivated", "reactivated")
    ],
    # Changes in the admin site, worded by the one "*.admin" sentence.
    "{obj._meta.model_name}.{'changed' if change else 'created'}": ["*.admin"],
    "{obj._meta.model_name}.deleted": ["*.admin"],
}


def codes_written() -> tuple[set[str], set[str]]:
    codes, unknown_templates = set(), set()
    for path in MEND.rglob("*.py"):
        if {"tests", "migrations", "testing"} & set(path.relative_to(MEND).parts):
            continue
        for match in WRITTEN.finditer(path.read_text()):
            expr = match["expr"] or match["pos"]
            codes.update(LITERAL.findall(expr))
            for template in TEMPLATE.findall(expr):
                if template in BUILT:
                    codes.update(BUILT[template])
                else:
                    unknown_templates.add(template)
    return codes, unknown_templates


def test_every_action_code_the_code_base_writes_has_a_sentence() -> None:
    codes, unknown_templates = codes_written()
    assert not unknown_templates, f"say in BUILT which codes these make: {unknown_templates}"
    # The scan must see the code base, or this test would pass on nothing.
    assert {"case.moved", "auth.signed_in", "api.referral.created", "consent.given"} <= codes
    assert len(codes) > 50
    missing = sorted(code for code in codes if not is_registered(code))
    assert not missing, f"these action codes have no sentence: {missing}"
    # And each sentence holds up for a row with none of its details (an older row).
    for code in sorted(codes - {"*.admin"}):
        bare = AuditEvent(action=code, actor_label="someone")
        assert str(describe(bare)) != str(generic(bare)), code


def test_the_code_scan_finds_a_new_code_and_it_fails_without_a_sentence() -> None:
    source = 'audit.record(actor=by, action="case.teleported", obj=case)'
    found = {code for m in WRITTEN.finditer(source) for code in LITERAL.findall(m["expr"])}
    assert found == {"case.teleported"}
    assert not is_registered("case.teleported")


def _latest(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).select_related("actor").latest("id")


def test_a_case_move_reads_as_a_sentence_in_english_and_in_spanish(world: World) -> None:
    from mend.cases import services

    case = submit(world)
    services.move_case(
        case=case, to=Stage.SCREENING, by=world["coordinator"], expected_version=None
    )
    event = _latest("case.moved")
    reading = Reading.prepare([event])
    with translation.override("en"):
        assert (
            str(describe(event, reading)) == f"Coordinator moved case {case.reference} to Screening"
        )
    with translation.override("es"):
        assert str(describe(event, reading)) == (
            f"Coordinator movió el caso {case.reference} a Revisión inicial"
        )


def test_consent_reads_with_the_participants_name_in_both_languages(world: World) -> None:
    case = submit(world)
    consent_all(world, case, ConsentPurpose.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    event = AuditEvent.objects.get(action="consent.given", details__participant=str(harmed.pk))
    with translation.override("en"):
        assert str(describe(event)) == (
            f"Facilitator recorded that Hana0 Harmed gave consent to be contacted"
            f" in case {case.reference}"
        )
    with translation.override("es"):
        assert str(describe(event)) == (
            f"Facilitator registró que Hana0 Harmed dio su consentimiento para que se le contacte"
            f" en el caso {case.reference}"
        )


def test_settings_and_sign_ins_read_by_their_labels_in_both_languages(world: World) -> None:
    from mend.programs import services

    services.update_program_settings(
        program=world.program,
        by=world["program_admin"],
        process_types=["mediation"],
        consent_purposes=["contact", "face_to_face"],
    )
    audit.record(actor=world["coordinator"], action="auth.signed_in", ip="10.1.2.3")
    settings, signed_in = _latest("program.settings_changed"), _latest("auth.signed_in")
    with translation.override("en"):
        assert str(describe(settings)) == (
            "Program_Admin changed the program settings: processes offered, consent purposes"
        )
        assert str(describe(signed_in)) == "Coordinator signed in (from 10.1.2.3)"
    with translation.override("es"):
        assert str(describe(settings)) == (
            "Program_Admin cambió la configuración del programa:"
            " procesos ofrecidos, finalidades del consentimiento"
        )
        assert str(describe(signed_in)) == "Coordinator inició sesión (desde 10.1.2.3)"


def test_an_unknown_code_or_odd_details_read_as_a_plain_sentence_never_an_error(
    world: World,
) -> None:
    unknown = audit.record(actor=world["coordinator"], action="garden.watered")
    odd = audit.record(actor=None, actor_label="x", action="case.moved", new=["not", "a stage"])
    assert str(describe(unknown)) == "Coordinator: Garden watered"
    assert str(describe(odd)).startswith("x moved a case to")


def test_names_in_a_sentence_are_escaped_on_the_page(world: World) -> None:
    event = audit.record(actor=None, actor_label="<b>Eve</b>", action="auth.signed_in", ip="")
    html = describe(event).as_html()
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "<b>" not in html
