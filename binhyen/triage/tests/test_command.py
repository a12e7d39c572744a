"""`binhyen triage predict|eval|train|versions`: the command-line contract."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from binhyen.triage.models import ModelVersion

LINES = [
    {"id": "a1", "text": "có 2 nhóm thanh niên cầm dao đánh nhau ở chợ Tân An, tới ngay"},
    {"id": "a2", "text": "cho em hỏi làm căn cước công dân ở phường Tân Lợi cũ cần gì ạ"},
    {"id": "a3", "text": "cảm ơn các anh nhiều"},
]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("triage", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def jsonl(tmp_path):
    def _write(rows: list[dict]) -> str:
        path = tmp_path / "in.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        return str(path)

    return _write


def test_predict_writes_one_json_line_per_input(db, jsonl):
    lines = _run("predict", jsonl(LINES)).splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
    assert all(
        set(r) == {"id", "intent", "category", "urgency", "place_codes", "reasons"} for r in rows
    )
    tip, question, thanks = rows
    assert (tip["intent"], tip["category"], tip["urgency"]) == ("tip", "public_order", "critical")
    assert tip["place_codes"] == [24163]
    assert question["intent"] == "question" and question["category"] is None
    assert question["urgency"] is None and question["place_codes"] == [24133]
    assert thanks["intent"] == "other" and thanks["place_codes"] == []
    assert tip["reasons"]["urgency"]


def test_eval_prints_accuracy_confusion_and_worst_misses(db, jsonl):
    labelled = [
        {**LINES[0], "intent": "tip", "category": "public_order", "urgency": "critical",
         "place_codes": [24163]},
        {**LINES[1], "intent": "question", "category": None, "urgency": None,
         "place_codes": [24133]},
        {**LINES[2], "intent": "feedback", "category": None, "urgency": None,
         "place_codes": []},
    ]  # fmt: skip
    out = _run("eval", jsonl(labelled))
    assert "examples: 3 (gold tips: 1)" in out
    assert "intent=0.667" in out and "category=1.000" in out and "place_codes=1.000" in out
    assert "confusion intent (rows gold, columns predicted):" in out
    assert (
        "worst misses (1 messages with an error):" in out and "a3: intent: feedback → other" in out
    )


def test_eval_of_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        _run("eval", str(tmp_path / "nope.jsonl"))


@pytest.mark.slow
def test_train_activates_the_first_model_and_lists_it(db):
    out = _run("train", "--note", "lần đầu")
    assert "ACTIVATED" in out and "candidate" in out
    row = ModelVersion.objects.get()
    assert row.state == ModelVersion.State.ACTIVE and row.blob
    assert row.training_size > 1000 and row.holdout_size > 0
    assert row.note.startswith("lần đầu")
    assert row.version in _run("versions")
