"""Schemathesis against every Open311 endpoint (described in open311/openapi.py), in
process: valid and invalid inputs, never a 5xx, every answer as documented."""

from __future__ import annotations

import pytest
import schemathesis

from binhyen.fuzzing import Tally, in_process_wsgi, run_schemathesis
from binhyen.open311.openapi import openapi_document
from binhyen.tips.services import web_form_connect
from binhyen.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]


def test_open311_never_answers_5xx_and_always_as_documented(world, key):
    web_form_connect(unit=world.province)
    tally = Tally("schemathesis Open311 /open311/v2")
    schema = schemathesis.openapi.from_dict(openapi_document(api_key=key))
    schema.app = application
    with in_process_wsgi():
        assert run_schemathesis(schema, tally) == 6
    figures = tally.report()
    assert figures["server_errors_5xx"] == 0
    assert tally.statuses[201] > 0  # valid requests were filed, not only refused
