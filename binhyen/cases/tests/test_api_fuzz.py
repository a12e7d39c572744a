"""Schemathesis against /api/v1/openapi.json, in-process: every operation, valid and
invalid inputs, never a 5xx, every answer as the schema documents it."""

from __future__ import annotations

import pytest
import schemathesis
from django.utils import timezone

from binhyen.accounts.services import api_token_create
from binhyen.cases.services import IncomingMessage, message_receive
from binhyen.fuzzing import Tally, in_process_wsgi, run_schemathesis
from binhyen.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]


@pytest.fixture
def token(world) -> str:
    message_receive(
        incoming=IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="user:42",
            contact_kind="zalo_user",
            provider_message_id="p1",
            kind="text",
            text="có đánh nhau ở chợ",
            sent_at=timezone.now(),
            latitude=12.68,
            longitude=108.04,
        )
    )
    _row, raw = api_token_create(user=world.officer_bmt)
    return raw


def test_rest_api_never_answers_5xx_and_always_as_documented(token):
    tally = Tally("schemathesis REST API /api/v1")
    with in_process_wsgi():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        operations = run_schemathesis(schema, tally, headers={"Authorization": f"Bearer {token}"})
    assert operations >= 4
    figures = tally.report()
    assert figures["server_errors_5xx"] == 0
    assert tally.statuses[200] > 0  # not only refusals
