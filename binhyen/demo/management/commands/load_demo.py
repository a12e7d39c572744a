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
            "Đã nạp: {areas} xã/phường, {former_areas} đơn vị hành chính cũ, {departments} "
            "phòng nghiệp vụ, {communes} Công an xã/phường, {pages} trang Zalo.".format(**counts)
        )
        self.stdout.write("")
        self.stdout.write(f"Tài khoản thử (mật khẩu chung: {demo.DEMO_PASSWORD}):")
        for line in demo.login_lines():
            self.stdout.write(f"  {line}")
