from __future__ import annotations

import pytest

from binhyen.tips.services import web_form_connect


@pytest.fixture
def web(world):
    """The public web form as a door of the province (as in the demo)."""
    return web_form_connect(unit=world.province)
