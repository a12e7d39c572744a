"""Citizens' identifiers never reach triage training: masked before a correction is kept
as a labelled example (so never in a model's vocabulary), and erasing a person removes
their labelled examples and retrains without them."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from binhyen.cases import services as cases
from binhyen.lib.triage.training import seed_examples
from binhyen.testing import PASSWORD
from binhyen.triage import engine
from binhyen.triage.models import LabelledExample, ModelVersion, Suggestion
from binhyen.triage.training import correction_examples, in_holdout, model_train
from binhyen.vault import services as vault

NAME = "Lò Văn Xoòng"
TEXT = (
    "Tôi tên Lò Văn Xoòng, số 0905 111 222, mail xoong.lv@gmail.com, zalo "
    "5550001112223334445, CCCD 066090001234, CMND 241234567. Tối nay thấy xe biển "
    "47A-123.45 chở ma túy vào quán karaoke ở chợ Tân An, Xoòng chụp được ảnh"
)
IDENTIFIERS = [
    "Xoòng", "0905 111 222", "0905111222", "xoong.lv@gmail.com", "5550001112223334445",
    "066090001234", "241234567", "47A-123.45",
]  # fmt: skip
# Tokens of the identifiers above that no seed message has.
TOKENS = ["xoong", "0905", "xoong.lv", "5550001112223334445", "066090001234", "241234567"]


@pytest.fixture
def corrected(world, client, drain):
    """A citizen's tip, read by triage, then corrected by an officer in the console."""
    message = cases.message_receive(
        incoming=cases.IncomingMessage(
            channel_account=world.tanan_page,
            contact_key="user:5550001112223334445",
            contact_kind="zalo_user",
            provider_message_id="m-xoong",
            kind="text",
            text=TEXT,
            sent_at=timezone.now(),
            identity={
                "zalo_user_id": "5550001112223334445",
                "display_name": NAME,
                "phone": "0905111222",
            },
        )
    )
    drain()
    case = message.case
    s = Suggestion.objects.get(case=case)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    value = "critical" if s.urgency != "critical" else "high"
    client.post(
        f"/tin-bao/{case.pk}/phan-loai/sua/",
        {"suggestion": s.pk, "field": "urgency", "value": value},
    )
    example = LabelledExample.objects.get()
    return case, example


def test_identifiers_are_masked_before_a_correction_is_kept_for_training(corrected):
    _case, example = corrected
    leaked = [x for x in IDENTIFIERS if x.lower() in example.text.lower()]
    assert not leaked, example.text
    assert "ma túy" in example.text and "karaoke" in example.text  # the report stays


def _small_training() -> dict[str, list]:
    """A small slice of the seed plus the officers' corrections (a full training takes
    ~15 s; what is checked here does not depend on the size)."""
    extra = seed_examples(("seed-extra.jsonl",))
    dev = seed_examples(("seed-dev.jsonl",))
    return {"training": extra[:300] + correction_examples(), "holdout": dev[::15]}


@pytest.mark.slow  # trains models
def test_a_trained_model_holds_no_identifier_in_its_vocabulary(corrected):
    _case, example = corrected
    assert not in_holdout(example.text)  # this correction is trained on
    result = model_train(**_small_training(), note="test", force=True)
    assert result.row.corrections_used == 1
    model = engine.model_from_bytes(bytes(result.row.blob), dict(result.row.meta))
    words = {k[2:] for k in model.vocab if k.startswith("w:")}
    assert not [t for t in TOKENS if t in words]
    assert not any("xoong" in w or "0905" in w for w in words)


@pytest.mark.slow  # trains models
def test_erasure_reaches_labelled_examples_and_retrains_without_them(world, corrected, drain):
    case, _example = corrected
    trained = model_train(**_small_training(), note="with the correction", force=True)
    assert trained.row.corrections_used == 1 and trained.activated
    vault.identity_erase_request(
        case=case, actor=_admin(world), reason="Người dân yêu cầu xóa dữ liệu cá nhân"
    )
    assert not LabelledExample.objects.exists()
    drain()
    active = ModelVersion.objects.get(state=ModelVersion.State.ACTIVE)
    assert active.version != trained.row.version and active.corrections_used == 0
    trained.row.refresh_from_db()
    assert trained.row.state != ModelVersion.State.ACTIVE and bytes(trained.row.blob) == b""


def test_citizen_withdrawal_also_reaches_labelled_examples_and_queues_a_retrain(world, corrected):
    cases.contact_erase(channel_account=world.tanan_page, contact_key="user:5550001112223334445")
    assert not LabelledExample.objects.exists()
    queued = DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)
    assert "binhyen.triage.tasks.retrain_after_erasure" in set(queued)


def _admin(world):
    from django.contrib.auth.models import Permission

    admin = world.province_officer
    admin.user_permissions.add(Permission.objects.get(codename="erase_identity"))
    return type(admin).objects.get(pk=admin.pk)
