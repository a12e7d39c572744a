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
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from scale_data import load_cases, loaded, recreate_database, refuse_shared, timed

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
refuse_shared(ARGS.db)
os.environ["DATABASE_URL"] = ARGS.db
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
os.environ.setdefault("BINHYEN_VAR_DIR", tempfile.mkdtemp(prefix="bench-console-"))

import django  # noqa: E402

FRESH = not (ARGS.keep and loaded(ARGS.db, "bench_console_loaded", ARGS.cases))
if FRESH:
    recreate_database(ARGS.db)
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from binhyen.accounts.models import Role  # noqa: E402
from binhyen.accounts.services import api_token_create, staff_upsert  # noqa: E402
from binhyen.units.models import Unit  # noqa: E402

PASSWORD = "bench-console-Pw-2026"


def main() -> None:
    if FRESH:
        load_cases(ARGS.cases, ARGS.units, marker="bench_console_loaded")
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
        p50, p95, ref = timed(
            fn, login_page if not name.startswith("reference") else bare_pk, ARGS.runs
        )
        print(f"{name:34} {p50:7.1f} {p95:7.1f} {ref:8.1f} {p95 / max(ref, 0.01):8.1f}")
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
