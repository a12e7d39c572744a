"""The citizen is asked once how satisfied they are; the answer is stored and reported."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from binhyen.cases import services as cases
from binhyen.cases.models import Case, Message
from binhyen.monitoring.models import SatisfactionSurvey
from binhyen.monitoring.services import parse_score
from binhyen.tips.services import web_form_connect
from binhyen.tips.tests.helpers import form_data

QUESTION = "Bạn hài lòng với cách xử lý không?"


@pytest.fixture
def web(world):
    return web_form_connect(unit=world.province)


def _file_and_answer(client, world) -> tuple[str, str, Case]:
    body = client.post("/bao-tin/", form_data()).content.decode()
    code = re.search(r'id="tip-code">([^<]+)<', body).group(1)
    password = re.search(r'id="tip-password">([^<]+)<', body).group(1)
    case = Case.objects.get()
    officer = world.officer_tanan if case.unit == world.tanan else world.province_officer
    cases.case_classify(case=case, actor=officer, intent="question")
    cases.case_answer(case=case, actor=officer)
    return code, password, case


def _status(client, code, password):
    return client.post("/bao-tin/tra-cuu/", {"code": code, "password": password})


def _access(resp) -> str:
    return re.search(r'name="access" value="([^"]+)"', resp.content.decode()).group(1)


def test_status_page_asks_once_and_stores_the_answer(world, web, client):
    code, password, case = _file_and_answer(client, world)
    page = _status(client, code, password)
    assert QUESTION in page.content.decode()
    resp = client.post("/bao-tin/tra-cuu/danh-gia/", {"access": _access(page), "score": "4"})
    assert resp.status_code == 200
    assert "Cảm ơn bạn đã đánh giá." in resp.content.decode()
    survey = SatisfactionSurvey.objects.get(case=case)
    assert (survey.via, survey.score) == ("web", 4)
    again = client.post("/bao-tin/tra-cuu/danh-gia/", {"access": _access(page), "score": "1"})
    assert again.status_code == 400
    assert SatisfactionSurvey.objects.get(case=case).score == 4
    assert 'name="score"' not in _status(client, code, password).content.decode()


@pytest.mark.parametrize("score", ["0", "6", "abc", ""])
def test_status_page_refuses_a_score_outside_1_to_5(world, web, client, score):
    code, password, case = _file_and_answer(client, world)
    page = _status(client, code, password)
    resp = client.post("/bao-tin/tra-cuu/danh-gia/", {"access": _access(page), "score": score})
    assert resp.status_code == 400
    assert SatisfactionSurvey.objects.get(case=case).score is None


def test_rating_without_a_valid_access_token_is_refused(world, web, client):
    resp = client.post("/bao-tin/tra-cuu/danh-gia/", {"access": "forged", "score": "5"})
    assert resp.status_code == 403


def test_zalo_citizen_is_asked_by_message_when_the_case_ends(world):
    cases.message_receive(
        incoming=cases.IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="u1",
            contact_kind="zalo_user",
            provider_message_id="q1",
            kind="text",
            text="Cho hỏi thủ tục",
            sent_at=timezone.now(),
        )
    )
    case = Case.objects.get()
    cases.case_classify(case=case, actor=world.officer_bmt, intent="question")
    cases.case_answer(case=case, actor=world.officer_bmt)
    asked = Message.objects.filter(case=case, direction="out", text__contains=QUESTION)
    assert asked.count() == 1
    assert SatisfactionSurvey.objects.get(case=case).via == "zalo"


def test_a_case_that_is_not_a_report_is_not_asked(world):
    case = cases.case_open(
        unit_id=world.bmt.pk,
        channel_account=world.bmt_page,
        conversation=None,
        contact=None,
        summary="chào",
        at=timezone.now(),
    )
    cases.case_classify(case=case, actor=world.officer_bmt, intent="other")
    cases.case_close(case=case, actor=world.officer_bmt)
    assert not SatisfactionSurvey.objects.exists()


@pytest.mark.parametrize(
    "text,score",
    [("5", 5), (" 4 ", 4), ("3/5", 3), ("5 sao", 5), ("1.", 1), ("6", None), ("45", None)],
)
def test_reading_a_score_from_a_message(text, score):
    assert parse_score(text) == score
