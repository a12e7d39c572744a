"""Monitoring at province scale on PostgreSQL: the weekly table and all weekly reports.

Run: .venv/bin/python bench/monitoring_scale.py [--cases 1000000] [--units 120]
     [--db postgres://postgres@127.0.0.1:5432/binhyen_bench_monitoring] [--keep]

Builds its own database (dropped and re-created; never the shared `binhyen`): 120 units (the
province, 6 departments, communes), one year of cases written with COPY (cases, their
first-acknowledgement, classification and resolution clocks, the decisions on the timeline,
outcomes, follows, satisfaction answers), then times, on the last complete week:

- the weekly table (`kpis.compute_table`, every unit rolled up): target < 2 s;
- the league of communes with four weeks of trend (five tables);
- every unit's XLSX and PDF (`reports.write_all`, what the Monday job renders): target < 5 min.

A reference measured in the same run is printed first: a full count of the cases table and a
pure-Python loop, so figures from different (shared, noisy) machines can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/binhyen_bench_monitoring"


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=120)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--keep", action="store_true", help="reuse the database if loaded")
    return parser.parse_args()


ARGS = _parse()
if ARGS.db.rstrip("/").rsplit("/", 1)[-1] == "binhyen":
    sys.exit("refusing to use the shared database 'binhyen'")
os.environ["DATABASE_URL"] = ARGS.db
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
os.environ.setdefault("BINHYEN_VAR_DIR", tempfile.mkdtemp(prefix="bench-monitoring-"))

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
            return bool(conn.execute("SELECT count(*) FROM cases_case").fetchone()[0])
    except psycopg.Error:
        return False


if not (ARGS.keep and _loaded(ARGS.db)):
    _recreate(ARGS.db)
    FRESH = True
else:
    FRESH = False
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from binhyen.clocks.models import ClockRule  # noqa: E402
from binhyen.monitoring import kpis, reports, scoring  # noqa: E402
from binhyen.monitoring.periods import last_complete_week  # noqa: E402
from binhyen.units.models import Unit  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
rng = random.Random(13)


def reference() -> tuple[float, float]:
    with connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute("SELECT count(*) FROM cases_case")
        cur.fetchone()
        scan = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(200):
        sum(range(10_000))
    loop = time.perf_counter() - t
    return scan, loop


def _copy(table: str, columns: list[str], rows: object) -> int:
    n = 0
    with (
        connection.cursor() as cur,
        cur.connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:  # type: ignore[attr-defined]
            copy.write_row(row)
            n += 1
    return n


def load() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    province = Unit.objects.create(code="66", name="Công an tỉnh", kind="province", path="/66/")
    units = [province]
    for i in range(6):
        code = f"66-P{i:02d}"
        units.append(
            Unit.objects.create(
                code=code,
                name=f"Phòng {i + 1}",
                kind="department",
                parent=province,
                path=f"/66/{code}/",
            )
        )
    for i in range(ARGS.units - len(units)):
        code = f"{24000 + i}"
        units.append(
            Unit.objects.create(
                code=code,
                name=f"Công an xã {i + 1}",
                kind="commune",
                parent=province,
                path=f"/66/{code}/",
            )
        )
    with connection.cursor() as cur:
        for u in units:
            cur.execute(
                "INSERT INTO channels_channelaccount (unit_id, provider, name, external_id, app_id,"
                " oa_secret_key, app_secret_key, access_token, refresh_token, token_error,"
                " is_active, connected_at) VALUES (%s, 'zalo', %s, %s, '', '', '', '', '', '',"
                " true, %s) RETURNING id",
                [u.pk, f"Zalo {u.name}", f"oa{u.code}", NOW - timedelta(days=400)],
            )
            u.page_id = cur.fetchone()[0]  # type: ignore[attr-defined]
        cur.execute(
            "INSERT INTO channels_channelaccount (unit_id, provider, name, external_id, app_id,"
            " oa_secret_key, app_secret_key, access_token, refresh_token, token_error, is_active,"
            " connected_at) VALUES (%s, 'web', 'web', '', '', '', '', '', '', '', true, %s)"
            " RETURNING id",
            [province.pk, NOW - timedelta(days=400)],
        )
        web_id = cur.fetchone()[0]
    rules = {r.code: r for r in ClockRule.objects.all()}
    weights = [0.4] + [0.6 / 6] * 6 + [3.0] * (len(units) - 7)
    start = NOW - timedelta(days=365)
    cats = [
        "public_order",
        "theft_robbery",
        "drugs",
        "gambling",
        "fraud",
        "traffic",
        "suspicious",
        "other_crime",
    ]
    case_rows, clock_rows, event_rows, survey_rows, outcome_rows = [], [], [], [], []
    t0 = time.perf_counter()
    clock_id = event_id = 0
    for cid in range(1, ARGS.cases + 1):
        unit = rng.choices(units, weights)[0]
        opened = start + timedelta(seconds=rng.uniform(0, 365 * 86400))
        roll = rng.random()
        intent = "tip" if roll < 0.6 else "question" if roll < 0.9 else "feedback"
        category = rng.choice(cats) if intent == "tip" else ""
        urgency = rng.choices(["critical", "high", "normal"], [8, 22, 70])[0] if category else ""
        ack = opened + timedelta(seconds=rng.expovariate(1 / 2400))
        answered = opened + timedelta(seconds=rng.expovariate(1 / 20000))
        decided = opened + timedelta(days=rng.uniform(0.2, 15))
        open_now = decided > NOW or rng.random() < 0.01
        status = (
            ("verifying" if intent == "tip" else "classified")
            if open_now
            else ("resolved" if intent == "tip" else "answered")
        )
        outcome = (
            rng.choice(
                ["administrative_handled", "not_a_crime", "no_grounds", "prosecution_proposed"]
            )
            if status == "resolved"
            else ""
        )
        received_by = unit.pk if rng.random() < 0.03 else None
        ack = min(ack, NOW)
        case_rows.append(
            (
                cid,
                f"B-{cid:08d}",
                unit.pk,
                received_by,
                web_id if rng.random() < 0.1 else unit.page_id,  # type: ignore[attr-defined]
                intent,
                category,
                urgency,
                status,
                outcome,
                "",
                "",
                "",
                False,
                False,
                opened,
                ack,
                ack,
                answered if intent != "tip" and answered < NOW else None,
                None if open_now else decided,
                None if open_now else decided,
                opened,
                opened,
                False,
            )
        )
        for code, due in (
            (
                f"first_ack_{urgency or 'normal'}",
                opened + timedelta(minutes={"critical": 5, "high": 30}.get(urgency, 1440)),
            ),
            ("classify", opened + timedelta(hours=24)),
        ):
            rule = rules[code]
            clock_id += 1
            clock_rows.append(
                (
                    clock_id,
                    cid,
                    rule.pk,
                    code,
                    rule.family,
                    rule.kind,
                    "met" if ack < NOW else "running",
                    opened,
                    due,
                    rule.amount,
                    rule.unit,
                    rule.description_vi,
                    rule.citation_vi,
                    "",
                    "[]",
                    ack,
                    None,
                    timedelta(0),
                    "",
                    "",
                    opened,
                    ack,
                )
            )
        if intent == "tip":
            rule = rules["resolve"]
            clock_id += 1
            due = opened + timedelta(days=20)
            met = None if open_now else decided
            state = "met" if met else ("breached" if due < NOW else "running")
            clock_rows.append(
                (
                    clock_id,
                    cid,
                    rule.pk,
                    "resolve",
                    rule.family,
                    rule.kind,
                    state,
                    opened,
                    due,
                    rule.amount,
                    rule.unit,
                    rule.description_vi,
                    rule.citation_vi,
                    "",
                    "[]",
                    met,
                    None,
                    timedelta(0),
                    "",
                    "",
                    opened,
                    met or opened,
                )
            )
        if not open_now:
            event_id += 1
            kind = "status:resolve" if intent == "tip" else "status:answer"
            event_rows.append(
                (event_id, cid, decided, kind, "", json.dumps({"to": status, "outcome": outcome}))
            )
            if rng.random() < 0.3:
                survey_rows.append(
                    (cid, unit.pk, "zalo", decided, rng.randint(1, 5), decided + timedelta(hours=2))
                )
            if intent == "tip" and rng.random() < 0.05:
                outcome_rows.append(
                    (
                        cid,
                        rng.randint(0, 5),
                        rng.randint(0, 2),
                        json.dumps([{"name": "dao", "count": 2}]),
                        "",
                        "",
                        decided,
                    )
                )
    print(
        f"generated {len(case_rows):,} cases, {len(clock_rows):,} clocks, "
        f"{len(event_rows):,} events in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    t0 = time.perf_counter()
    _copy(
        "cases_case",
        [
            "id",
            "code",
            "unit_id",
            "received_by_unit_id",
            "channel_account_id",
            "intent",
            "category",
            "urgency",
            "status",
            "outcome",
            "outcome_note",
            "handed_over_to",
            "summary",
            "is_anonymous",
            "secrecy_requested",
            "opened_at",
            "acknowledged_at",
            "classified_at",
            "first_response_at",
            "decided_at",
            "closed_at",
            "last_message_at",
            "last_inbound_at",
            "unread",
        ],
        case_rows,
    )
    _copy(
        "clocks_caseclock",
        [
            "id",
            "case_id",
            "rule_id",
            "rule_code",
            "family",
            "kind",
            "state",
            "started_at",
            "due_at",
            "amount",
            "unit",
            "label_vi",
            "citation_vi",
            "citation_en",
            "chain",
            "met_at",
            "breached_at",
            "paused_total",
            "reason",
            "note",
            "created_at",
            "updated_at",
        ],
        clock_rows,
    )
    _copy("cases_caseevent", ["id", "case_id", "at", "kind", "text", "data"], event_rows)
    _copy(
        "monitoring_satisfactionsurvey",
        ["case_id", "unit_id", "via", "asked_at", "score", "answered_at"],
        survey_rows,
    )
    _copy(
        "cases_caseoutcome",
        [
            "case_id",
            "people_detained",
            "vehicles_seized",
            "items_seized",
            "referrals",
            "summary",
            "recorded_at",
        ],
        outcome_rows,
    )
    follows = []
    for u in units:
        for _ in range(rng.randint(200, 1200)):
            follows.append(
                (
                    u.page_id,
                    u.pk,  # type: ignore[attr-defined]
                    start + timedelta(seconds=rng.uniform(0, 365 * 86400)),
                    rng.random() < 0.8,
                )
            )
    _copy("monitoring_followevent", ["channel_account_id", "unit_id", "at", "following"], follows)
    with connection.cursor() as cur:
        for table in ("cases_case", "clocks_caseclock", "cases_caseevent"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
    # What autovacuum does in production after a bulk load: statistics and visibility map.
    with connection.cursor() as cur:
        for table in ("cases_case", "clocks_caseclock", "cases_caseevent"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("ANALYZE")
    print(f"loaded with COPY in {time.perf_counter() - t0:.0f} s", flush=True)


def main() -> None:
    if FRESH:
        load()
    scan, loop = reference()
    n = Unit.objects.count()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        cases = cur.fetchone()[0]
    print(
        f"reference: full count of {cases:,} cases {scan * 1000:.0f} ms; "
        f"python loop (200 × sum(range(10000))) {loop * 1000:.0f} ms"
    )
    week = last_complete_week(NOW)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        table = kpis.compute_table(week, NOW)
        best = min(best, time.perf_counter() - t)
    received = table.of(Unit.objects.get(code="66"))["received"]
    print(
        f"weekly table {week.label}: {n} units, {received:,} cases received that week, "
        f"best of 3 {best:.2f} s (target < 2 s)"
    )
    t = time.perf_counter()
    league = scoring.league(week, NOW, kind="commune")
    first = time.perf_counter() - t
    t = time.perf_counter()
    scoring.league(week, NOW, kind="commune")
    print(
        f"league of {len(league.rows)} communes with 4 weeks of trend (5 tables): "
        f"{first:.2f} s the first time, {time.perf_counter() - t:.2f} s with past weeks cached"
    )
    out = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    t = time.perf_counter()
    files = reports.write_all(week, out, as_of=NOW, echo=lambda _line: None)
    took = time.perf_counter() - t
    size = sum(p.stat().st_size for p in files)
    print(
        f"all reports: {len(files)} files ({size / 1e6:.1f} MB) for {n} units in {took:.0f} s"
        f" (target < 300 s), {took / n:.2f} s per unit"
    )


if __name__ == "__main__":
    main()
