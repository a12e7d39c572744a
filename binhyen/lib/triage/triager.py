"""``Triager``: intent, category, urgency and place of one citizen message, with reasons."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage.features import Analysis, analyse
from binhyen.lib.triage.lexicon import CATEGORY_LABELS, INTENT_LABELS, URGENCY_LABELS
from binhyen.lib.triage.model import TrainedModel, load_model
from binhyen.lib.triage.training import expected_default_version, seed_examples, train

log = logging.getLogger("binhyen.triage")

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_MODEL_PATH = PROJECT_ROOT / "var" / "triage" / "model.npz"
MODEL_PATH_ENV = "BINHYEN_TRIAGE_MODEL"

# Messages made only of these words are greetings, thanks or acknowledgements.
_SMALL_TALK = {
    "cam", "on", "ad", "admin", "a", "e", "em", "anh", "chi", "da", "vang", "ok", "nha", "nhe",
    "nhieu", "chao", "xin", "hi", "hello", "alo", "sticker", "hinh", "image", "haha", "hihi",
    "hehe", "test", "buoi", "sang", "toi", "chieu", "cac", "ban", "moi", "nguoi", "oi", "roi",
    "hieu", "vay", "u", "uk", "uh", "you", "thank", "thanks", "tks", "ha", "ah", "ak", "minh",
    "luon", "ca", "chuc", "good", "morning", "bye", "tam", "biet", "dc", "duoc", "r", "j", "gi",
    "z",
}  # fmt: skip
_SMALL_TALK_MAX = 8
_INTENT_GROUPS = {
    "question": ["int:ask", "int:legal", "int:procedure", "int:lost"],
    "feedback": ["int:praise", "int:complaint", "int:past_report"],
    "other": ["int:greeting", "int:spam", "int:chain", "int:unrelated"],
}


@dataclass
class TriageResult:
    intent: str  # tip | question | feedback | other
    category: str | None  # one of the 12 codes for tips, else None
    urgency: str | None  # critical | high | normal for tips, else None
    place_codes: list[str]  # official 2025 codes, sorted
    reasons: dict[str, list[str]] = field(default_factory=dict)
    model_version: str = ""
    confidence: dict[str, float] = field(default_factory=dict)

    def as_json(self, message_id: str | None = None) -> dict[str, object]:
        """The public JSON shape (codes as integers)."""
        out: dict[str, object] = {} if message_id is None else {"id": message_id}
        out.update(
            intent=self.intent,
            category=self.category,
            urgency=self.urgency,
            place_codes=[int(c) for c in self.place_codes],
            reasons=self.reasons,
        )
        return out


def confidence_words(p: float) -> str:
    """ "máy đoán, độ tin cậy 55 %" """
    return f"máy đoán, độ tin cậy {round(p * 100)} %"


def _quote(phrases: Iterable[str], limit: int = 3) -> str:
    return ", ".join(f"'{p}'" for p in list(phrases)[:limit])


# Words of a threat ("nhắn tin: mai tao xuống chém chết", "nói không trả thì giết cả nhà"):
# "bị đâm chết tối qua" reports a killing, it is no threat.
_THREAT = re.compile(r"\b(doa|de doa|nhan tin|nhan|noi|doi|se|tao|may|thi|neu|mai)\b")


class Triager:
    """Keyword rules + a TF-IDF linear model; see docs/triage.md."""

    def __init__(self, model: TrainedModel, gazetteer: Gazetteer | None = None) -> None:
        self.model = model
        self.gazetteer = gazetteer or Gazetteer.load()

    @property
    def model_version(self) -> str:
        return self.model.version

    @classmethod
    def load(
        cls, model_path: str | Path | None = None, gazetteer: Gazetteer | None = None
    ) -> Triager:
        """Load a saved model; without a path use $BINHYEN_TRIAGE_MODEL or var/triage/model.npz,
        and when no such file exists (or it was built from other seed data) train one from the
        shipped seed files in memory (a few seconds)."""
        gazetteer = gazetteer or Gazetteer.load()
        if model_path is not None:
            return cls(load_model(model_path), gazetteer)
        default = Path(os.environ.get(MODEL_PATH_ENV) or DEFAULT_MODEL_PATH)
        if default.with_suffix(".json").exists():
            model = load_model(default)
            if model.version == expected_default_version():
                return cls(model, gazetteer)
            log.warning("triage model %s is stale (%s); retraining", default, model.version)
        else:
            log.info("no triage model at %s; training from the seed files", default)
        return cls(train(seed_examples(), gazetteer=gazetteer), gazetteer)

    # --- prediction ------------------------------------------------------------------------

    def predict(self, text: str) -> TriageResult:
        a = analyse(text, self.gazetteer)
        place_reasons = a.place.reasons or ["không thấy địa danh thuộc tỉnh"]
        if self._is_small_talk(a):
            return TriageResult(
                intent="other",
                category=None,
                urgency=None,
                place_codes=a.place.codes,
                reasons={
                    "intent": ["chỉ có lời chào, cảm ơn hoặc biểu tượng → khác"],
                    "place": place_reasons,
                },
                model_version=self.model.version,
                confidence={"intent": 1.0},
            )
        probs = self.model.probabilities(a)
        intent = max(probs["intent"], key=probs["intent"].__getitem__)
        result = TriageResult(
            intent=intent,
            category=None,
            urgency=None,
            place_codes=a.place.codes,
            model_version=self.model.version,
            confidence={"intent": probs["intent"][intent]},
        )
        result.reasons["intent"] = self._intent_reasons(a, intent, probs["intent"][intent])
        if intent == "tip":
            cat = max(probs["category"], key=probs["category"].__getitem__)
            rule: list[str] = []
            crash = a.phrases("cue:crash")
            if cat == "fire_rescue" and crash and a.phrases("cue:burning"):
                # Labelling rule: a crash where a vehicle catches fire is a traffic case.
                cat = "traffic"
                rule = [f"'{crash[0]}' rồi cháy → {CATEGORY_LABELS[cat]} (quy tắc phân loại)"]
            urg = max(probs["urgency"], key=probs["urgency"].__getitem__)
            urg_rule: list[str] = []
            threat = a.phrases("urg:kill_threat")
            if threat and urg != "critical" and _THREAT.search(a.folded):
                # Labelling rule: a threat to kill is critical, even one set for tomorrow.
                urg = "critical"
                urg_rule = [f"'{threat[0]}' → dọa giết: {URGENCY_LABELS[urg]} (quy tắc phân loại)"]
            result.category, result.urgency = cat, urg
            result.confidence["category"] = probs["category"][cat]
            result.confidence["urgency"] = probs["urgency"][urg]
            result.reasons["category"] = rule + self._category_reasons(
                a, cat, probs["category"][cat]
            )
            result.reasons["urgency"] = urg_rule + self._urgency_reasons(
                a, urg, probs["urgency"][urg]
            )
        result.reasons["place"] = place_reasons
        return result

    @staticmethod
    def _is_small_talk(a: Analysis) -> bool:
        if not a.tokens:
            return True
        return len(a.tokens) <= _SMALL_TALK_MAX and all(t in _SMALL_TALK for t in a.tokens)

    def _model_line(self, p: float) -> str:
        # Words an officer reads; the model's version is on the result (model_version).
        return confidence_words(p)

    def _intent_reasons(self, a: Analysis, intent: str, p: float) -> list[str]:
        if intent == "tip":
            groups = [g for g in a.group_order() if g.startswith("cat:")] + ["int:report"]
        else:
            groups = _INTENT_GROUPS[intent]
        phrases = [ph for g in groups for ph in a.phrases(g)]
        out = []
        if phrases:
            out.append(f"cụm từ {_quote(phrases)} → {INTENT_LABELS[intent]}")
        if intent == "question" and "?" in a.text:
            out.append("câu có dấu hỏi")
        out.append(self._model_line(p))
        return out

    def _category_reasons(self, a: Analysis, cat: str, p: float) -> list[str]:
        phrases = a.phrases(f"cat:{cat}")
        out = [f"từ khóa '{ph}' → {CATEGORY_LABELS[cat]}" for ph in phrases[:3]]
        out.append(self._model_line(p))
        return out

    def _urgency_reasons(self, a: Analysis, urg: str, p: float) -> list[str]:
        now = a.phrases("urg:now") + a.phrases("urg:just")
        danger = a.phrases("urg:danger")
        past = a.phrases("urg:past") + a.phrases("urg:recurring")
        label = URGENCY_LABELS[urg]
        out = []
        if urg == "critical" and danger:
            when = f"{_quote(now, 2)} (đang/vừa xảy ra) + " if now else ""
            out.append(f"{when}{_quote(danger)} (nguy hiểm tính mạng) → {label}")
        elif urg == "high" and now:
            out.append(f"{_quote(now)} (đang hoặc vừa xảy ra) → {label}")
        elif urg == "normal" and past:
            out.append(f"{_quote(past)} (đã qua hoặc lặp lại) → {label}")
        elif urg == "normal" and not now:
            out.append(f"không thấy dấu hiệu đang xảy ra → {label}")
        out.append(self._model_line(p))
        return out


def predict_jsonl(in_stream: IO[str], out_stream: IO[str], triager: Triager) -> int:
    """Read JSON Lines (``{"id", "text"}``, or bare text lines), write one prediction per line:
    ``{"id","intent","category","urgency","place_codes" (ints),"reasons"}``. Returns the count."""
    count = 0
    for n, line in enumerate(in_stream, 1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            row = {"id": str(n), "text": line}
        if not isinstance(row, dict):
            row = {"id": str(n), "text": str(row)}
        result = triager.predict(str(row.get("text", "")))
        out = result.as_json(str(row.get("id", n)))
        out_stream.write(json.dumps(out, ensure_ascii=False) + "\n")
        count += 1
    return count
