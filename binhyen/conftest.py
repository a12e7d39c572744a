from __future__ import annotations

import pytest

from binhyen.testing import World, make_world


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def drain():
    """Run the background worker until the queue is empty (time is never slept on)."""
    from binhyen.core.worker import drain as _drain

    return _drain
