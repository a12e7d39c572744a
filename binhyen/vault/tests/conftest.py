from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from binhyen.cases.models import Case
from binhyen.cases.services import IncomingMessage, message_receive
from binhyen.testing import PASSWORD


def grant(user, codename: str) -> None:
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="vault", codename=codename)
    )


def grant_through_group(user, codename: str) -> Group:
    group, _ = Group.objects.get_or_create(name=f"vault-{codename}")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="vault", codename=codename)
    )
    user.groups.add(group)
    return group


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def zalo_case(page, *, user_id="4455667788990011223", text="Có người trộm xe máy", **identity):
    message_receive(
        incoming=IncomingMessage(
            channel_account=page,
            contact_key=f"user:{user_id}",
            contact_kind="zalo_user",
            provider_message_id=f"m-{user_id}-{text}",
            kind="text",
            text=text,
            sent_at=timezone.now(),
            identity={"zalo_user_id": user_id, **identity},
        )
    )
    return Case.objects.filter(channel_account=page).latest("opened_at")


@pytest.fixture
def bmt_case(world):
    return zalo_case(world.bmt_page, name="Lê Văn Tố", phone="0912000111")
