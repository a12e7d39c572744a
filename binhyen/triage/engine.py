"""The triager a process uses, and what text of a case it reads.

A ``Triager`` is not thread-safe (it caches per-token rows), so each thread keeps its own.
The active model version lives in the database (``ModelVersion``): a worker on any machine
notices a newly activated version on its next task and loads it from the stored blob.
Without an active version the library's default is used (``var/triage/model.npz`` when it
was built from the current seed, otherwise trained from the seed in a few seconds).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from django.db import DatabaseError

from binhyen.lib import memo
from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage import Triager, TriageResult
from binhyen.lib.triage.model import TrainedModel, load_model, save_model
from binhyen.lib.triage.training import build_default_model, expected_default_version
from binhyen.lib.triage.triager import DEFAULT_MODEL_PATH, MODEL_PATH_ENV
from binhyen.triage.models import ModelVersion

log = logging.getLogger("binhyen.triage")

# The most recent inbound texts of a case that are read together.
MAX_MESSAGES = 20
MAX_CHARS = 4000
_DEFAULT = "default"

_local = threading.local()
_gazetteer_lock = threading.Lock()
_gazetteer: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    """The province gazetteer (read-only once built, so shared by every thread)."""
    global _gazetteer
    with _gazetteer_lock:
        if _gazetteer is None:
            _gazetteer = Gazetteer.load()
        return _gazetteer


def model_to_bytes(model: TrainedModel) -> tuple[bytes, dict[str, object]]:
    """The model's .npz bytes and its metadata (what ``save_model`` writes to .json)."""

    with tempfile.TemporaryDirectory(prefix="binhyen-triage-") as tmp:
        npz = save_model(model, Path(tmp) / "model.npz")
        meta = json.loads(npz.with_suffix(".json").read_text(encoding="utf-8"))
        return npz.read_bytes(), meta


def model_from_bytes(blob: bytes, meta: dict[str, object]) -> TrainedModel:

    with tempfile.TemporaryDirectory(prefix="binhyen-triage-") as tmp:
        base = Path(tmp) / "model"
        base.with_suffix(".npz").write_bytes(bytes(blob))
        base.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
        return load_model(base.with_suffix(".npz"))


def _active_row() -> tuple[int, str] | None:

    try:
        row = (
            ModelVersion.objects.filter(state=ModelVersion.State.ACTIVE)
            .values_list("pk", "version")
            .first()
        )
    except DatabaseError:  # not migrated yet (e.g. `binhyen triage eval` on a fresh checkout)
        return None
    return (int(row[0]), str(row[1])) if row else None


def active_triager() -> Triager:
    """This thread's triager for the active model version (loaded once per version: a
    version string names its weights, so a cached triager never goes stale)."""
    # A model activated meanwhile takes over from a worker's next batch.
    row = memo.remember(("triage.active_row",), _active_row)
    key = row[1] if row else _DEFAULT
    cache: dict[str, Triager] = getattr(_local, "cache", None) or {}
    triager = cache.get(key)
    if triager is None:
        triager = _load(row)
        # Keep the default (expensive to train) and the version in use, nothing older.
        cache = {k: v for k, v in cache.items() if k == _DEFAULT}
        cache[key] = triager
        _local.cache = cache
    return triager


def _load(row: tuple[int, str] | None) -> Triager:
    if row is not None:
        mv = ModelVersion.objects.get(pk=row[0])
        if mv.blob:
            log.info("loading triage model %s", mv.version)
            return Triager(model_from_bytes(bytes(mv.blob), dict(mv.meta)), gazetteer())
        log.warning("active triage model %s has no weights; using the default", mv.version)
    return Triager.load(gazetteer=gazetteer())


# --- ready before the first tip -------------------------------------------------------------

_ready_paths: set[str] = set()


def default_model_path() -> Path:
    return Path(os.environ.get(MODEL_PATH_ENV) or DEFAULT_MODEL_PATH)


def default_model_ready() -> bool:
    """Whether the default model file was built from the current seed (a fresh deploy
    would otherwise train it, seconds long, on the first tip). Remembered once true."""
    path = default_model_path()
    if str(path) in _ready_paths:
        return True
    meta = path.with_suffix(".json")
    try:
        version = json.loads(meta.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return False
    if version != expected_default_version() or not path.with_suffix(".npz").exists():
        return False
    _ready_paths.add(str(path))
    return True


def default_model_ensure() -> bool:
    """Build the default model file unless it is current (`binhyen serve` does this before
    starting anything). Returns whether it had to be built."""
    if default_model_ready():
        return False
    path = default_model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    log.info("building the default triage model at %s", path)
    build_default_model(path)
    return True


def model_ready() -> bool:
    """A triage model is at hand without training: an active version with its weights, or
    the current default file."""
    try:
        active = ModelVersion.objects.filter(state=ModelVersion.State.ACTIVE).exclude(blob=b"")
        if active.exists():
            return True
    except DatabaseError:
        pass
    return default_model_ready()


def forget_triager() -> None:
    """Drop this thread's triagers (the next task loads the active version again)."""
    _local.cache = {}


def read(triager: Triager, texts: Sequence[str]) -> TriageResult:
    """Triage a case from its inbound texts (oldest first).

    What the case is, and how urgent, is read from all texts together (a greeting, then the
    report, then "they are still there" make one tip). The place is taken from the newest
    message that names one: citizens correct themselves ("à nhầm, ở Tân An") and add the
    place after being asked; only when no single message names a place is the joined text
    used (a prefix and a name split over two messages)."""
    joined = "\n".join(texts)[-MAX_CHARS:]
    result = triager.predict(joined)
    for text in reversed(texts):
        found = triager.gazetteer.resolve(text)
        if found.codes:
            result.place_codes = list(found.codes)
            result.reasons["place"] = list(found.reasons)
            break
    return result
