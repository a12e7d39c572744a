"""The Đắk Lắk demo world: units, pages and staff. Idempotent; used by `binhyen load-demo`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import Role, User
from binhyen.accounts.services import staff_upsert
from binhyen.channels.models import ChannelAccount
from binhyen.channels.services import zalo_page_connect
from binhyen.duty.models import Post, Shift
from binhyen.tips.services import web_form_connect
from binhyen.units.models import Area, Unit
from binhyen.units.services import areas_load_gazetteer, gazetteer_path, unit_upsert

PROVINCE_CODE = "66"
DEMO_PASSWORD = "binhyen2026"  # noqa: S105 (printed demo login)
DEMO_APP_ID = "5550000000000000001"
DEMO_APP_SECRET = "demo-app-secret-key"  # noqa: S105 (simulator only)

DEPARTMENTS = [
    ("66-PK02", "Phòng Cảnh sát cơ động"),
    ("66-PC02", "Phòng Cảnh sát hình sự"),
    ("66-PC04", "Phòng Cảnh sát điều tra tội phạm về ma túy"),
    ("66-PC07", "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ"),
    ("66-PC08", "Phòng Cảnh sát giao thông"),
    ("66-PA05", "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    where: str
    role: str


STAFF: list[tuple[str, str, str, str, str]] = [
    # username, full name, rank, unit code, role
    ("lanhdao", "Nguyễn Văn Tỉnh", "Đại tá", "66", Role.COMMAND),
    ("trucban", "Trần Thị Trực", "Thiếu tá", "66", Role.DUTY),
    ("canbo.tinh", "Lê Văn Tiếp", "Đại úy", "66", Role.OFFICER),
    ("canbo.pk02", "Phạm Cơ Động", "Thượng úy", "66-PK02", Role.OFFICER),
    ("chihuy.bmt", "Hoàng Văn Chỉ", "Trung tá", "24133", Role.COMMANDER),
    ("canbo.bmt", "Y Phương Niê", "Thượng úy", "24133", Role.OFFICER),
    ("canbo.tanan", "Đỗ Thị An", "Trung úy", "24163", Role.OFFICER),
    ("canbo.tuyhoa", "Võ Minh Hòa", "Đại úy", "22015", Role.OFFICER),
    ("canbo.cumgar", "H'Linh Mlô", "Thượng úy", "24280", Role.OFFICER),
]


def login_lines() -> list[str]:
    """The demo logins as `make demo` prints them: role and unit in words."""
    names = dict(Unit.objects.filter(code__in={s[3] for s in STAFF}).values_list("code", "name"))
    roles = dict(Role.choices)
    lines = ["admin          Quản trị hệ thống (quản trị tối cao, xem mọi đơn vị)"]
    for username, full_name, rank, unit_code, role in STAFF:
        where = names.get(unit_code, unit_code)
        lines.append(f"{username:<14} {rank} {full_name} — {roles[role]}, {where}")
    return lines


def demo_oa_id(unit_code: str) -> str:
    digits = "".join(ch if ch.isdigit() else str(ord(ch) % 10) for ch in unit_code)
    return ("4" + digits.rjust(17, "0"))[:18]


def _page_secrets(unit_code: str) -> dict[str, str]:
    return {
        "oa_secret_key": f"demo-oa-secret-{unit_code}",
        "access_token": f"demo-access-{unit_code}",
        "refresh_token": f"demo-refresh-{unit_code}",
    }


class DemoRefused(RuntimeError):
    """The demo world was asked for outside a demo or test environment."""


DEMO_ENVIRONMENTS = {"demo", "test"}


def refuse_outside_demo() -> None:
    """The demo creates well-known logins and guessable page secrets: never in production."""
    if settings.ENVIRONMENT not in DEMO_ENVIRONMENTS:
        raise DemoRefused(
            f"load-demo refused: BINHYEN_ENV={settings.ENVIRONMENT}. The demo creates "
            "well-known logins (admin / demo password) and pages with guessable webhook "
            "secrets; it only runs with BINHYEN_ENV=demo or test."
        )


@transaction.atomic
def load_demo() -> dict[str, object]:
    refuse_outside_demo()
    counts = areas_load_gazetteer(path=gazetteer_path(PROVINCE_CODE))
    province_area = Area.objects.get(code=PROVINCE_CODE)
    province = unit_upsert(
        code=PROVINCE_CODE,
        name="Công an tỉnh Đắk Lắk",
        kind=Unit.Kind.PROVINCE,
        parent=None,
        areas=[province_area],
    )
    for code, name in DEPARTMENTS:
        unit_upsert(code=code, name=name, kind=Unit.Kind.DEPARTMENT, parent=province)
    communes = 0
    for area in Area.objects.filter(parent=province_area).order_by("code"):
        unit_upsert(
            code=area.code,
            name=f"Công an {area.name[0].lower()}{area.name[1:]}",
            kind=Unit.Kind.COMMUNE,
            parent=province,
            areas=[area],
        )
        communes += 1

    pages = []
    page_units = [
        province,
        Unit.objects.get(code="66-PK02"),
        *Unit.objects.filter(kind=Unit.Kind.COMMUNE).order_by("code"),
    ]
    for unit in page_units:
        s = _page_secrets(unit.code)
        account, _ = zalo_page_connect(
            unit=unit,
            oa_id=demo_oa_id(unit.code),
            app_id=DEMO_APP_ID,
            oa_secret_key=s["oa_secret_key"],
            app_secret_key=DEMO_APP_SECRET,
            name=f"Zalo {unit.name}",
        )
        # Tokens are set once: the simulator rotates them on refresh, like Zalo does.
        if not account.refresh_token:
            account.access_token = s["access_token"]
            account.refresh_token = s["refresh_token"]
            account.token_expires_at = timezone.now() + timedelta(hours=25)
            account.save()
        pages.append(account)

    # An existing account keeps its password (someone may have changed it): set_password
    # only for accounts this run creates.
    staff_upsert(
        username="admin",
        password=DEMO_PASSWORD,
        full_name="Quản trị hệ thống",
        is_superuser=True,
        reset_password=False,
    )
    for username, full_name, rank, unit_code, role in STAFF:
        staff_upsert(
            username=username,
            password=DEMO_PASSWORD,
            full_name=full_name,
            rank=rank,
            memberships=[(Unit.objects.get(code=unit_code), role)],
            reset_password=False,
        )
    _demo_shifts()
    write_simulator_pages(pages)

    web_form_connect(unit=province)  # the public web form (/bao-tin/) as a door of the province
    return {
        "areas": counts["areas"],
        "former_areas": counts["former"],
        "communes": communes,
        "departments": len(DEPARTMENTS),
        "pages": len(pages),
    }


def simulator_pages_path() -> Path:
    return Path(settings.VAR_DIR) / "simulator-pages.json"


def write_simulator_pages(pages: list[ChannelAccount]) -> Path:
    """The simulator plays Zalo: it must know the pages' ids and secrets (demo only)."""
    path = simulator_pages_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for account in pages:
        s = _page_secrets(account.unit.code)
        rows.append(
            {
                "oa_id": account.external_id,
                "app_id": account.app_id,
                "oa_secret_key": account.oa_secret_key,
                "app_secret_key": account.app_secret_key,
                "name": account.name,
                "access_token": s["access_token"],
                "refresh_token": s["refresh_token"],
            }
        )
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _demo_shifts() -> None:
    """A week of round-the-clock shifts from today, so alerts ring real people in the demo."""

    start = timezone.localtime().replace(hour=7, minute=0, second=0, microsecond=0)
    start -= timedelta(days=1)
    plan = [
        ("trucban", "66", Post.DUTY_DESK),
        ("canbo.bmt", "24133", Post.OFFICER),
        ("chihuy.bmt", "24133", Post.COMMANDER),
        ("canbo.tanan", "24163", Post.OFFICER),
        ("canbo.tuyhoa", "22015", Post.OFFICER),
        ("canbo.cumgar", "24280", Post.OFFICER),
        ("canbo.pk02", "66-PK02", Post.OFFICER),
    ]
    for username, unit_code, post in plan:
        user = User.objects.get(username=username)
        unit = Unit.objects.get(code=unit_code)
        for day in range(8):
            begins = start + timedelta(days=day)
            Shift.objects.get_or_create(
                unit=unit,
                user=user,
                post=post,
                starts_at=begins,
                defaults={"ends_at": begins + timedelta(hours=24)},
            )
