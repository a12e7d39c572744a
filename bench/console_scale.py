"""The province console at a million cases on PostgreSQL: list, filters, search, code, API.

Run: .venv/bin/python bench/console_scale.py [--cases 1000000] [--units 102] [--runs 20]
     [--db postgres://postgres@127.0.0.1:5432/binhyen_bench_console] [--keep]

Builds its own database (never the shared `binhyen`; `--keep` reuses it once loaded): the
province and its wards, two years of cases written by `INSERT … SELECT generate_series`
(codes, classification, states, Vietnamese summaries and the folded thread text, the next
deadline), two clocks per case (acknowledgement, classification; open cases' still running)
and two timeline rows per case, with the indexes dropped during the load and built after.
Then it times whole requests through the Django test client as the province duty officer
(session, permission checks, rendering included): p50 / p95 of `--runs` each.

A reference measured in the same run comes first: a bare indexed SELECT (one case by id) and
the bare query for page 1 (`ORDER BY last_message_at DESC LIMIT 30`), so figures from a
shared, noisy machine can be read as ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/binhyen_bench_console"


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=102)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--keep", action="store_true", help="reuse the database if loaded")
    return parser.parse_args()


ARGS = _parse()
if ARGS.db.rstrip("/").rsplit("/", 1)[-1] == "binhyen":
    sys.exit("refusing to use the shared database 'binhyen'")
os.environ["DATABASE_URL"] = ARGS.db
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
os.environ.setdefault("BINHYEN_VAR_DIR", tempfile.mkdtemp(prefix="bench-console-"))

import django  # noqa: E402
import psycopg  # noqa: E402


def _recreate(url: str) -> None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _loaded(url: str) -> bool:
    try:
        with psycopg.connect(url) as conn:
            # Written last by `_load`: a load that failed half-way is never reused.
            row = conn.execute("SELECT n FROM bench_console_loaded").fetchone()
            return bool(row and row[0] >= ARGS.cases)
    except psycopg.Error:
        return False


FRESH = not (ARGS.keep and _loaded(ARGS.db))
if FRESH:
    _recreate(ARGS.db)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from binhyen.accounts.models import Role  # noqa: E402
from binhyen.accounts.services import api_token_create, staff_upsert  # noqa: E402
from binhyen.lib import vntext  # noqa: E402
from binhyen.units.models import Unit  # noqa: E402
from binhyen.units.services import unit_upsert  # noqa: E402

PASSWORD = "bench-console-Pw-2026"
# What citizens write (a question about ID cards ~12 %, motorbike theft ~6 %, the rest spread).
TEXTS = [
    ("Cho em hỏi làm căn cước cho con 10 tuổi cần giấy tờ gì ạ", 12),
    ("Nhà em bị trộm xe máy đêm qua ở đầu hẻm, xe Wave màu đỏ", 6),
    ("Có nhóm thanh niên tụ tập đua xe, gây ồn ào sau 12 giờ đêm", 8),
    ("Phát hiện điểm đánh bạc trong quán cà phê gần chợ", 5),
    ("Em bị lừa chuyển khoản 20 triệu qua mạng, người ta giả danh công an", 8),
    ("Có người cho vay nặng lãi, đến nhà đe dọa gia đình em", 4),
    ("Nghi có người mua bán ma túy ở khu trọ, ra vào liên tục", 5),
    ("Tai nạn giao thông ở ngã tư, một người bị thương", 6),
    ("Cháy nhà dân ở thôn 3, cần hỗ trợ gấp", 3),
    ("Hàng xóm đánh vợ con thường xuyên, cháu bé bị thương", 3),
    ("Xe tải chở đất làm rơi vãi, bụi bẩn cả con đường", 4),
    ("Có đối tượng lạ mặt lảng vảng quanh trường học", 5),
    ("Xin hỏi thủ tục đăng ký thường trú cho vợ", 10),
    ("Mất ví có giấy tờ tùy thân ở chợ Tân Lợi", 6),
    ("Cảm ơn các anh công an phường đã hỗ trợ nhanh chóng", 5),
    ("Karaoke hát to quá khuya, ảnh hưởng người già và trẻ nhỏ", 6),
]
CATEGORIES = [
    "public_order",
    "theft_robbery",
    "drugs",
    "gambling",
    "fraud",
    "loan_shark",
    "traffic",
    "fire_rescue",
    "domestic_child",
    "environment",
    "suspicious",
    "other_crime",
]
OPEN = ["received", "classified", "verifying", "suspended", "acknowledged"]
DONE = ["handed_over", "transferred", "resolved", "answered", "closed"]


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _load() -> None:
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    province = unit_upsert(code="66", name="Công an tỉnh Đắk Lắk", kind="province", parent=None)
    for i in range(ARGS.units - 1):
        unit_upsert(
            code=f"2{i:04d}",
            name=f"Công an phường {i}",
            kind=Unit.Kind.COMMUNE,
            parent=province,
        )
    weighted = [t for t, w in TEXTS for _ in range(w)]
    summaries = _sql_array(weighted)
    folded = _sql_array([vntext.fold(t) for t in weighted])
    n_texts = len(weighted)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('cases_case', 'cases_caseevent', 'clocks_caseclock') AND indexname NOT LIKE '%%pkey'"
        )
        indexes = cur.fetchall()
        for table, name, _def in indexes:
            cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        cur.execute("SELECT id FROM units_unit WHERE code <> '66' ORDER BY id")
        unit_ids = [r[0] for r in cur.fetchall()]
        cur.execute(
            f"""
            INSERT INTO cases_case (code, unit_id, intent, category, urgency, status, outcome,
                outcome_note, handed_over_to, summary, is_anonymous, secrecy_requested,
                opened_at, last_message_at, last_inbound_at, unread, updated_at,
                next_deadline_at, search_text, classified_at, closed_at)
            SELECT 'TB-' || substr(b, 1, 4) || '-' || substr(b, 5, 4),
                   ({_sql_array([str(u) for u in unit_ids])})[1 + (g % {len(unit_ids)})]::bigint,
                   CASE WHEN t <= 0.2 THEN 'question' ELSE 'tip' END,
                   CASE WHEN t <= 0.2 THEN '' ELSE ({_sql_array(CATEGORIES)})[1 + (g % 12)] END,
                   CASE WHEN t <= 0.2 THEN '' WHEN g % 17 = 0 THEN 'critical'
                        WHEN g % 5 = 0 THEN 'high' ELSE 'normal' END,
                   CASE WHEN lma > now() - interval '20 days'
                        THEN ({_sql_array(OPEN)})[1 + (g % 5)]
                        ELSE ({_sql_array(DONE)})[1 + (g % 5)] END,
                   '', '', '', ({summaries})[k], g % 23 = 0, g % 31 = 0,
                   lma - interval '3 hours', lma, lma, false, lma,
                   CASE WHEN lma > now() - interval '20 days'
                        THEN lma + interval '20 days' - (g % 40) * interval '1 day' END,
                   ' ' || lower(b) || ' ' || ({folded})[k] || ' ',
                   lma - interval '2 hours',
                   CASE WHEN lma > now() - interval '20 days' THEN NULL ELSE lma END
            FROM (
                SELECT g, upper(substr(md5(g::text), 1, 3) || lpad(to_hex(g), 5, '0')) AS b,
                       now() - (g::float / {ARGS.cases}) * interval '730 days' AS lma,
                       1 + (hashint4(g) & 2147483647) % {n_texts} AS k,
                       ((hashint4(g * 7) & 2147483647) % 1000) / 1000.0 AS t
                FROM generate_series(1, {ARGS.cases}) AS g
            ) AS s
            """
        )
        cur.execute("SELECT id FROM clocks_clockrule ORDER BY id LIMIT 1")
        rule_id = cur.fetchone()[0]
        for offset, (code, hours) in enumerate([("ack", 1), ("classify", 24)]):
            cur.execute(
                f"""
                INSERT INTO clocks_caseclock (case_id, rule_id, rule_code, family, kind, state,
                    started_at, due_at, amount, unit, label_vi, citation_vi, citation_en, chain,
                    paused_total, reason, note, created_at, updated_at, met_at)
                SELECT id, {rule_id}, 'bench-{code}', 'bench-{code}-{offset}', 'operational',
                       CASE WHEN next_deadline_at IS NULL THEN 'met' ELSE 'running' END,
                       opened_at, COALESCE(next_deadline_at, opened_at + interval '{hours} hours'),
                       {hours}, 'hours', 'Bench', 'Bench', '', '[]', interval '0', '', '',
                       opened_at, opened_at,
                       CASE WHEN next_deadline_at IS NULL THEN opened_at + interval '30 minutes' END
                FROM cases_case
                """
            )
        for kind in ("opened", "classified"):
            cur.execute(
                "INSERT INTO cases_caseevent (case_id, at, kind, text, data) "
                f"SELECT id, opened_at, '{kind}', 'Bench', '{{}}' FROM cases_case"
            )
        for _table, _name, definition in indexes:
            cur.execute(definition)
        cur.execute("ANALYZE cases_case")
        cur.execute("ANALYZE clocks_caseclock")
        cur.execute("ANALYZE cases_caseevent")
        cur.execute("CREATE TABLE bench_console_loaded (n integer)")
        cur.execute("INSERT INTO bench_console_loaded VALUES (%s)", [ARGS.cases])
    print(f"loaded {ARGS.cases:,} cases in {time.perf_counter() - t0:.0f} s")


def _p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def _timed(
    fn: Callable[[], object], ref: Callable[[], object], runs: int
) -> tuple[float, float, float]:
    """p50 and p95 of `fn`, and p95 of `ref` run just before each sample (the machine is
    shared: a reference measured in the same moments is what makes the figures readable)."""
    fn()  # warm
    samples, refs = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        ref()
        t1 = time.perf_counter()
        fn()
        t2 = time.perf_counter()
        refs.append((t1 - t0) * 1000)
        samples.append((t2 - t1) * 1000)
    return statistics.median(samples), _p95(samples), _p95(refs)


def main() -> None:
    if FRESH:
        _load()
    province = Unit.objects.get(code="66")
    duty = staff_upsert(
        username="bench.duty",
        password=PASSWORD,
        full_name="Bench Duty",
        memberships=[(province, Role.DUTY)],
    )
    _row, token = api_token_create(user=duty)
    client = Client()
    assert client.login(username="bench.duty", password=PASSWORD)
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT code, id FROM cases_case WHERE id = (SELECT max(id) / 2 FROM cases_case)"
        )
        code, mid = cur.fetchone()
        cur.execute("SELECT count(*) FROM cases_case")
        total = cur.fetchone()[0]
    body = code.split("-", 1)[1].replace("-", "")

    def bare_pk() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT id, code, status FROM cases_case WHERE id = %s", [mid])
            cur.fetchall()

    def bare_page() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id, code, status FROM cases_case ORDER BY last_message_at DESC, id DESC "
                "LIMIT 30"
            )
            cur.fetchall()

    def lookup(q: str) -> Callable[[], None]:
        # The lookup alone, as the list runs it: visibility, code tiers, the rows of the hits.
        def run() -> None:
            from binhyen.cases import listing  # deferred: after django.setup

            f = listing.Filters(status="all", q=q)
            listing.page(listing.apply(listing.visible(duty), f, duty), f)

        return run

    def redirect_lookup() -> None:
        # What the redirect reads: the officer's units and the code's unique index.
        from binhyen.cases import listing  # deferred: after django.setup

        duty.__dict__.pop("_binhyen_unit_ids", None)  # per request, as in a request
        assert listing.exact_code_case_id(duty, code) == mid

    def get(url: str, status: int = 200, **extra: str) -> Callable[[], None]:
        def run() -> None:
            resp = client.get(url, **extra)
            assert resp.status_code == status, (url, resp.status_code)

        return run

    measures: list[tuple[str, Callable[[], object]]] = [
        ("reference: bare SELECT by id", bare_pk),
        ("reference: bare page-1 SELECT (index walk)", bare_page),
        ("list, all", get("/tin-bao/?status=all")),
        ("list, open", get("/tin-bao/?status=open")),
        ("list, done", get("/tin-bao/?status=done")),
        ("list, one ward", get("/tin-bao/?status=all&unit=20007")),
        ("list, category", get("/tin-bao/?status=all&category=theft_robbery")),
        ("list, urgency", get("/tin-bao/?status=all&urgency=critical")),
        ("list, category + urgency", get("/tin-bao/?status=open&category=fraud&urgency=high")),
        ("list, overdue", get("/tin-bao/?status=open&overdue=1")),
        ("list, deadline sort", get("/tin-bao/?status=open&sort=deadline")),
        ("list, unassigned", get("/tin-bao/?status=open&assigned=none")),
        ("search 'can cuoc'", get("/tin-bao/?status=all&q=can+cuoc")),
        ("search 'trộm xe máy'", get("/tin-bao/?status=all&q=tr%E1%BB%99m+xe+m%C3%A1y")),
        ("search 'Tan Loi'", get("/tin-bao/?status=all&q=Tan+Loi")),
        ("search rare (no match)", get("/tin-bao/?status=all&q=khong+co+dau")),
        ("code, exact -> 302 to the case", get(f"/tin-bao/?q={code}", status=302)),
        ("code, exact, typed lower case", get(f"/tin-bao/?q={code.lower()}", status=302)),
        ("code, exact: the list (list=1)", get(f"/tin-bao/?status=all&q={code}&list=1")),
        ("code, partial", get(f"/tin-bao/?status=all&q={body[1:7]}")),
        ("code, exact: the redirect's lookup", redirect_lookup),
        ("code, exact: list lookup only", lookup(code)),
        ("code, exact: over the API", get(f"/api/v1/cases?q={code}", **api)),
        ("API list", get("/api/v1/cases", **api)),
        ("API category + urgency", get("/api/v1/cases?category=drugs&urgency=critical", **api)),
        ("API updated_since", get("/api/v1/cases?updated_since=2026-11-01T00:00:00Z", **api)),
        ("API search", get("/api/v1/cases?q=can+cuoc", **api)),
    ]
    print(f"{total:,} cases, {ARGS.units} units, {ARGS.runs} runs each (ms)")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("ref = a whole request that only authenticates (the login page redirects a user in)")
    print(f"{'measure':34} {'p50':>7} {'p95':>7} {'ref p95':>8} {'p95/ref':>8}")
    login_page = get("/dang-nhap/", status=302)
    for name, fn in measures:
        p50, p95, ref = _timed(
            fn, login_page if not name.startswith("reference") else bare_pk, ARGS.runs
        )
        print(f"{name:34} {p50:7.1f} {p95:7.1f} {ref:8.1f} {p95 / max(ref, 0.01):8.1f}")
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
