"""An officer's Zalo link cannot be taken over by guessing the code: long codes, attempt
limits per sender and per code, confirmation inside the console, an audit entry."""

from __future__ import annotations

import re

from django.utils import timezone

from binhyen.audit.models import AuditEntry
from binhyen.cases import services as cases
from binhyen.cases.models import Contact, Message
from binhyen.duty import messenger
from binhyen.duty.models import MessengerLink
from binhyen.lib.codes import ALPHABET
from binhyen.testing import PASSWORD, post_zalo, secret_of, zalo_event

OFFICER_ZALO = "5550001112223334445"
ATTACKER_ZALO = "6660001112223334445"


def _code_from_console(world, client) -> str:
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    page = client.post("/truc-ban/zalo-ca-nhan/", {"page": world.bmt_page.pk}).content.decode()
    return re.search(r'class="link-code">([^<]+)<', page).group(1).strip()


def _send(world, client, drain, user_id: str, text: str) -> None:
    payload = zalo_event("user_send_text", page=world.bmt_page, user_id=user_id, text=text)
    assert post_zalo(client, payload, secret=secret_of(world.bmt_page)).status_code == 200
    drain()


def _critical_case(world):
    case = cases.case_open(
        unit_id=world.bmt.pk,
        channel_account=world.bmt_page,
        conversation=None,
        contact=None,
        summary="cháy nhà",
        at=timezone.now(),
    )
    cases.case_classify(
        case=case, actor=None, intent="tip", category="fire_rescue", urgency="critical"
    )
    return case


def _wrong_code(code: str, i: int) -> str:
    raw = code.removeprefix("BY").replace("-", "").strip()
    flipped = ALPHABET[(ALPHABET.index(raw[-1]) + 1 + i) % len(ALPHABET)]
    return f"BY {raw[:-1]}{flipped}"


def test_link_code_is_too_long_to_guess_and_stored_only_as_a_hash(world, client):
    code = _code_from_console(world, client)
    raw = code.removeprefix("BY").replace("-", "").replace(" ", "")
    assert len(raw) >= 12 and set(raw) <= set(ALPHABET)  # >= 60 bits
    stored = MessengerLink.objects.get(user=world.officer_bmt).code
    assert raw not in stored and code not in stored


def test_a_sender_guessing_link_codes_is_stopped_before_the_right_one(world, client, drain):
    code = _code_from_console(world, client)
    for i in range(messenger.LINK_FAILS_PER_SENDER):
        _send(world, client, drain, ATTACKER_ZALO, _wrong_code(code, i))
    _send(world, client, drain, ATTACKER_ZALO, code)
    link = MessengerLink.objects.get(user=world.officer_bmt)
    assert link.pending_contact is None and link.contact is None


def test_a_link_code_guessed_at_from_many_accounts_is_voided(world, client, drain):
    code = _code_from_console(world, client)
    for i in range(messenger.LINK_FAILS_PER_CODE):
        _send(world, client, drain, f"66600011122233{i:05d}", _wrong_code(code, i))
    _send(world, client, drain, OFFICER_ZALO, code)
    link = MessengerLink.objects.get(user=world.officer_bmt)
    assert link.pending_contact is None and link.code == ""
    page = client.get("/truc-ban/zalo-ca-nhan/").content.decode()
    assert "đã bị hủy" in page


def test_a_matching_link_code_routes_no_alert_until_the_officer_confirms_in_the_console(
    world, client, drain
):
    code = _code_from_console(world, client)
    _send(world, client, drain, ATTACKER_ZALO, code)
    link = MessengerLink.objects.get(user=world.officer_bmt)
    assert link.linked_at is None and link.contact is None
    assert link.pending_contact is not None
    case = _critical_case(world)
    pending = link.pending_contact
    assert not Message.objects.filter(conversation__contact=pending, text__contains=case.code)
    page = client.get("/truc-ban/zalo-ca-nhan/").content.decode()
    assert 'name="action" value="confirm"' in page and 'value="reject"' in page


def test_officer_rejects_a_zalo_account_that_is_not_theirs(world, client, drain):
    code = _code_from_console(world, client)
    _send(world, client, drain, ATTACKER_ZALO, code)
    client.post("/truc-ban/zalo-ca-nhan/", {"action": "reject"})
    link = MessengerLink.objects.get(user=world.officer_bmt)
    assert link.contact is None and link.pending_contact is None and link.code == ""
    assert not Contact.objects.filter(is_staff=True).exists()
    entry = AuditEntry.objects.get(action="duty.messenger_link_rejected")
    assert entry.actor_id == world.officer_bmt.pk


def test_confirmed_link_is_audited_and_receives_alerts(world, client, drain):
    code = _code_from_console(world, client)
    _send(world, client, drain, OFFICER_ZALO, code)
    client.post("/truc-ban/zalo-ca-nhan/", {"action": "confirm"})
    link = MessengerLink.objects.get(user=world.officer_bmt)
    assert link.linked_at is not None and link.contact is not None
    entry = AuditEntry.objects.get(action="duty.messenger_link")
    assert entry.actor_id == world.officer_bmt.pk
    assert OFFICER_ZALO not in str(entry.details) + entry.summary
    case = _critical_case(world)
    assert Message.objects.filter(conversation__contact=link.contact, text__contains=case.code)
