"""Shared pieces of the fuzz tests (schemathesis on the REST API and Open311, the Zalo
webhook mutator): the budget, the figures they report, and calling the WSGI app in-process.

`make test` runs every fuzz test with a small budget (`BINHYEN_FUZZ_EXAMPLES`, default 25
examples per operation and generation mode); `make fuzz` runs them again with a large one
and prints the figures each test recorded (cases generated, answers by status, 5xx).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

DEFAULT_EXAMPLES = 25
SCHEMA_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def budget() -> int:
    """Examples per operation (and generation mode) for this run."""
    raw = os.environ.get("BINHYEN_FUZZ_EXAMPLES", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_EXAMPLES


def hypothesis_settings(examples: int | None = None) -> settings:
    """Bounded, no example database (runs never depend on earlier runs), no deadline
    (the first request of a process loads models)."""
    return settings(
        max_examples=examples or budget(),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=os.environ.get("BINHYEN_FUZZ_RANDOM", "") == "",
    )


@dataclass
class Tally:
    """What one fuzz test sent and got back."""

    name: str
    statuses: Counter[int] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    def count(self, status: int) -> None:
        self.statuses[status] += 1

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def refusals(self) -> int:
        return sum(n for status, n in self.statuses.items() if 400 <= status < 500)

    def report(self) -> dict[str, Any]:
        """Figures for the note; also appended to $BINHYEN_FUZZ_REPORT when it is set."""
        figures: dict[str, Any] = {
            "test": self.name,
            "budget": budget(),
            "cases": self.cases,
            "refusals_4xx": self.refusals,
            "server_errors_5xx": self.server_errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            **dict(self.notes),
        }
        path = os.environ.get("BINHYEN_FUZZ_REPORT", "")
        if path:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(figures, ensure_ascii=False) + "\n")
        return figures


@contextmanager
def in_process_wsgi() -> Iterator[None]:
    """Call the WSGI app directly inside a test's transaction: Django closes the database
    connection when a request ends, which would end the test's transaction (its test
    client disconnects the same signals)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def run_schemathesis(schema: Any, tally: Tally, *, headers: dict[str, str] | None = None) -> int:
    """Every operation of `schema`, with valid then invalid inputs, each answer checked:
    no 5xx, status code, content type and body as documented. Returns the operations run.

    Where the schema admits no invalid input (no parameters, or only free strings),
    Hypothesis proves the negative run unsatisfiable; that is counted, not an error.
    """
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, headers=headers)

            @given(case=strategy)
            @hypothesis_settings()
            def run(case: Case[Any]) -> None:
                response = case.call()
                tally.count(response.status_code)
                case.validate_response(response, checks=SCHEMA_CHECKS)

            try:
                run()
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise
                tally.notes["operations_without_invalid_inputs"] += 1
    tally.notes["operations"] = len(operations)
    return len(operations)
