"""The kindergarten night, replayed end to end in-process."""

from __future__ import annotations

import pytest

from binhyen.cases.models import CaseEvent, Outcome, Status
from binhyen.core.worker import drain
from binhyen.demo import scenario
from binhyen.demo.world import load_demo


@pytest.mark.django_db
def test_kindergarten_night_is_routed_rung_handled_and_resolved(settings, tmp_path, monkeypatch):

    rings: list[dict] = []
    monkeypatch.setattr(
        "binhyen.live.publish",
        lambda **kw: rings.append(kw) if kw["kind"] == "alert" else None,
    )
    settings.VAR_DIR = tmp_path
    load_demo()
    lines: list[str] = []
    case = scenario.replay(simulator_url=None, pause=0, out=lines.append, drain=drain)

    assert case.unit.code == "24133"
    assert case.received_by_unit.code == "66"
    assert (case.intent, case.category, case.urgency) == ("tip", "public_order", "critical")
    assert case.status == Status.RESOLVED and case.outcome == Outcome.PROSECUTION_PROPOSED
    routed = CaseEvent.objects.get(case=case, kind="routed")
    assert "Tân Lợi" in routed.text and "Buôn Ma Thuột" in routed.text
    ring = rings[0]
    assert ring["unit_path"].endswith("/24133/") and "duty" in ring["roles"]
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {
        "alert",
        "acknowledged",
        "dispatched",
        "dispatch_on_scene",
        "outcome_recorded",
        "notice",
    } <= kinds
    assert case.result.headline() == "21 người, 7 phương tiện, 4 dao rựa, mã tấu"
    assert any("Kết thúc" in line for line in lines)
