"""Is a new case code free? Asked for every new case, at a million cases: the lookup must
walk the code's unique index, not read every case (`LIKE '%-XXXX-XXXX'` cannot use it)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from binhyen.cases.services import receiving
from binhyen.lib import codes, memo, txbatch
from binhyen.testing import bare_case


def _plans(sqls: list[str]) -> list[str]:
    plans = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # A handful of test rows: without this the planner rightly prefers a scan.
            cur.execute("SET LOCAL enable_seqscan = off")
            for sql in sqls:
                cur.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cur.fetchall()))
        else:
            for sql in sqls:
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                plans.append("\n".join(str(row[-1]) for row in cur.fetchall()))
    return plans


def _case_selects(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "cases_case" in q["sql"]]


def _assert_index_lookup(plan: str) -> None:
    if connection.vendor == "postgresql":
        assert "Index Cond" in plan and "code" in plan, plan
    else:
        assert "USING" in plan and "INDEX" in plan and "SCAN cases_case" not in plan, plan


@pytest.mark.django_db
def test_code_taken_uses_the_code_index(world) -> None:  # type: ignore[no-untyped-def]
    bare_case(world.bmt, "earlier case", code="HD-ZZZZ-ZZZZ")
    with CaptureQueriesContext(connection) as ctx:
        # Taken under another prefix: still taken; a fresh body is free.
        assert receiving.code_taken("TB-ZZZZ-ZZZZ")
        assert receiving.code_taken("zzzz zzzz")
        assert not receiving.code_taken("TB-ZZZZ-ZZZY")
    sqls = _case_selects(ctx)
    assert len(sqls) == 3
    for plan in _plans(sqls):
        _assert_index_lookup(plan)


@pytest.mark.django_db
def test_pooled_codes_are_checked_by_the_code_index(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bare_case(world.bmt, "earlier case", code="PA-YYYY-YYYY")
    drawn = iter(["TB-YYYY-YYYY", "TB-CCCC-CCCC"] * receiving.CODE_POOL)
    monkeypatch.setattr(codes, "case_code", lambda *a, **k: next(drawn))
    with memo.batch(), txbatch.shared(), CaptureQueriesContext(connection) as ctx:
        assert receiving._new_case_code() == "TB-CCCC-CCCC"
    sqls = _case_selects(ctx)
    assert len(sqls) == 1
    for plan in _plans(sqls):
        _assert_index_lookup(plan)


def test_code_variants_cover_every_prefix() -> None:
    assert codes.code_variants("tb tdp0 k7j8") == ["HD-TDP0-K7J8", "PA-TDP0-K7J8", "TB-TDP0-K7J8"]
    assert codes.code_variants("TDPO-K7J8") == ["HD-TDP0-K7J8", "PA-TDP0-K7J8", "TB-TDP0-K7J8"]
