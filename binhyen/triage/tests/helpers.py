"""Plain factory functions for the triage tests."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from binhyen.cases import services as cases
from binhyen.cases.models import Case
from binhyen.units.models import Area, Unit
from binhyen.units.services import unit_upsert


def receive(world: Any, text: str, *, page: Any = None, user: str = "a") -> Case:
    """A message stored by the receiving service directly (its triage task is queued)."""
    message = cases.message_receive(
        incoming=cases.IncomingMessage(
            channel_account=page or world.province_page,
            contact_key=f"user:{user}",
            contact_kind="zalo_user",
            provider_message_id=f"m-{user}-{timezone.now().timestamp()}",
            kind="text",
            text=text,
            sent_at=timezone.now(),
            identity={"zalo_user_id": user},
        )
    )
    assert message is not None and message.case is not None
    return message.case


def commune_unit(world: Any, code: str, name: str, lat: float, lon: float) -> Unit:
    province_area = Area.objects.get(code="66")
    area, _ = Area.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": Area.Kind.COMMUNE,
            "parent": province_area,
            "latitude": lat,
            "longitude": lon,
        },
    )
    return unit_upsert(
        code=code,
        name=f"Công an {name[0].lower()}{name[1:]}",
        kind=Unit.Kind.COMMUNE,
        parent=world.province,
        areas=[area],
    )
