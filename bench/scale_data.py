"""What the scale benchmarks share: their own PostgreSQL databases, the Vietnamese texts
citizens write, BinhYen's generated cases, and timing against a reference.

Imported by `console_scale.py` and `helpdesk_compare.py`. Everything at module level is
standard library, so django-helpdesk's own virtualenv (which has psycopg but not BinhYen)
can import it too; `load_cases` needs Django set up on BinhYen's settings.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

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
WEIGHTED_TEXTS = [t for t, w in TEXTS for _ in range(w)]
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
# Generated items span two years; those whose last activity is in the last 20 days are open.
SPAN_DAYS = 730
OPEN_DAYS = 20


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def refuse_shared(url: str) -> None:
    if url.rstrip("/").rsplit("/", 1)[-1] == "binhyen":
        raise SystemExit("refusing to use the shared database 'binhyen'")


def recreate_database(url: str) -> None:
    import psycopg  # deferred: only the processes that build a database need it

    refuse_shared(url)
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def loaded(url: str, marker: str, n: int) -> bool:
    """Whether `url` holds a finished load of at least `n` items: `marker` is a one-row table
    written last by the loader, so a load that failed half-way is never reused."""
    import psycopg  # deferred: see recreate_database

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(f"SELECT n FROM {marker}").fetchone()
            return bool(row and row[0] >= n)
    except psycopg.Error:
        return False


def load_cases(cases: int, units: int, marker: str = "bench_console_loaded") -> None:
    """BinhYen's province and `units - 1` wards, then `cases` cases over two years written
    by `INSERT … SELECT generate_series` (codes, classification, states, Vietnamese summaries
    and the folded thread text, the next deadline), two clocks and two timeline rows per
    case, with the indexes dropped during the load and built after. Django must be set up on
    BinhYen's settings, on an empty database."""
    # deferred: this module is also imported where BinhYen is not installed
    from django.core.management import call_command
    from django.db import connection

    from binhyen.lib import vntext
    from binhyen.units.models import Unit
    from binhyen.units.services import unit_upsert

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    province = unit_upsert(code="66", name="Công an tỉnh Đắk Lắk", kind="province", parent=None)
    for i in range(units - 1):
        unit_upsert(
            code=f"2{i:04d}",
            name=f"Công an phường {i}",
            kind=Unit.Kind.COMMUNE,
            parent=province,
        )
    summaries = sql_array(WEIGHTED_TEXTS)
    folded = sql_array([vntext.fold(t) for t in WEIGHTED_TEXTS])
    n_texts = len(WEIGHTED_TEXTS)
    recent = f"interval '{OPEN_DAYS} days'"
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
                   ({sql_array([str(u) for u in unit_ids])})[1 + (g % {len(unit_ids)})]::bigint,
                   CASE WHEN t <= 0.2 THEN 'question' ELSE 'tip' END,
                   CASE WHEN t <= 0.2 THEN '' ELSE ({sql_array(CATEGORIES)})[1 + (g % 12)] END,
                   CASE WHEN t <= 0.2 THEN '' WHEN g % 17 = 0 THEN 'critical'
                        WHEN g % 5 = 0 THEN 'high' ELSE 'normal' END,
                   CASE WHEN lma > now() - {recent}
                        THEN ({sql_array(OPEN)})[1 + (g % 5)]
                        ELSE ({sql_array(DONE)})[1 + (g % 5)] END,
                   '', '', '', ({summaries})[k], g % 23 = 0, g % 31 = 0,
                   lma - interval '3 hours', lma, lma, false, lma,
                   CASE WHEN lma > now() - {recent}
                        THEN lma + {recent} - (g % 40) * interval '1 day' END,
                   ' ' || lower(b) || ' ' || ({folded})[k] || ' ',
                   lma - interval '2 hours',
                   CASE WHEN lma > now() - {recent} THEN NULL ELSE lma END
            FROM (
                SELECT g, upper(substr(md5(g::text), 1, 3) || lpad(to_hex(g), 5, '0')) AS b,
                       now() - (g::float / {cases}) * interval '{SPAN_DAYS} days' AS lma,
                       1 + (hashint4(g) & 2147483647) % {n_texts} AS k,
                       ((hashint4(g * 7) & 2147483647) % 1000) / 1000.0 AS t
                FROM generate_series(1, {cases}) AS g
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
        cur.execute(f"CREATE TABLE {marker} (n integer)")
        cur.execute(f"INSERT INTO {marker} VALUES (%s)", [cases])
    print(f"loaded {cases:,} cases in {time.perf_counter() - t0:.0f} s", flush=True)


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def timed(
    fn: Callable[[], object], ref: Callable[[], object], runs: int, *, warm: bool = True
) -> tuple[float, float, float]:
    """p50 and p95 of `fn` in ms, and p95 of `ref` run just before each sample (the machine
    is shared: a reference measured in the same moments is what makes the figures
    readable)."""
    if warm:
        fn()
    samples, refs = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        ref()
        t1 = time.perf_counter()
        fn()
        t2 = time.perf_counter()
        refs.append((t1 - t0) * 1000)
        samples.append((t2 - t1) * 1000)
    return statistics.median(samples), p95(samples), p95(refs)
