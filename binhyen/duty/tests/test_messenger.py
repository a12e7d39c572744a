"""Officers link their own Zalo to receive alerts there."""

from __future__ import annotations

import re

from django.utils import timezone

from binhyen.cases import services as cases
from binhyen.cases.models import Case, Contact, Message
from binhyen.duty import messenger
from binhyen.duty.models import MessengerLink
from binhyen.testing import PASSWORD, post_zalo, secret_of, zalo_event

OFFICER_ZALO = "5550001112223334445"


def _link(world, client, drain) -> MessengerLink:
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    resp = client.post("/truc-ban/zalo-ca-nhan/", {"page": world.bmt_page.pk})
    code = re.search(r'class="link-code">([^<]+)<', resp.content.decode()).group(1)
    payload = zalo_event(
        "user_send_text", page=world.bmt_page, user_id=OFFICER_ZALO, text=code.lower()
    )
    assert post_zalo(client, payload, secret=secret_of(world.bmt_page)).status_code == 200
    drain()
    client.post("/truc-ban/zalo-ca-nhan/", {"action": "confirm"})
    drain()
    return MessengerLink.objects.get(user=world.officer_bmt)


def test_sending_the_code_from_zalo_links_the_officer_without_opening_a_case(world, client, drain):
    link = _link(world, client, drain)
    assert link.linked_at is not None and link.contact is not None
    assert link.contact.is_staff
    assert not Case.objects.exists()
    confirmation = Message.objects.get(direction="out", conversation__contact=link.contact)
    assert "đã liên kết" in confirmation.text


def test_a_wrong_or_expired_code_links_nothing_and_is_an_ordinary_message(world, client, drain):
    messenger.messenger_link_start(user=world.officer_bmt, channel_account=world.bmt_page)
    payload = zalo_event(
        "user_send_text", page=world.bmt_page, user_id=OFFICER_ZALO, text="BY 0000-0000-0000"
    )
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    drain()
    assert MessengerLink.objects.get(user=world.officer_bmt).linked_at is None
    assert Case.objects.count() == 1


def test_alerts_reach_the_linked_zalo(world, client, drain):
    link = _link(world, client, drain)
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
    alerts = Message.objects.filter(conversation__contact=link.contact, text__contains=case.code)
    assert alerts.count() == 1
    assert "KHẨN CẤP" in alerts.get().text


def test_linked_officer_messages_never_open_cases(world, client, drain):
    link = _link(world, client, drain)
    payload = zalo_event(
        "user_send_text", page=world.bmt_page, user_id=OFFICER_ZALO, text="đã nhận"
    )
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    drain()
    assert not Case.objects.exists()
    assert Contact.objects.get(pk=link.contact_id).is_staff
