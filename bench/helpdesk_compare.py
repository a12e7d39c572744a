"""django-helpdesk and BinhYen side by side at the same number of tickets and cases.

Run: .venv/bin/python bench/helpdesk_compare.py [--tickets 100000 | --quick] [--runs 20]
     [--db postgres://postgres@127.0.0.1:5432/binhyen_bench_compare] [--keep]

About 4 minutes at 100,000 (252 s at load average 5-8, the two loads 40 s of it), 2 minutes
with `--quick` (10,000: 117 s), on the 2-core development machine; the first time ~10 s more
to build django-helpdesk's virtualenv from PyPI.

django-helpdesk (the version pinned below, from PyPI) runs in its own virtualenv,
var/bench/helpdesk-venv, built on first use, with a minimal Django project written to
var/bench/helpdesk-project (`manage.py runserver` there shows it in a browser). Each system
gets its own PostgreSQL database, `<db>_helpdesk` and `<db>_binhyen` (dropped and re-created;
`--keep` reuses a finished load):

- django-helpdesk: four queues, N tickets with the Vietnamese texts of `scale_data` as title
  and description over two years (those of the last 20 days open or reopened, the rest
  resolved, closed or duplicate), priorities, a third assigned to the staff user, two
  follow-ups each, written by `INSERT … SELECT generate_series` after its own migrations;
- BinhYen: `scale_data.load_cases` (the generator of `console_scale.py`): the province and
  101 wards, N cases over two years, two clocks and two timeline rows each, and the web tip
  form opened for the province.

Each system is driven in its own process through the Django test client (whole requests:
middleware, session, permission checks, queries, rendering), as a logged-in staff user
(helpdesk) or the province duty officer (BinhYen); this process alternates between them,
one measure at a time, so both are measured in the same minutes of a shared machine:

- reference: a logged-in request that does nothing (each system's login page, which
  redirects a signed-in user away), run before every sample;
- create: helpdesk's staff "new ticket" form POST (queue, title, description, priority,
  submitter e-mail); BinhYen's public web tip form POST (a citizen leaving a name and phone
  number), each token taken from the rendered form more than 3 s earlier (the spam rules
  hold a form sent faster) and each from its own address (5 tips per network per hour);
- list: the default ticket list, first page; helpdesk's page loads its rows with a second
  request (DataTables, server side), which is timed with it: what the user waits for;
- list of every status; text searches with and without diacritics.

p50 / p95 of `--runs` samples each, the p95 of the reference run beside them, the SQL
queries of one request, and what each list shows (rows, matches). The machine calibration
and the load average are printed at the start and at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

import scale_data

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "var" / "bench" / "helpdesk-venv"
PROJECT = ROOT / "var" / "bench" / "helpdesk-project"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/binhyen_bench_compare"
HELPDESK_VERSION = "2.6.1"
# django-helpdesk 2.6.1 asks for Django >= 5.2; pinned so that reruns compare the same code.
REQUIREMENTS = (
    f"django-helpdesk=={HELPDESK_VERSION}",
    "Django==5.2.19",
    "djangorestframework==3.18.3",
    "psycopg[binary]==3.3.9",
)
QUICK = 10_000
PASSWORD = "bench-compare-Pw-2026"
PAGE_URLS = {
    "helpdesk": {
        "ref": "/ref/",
        "list": "/helpdesk/tickets/",
        "list_all": "/helpdesk/tickets/?status=1&status=2&status=3&status=4&status=5",
        "search": "/helpdesk/tickets/?q=tr%E1%BB%99m+xe+m%C3%A1y",
        "search_plain": "/helpdesk/tickets/?q=can+cuoc",
    },
    "binhyen": {
        "ref": "/dang-nhap/",
        "list": "/tin-bao/",
        "list_all": "/tin-bao/?status=all",
        "search": "/tin-bao/?status=all&q=tr%E1%BB%99m+xe+m%C3%A1y",
        "search_plain": "/tin-bao/?status=all&q=can+cuoc",
    },
}
MEASURES = [
    ("create", "create a ticket / a case"),
    ("list", "list, default view, page 1"),
    ("list_all", "list, every status, page 1"),
    ("search", "search 'trộm xe máy'"),
    ("search_plain", "search 'can cuoc' (no diacritics)"),
]
# Vietnamese queues, as a police unit might set django-helpdesk up.
QUEUES = [
    ("Tố giác tội phạm", "to-giac"),
    ("Trật tự công cộng", "trat-tu"),
    ("Hỏi thủ tục hành chính", "thu-tuc"),
    ("Giao thông", "giao-thong"),
]
DATATABLES = re.compile(r'"url":\s*"(/helpdesk/datatables_ticket_list/[^"]+)"')


def calibration_us() -> float:
    # deferred: live_fanout sets up paths for BinhYen, unwanted in django-helpdesk's child
    from live_fanout import calibration_us as measure

    return measure()


# --- django-helpdesk's virtualenv and project -------------------------------------------------

SETTINGS = """\
# Written by bench/helpdesk_compare.py: a minimal project for django-helpdesk.
import os

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdbench.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]
_URL = os.environ.get("HDBENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hdbench")
_AUTH, _, _PATH = _URL.split("://", 1)[1].partition("@")
_HOSTPORT, _, _NAME = _PATH.partition("/")
_HOST, _, _PORT = _HOSTPORT.partition(":")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _NAME,
        "USER": _AUTH.split(":")[0],
        "HOST": _HOST,
        "PORT": _PORT or "5432",
    }
}
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
LANGUAGE_CODE = "en-us"
STATIC_URL = "/static/"
MEDIA_ROOT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "media")
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Messages are rendered as usual and dropped instead of being sent.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.com"
# Teams need the optional pinax-teams package; everything else keeps its default.
HELPDESK_TEAMS_MODE_ENABLED = False
LOGIN_URL = "helpdesk:login"
"""

URLS = """\
# Written by bench/helpdesk_compare.py.
from django.contrib.auth.views import LoginView
from django.urls import include, path

urlpatterns = [
    # The reference request: a signed-in user is redirected away (as BinhYen's /dang-nhap/).
    path("ref/", LoginView.as_view(redirect_authenticated_user=True)),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
"""

MANAGE = """\
#!/usr/bin/env python
# Written by bench/helpdesk_compare.py. HDBENCH_DATABASE_URL names the database.
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


def ensure_venv() -> Path:
    """django-helpdesk's virtualenv, built once (a stamp names what it holds)."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".bench-requirements"
    wanted = "\n".join(REQUIREMENTS)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"building {VENV.relative_to(ROOT)} ({', '.join(REQUIREMENTS)})", flush=True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-qq", "--disable-pip-version-check"]
    subprocess.run([*pip, *REQUIREMENTS], check=True)
    stamp.write_text(wanted)
    return python


def write_project() -> None:
    package = PROJECT / "hdbench"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS)
    (package / "urls.py").write_text(URLS)
    (PROJECT / "manage.py").write_text(MANAGE)


# --- the children: one process per system, driven over stdin / stdout ----------------------


class Child:
    """A child process answering one JSON line per command."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            raise SystemExit(f"{self.name} stopped (exit {code}); its messages are above")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def serve(
    out: IO[str], ready: dict[str, Any], measures: dict[str, Callable[[], dict[str, Any]]]
) -> None:
    out.write(json.dumps(ready) + "\n")
    out.flush()
    for line in sys.stdin:
        name = line.strip()
        out.write(json.dumps(measures[name]()) + "\n")
        out.flush()


def measure(
    fn: Callable[[], object], ref: Callable[[], object], runs: int, info: Callable[[], str]
) -> dict[str, Any]:
    from django.db import connection  # deferred: the child has set Django up
    from django.test.utils import CaptureQueriesContext

    p50, p95, ref95 = scale_data.timed(fn, ref, runs)
    with CaptureQueriesContext(connection) as queries:
        fn()
    return {"p50": p50, "p95": p95, "ref": ref95, "queries": len(queries), "info": info()}


def _child_io() -> IO[str]:
    """Answers go to the real stdout; everything else printed goes to stderr."""
    out = sys.stdout
    sys.stdout = sys.stderr
    return out


def helpdesk_child(args: argparse.Namespace) -> None:
    out = _child_io()
    sys.path.insert(0, str(PROJECT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "hdbench.settings"
    os.environ["HDBENCH_DATABASE_URL"] = args.db
    for name in ("HELPDESK_NEW_TICKET_WEBHOOK_URLS", "HELPDESK_FOLLOWUP_WEBHOOK_URLS"):
        os.environ.pop(name, None)
    fresh = not (args.keep and scale_data.loaded(args.db, "bench_helpdesk_loaded", args.n))
    if fresh:
        scale_data.recreate_database(args.db)
    import django  # deferred: the settings module is named above

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from helpdesk.models import Queue, Ticket

    took = _load_helpdesk(args.n) if fresh else 0.0
    user_model = get_user_model()
    staff = user_model.objects.get(username="bench.staff")
    client = Client()
    assert client.login(username="bench.staff", password=PASSWORD)
    queue = Queue.objects.order_by("id").first()
    assert queue is not None
    last: dict[str, Any] = {}

    def get(url: str, status: int = 200) -> Any:
        resp = client.get(url)
        assert resp.status_code == status, (url, resp.status_code)
        return resp

    def listing(url: str) -> Callable[[], None]:
        pages: list[float] = []
        rows: list[float] = []
        last["split"] = (pages, rows)

        def run() -> None:
            t0 = time.perf_counter()
            page = get(url).content.decode()
            t1 = time.perf_counter()
            match = DATATABLES.search(page)
            assert match, "no DataTables URL on the ticket list"
            # What DataTables asks for (server side): page 1 at the user's page length.
            data = client.get(
                match.group(1),
                {"draw": "1", "start": "0", "length": "25", "search[value]": ""},
            )
            assert data.status_code == 200, data.status_code
            pages.append((t1 - t0) * 1000)
            rows.append((time.perf_counter() - t1) * 1000)
            last["data"] = data.json()

        return run

    def shown() -> str:
        data = last["data"]
        pages, rows = last["split"]
        return (
            f"{len(data['data'])} rows of {data['recordsFiltered']:,} (exact count); "
            f"p50 page {statistics.median(pages):.0f} ms + rows request "
            f"{statistics.median(rows):.0f} ms"
        )

    serial = iter(range(1, 10**9))

    def create() -> None:
        n = next(serial)
        text = scale_data.WEIGHTED_TEXTS[n % len(scale_data.WEIGHTED_TEXTS)]
        resp = client.post(
            "/helpdesk/tickets/submit/",
            {
                "queue": str(queue.pk),
                "title": f"{text} ({n})",
                "body": f"{text}. Địa chỉ: thôn {n % 12}, phường {n % 101}.",
                "priority": "3",
                "submitter_email": f"nguoi.bao.{n}@example.vn",
                "due_date": "",
                "assigned_to": "",
            },
        )
        assert resp.status_code == 302, (resp.status_code, resp.content[:2000])

    def ref() -> None:
        get(PAGE_URLS["helpdesk"]["ref"], status=302)

    before = Ticket.objects.count()
    urls = PAGE_URLS["helpdesk"]
    measures: dict[str, Callable[[], dict[str, Any]]] = {
        "ref": lambda: measure(ref, ref, args.runs, lambda: "302 to the user's home"),
        "create": lambda: measure(
            create,
            ref,
            args.runs,
            lambda: f"{Ticket.objects.count() - before} tickets created (302 to the ticket)",
        ),
        **{
            key: (lambda url=urls[key]: measure(listing(url), ref, args.runs, shown))
            for key in ("list", "list_all", "search", "search_plain")
        },
    }
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM helpdesk_ticket")
        total = cur.fetchone()[0]
    import helpdesk

    ready = {
        "system": f"django-helpdesk {getattr(helpdesk, '__version__', HELPDESK_VERSION)}",
        "django": django.__version__,
        "python": platform.python_version(),
        "rows": total,
        "load_s": took,
        "staff": staff.username,
    }
    serve(out, ready, measures)


def _load_helpdesk(n: int) -> float:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from helpdesk.models import Queue

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    staff = get_user_model().objects.create_user(
        username="bench.staff",
        password=PASSWORD,
        email="truc.ban@example.vn",
        is_staff=True,
    )
    queue_ids = [Queue.objects.create(title=t, slug=s).pk for t, s in QUEUES]
    texts = scale_data.sql_array(scale_data.WEIGHTED_TEXTS)
    recent = f"interval '{scale_data.OPEN_DAYS} days'"
    with connection.cursor() as cur:
        # Same texts, in the same proportions and order, as BinhYen's generated cases.
        cur.execute(
            f"""
            INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status,
                on_hold, description, resolution, priority, due_date, last_escalation,
                assigned_to_id, queue_id, secret_key, kbitem_id, merged_to_id)
            SELECT ({texts})[k], c, c + interval '2 hours', 'nguoi.bao.' || g || '@example.vn',
                   CASE WHEN c > now() - {recent} THEN (CASE WHEN g % 7 = 0 THEN 2 ELSE 1 END)
                        WHEN g % 50 = 0 THEN 5 WHEN g % 5 < 2 THEN 4 ELSE 3 END,
                   false,
                   ({texts})[k] || '. Địa chỉ: thôn ' || (g % 12) || ', phường ' || (g % 101)
                       || '. Người báo tin đề nghị giữ bí mật danh tính.',
                   CASE WHEN c > now() - {recent} THEN '' ELSE 'Đã xác minh, xử lý xong.' END,
                   1 + g % 5, NULL, NULL,
                   CASE WHEN g % 3 = 0 THEN {staff.pk} END,
                   ({scale_data.sql_array([str(q) for q in queue_ids])})[1 + g % 4]::int,
                   substr(m, 1, 8) || '-' || substr(m, 9, 4) || '-' || substr(m, 13, 4) || '-'
                       || substr(m, 17, 4) || '-' || substr(m, 21, 12),
                   NULL, NULL
            FROM (
                SELECT g, md5('t' || g) AS m,
                       now() - (g::float / {n}) * interval '{scale_data.SPAN_DAYS} days' AS c,
                       1 + (hashint4(g) & 2147483647) % {len(scale_data.WEIGHTED_TEXTS)} AS k
                FROM generate_series(1, {n}) AS g
            ) AS s
            """
        )
        # What helpdesk writes itself: "Ticket Opened" with the description, then a closing
        # note (resolved, closed, duplicate) or a staff comment (still open).
        cur.execute(
            """
            INSERT INTO helpdesk_followup (date, title, comment, public, new_status, ticket_id,
                user_id, message_id, time_spent, email_recipients)
            SELECT created, 'Ticket Opened', description, true, NULL, id, NULL, NULL, NULL,
                   '[]'::jsonb
            FROM helpdesk_ticket
            """
        )
        cur.execute(
            f"""
            INSERT INTO helpdesk_followup (date, title, comment, public, new_status, ticket_id,
                user_id, message_id, time_spent, email_recipients)
            SELECT created + interval '1 day',
                   CASE status WHEN 3 THEN 'Resolved' WHEN 4 THEN 'Closed'
                        WHEN 5 THEN 'Closed (duplicate)' ELSE 'Comment' END,
                   CASE WHEN status IN (1, 2) THEN 'Đã liên hệ người báo tin, đang xác minh.'
                        ELSE resolution END,
                   status NOT IN (1, 2), CASE WHEN status IN (1, 2) THEN NULL ELSE status END,
                   id, {staff.pk}, NULL, NULL, '[]'::jsonb
            FROM helpdesk_ticket
            """
        )
        cur.execute("ANALYZE helpdesk_ticket")
        cur.execute("ANALYZE helpdesk_followup")
        cur.execute("CREATE TABLE bench_helpdesk_loaded (n integer)")
        cur.execute("INSERT INTO bench_helpdesk_loaded VALUES (%s)", [n])
    took = time.perf_counter() - t0
    print(f"django-helpdesk: loaded {n:,} tickets in {took:.0f} s", flush=True)
    return took


def binhyen_child(args: argparse.Namespace) -> None:
    out = _child_io()
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = args.db
    os.environ["DJANGO_SETTINGS_MODULE"] = "binhyen.settings"
    os.environ.setdefault("BINHYEN_VAR_DIR", tempfile.mkdtemp(prefix="bench-compare-"))
    os.environ.setdefault("BINHYEN_LOG_LEVEL", "WARNING")
    fresh = not (args.keep and scale_data.loaded(args.db, "bench_compare_loaded", args.n))
    if fresh:
        scale_data.recreate_database(args.db)
    import django  # deferred: the settings module is named above

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client

    from binhyen.accounts.models import Role
    from binhyen.accounts.services import staff_upsert
    from binhyen.cases import listing
    from binhyen.cases.models import Case
    from binhyen.tips.models import Tip
    from binhyen.tips.services import web_form_connect
    from binhyen.units.models import Unit

    t0 = time.perf_counter()
    if fresh:
        scale_data.load_cases(args.n, 102, marker="bench_compare_loaded")
    took = time.perf_counter() - t0 if fresh else 0.0
    province = Unit.objects.get(code="66")
    web_form_connect(unit=province)
    duty = staff_upsert(
        username="bench.duty",
        password=PASSWORD,
        full_name="Bench Duty",
        memberships=[(province, Role.DUTY)],
    )
    client = Client()
    assert client.login(username="bench.duty", password=PASSWORD)
    citizen = Client()

    def get(url: str, status: int = 200) -> None:
        resp = client.get(url)
        assert resp.status_code == status, (url, resp.status_code)

    def ref() -> None:
        get(PAGE_URLS["binhyen"]["ref"], status=302)

    tokens: list[str] = []
    serial = iter(range(1, 10**9))

    def create() -> None:
        n = next(serial)
        text = scale_data.WEIGHTED_TEXTS[n % len(scale_data.WEIGHTED_TEXTS)]
        resp = citizen.post(
            "/bao-tin/",
            {
                "what": f"{text}. Địa chỉ: thôn {n % 12}, phường {n % 101} ({n}).",
                "category": "",
                "when": "",
                "address": f"Thôn {n % 12}",
                "anonymous": "no",
                "name": "Nguyễn Văn A",
                "phone": f"0905 {n % 1000:03d} {n % 997:03d}",
                "secrecy": "on",
                "website": "",
                "started": tokens.pop(),
            },
            # One citizen per network: the spam rules hold a sixth tip an hour from one.
            REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        )
        assert resp.status_code == 200, (resp.status_code, resp.content[:2000])

    def prepare_create() -> dict[str, Any]:
        from binhyen.tips.models import Counter  # deferred: only for this measure

        # The bench's own database: forget earlier runs' submissions (the spam rules
        # hold a flood of over 60 tips in 10 minutes from everyone).
        Counter.objects.all().delete()
        token = re.compile(r'name="started" value="([^"]+)"')
        for _ in range(args.runs + 2):
            page = citizen.get("/bao-tin/").content.decode()
            found = token.search(page)
            assert found, "no form token on /bao-tin/"
            tokens.append(found.group(1))
        time.sleep(3.2)  # a form sent less than 3 s after it was shown is held
        before = Case.objects.count()
        held_before = Tip.objects.filter(state=Tip.State.HELD).count()
        hashes: list[float] = []

        def hash_times() -> None:
            for _ in range(5):
                t = time.perf_counter()
                make_password("0000-0000")
                hashes.append((time.perf_counter() - t) * 1000)

        hash_times()
        result = measure(
            create,
            ref,
            args.runs,
            lambda: (
                f"{Case.objects.count() - before} cases opened, "
                f"{Tip.objects.filter(state=Tip.State.HELD).count() - held_before} held "
                "(200, the receipt page)"
            ),
        )
        hash_times()  # before and after: the machine's load moves in between
        result["info"] += (
            f"; of which the receipt password hash (Django's default PBKDF2) p50 "
            f"{statistics.median(hashes):.0f} ms"
        )
        return result

    last: dict[str, Any] = {}

    def listing_run(url: str) -> Callable[[], None]:
        def run() -> None:
            get(url)
            last["url"] = url

        return run

    def shown() -> str:
        f = listing.Filters.parse(dict(parse_qsl(urlsplit(last["url"]).query)))
        page = listing.page(listing.apply(listing.visible(duty), f, duty), f)
        count = f"{page.count:,}+ (count capped)" if page.capped else f"{page.count:,}"
        return f"{len(page.rows)} rows of {count}"

    urls = PAGE_URLS["binhyen"]
    measures: dict[str, Callable[[], dict[str, Any]]] = {
        "ref": lambda: measure(ref, ref, args.runs, lambda: "302 to the console"),
        "create": prepare_create,
        **{
            key: (lambda url=urls[key]: measure(listing_run(url), ref, args.runs, shown))
            for key in ("list", "list_all", "search", "search_plain")
        },
    }
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        total = cur.fetchone()[0]
    ready = {
        "system": "BinhYen",
        "django": django.__version__,
        "python": platform.python_version(),
        "rows": total,
        "load_s": took,
        "staff": duty.username,
    }
    serve(out, ready, measures)


# --- the parent ---------------------------------------------------------------------------------


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _pg_version(url: str) -> str:
    import psycopg  # deferred: the parent runs in BinhYen's virtualenv, which has it

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres") as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    scale_data.refuse_shared(args.db)
    n = QUICK if args.quick else args.tickets
    print(f"load average at start: {_load()}")
    print(f"calibration: sum(range(1000)) best of 5 = {calibration_us():.1f} µs", flush=True)
    python = ensure_venv()
    write_project()
    common = ["--n", str(n), "--runs", str(args.runs)] + (["--keep"] if args.keep else [])
    env = os.environ.copy()
    env.pop("DATABASE_URL", None)
    script = str(Path(__file__).resolve())
    children = {
        "helpdesk": Child(
            "django-helpdesk",
            [str(python), script, "--_child", "helpdesk", "--db", f"{args.db}_helpdesk", *common],
            env,
        ),
        "binhyen": Child(
            "BinhYen",
            [sys.executable, script, "--_child", "binhyen", "--db", f"{args.db}_binhyen", *common],
            env,
        ),
    }
    try:
        ready = {key: child.read() for key, child in children.items()}
        rows: list[tuple[str, dict[str, dict[str, Any]]]] = []
        order = ["helpdesk", "binhyen"]
        for key, label in [("ref", "reference: logged-in, does nothing"), *MEASURES]:
            print(f"measuring: {label}", flush=True)
            result = {name: children[name].ask(key) for name in order}
            rows.append((label, result))
            order.reverse()  # whoever went second goes first next time
    finally:
        for child in children.values():
            child.close()
    hd, by = ready["helpdesk"], ready["binhyen"]
    print()
    print(
        f"{hd['system']} (Django {hd['django']}, its own virtualenv) and {by['system']} "
        f"(Django {by['django']}), Python {by['python']}, PostgreSQL {_pg_version(args.db)}"
    )
    print(
        f"{hd['rows']:,} tickets and {by['rows']:,} cases; {args.runs} runs per measure, "
        "times in ms; ref = p95 of the reference request run before each sample"
    )
    head = f"{'p50':>7} {'p95':>7} {'ref':>5} {'/ref':>5} {'SQL':>4}"
    print(f"{'':36} {'django-helpdesk':^32}   {'BinhYen':^32}   helpdesk/BinhYen")
    print(f"{'measure':36} {head}   {head}   {'p95':>7} {'/ref':>6}")
    for label, result in rows:
        cells = []
        for name in ("helpdesk", "binhyen"):
            r = result[name]
            cells.append(
                f"{r['p50']:7.1f} {r['p95']:7.1f} {r['ref']:5.1f} "
                f"{r['p95'] / max(r['ref'], 0.01):5.1f} {r['queries']:4d}"
            )
        h, b = result["helpdesk"], result["binhyen"]
        ratio = h["p95"] / max(b["p95"], 0.01)
        own = (h["p95"] / max(h["ref"], 0.01)) / max(b["p95"] / max(b["ref"], 0.01), 0.01)
        print(f"{label:36} {cells[0]}   {cells[1]}   {ratio:7.2f} {own:6.2f}")
    print(
        "/ref: p95 over the p95 of the system's own reference; SQL: queries of one sample; "
        "helpdesk/BinhYen: p95 over p95, and /ref over /ref"
    )
    print()
    for label, result in rows:
        print(f"{label}:")
        print(f"    django-helpdesk: {result['helpdesk']['info']}")
        print(f"    BinhYen:         {result['binhyen']['info']}")
    if hd["load_s"] or by["load_s"]:
        print(
            f"\nloads: django-helpdesk {hd['load_s']:.0f} s, BinhYen {by['load_s']:.0f} s "
            "(in parallel)"
        )
    print(f"load average at the end: {_load()}")
    print(f"calibration: sum(range(1000)) best of 5 = {calibration_us():.1f} µs")
    print(f"run time: {time.perf_counter() - started:.0f} s")


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} tickets and cases")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", default=DEFAULT_DB, help="prefix of the two databases' URLs")
    parser.add_argument("--keep", action="store_true", help="reuse the databases if loaded")
    parser.add_argument("--_child", choices=["helpdesk", "binhyen"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    ARGS = _parse()
    if ARGS._child == "helpdesk":
        helpdesk_child(ARGS)
    elif ARGS._child == "binhyen":
        binhyen_child(ARGS)
    else:
        main(ARGS)
