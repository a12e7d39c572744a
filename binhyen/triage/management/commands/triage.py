"""`binhyen triage`: predict, evaluate, retrain (with a gate) and list model versions.

* ``predict FILE.jsonl`` — one JSON line per input on stdout:
  ``{"id","intent","category","urgency","place_codes" (ints),"reasons"}``; ``-`` reads stdin;
* ``eval FILE.jsonl`` — per-field accuracy, confusion tables and the worst misses;
* ``train`` — retrain from the shipped seed plus officers' corrections; the new version is
  activated only if it scores at least as well as the active one on the held-back slice;
* ``versions`` — the stored versions with their figures.

predict and eval use the active version (the library's default when none is active, or
when the database is not set up).
"""

from __future__ import annotations

import sys
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.lib.triage import evaluate, format_report, load_examples, predict_jsonl
from binhyen.lib.triage.evaluate import FIELDS
from binhyen.lib.triage.training import seed_examples
from binhyen.triage.engine import active_triager
from binhyen.triage.models import ModelVersion
from binhyen.triage.training import model_train, training_data


class Command(BaseCommand):
    help = "Triage: predict FILE.jsonl | eval FILE.jsonl | train | versions"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("predict", help="one JSON prediction per input line, on stdout")
        p.add_argument("file", help="JSON Lines with id and text ('-' for stdin)")
        e = sub.add_parser("eval", help="accuracy per field, confusion tables, worst misses")
        e.add_argument("file", help="labelled JSON Lines (the triage-dev format)")
        e.add_argument("--misses", type=int, default=15)
        t = sub.add_parser("train", help="retrain from seed + corrections; activate if not worse")
        t.add_argument("--note", default="", help="why this training was run")
        sub.add_parser("versions", help="stored model versions and their figures")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "predict":
            self._predict(opts["file"])
        elif action == "eval":
            self._eval(opts["file"], opts["misses"])
        elif action == "train":
            self._train(opts["note"])
        else:
            self._versions()

    def _predict(self, path: str) -> None:

        triager = active_triager()
        if path == "-":
            predict_jsonl(sys.stdin, cast(IO[str], self.stdout), triager)
            return
        try:
            with open(path, encoding="utf-8") as fh:
                predict_jsonl(fh, cast(IO[str], self.stdout), triager)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc

    def _eval(self, path: str, misses: int) -> None:

        try:
            examples = load_examples(path)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        except (KeyError, ValueError) as exc:
            raise CommandError(f"{path}: not a labelled JSON Lines file ({exc})") from exc
        triager = active_triager()
        self.stdout.write(f"model: {triager.model_version}")
        seed = {e.text for e in seed_examples()}
        seen = sum(1 for e in examples if e.text in seed)
        if seen:
            self.stdout.write(
                f"note: {seen} of these {len(examples)} messages are in the shipped training "
                "seed, so these figures are not a held-out measure (see docs/triage.md)"
            )
        self.stdout.write(format_report(evaluate(triager, examples), misses=misses))

    def _train(self, note: str) -> None:

        data = training_data()
        corrections = sum(1 for e in data.training if e.id.startswith("correction-"))
        held = sum(1 for e in data.holdout if e.id.startswith("correction-"))
        self.stdout.write(
            f"training: {len(data.training)} examples ({corrections} from officers' "
            f"corrections); held back: {len(data.holdout)} ({held} corrections)"
        )
        result = model_train(note=note)
        self.stdout.write(_line("candidate", result.row.version, result.candidate.accuracy))
        if result.active is not None:
            self.stdout.write(_line("active", result.active_version, result.active.accuracy))
        self.stdout.write(result.message)

    def _versions(self) -> None:

        rows = ModelVersion.objects.order_by("-created_at", "-id")
        if not rows.exists():
            self.stdout.write("no stored versions: the default model (trained on the seed) is used")
        for row in rows:
            acc = "  ".join(f"{f}={row.metrics.get(f, 0):.3f}" for f in FIELDS)
            self.stdout.write(
                f"{row.version:<24} {row.state:<8} score={row.score:.4f}  {acc}  "
                f"n={row.training_size}  {row.created_at:%Y-%m-%d %H:%M}"
            )


def _line(label: str, version: str, acc: dict[str, float]) -> str:
    figures = "  ".join(f"{f}={acc[f]:.3f}" for f in FIELDS)
    return f"{label:<9} {version}: {figures}"
