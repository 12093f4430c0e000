"""What partner systems do through the API, each audited in its own transaction.

The audit rows name the key (actor_label "api:<prefix>"), never a user: a key acts for
its agency, and nobody signed in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest

from mend.api.schemas import ReferralSubmission
from mend.cases.models import Referral
from mend.cases.services import PartyDetails, ReferralDetails, ReferrerDetails, submit_referral
from mend.core import audit
from mend.core.models import AuditEvent
from mend.partners.models import ApiKey, IdempotentRequest
from mend.partners.services import actor_label
from mend.programs.models import OffenceCategory, Program


def _record(
    key: ApiKey,
    action: str,
    *,
    obj: Model | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    **details: Any,
) -> None:
    audit.record(
        actor=None,
        actor_label=actor_label(key),
        action=action,
        obj=obj,
        program=key.program,
        outcome=outcome,
        **details,
    )


@transaction.atomic
def record_refusal(request: HttpRequest, *, reason: str, key: ApiKey | None) -> None:
    """A request without a working key. `key` is the key it named, if it named a real one."""
    method, path = request.method or "", request.path[:200]
    if key is not None:
        _record(
            key,
            "api.auth.refused",
            obj=key,
            outcome=AuditEvent.Outcome.DENIED,
            reason=reason,
            method=method,
            path=path,
        )
    else:
        audit.record(
            actor=None,
            actor_label="api:unknown",
            action="api.auth.refused",
            outcome=AuditEvent.Outcome.DENIED,
            reason=reason,
            method=method,
            path=path,
        )


@transaction.atomic
def record_scope_refusal(request: HttpRequest, *, key: ApiKey, scope: str) -> None:
    _record(
        key,
        "api.scope.refused",
        obj=key,
        outcome=AuditEvent.Outcome.DENIED,
        scope=scope,
        method=request.method or "",
        path=request.path[:200],
    )


@transaction.atomic
def record_read(*, key: ApiKey, referral: Referral) -> None:
    _record(key, "api.referral.read", obj=referral)


@transaction.atomic
def record_listed(*, key: ApiKey, count: int, updated_since: str, cursor: bool) -> None:
    _record(
        key,
        "api.referral.listed",
        count=count,
        updated_since=updated_since,
        next_page=cursor,
    )


@transaction.atomic
def record_categories_listed(*, key: ApiKey) -> None:
    _record(key, "api.offence_categories.listed")


# --- Submitting a referral -----------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    referral: Referral | None
    created: bool = False
    # The Idempotency-Key was used before for a different body.
    conflict: bool = False


def fingerprint(payload: ReferralSubmission) -> str:
    """The same referral sent twice, however its JSON was laid out, has the same print."""
    canonical = json.dumps(payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def referral_details(
    program: Program, payload: ReferralSubmission
) -> tuple[ReferralDetails, ReferrerDetails]:
    """The cases service's input from a validated submission (the API's and the CSV's)."""
    category = OffenceCategory.objects.filter(
        program=program, code=payload.offence_category, is_active=True
    ).first()
    if category is None:
        raise ValidationError({"offence_category": "Unknown offence category."})
    details = ReferralDetails(
        incident_reference=payload.incident_reference,
        incident_date=payload.incident_date,
        offence_category=category,
        justice_stage=payload.justice_stage,
        summary=payload.summary,
        area=payload.area,
        precinct=payload.precinct,
        harmed=[
            PartyDetails(
                given_name=party.given_name,
                family_name=party.family_name,
                date_of_birth=party.date_of_birth,
                preferred_language=party.preferred_language,
                accessibility_needs=party.accessibility_needs,
                phone=party.phone,
                email=party.email,
                address=party.address,
                # submit_referral records the offer, with the response "interested" when
                # they consent to contact; the consent ledger itself is the program's to
                # write once it speaks with them.
                rj_offered_on=party.rj_offered_on,
                consents_to_contact=party.consents_to_contact,
            )
            for party in payload.harmed_parties
        ],
        responsible=[
            PartyDetails(
                given_name=party.given_name,
                family_name=party.family_name,
                date_of_birth=party.date_of_birth,
                preferred_language=party.preferred_language,
                accessibility_needs=party.accessibility_needs,
                phone=party.phone,
                email=party.email,
                address=party.address,
                admits_responsibility=party.admits_responsibility,
            )
            for party in payload.responsible_parties
        ],
    )
    referrer = ReferrerDetails(
        name=payload.referrer.name,
        email=payload.referrer.email,
        phone=payload.referrer.phone,
        staff_id=payload.referrer.badge_or_staff_id,
    )
    return details, referrer


def _earlier(key: ApiKey, idempotency_key: str) -> IdempotentRequest | None:
    return (
        IdempotentRequest.objects.select_related("referral__case")
        .filter(api_key=key, key=idempotency_key)
        .first()
    )


def _replay(key: ApiKey, earlier: IdempotentRequest, print_: str) -> Submission:
    if earlier.fingerprint != print_:
        _record(
            key,
            "api.idempotency.conflict",
            outcome=AuditEvent.Outcome.DENIED,
            idempotency_key=earlier.key,
        )
        return Submission(None, conflict=True)
    _record(key, "api.referral.replayed", obj=earlier.referral, idempotency_key=earlier.key)
    return Submission(earlier.referral)


@transaction.atomic
def submit_api_referral(
    *, key: ApiKey, idempotency_key: str, payload: ReferralSubmission
) -> Submission:
    """Record a referral for the key's agency, once per Idempotency-Key.

    The key is claimed before the referral is written: a second request with the same
    key, arriving at the same moment, waits on the unique constraint and then finds the
    first one's referral instead of making another. Django ValidationErrors from the case
    services propagate and roll everything back, the claim included.
    """
    print_ = fingerprint(payload)
    earlier = _earlier(key, idempotency_key)
    if earlier is not None:
        return _replay(key, earlier, print_)
    try:
        with transaction.atomic():
            claim = IdempotentRequest.objects.create(
                api_key=key, key=idempotency_key, fingerprint=print_
            )
    except IntegrityError:
        earlier = _earlier(key, idempotency_key)
        if earlier is None:  # pragma: no cover - the other request rolled back meanwhile
            raise
        return _replay(key, earlier, print_)
    details, referrer = referral_details(key.program, payload)
    referral = submit_referral(
        program=key.program,
        details=details,
        referrer=referrer,
        agency=key.agency,
        by=None,
        source=Referral.Source.API,
    )
    claim.referral = referral
    claim.save(update_fields=["referral"])
    _record(
        key,
        "api.referral.created",
        obj=referral,
        idempotency_key=idempotency_key,
        case=referral.case.reference,
    )
    return Submission(referral, created=True)
