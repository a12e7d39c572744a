"""`binhyen knowledge predict FILE.jsonl` and `binhyen knowledge eval FILE.jsonl`.

predict reads lines {"id", "text"} and prints {"id", "slugs"} (at most 3, [] for no answer);
eval reads labelled lines {"id", "text", "slugs"} and prints top-1, top-3 and no-answer
figures (the convention of docs/knowledge.md). Both search the database's catalogue (all
entries, approved or not), loaded by the migrations.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from binhyen.knowledge import search
from binhyen.lib.knowledge import evaluate, format_report


class Command(BaseCommand):
    help = "Search the procedure knowledge base: predict slugs or evaluate a labelled file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["predict", "eval"])
        parser.add_argument("file", help="JSON Lines file ('-' for standard input)")
        parser.add_argument("--errors", action="store_true", help="eval: list the misses")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = list(self._rows(options["file"]))
        if options["action"] == "predict":
            for row in rows:
                slugs = search.predict(str(row.get("text", "")))
                self.stdout.write(
                    json.dumps({"id": row.get("id"), "slugs": slugs}, ensure_ascii=False)
                )
            return
        if any("slugs" not in r for r in rows):
            raise CommandError("eval needs a 'slugs' label on every line")
        report = evaluate(rows, search.predict)
        self.stdout.write(format_report(report))
        self.stdout.write(json.dumps(report.as_dict()))
        if options["errors"]:
            for rid, gold, pred in report.errors:
                self.stdout.write(f"  {rid}: expected {gold} got {pred}")

    def _rows(self, name: str) -> list[dict[str, Any]]:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        out: list[dict[str, Any]] = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CommandError(f"line {n}: {exc}") from exc
            if not isinstance(row, dict):
                raise CommandError(f"line {n}: not an object")
            out.append(row)
        return out
