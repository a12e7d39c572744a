"""A local fake of Zalo OA for the demo and the tests (standard library only, no Django).

    sim = SimulatorServer(pages, webhook_url="http://127.0.0.1:8000/webhooks/zalo/").start()
    client = ZaloClient(openapi_url=sim.base_url, oauth_url=sim.base_url)
    sim.citizen_send_text(page.oa_id, user_id, "Có người lạ đột nhập")

Run standalone with ``python -m binhyen.simulator`` (or ``-m binhyen.simulator.server``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from binhyen.simulator.core import Simulator
    from binhyen.simulator.model import Citizen, ConvItem, Delivery, SimPage, load_pages
    from binhyen.simulator.server import SimulatorServer, main

# Loaded on first use, so that `python -m binhyen.simulator.server` does not import the
# server module twice (runpy warns when a package already imported its __main__ module).
_EXPORTS = {
    "Citizen": "model",
    "ConvItem": "model",
    "Delivery": "model",
    "SimPage": "model",
    "load_pages": "model",
    "Simulator": "core",
    "SimulatorServer": "server",
    "main": "server",
}

__all__ = [
    "Citizen",
    "ConvItem",
    "Delivery",
    "SimPage",
    "Simulator",
    "SimulatorServer",
    "load_pages",
    "main",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"binhyen.simulator.{_EXPORTS[name]}"), name)
