from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.services import staff_upsert
from binhyen.cases.models import Case, Message
from binhyen.testing import PASSWORD, post_zalo, secret_of, zalo_event


@pytest.fixture
def send(world, client, drain) -> Callable[..., Case]:
    """A citizen's Zalo message through the real webhook, then the worker; returns its case."""

    def _send(
        text: str, *, page: Any = None, user_id: str = "3456789012345678901", **changes: Any
    ) -> Case:
        page = page or world.bmt_page
        payload = zalo_event("user_send_text", page=page, user_id=user_id, text=text, **changes)
        resp = post_zalo(client, payload, secret=secret_of(page))
        assert resp.status_code == 200, resp.content
        drain()
        msg = Message.objects.get(provider_message_id=payload["message"]["msg_id"])
        return Case.objects.select_related("unit").get(pk=msg.case_id)

    return _send


@pytest.fixture(autouse=True)
def catalogue(request):
    """The catalogue the migration loads (reloaded on first use after a flushed database)."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        from binhyen.knowledge.services import catalogue_load

        request.getfixturevalue("db")
        catalogue_load()


@pytest.fixture
def editor(world):
    return staff_upsert(
        username="editor.province",
        password=PASSWORD,
        full_name="Editor",
        memberships=[(world.province, Role.EDITOR)],
    )


@pytest.fixture
def approver(world):
    return staff_upsert(
        username="command.province",
        password=PASSWORD,
        full_name="Command",
        memberships=[(world.province, Role.COMMAND)],
    )
