"""Spam and abuse are held back, not lost: officers release or discard them."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from binhyen.cases.models import Case, Message
from binhyen.testing import PASSWORD
from binhyen.tips import services, spam, throttle
from binhyen.tips.models import Counter, Tip
from binhyen.tips.tests.helpers import form_data, jpeg_with_gps
from binhyen.vault.models import Identity


def _post(client, addr="203.0.113.5", **overrides):
    return client.post("/bao-tin/", form_data(**overrides), REMOTE_ADDR=addr)


def _credentials(resp) -> tuple[str, str]:
    body = resp.content.decode()
    return (
        re.search(r'id="tip-code">([^<]+)<', body).group(1),
        re.search(r'id="tip-password">([^<]+)<', body).group(1),
    )


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_form_filled_by_a_program_is_held_and_the_sender_still_gets_a_code(world, web, client):
    resp = _post(client, website="http://spam.example")
    assert resp.status_code == 200
    assert _credentials(resp)
    tip = Tip.objects.get()
    assert tip.state == Tip.State.HELD
    assert tip.hold_reasons == ["honeypot"]
    assert not Case.objects.exists()


def test_form_posted_without_being_shown_is_held(world, web, client):
    _post(client, started="")
    assert Tip.objects.get().hold_reasons == ["no_form"]


def test_form_sent_within_seconds_of_being_shown_is_held(world, web, client):
    _post(client, started=spam.form_token())
    assert "too_fast" in Tip.objects.get().hold_reasons


def test_the_same_text_twice_in_an_hour_is_held(world, web, client):
    _post(client, what="Có người bán ma túy ở quán net.")
    _post(client, what="có NGƯỜI bán ma túy ở quán net.", addr="198.51.100.1")
    first, second = Tip.objects.order_by("pk")
    assert first.state == Tip.State.FILED
    assert second.hold_reasons == ["duplicate"]


def test_sixth_tip_from_one_network_in_an_hour_is_held_not_refused(world, web, client):
    for i in range(6):
        assert _post(client, what=f"Tin báo số {i} về trộm cắp.").status_code == 200
    tips = list(Tip.objects.order_by("pk"))
    assert [t.state for t in tips[:5]] == [Tip.State.FILED] * 5
    assert tips[5].state == Tip.State.HELD
    assert tips[5].hold_reasons == ["rate_client"]
    # Another network is not affected.
    _post(client, addr="198.51.100.2", what="Tin từ mạng khác.")
    assert Tip.objects.latest("pk").state == Tip.State.FILED


def test_counters_keep_no_address(world, web, client):
    _post(client, addr="203.0.113.5")
    keys = " ".join(Counter.objects.values_list("key", flat=True))
    assert "203.0.113" not in keys
    client_keys = [k for k in keys.split() if k.startswith("client:")]
    assert client_keys and all(len(k.split(":")[1]) == 6 for k in client_keys)


def test_counters_disappear_after_their_window(world, web, client):
    _post(client)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        throttle.purge_expired()
        assert not Counter.objects.exists()


def test_held_tip_waits_in_the_queue_of_the_unit_it_would_go_to(world, web, client):
    _post(client, website="bot", place="24163")
    assert (
        "Có nhóm thanh niên"
        in _login(client, world.officer_tanan).get("/tin-giu-lai/").content.decode()
    )
    client.logout()
    assert (
        "Có nhóm thanh niên"
        not in _login(client, world.officer_bmt).get("/tin-giu-lai/").content.decode()
    )


def test_officer_releases_a_held_tip_into_the_communes_inbox(world, web, client):
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg")
    data = form_data(website="bot", anonymous="no", phone="0905333444", secrecy="on", place="24163")
    data["uploads"] = [photo]
    client.post("/bao-tin/", data)
    tip = Tip.objects.get()
    held_identity = tip.held_identity
    assert held_identity.data == {"phone": "0905333444"}
    resp = _login(client, world.officer_tanan).post(f"/tin-giu-lai/{tip.pk}/cho-vao-hop-thu/")
    assert resp.status_code == 302
    tip.refresh_from_db()
    case = tip.case
    assert tip.state == Tip.State.FILED and tip.held is None
    assert case.unit == world.tanan
    assert case.secrecy_requested
    assert case.contact.identity.data == {"phone": "0905333444"}
    assert not Identity.objects.filter(pk=held_identity.pk).exists()
    assert case.messages.get().attachments.count() == 1
    assert not default_storage.listdir("held")[1]
    released = case.events.get(kind="tip_released")
    assert "Điền vào ô ẩn" in released.text and released.actor == world.officer_tanan


def test_messages_sent_while_held_arrive_with_the_tip(world, web, client):
    code, password = _credentials(_post(client, website="bot"))
    page = client.post("/bao-tin/tra-cuu/", {"code": code, "password": password})
    body = page.content.decode()
    assert "đang được kiểm tra" in body
    access = re.search(r'name="access" value="([^"]+)"', body).group(1)
    client.post(
        "/bao-tin/tra-cuu/nhan-tin/", {"access": access, "nonce": "n1", "text": "Tin thật đấy!"}
    )
    tip = Tip.objects.get()
    services.tip_release(tip=tip, actor=world.province_officer)
    texts = list(Message.objects.filter(case=Tip.objects.get().case).values_list("text", flat=True))
    assert texts[1] == "Tin thật đấy!"


def test_discarded_tip_can_be_restored_within_thirty_days(world, web, client):
    _post(client, website="bot")
    tip = Tip.objects.get()
    _login(client, world.province_officer).post(
        f"/tin-giu-lai/{tip.pk}/loai/", {"note": "quảng cáo"}
    )
    tip.refresh_from_db()
    assert tip.state == Tip.State.DISCARDED and tip.review_note == "quảng cáo"
    assert "Có nhóm thanh niên" in client.get("/tin-giu-lai/?state=discarded").content.decode()
    client.post(f"/tin-giu-lai/{tip.pk}/cho-vao-hop-thu/")
    assert Tip.objects.get().state == Tip.State.FILED


def test_discarded_tip_is_purged_after_thirty_days(world, web, client):
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg")
    data = form_data(website="bot", anonymous="no", phone="0905333444")
    data["uploads"] = [photo]
    client.post("/bao-tin/", data)
    tip = Tip.objects.get()
    identity_pk = tip.held_identity_id
    services.tip_discard(tip=tip, actor=world.province_officer)
    assert services.tips_purge() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert services.tips_purge() == 1
    tip.refresh_from_db()
    assert tip.held is None
    assert not Identity.objects.filter(pk=identity_pk).exists()
    assert not default_storage.listdir("held")[1]


def test_discarded_tip_tells_the_citizen_in_plain_words(world, web, client):
    code, password = _credentials(_post(client, website="bot"))
    services.tip_discard(tip=Tip.objects.get(), actor=world.province_officer)
    body = client.post("/bao-tin/tra-cuu/", {"code": code, "password": password}).content.decode()
    assert "tin rác" in body


def test_officer_of_another_commune_cannot_release_a_held_tip(world, web, client):
    _post(client, website="bot", place="24163")
    tip = Tip.objects.get()
    resp = _login(client, world.officer_bmt).post(f"/tin-giu-lai/{tip.pk}/cho-vao-hop-thu/")
    assert resp.status_code == 404
    assert Tip.objects.get().state == Tip.State.HELD


URGENT = (
    "Khẩn cấp: có người cầm dao đâm người trước cổng chợ Tân An, đang chảy nhiều máu, tới ngay!"
)


def test_held_tip_that_reads_urgent_still_rings_the_duty_desk_with_its_hold_reason(
    world, web, client, drain
):
    from binhyen.duty.models import Alert

    resp = _post(client, what=URGENT, started=spam.form_token())  # sent within seconds
    body = resp.content.decode()
    tip = Tip.objects.get()
    assert tip.hold_reasons == ["too_fast"]
    assert tip.state == Tip.State.FILED and tip.case is not None
    drain()
    alert = Alert.objects.get(case=tip.case)
    assert "Gửi quá nhanh" in alert.detail
    assert tip.case.events.filter(kind="held_urgent").exists()
    assert "đã được chuyển tới" in body


def test_citizen_of_a_held_tip_is_told_it_waits_for_a_check(world, web, client):
    resp = _post(client, website="http://spam.example", what=URGENT)
    body = resp.content.decode()
    assert Tip.objects.get().state == Tip.State.HELD
    assert "đã được chuyển tới" not in body
    assert "chờ cán bộ kiểm tra" in body and "113" in body


def test_the_menu_and_the_page_call_the_queue_by_one_name(world, client):
    """The menu said "Tin chờ duyệt" and opened "Tin tạm giữ (nghi tin rác)"."""
    import re

    _login(client, world.officer_bmt)
    body = client.get("/tin-giu-lai/").content.decode()
    [menu] = re.findall(r'<a href="/tin-giu-lai/"[^>]*>([^<]+)</a>', body)
    [heading] = re.findall(r"<h1>([^<]+)</h1>", body)
    assert menu == heading == "Tin tạm giữ"
    assert "<title>Tin tạm giữ ·" in body
