from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from binhyen.demo import world as demo


class Command(BaseCommand):
    help = "Load the Đắk Lắk demo: units, areas, Zalo pages and staff (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            counts = demo.load_demo()
        except demo.DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            "Loaded: {areas} communes/wards, {former_areas} former areas, {departments} "
            "departments, {communes} commune police units, {pages} Zalo pages.".format(**counts)
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        self.stdout.write("  admin          Quản trị hệ thống (superuser, sees every unit)")
        for username, full_name, _rank, unit_code, role in demo.STAFF:
            self.stdout.write(f"  {username:<14} {full_name} — {role} @ {unit_code}")
