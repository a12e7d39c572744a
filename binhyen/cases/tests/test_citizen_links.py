"""Links citizens send: only http(s) to public hosts become clickable on the case page."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from binhyen.cases.models import Case
from binhyen.cases.services import IncomingAttachment, IncomingMessage, message_receive
from binhyen.lib.links import public_http_url
from binhyen.testing import PASSWORD

UNSAFE = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "http://127.0.0.1:8000/quan-tri/",
    "http://localhost/quan-tri/",
    "http://admin.localhost/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://[::1]/",
    "https://10.0.0.5/router",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/",
    "http://intranet/",
    "http://printer.local/",
    "http://user:pass@example.org/",
    "//example.org/x",
    "ftp://example.org/file",
]
SAFE = ["https://example.org/tin-tuc?id=1", "http://zalo.me/abc", "https://8.8.8.8/"]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_urls_are_not_links(url):
    assert public_http_url(url) is None


@pytest.mark.parametrize("url", SAFE)
def test_public_http_urls_are_links(url):
    assert public_http_url(url) == url


def test_citizen_sent_urls_become_links_only_for_public_http_hosts(world, client):
    urls = ["javascript:alert(1)", "file:///etc/passwd", "http://127.0.0.1:8000/quan-tri/"]
    urls += ["https://example.org/tin-tuc"]
    message_receive(
        incoming=IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="user:9",
            contact_kind="zalo_user",
            provider_message_id="l1",
            kind="link",
            text="xem cái này",
            sent_at=timezone.now(),
            attachments=[IncomingAttachment(kind="link", url=u) for u in urls],
        )
    )
    case = Case.objects.get()
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    page = client.get(f"/tin-bao/{case.pk}/").content.decode()
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert "https://example.org/tin-tuc" in hrefs
    for bad in urls[:3]:
        assert bad not in hrefs
        assert bad in page  # still shown, as text
