"""A worker applies a burst of inbound events in one shared transaction (channels/inbox.py,
lib/txbatch.py): each event is still applied exactly once, a failing event never holds back
or loses the others, and what is written is what one transaction per event writes."""

from __future__ import annotations

import pytest

from binhyen.audit.models import AuditEntry
from binhyen.audit.services import audit_verify
from binhyen.cases import services as case_services
from binhyen.cases.models import Case, CaseEvent, Message
from binhyen.channels import inbox
from binhyen.channels.models import InboundEvent
from binhyen.clocks.models import CaseClock
from binhyen.core.worker import BinhYenWorker
from binhyen.duty.models import Alert
from binhyen.testing import bare_case, post_zalo, secret_of, zalo_event
from binhyen.triage.models import DuplicateSignature, Suggestion

POISON = "Tin nhắn này làm hỏng việc xử lý"
TEXTS = [
    "Cho hỏi thủ tục đăng ký tạm trú",
    "Khẩn cấp: nhóm thanh niên cầm dao đang đánh nhau trước chợ, có người bị thương",
    POISON,
    "Có người lạ hay lảng vảng trước cổng trường lúc tan học",
    "Xin cảm ơn các anh công an đã giúp đỡ",
    "Khẩn cấp: có người cầm dao đánh nhau ở phường Tân An, cần công an đến ngay",
]


def _post(client, world, texts: list[str], first_user: int = 500) -> list[str]:  # type: ignore[no-untyped-def]
    """One citizen per text; returns the Zalo message ids."""
    ids = []
    for i, text in enumerate(texts):
        payload = zalo_event(
            "user_send_text", page=world.bmt_page, user_id=str(first_user + i), text=text
        )
        assert post_zalo(client, payload, secret=secret_of(world.bmt_page)).status_code == 200
        ids.append(payload["message"]["msg_id"])
    return ids


def _one_pass() -> int:
    """One pass of the lane that reads citizens (errors are logged, not raised)."""
    return BinhYenWorker(worker_id="test", queues={"default"}).run_once()


@pytest.fixture
def poisoned(monkeypatch):  # type: ignore[no-untyped-def]
    """Applying the POISON message fails, every time (a bug, a bad row)."""
    real = case_services.message_receive

    def receive(*, incoming):  # type: ignore[no-untyped-def]
        if incoming.text == POISON:
            raise RuntimeError("poisoned event")
        return real(incoming=incoming)

    monkeypatch.setattr(case_services, "message_receive", receive)


def test_a_batch_with_a_poisoned_event_applies_the_others_exactly_once(world, client, poisoned):
    assert len(TEXTS) <= inbox.EVENT_BATCH  # all of them are claimed as one batch
    msg_ids = _post(client, world, TEXTS)

    _one_pass()

    events = {e.key.split(":", 1)[1]: e for e in InboundEvent.objects.all()}
    for msg_id, text in zip(msg_ids, TEXTS, strict=True):
        event = events[msg_id]
        stored = Message.objects.filter(provider_message_id=msg_id, direction="in")
        if text == POISON:
            # Retried on its own (the batch's failed try is not an attempt), then parked.
            assert (event.status, event.attempts) == ("failed", inbox.MAX_ATTEMPTS)
            assert event.last_error == "RuntimeError"
            assert not stored.exists()
        else:
            assert (event.status, event.attempts) == ("processed", 1)
            assert stored.count() == 1
            case = stored.get().case
            assert case is not None
            assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1
            assert Suggestion.objects.filter(case=case).count() == 1
    assert Case.objects.count() == len(TEXTS) - 1

    # Later passes change nothing: the parked event waits for an administrator.
    _one_pass()
    assert InboundEvent.objects.filter(status="processed", attempts=1).count() == len(TEXTS) - 1
    assert Message.objects.filter(direction="in").count() == len(TEXTS) - 1
    assert Case.objects.count() == len(TEXTS) - 1


def _named(case: Case) -> dict[str, object]:
    """Rows written later in a batch than the rows they name (deferred, then given the ids):
    each notice names its outbound message, each reading row its suggestion, each outbound
    message has exactly one delivery task."""
    from django_tasks_db.models import DBTaskResult

    outbound = list(Message.objects.filter(case=case, direction="out").values_list("pk", flat=True))
    tasks = [
        t.args_kwargs["args"]
        for t in DBTaskResult.objects.filter(task_path="binhyen.channels.tasks.deliver_message")
    ]
    return {
        "notices": [
            e.data["message"] in outbound for e in case.events.filter(kind="notice").order_by("id")
        ],
        "readings": [
            Suggestion.objects.filter(pk=e.data["suggestion"], case=case).exists()
            for e in case.events.filter(kind="triaged").order_by("id")
        ],
        "deliveries": [tasks.count([pk]) for pk in outbound],
    }


def _written(case: Case) -> dict[str, object]:
    contact = case.contact
    assert contact is not None and contact.identity is not None
    conversation = contact.conversation
    return {
        "named": _named(case),
        "contact": (
            contact.kind,
            contact.last_seen_at,
            contact.is_staff,
            sorted(contact.identity.data),
            conversation.last_inbound_at,
            conversation.channel_account_id,
        ),
        "timeline": list(case.events.order_by("at", "id").values_list("kind", "actor", "text")),
        "clocks": sorted(CaseClock.objects.filter(case=case).values_list("rule_code", "state")),
        "alerts": list(Alert.objects.filter(case=case).values_list("level", "reason")),
        "signature": DuplicateSignature.objects.filter(case=case).exists(),
        "outbound": list(
            Message.objects.filter(case=case, direction="out").values_list("author_label", "kind")
        ),
        "case": Case.objects.filter(pk=case.pk)
        .values("intent", "category", "urgency", "status", "unit_id", "next_deadline_at")
        .get(),
    }


def _case_of(msg_id: str) -> Case:
    case = Message.objects.get(provider_message_id=msg_id, direction="in").case
    assert case is not None
    return case


def test_a_batch_writes_what_one_transaction_per_event_writes(world, client, time_machine):
    time_machine.move_to("2026-03-10 09:00:00+07:00", tick=False)
    texts = [t for t in TEXTS if t != POISON]
    # Alone: each event in a transaction of its own, the way a failed batch is replayed.
    alone = _post(client, world, texts, first_user=600)
    for row in InboundEvent.objects.filter(status="received").order_by("id"):
        if inbox.locks_rows():
            assert inbox.process_next_locked(row.pk)
        else:
            inbox.process_event(row)
    # Together: the same messages from other citizens, in one batch.
    together = _post(client, world, texts, first_user=700)
    assert _one_pass() >= len(texts)

    assert InboundEvent.objects.filter(status="processed").count() == 2 * len(texts)
    for a, b in zip(alone, together, strict=True):
        first, second = _written(_case_of(a)), _written(_case_of(b))
        assert first == second
        assert first["timeline"]  # not trivially equal
        named = first["named"]
        assert isinstance(named, dict)
        assert all(named["notices"]) and all(named["readings"])
        assert set(named["deliveries"]) <= {1}
    # Some of them were sent an acknowledgement and read (the checks above are not empty).
    named = [_named(_case_of(b)) for b in together]
    assert any(n["notices"] for n in named) and all(n["readings"] for n in named)
    # The path was walked whole: a tip moved to the unit its place names, alerts rang.
    routed = _case_of(together[-1])
    assert routed.unit_id == world.tanan.pk
    assert routed.events.filter(kind="routed").exists()
    assert Alert.objects.filter(case__in=[_case_of(m) for m in together]).exists()
    # Both moves are in the audit log (the batch appends its entries at its end), the chain
    # whole.
    moved = AuditEntry.objects.filter(action="case.transfer", target_type="cases.case")
    assert set(moved.values_list("target_id", flat=True)) == {
        str(_case_of(alone[-1]).pk),
        str(routed.pk),
    }
    assert audit_verify().ok


def test_case_codes_of_a_batch_are_checked_together_and_skip_bodies_taken(world, monkeypatch):

    from binhyen.cases.services import receiving
    from binhyen.lib import codes, memo, txbatch

    bare_case(world.bmt, "earlier case", code="HD-ZZZZ-ZZZZ")
    drawn = iter(["TB-ZZZZ-ZZZZ", "TB-BBBB-BBBB"] * receiving.CODE_POOL)
    monkeypatch.setattr(codes, "case_code", lambda *a, **k: next(drawn))
    with memo.batch(), txbatch.shared():
        # The body ZZZZZZZZ is taken under another prefix: never handed out again.
        assert receiving._new_case_code() == "TB-BBBB-BBBB"


def test_senders_of_a_batch_are_looked_up_together_and_never_created_twice(world, client, caplog):
    """`contacts_prepare` reads which senders of a batch are new in one query; a new
    citizen who follows the page and writes twice in the same batch, and a citizen known
    before the batch, each keep one contact, and the batch is not replayed."""
    from binhyen.cases.models import Contact

    page = world.bmt_page
    _post(client, world, ["Cho hỏi thủ tục đăng ký tạm trú"], first_user=900)  # known before
    assert _one_pass() == 1
    posted = [
        zalo_event("follow", page=page, user_id="901"),
        zalo_event("user_send_text", page=page, user_id="901", text=TEXTS[3]),
        zalo_event("user_send_text", page=page, user_id="901", text="Xin cho biết thêm"),
        zalo_event("user_send_text", page=page, user_id="900", text="Cảm ơn các anh"),
        zalo_event("user_send_text", page=page, user_id="902", text=TEXTS[1]),
    ]
    for payload in posted:
        assert post_zalo(client, payload, secret=secret_of(page)).status_code == 200
    contact_reads = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.lstrip().upper().startswith("SELECT") and ' FROM "cases_contact" WHERE ' in sql:
            contact_reads.append(sql)
        return execute(sql, params, many, context)

    from django.db import connection

    with caplog.at_level("WARNING"), connection.execute_wrapper(count):
        assert _one_pass() == len(posted)
    assert "one per transaction" not in caplog.text  # applied as one batch, not replayed
    assert InboundEvent.objects.exclude(status="processed").count() == 0
    assert set(InboundEvent.objects.values_list("attempts", flat=True)) == {1}
    assert Contact.objects.filter(channel_account=page).count() == 3
    cases = {c.contact.pseudonym: c for c in Case.objects.select_related("contact")}
    assert len(cases) == 3
    assert Message.objects.filter(direction="in").count() == 5
    # The batch's look-up, then a read only where the contact exists by then (901's two
    # messages, after the follow created it without a read, and 900); one event at a time
    # it is one read per event (5).
    assert len(contact_reads) == 4, "\n".join(contact_reads)
    assert "IN (" in contact_reads[0]


def test_new_senders_of_a_batch_are_written_together(world, client):
    """New citizens whose first event of the batch is a message: their identities, contacts
    and conversations in one INSERT each (`contacts_prepare`), each as its message would
    have written it; a later message of one of them finds what was written."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from binhyen.cases.models import Contact, Conversation
    from binhyen.vault.models import Identity

    page = world.bmt_page
    posted = [
        zalo_event("user_send_text", page=page, user_id="951", text=TEXTS[1]),
        zalo_event("user_send_text", page=page, user_id="952", text=TEXTS[0]),
        zalo_event("user_send_text", page=page, user_id="951", text="Xin cho biết thêm"),
        zalo_event("user_send_text", page=page, user_id="953", text=TEXTS[3]),
    ]
    for payload in posted:
        assert post_zalo(client, payload, secret=secret_of(page)).status_code == 200
    identities, contacts = Identity.objects.count(), Contact.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        assert _one_pass() == len(posted)
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().startswith("INSERT")]
    for table in ("vault_identity", "cases_contact", "cases_conversation"):
        assert sum(f'INTO "{table}"' in sql for sql in inserts) == 1, table
    assert InboundEvent.objects.exclude(status="processed").count() == 0
    assert Identity.objects.count() == identities + 3
    assert Contact.objects.count() == contacts + 3
    for user in ("951", "952", "953"):
        [message] = Message.objects.filter(
            direction="in", provider_message_id=_msg_id(posted, user)
        )
        contact = message.conversation.contact
        assert contact.identity.data["zalo_user_id"] == user
        assert contact.last_seen_at is not None
        assert message.conversation.last_inbound_at is not None
    # 951's second message went to the same conversation and case.
    both = Message.objects.filter(direction="in", conversation__contact__kind="zalo_user")
    mine = [m for m in both if m.conversation.contact.identity.data["zalo_user_id"] == "951"]
    assert len(mine) == 2 and len({m.case_id for m in mine}) == 1
    assert (
        Conversation.objects.filter(contact__in=[m.conversation.contact for m in mine]).count() == 1
    )


def _msg_id(posted: list[dict[str, object]], user: str) -> str:
    for payload in posted:
        if payload["sender"]["id"] == user:  # type: ignore[index]
            return str(payload["message"]["msg_id"])  # type: ignore[index]
    raise AssertionError(user)
