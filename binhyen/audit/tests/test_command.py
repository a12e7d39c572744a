"""`binhyen audit verify` and its exit codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import base, call_command
from django.db import connection

from binhyen.audit import guard
from binhyen.audit.management.commands.audit import Command
from binhyen.audit.services import audit_verify
from binhyen.audit.tests.helpers import append, guard_lifted, raw


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    # run_from_argv closes every connection when it ends; the test still needs its own.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run as `binhyen audit …` does (argument parsing, exit code), in this process."""
    out, err = io.StringIO(), io.StringIO()
    command = Command(stdout=out, stderr=err)
    try:
        command.run_from_argv(["binhyen", "audit", *args])
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_verify_exits_0_on_an_intact_chain(db):
    append(3)
    code, out, _err = run_cli("verify")
    assert code == 0
    assert "OK: 3 entries" in out


def test_verify_exits_1_and_names_the_first_broken_entry(db):
    append(5)
    with guard_lifted():
        raw("UPDATE audit_auditentry SET details = %s WHERE seq = %s", ['{"rows": 1}', 3])
    code, _out, err = run_cli("verify")
    assert code == 1
    assert "BROKEN at entry 3" in err


def test_verify_exits_3_when_the_guard_is_missing(db):
    append(1)
    guard.uninstall(connection)
    code, _out, err = run_cli("verify")
    assert code == 3
    assert "guard" in err


def test_install_guard_puts_the_triggers_back(db):
    guard.uninstall(connection)
    assert run_cli("install-guard")[0] == 0
    assert guard.is_installed(connection)
    assert run_cli("verify")[0] == 0


def test_verify_checks_an_external_anchor(db):
    append(3)
    head = audit_verify()
    append(2)
    assert run_cli("verify", "--expect", f"{head.last_seq}:{head.last_hash}")[0] == 0
    assert run_cli("verify", "--expect", f"{head.last_seq}:{'0' * 64}")[0] == 1


def test_head_prints_an_anchor(db):
    append(2)
    out = io.StringIO()
    call_command("audit", "head", stdout=out)
    head = audit_verify()
    assert out.getvalue().strip() == f"{head.last_seq}:{head.last_hash}"


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_keeps_the_guard():
    append(2)
    call_command("flush", interactive=False, verbosity=0)
    assert guard.is_installed(connection)
    assert audit_verify().ok
    assert append(1)[0].seq == 1
