"""A local fake of Zalo OA for the demo and the tests (standard library only, no Django).

sim = SimulatorServer(pages, webhook_url="http://127.0.0.1:8000/webhooks/zalo/").start()
client = ZaloClient(openapi_url=sim.base_url, oauth_url=sim.base_url)
sim.citizen_send_text(page.oa_id, user_id, "Có người lạ đột nhập")
"""

from binhyen.simulator.core import Simulator
from binhyen.simulator.model import Citizen, ConvItem, Delivery, SimPage, load_pages
from binhyen.simulator.server import SimulatorServer, main

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
