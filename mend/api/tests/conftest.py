"""Keys and a client for the partner API tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mend.partners.models import ApiKey, Scope
from mend.partners.services import create_api_key
from mend.testing.personas import World

BOTH = [Scope.REFERRALS_WRITE, Scope.REFERRALS_READ]


@dataclass
class Partner:
    """A partner system: its key and a client that sends it."""

    key: ApiKey
    text: str
    client: Client

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.text}", **extra}

    def send(self, body: Any, *, idempotency_key: str | None = None, **kwargs: Any) -> Any:
        headers = self.headers()
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            "/api/v1/referrals", data=data, content_type="application/json", headers=headers
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers())


def make_partner(world: World, *, scopes: list[str] | None = None, other: bool = False) -> Partner:
    key, text = create_api_key(
        program=world.other_program if other else world.program,
        agency=world.other_agency if other else world.police,
        name="Records system",
        scopes=BOTH if scopes is None else scopes,
        expires_at=None,
        by=None,
    )
    return Partner(key, text, Client())


@pytest.fixture
def partner(world: World) -> Partner:
    return make_partner(world)


def referral_body(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    body: dict[str, Any] = {
        "incident_reference": "RPD/2026/0117",
        "incident_date": (today - timedelta(days=3)).isoformat(),
        "offence_category": "theft",
        "summary": "A bicycle was taken from outside the library.",
        "justice_stage": "pre_charge",
        "referrer": {
            "name": "PC Ada Byron",
            "email": "ada.byron@police.example",
            "phone": "0117 496 0001",
            "badge_or_staff_id": "4471",
        },
        "harmed_parties": [
            {
                "given_name": "Hana",
                "family_name": "Okafor",
                "date_of_birth": "1980-05-01",
                "preferred_language": "English",
                "phone": "0117 496 0002",
                "email": "hana@example.org",
                "address": "1 Mill Lane, Riverside",
                "accessibility_needs": "",
                "rj_offered_on": (today - timedelta(days=1)).isoformat(),
                "consents_to_contact": True,
            }
        ],
        "responsible_parties": [
            {
                "given_name": "Rory",
                "family_name": "Lee",
                "date_of_birth": "2001-02-03",
                "admits_responsibility": True,
            }
        ],
    }
    body.update(overrides)
    return body
