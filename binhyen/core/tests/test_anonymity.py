"""Nothing links a tip to the person who sent it, except the identity vault.

Tips go in through every door (the web form anonymous and named, the status page, a held
submission, Zalo messages and contact details, Open311), officers work them (reply,
reveal, export, API, Open311 reads), a request fails with an error report; then the whole
database (every table of every database, JSON and encrypted columns included), every
stored file, the log output, every export and the error report are searched for the test
IP addresses, user agent, names, phone numbers, e-mail addresses, addresses and Zalo ids.

They may appear only inside the vault (`vault_identity.data`, encrypted), and the Zalo
ones also in the raw Zalo events (`channels_inboundevent.body`, encrypted, kept for
reprocessing: see docs/protection.md). IP addresses and the user agent appear nowhere.
"""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.views.debug import ExceptionReporter, get_exception_reporter_class
from PIL import Image

from binhyen.accounts.services import api_token_create
from binhyen.cases import services as cases
from binhyen.cases.models import Case, CaseEvent
from binhyen.lib import crypto, vntext
from binhyen.open311.services import api_key_create
from binhyen.testing import PASSWORD, post_zalo, secret_of, zalo_event
from binhyen.tips import services as tips
from binhyen.tips.models import Tip
from binhyen.tips.tests.helpers import form_data, jpeg_with_gps
from binhyen.vault.tests.conftest import grant, zalo_case

pytestmark = pytest.mark.slow

IP_WEB = "203.0.113.201"
IP_FORWARDED = "198.51.100.202"
IP_OPEN311 = "192.0.2.203"
USER_AGENT = "AnonTestBrowser/9.9 (SecretDevice-77)"
WEB = {
    "name": "Đoàn Thị Bí Mật",
    "phone": "0905 246 810",
    "email": "bimat@example.vn",
    "address": "99 Hẻm Kín Đáo",
}
HELD = {"name": "Lò Văn Giữ Lại", "phone": "0934 112 358"}
ZALO_ID = "8877665544332211009"
ZALO = {"name": "Nông Văn Zalo", "phone": "84913579246", "address": "77 Đường Riêng Tư"}
OPEN311 = {
    "first_name": "Tường Vy Ẩn",
    "last_name": "Khổng Quyên Mộc",
    "email": "an311@example.vn",
    "phone": "0977 864 202",
    "device_id": "device-ANON-311",
    "account_id": "acct-ANON-311",
}
PHOTO_OWNER = "Tác Giả Ảnh Kín"

NETWORK = [IP_WEB, IP_FORWARDED, IP_OPEN311, USER_AGENT, "SecretDevice-77"]
CITIZENS = [
    *WEB.values(),
    *HELD.values(),
    *OPEN311.values(),
    PHOTO_OWNER,
]
ZALO_NEEDLES = [ZALO_ID, *ZALO.values()]
VAULT = "vault_identity.data"
RAW_ZALO = "channels_inboundevent.body"  # in the "inbox" database on SQLite


def _norm(text: str) -> str:
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return unicodedata.normalize("NFC", text).lower()


def _variants(needle: str) -> set[str]:
    """The needle as written, without accents, and (for numbers) as bare digits."""
    out = {_norm(needle), vntext.fold(needle)}
    digits = re.sub(r"\D", "", needle)
    if len(digits) >= 9 and not re.search(r"[a-zA-Z]", needle):
        out.add(digits)
        out.add(digits[2:] if digits.startswith("84") else "84" + digits[1:])
    return {v for v in out if len(v) >= 6}


NEEDLES = {n: _variants(n) for n in NETWORK + CITIZENS + ZALO_NEEDLES}


def found_in(text: str) -> set[str]:
    low = _norm(text)
    folded = vntext.fold(text)
    return {n for n, vs in NEEDLES.items() if any(v in low or v in folded for v in vs)}


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def scan_databases() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(needles found in stored values, needles found once encrypted values are opened),
    by "database:table.column"."""
    plain: dict[str, set[str]] = {}
    opened: dict[str, set[str]] = {}
    for alias in connections:
        connection = connections[alias]
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
            for table in tables:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
                columns = [c[0] for c in cursor.description]
                for row in cursor.fetchall():
                    for column, value in zip(columns, row, strict=True):
                        where = f"{alias}:{table}.{column}"
                        text = _as_text(value)
                        if hits := found_in(text):
                            plain.setdefault(where, set()).update(hits)
                        if text.startswith("gAAAAA"):
                            try:
                                secret = crypto.decrypt(text)
                            except crypto.DecryptionError:
                                continue
                            if hits := found_in(secret):
                                opened.setdefault(where, set()).update(hits)
    return plain, opened


def scan_files() -> dict[str, set[str]]:
    hits: dict[str, set[str]] = {}
    root = Path(settings.MEDIA_ROOT)
    for path in root.rglob("*") if root.exists() else []:
        if path.is_file():
            data = path.read_bytes()
            text = data.decode("utf-8", "replace") + data.decode("latin-1")
            if found := found_in(text):
                hits[str(path.relative_to(root))] = found
            if data[:3] == b"\xff\xd8\xff":
                with Image.open(io.BytesIO(data)) as img:
                    assert not img.getexif(), f"{path.name} still has EXIF"
    return hits


@pytest.fixture
def doors(world, client, drain, monkeypatch):
    """Every door used once, then everything officers do with the result."""
    # Every log record of the whole run, at DEBUG, formatted as the deployment formats it.
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    watched = [
        "",
        "django",
        "django.request",
        "django.security",
        "django.server",
        "django_tasks",
        "django_tasks_db",
        "httpx",
        "binhyen",
    ]
    levels = {name: logging.getLogger(name).level for name in watched}
    root.addHandler(handler)
    for name in watched:
        logging.getLogger(name).setLevel(logging.DEBUG)

    tips.web_form_connect(unit=world.province)
    network = {
        "REMOTE_ADDR": IP_WEB,
        "HTTP_X_FORWARDED_FOR": IP_FORWARDED,
        "HTTP_USER_AGENT": USER_AGENT,
    }
    out: dict[str, Any] = {"responses": []}

    def keep(resp):
        out["responses"].append(resp)
        return resp

    # 1. Web form, anonymous, with a photo carrying GPS and the owner's name.
    photo = SimpleUploadedFile(
        f"IMG_{PHOTO_OWNER}.jpg", jpeg_with_gps(artist=PHOTO_OWNER), "image/jpeg"
    )
    data = form_data(what="Có người mang dao tụ tập trước cổng trường mầm non.", place="24163")
    data["uploads"] = [photo]
    resp = keep(client.post("/bao-tin/", data, **network))
    body = resp.content.decode()
    code = re.search(r'id="tip-code">([^<]+)<', body).group(1)
    password = re.search(r'id="tip-password">([^<]+)<', body).group(1)

    # 2. Web form, named, asking for secrecy.
    keep(
        client.post(
            "/bao-tin/",
            form_data(
                what="Nhà bên cạnh tổ chức đánh bạc mỗi tối.",
                place="24133",
                anonymous="no",
                name=WEB["name"],
                phone=WEB["phone"],
                email=WEB["email"],
                contact_address=WEB["address"],
                secrecy="on",
            ),
            **network,
        )
    )

    # 3. Status page: a wrong password, the right one, a follow-up message.
    keep(client.post("/bao-tin/tra-cuu/", {"code": code, "password": "AAAAA-AAAAA"}, **network))
    page = keep(client.post("/bao-tin/tra-cuu/", {"code": code, "password": password}, **network))
    access = re.search(r'name="access" value="([^"]+)"', page.content.decode()).group(1)
    keep(
        client.post(
            "/bao-tin/tra-cuu/nhan-tin/",
            {"access": access, "nonce": "n1", "text": "Chúng vừa đi về phía chợ."},
            **network,
        )
    )

    # 4. A submission held as spam, with contact details; another one held then released.
    keep(
        client.post(
            "/bao-tin/",
            form_data(
                what="Quảng cáo vay tiền nhanh",
                website="x",
                anonymous="no",
                name=HELD["name"],
                phone=HELD["phone"],
            ),
            **network,
        )
    )
    keep(
        client.post(
            "/bao-tin/",
            form_data(what="Trộm chó ở thôn 3, tối qua.", website="x", place="24133"),
            **network,
        )
    )
    tips.tip_release(
        tip=Tip.objects.filter(state=Tip.State.HELD).latest("pk"), actor=world.province_officer
    )

    # 5. Zalo: a message and the citizen's contact details.
    post_zalo(
        client,
        zalo_event(
            "user_send_text",
            page=world.bmt_page,
            user_id=ZALO_ID,
            text="Có nhóm đua xe trên đường Lê Duẩn.",
        ),
        secret=secret_of(world.bmt_page),
    )
    info = zalo_event("user_submit_info", page=world.bmt_page, user_id=ZALO_ID)
    info["info"] = {
        "name": ZALO["name"],
        "phone": ZALO["phone"],
        "full_address": {"user_address": ZALO["address"]},
    }
    post_zalo(client, info, secret=secret_of(world.bmt_page))

    # 6. Open311, named, from a partner app.
    _row, key = api_key_create(name="Ứng dụng thử", unit=world.province)
    keep(
        client.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": "tip.theft_robbery",
                "lat": "12.7089",
                "long": "108.0280",
                "description": "Mất trộm xe máy trước nhà văn hóa.",
                "attribute[anonymous]": "false",
                **OPEN311,
            },
            REMOTE_ADDR=IP_OPEN311,
            HTTP_USER_AGENT=USER_AGENT,
        )
    )
    drain()

    # 7. Officers at work: reply, reveal (audited), export, API, Open311 reads, console.
    web_case = Case.objects.get(
        tip__isnull=False, is_anonymous=True, summary__startswith="Có người mang dao"
    )
    cases.case_reply(case=web_case, author=world.officer_tanan, text="Đã cử tổ tuần tra.")
    drain()
    keep(client.post("/bao-tin/tra-cuu/", {"code": code, "password": password}, **network))
    grant(world.commander_bmt, "reveal_identity")
    client.login(username=world.commander_bmt.username, password=PASSWORD)
    named = Case.objects.get(secrecy_requested=True)
    revealed = client.post(
        f"/bao-mat/vu-viec/{named.pk}/danh-tinh/",
        {"reason": "Cần gọi lại người báo tin để xác minh địa điểm"},
    )
    assert WEB["phone"] in revealed.content.decode()  # the reveal works (and is audited)
    out["export_commune"] = keep(client.get("/bao-mat/xuat/vu-viec.csv?unit=24133"))
    client.logout()
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root-anon", password=PASSWORD)
    client.login(username=admin.username, password=PASSWORD)
    for c in Case.objects.all():
        keep(client.get(f"/tin-bao/{c.pk}/"))
    keep(client.get("/tin-bao/"))
    keep(client.get("/tin-giu-lai/"))
    out["export_all"] = keep(client.get("/bao-mat/xuat/vu-viec.csv?unit=66"))
    keep(client.get("/nhat-ky/"))
    client.logout()
    _token_row, token = api_token_create(user=admin)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    keep(client.get("/api/v1/cases", **auth))
    for c in Case.objects.all():
        keep(client.get(f"/api/v1/cases/{c.pk}", **auth))
    for fmt in ("json", "xml"):
        keep(client.get(f"/open311/v2/requests.{fmt}", {"api_key": key}))
        for c in Case.objects.filter(tip__source=Tip.Source.OPEN311):
            keep(client.get(f"/open311/v2/requests/{c.code}.{fmt}", {"api_key": key}))

    # 8. A request that fails: the error report a deployment might e-mail to admins.
    def broken(**kwargs):
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr(tips, "tip_submit", broken)
    client.raise_request_exception = False
    failing = form_data(
        what="Tin khi hệ thống lỗi", anonymous="no", name=WEB["name"], phone=WEB["phone"]
    )
    failing["uploads"] = [SimpleUploadedFile(f"{PHOTO_OWNER}.jpg", jpeg_with_gps(), "image/jpeg")]
    assert client.post("/bao-tin/", failing, **network).status_code == 500
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    out["records"] = records
    return out


def test_every_door_is_used_and_officers_see_the_tips(doors):
    assert Case.objects.filter(channel_account__provider="web").count() == 3
    assert Case.objects.filter(channel_account__provider="zalo").count() == 1
    assert Case.objects.filter(channel_account__provider="api").count() == 1
    assert Tip.objects.filter(state=Tip.State.HELD).count() == 1
    statuses = [(r.request["PATH_INFO"], r.status_code) for r in doors["responses"]]
    bad = [(path, code) for path, code in statuses if code >= 400 and code != 403]
    assert bad == []


def test_database_holds_identities_only_in_the_vault(doors):
    plain, opened = scan_databases()
    assert plain == {}, f"identity data stored in the clear: {plain}"

    def column(where: str) -> str:
        return where.split(":", 1)[1]

    outside = {
        where: hits
        for where, hits in opened.items()
        if column(where) != VAULT and not (column(where) == RAW_ZALO and hits <= set(ZALO_NEEDLES))
    }
    assert outside == {}, f"identity data outside the vault: {outside}"
    # The vault does hold them (the test would be worthless otherwise)…
    in_vault = set().union(*(h for w, h in opened.items() if column(w) == VAULT))
    assert set(WEB.values()) | set(HELD.values()) | set(OPEN311.values()) <= in_vault
    assert {ZALO_ID, *ZALO.values()} <= in_vault
    # …but never where the citizen connected from.
    assert not (in_vault & set(NETWORK))
    assert not any(set(NETWORK) & hits for hits in opened.values())


def test_stored_files_carry_no_identity_and_no_exif(doors):
    assert scan_files() == {}


def test_log_output_carries_no_identity(doors):
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    assert doors["records"], "nothing was logged at all: the capture is broken"
    lines = [formatter.format(r) for r in doors["records"]]
    leaks = [line for line in lines if found_in(line)]
    assert leaks == []


def test_pages_exports_api_and_open311_answers_carry_no_identity(doors):
    for resp in doors["responses"]:
        content = b"".join(resp.streaming_content) if resp.streaming else resp.content
        assert found_in(content.decode("utf-8", "replace")) == set(), resp.request["PATH_INFO"]
    rows = doors["export_all"].content.decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + Case.objects.count()


def test_error_report_of_a_failed_citizen_request_carries_no_identity(doors):
    records = [
        r
        for r in doors["records"]
        if r.name == "django.request" and r.exc_info and getattr(r, "request", None) is not None
    ]
    assert records, "the failing request was not logged"
    record = records[-1]
    request = record.request
    reports = [
        get_exception_reporter_class(request)(request, *record.exc_info, is_email=True),
        ExceptionReporter(request, *record.exc_info, is_email=True),  # AdminEmailHandler's
    ]
    for reporter in reports:
        for text in (reporter.get_traceback_text(), reporter.get_traceback_html()):
            assert found_in(text) == set()
    assert found_in(logging.Formatter().format(record)) == set()


def test_the_search_would_find_a_leak(world):
    """The searches above are only worth something if they find what is there."""

    case = zalo_case(world.bmt_page)
    # JSON columns store non-ASCII escaped (SQLite), folded or spaced phone numbers…
    CaseEvent.objects.create(case=case, kind="x", data={"who": WEB["name"]})
    CaseEvent.objects.create(case=case, kind="y", text="goi 0905246810 hoac doan thi bi mat")
    plain, _opened = scan_databases()
    hits = set().union(*plain.values())
    assert {WEB["name"], WEB["phone"]} <= hits
    assert found_in(f"GET /bao-tin/ from {IP_WEB}") == {IP_WEB}
