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
    # What `make scenario` prints reads as words, not codes or bare seconds.
    printed = "\n".join(lines)
    assert "Trật tự công cộng" in printed or "trật tự" in printed.lower()
    for code in ("public_order", "critical", "/tip/", "tip/"):
        assert code not in printed, code
    assert " s," not in printed and not printed.rstrip().endswith(" s.")
    assert "giây" in printed or "phút" in printed


@pytest.mark.django_db
def test_demo_logins_are_printed_with_vietnamese_roles_and_unit_names(settings, tmp_path):
    import io

    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    [cumgar] = [line for line in printed.splitlines() if "canbo.cumgar" in line]
    assert "Cán bộ tiếp nhận" in cumgar and "Cư M" in cumgar
    [desk] = [line for line in printed.splitlines() if line.split()[:1] == ["trucban"]]
    assert "Trực ban" in desk and "Công an tỉnh" in desk
    for code in (" officer ", " duty ", "@ 66", "@ 24280", "superuser"):
        assert code not in printed, code
