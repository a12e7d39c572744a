"""lib/jsonbody: the guards refuse what they must, and skip their walks when the text
cannot hold what they look for."""

from __future__ import annotations

import json

import pytest

from binhyen.lib import jsonbody

ZALO_EVENT = json.dumps(
    {
        "app_id": "1234",
        "event_name": "user_send_text",
        "sender": {"id": "7000000000000000001"},
        "recipient": {"id": "2345678901234524133"},
        "message": {"msg_id": "abc", "text": "Cháy ở chợ Tân Lợi"},
        "timestamp": "1733500000000",
    },
    ensure_ascii=False,
)


def test_an_ordinary_event_is_parsed_without_walking_it(monkeypatch):
    def walked(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the document was walked")

    monkeypatch.setattr(jsonbody, "depth_within", walked)
    monkeypatch.setattr(jsonbody, "_holds", walked)
    assert jsonbody.loads(ZALO_EVENT.encode(), allow_nul=False)["message"]["msg_id"] == "abc"


@pytest.mark.parametrize("escape", ["\\ud800", "\\uDFFF", "\\uDbff", "\\udc00"])
def test_a_lone_surrogate_escape_is_refused(escape):
    with pytest.raises(jsonbody.JsonBodyError, match="Unicode"):
        jsonbody.loads(('{"a": {"b": "x' + escape + 'y"}}').encode())


def test_a_surrogate_pair_and_an_escaped_backslash_are_accepted():
    # \ud83d\ude00 is one emoji; "\\ud800" is a backslash followed by text
    data = jsonbody.loads(b'{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}')
    assert data == {"a": "\U0001f600", "b": "\\ud800"}


def test_a_nul_escape_is_refused_where_nul_is_not_allowed():
    assert jsonbody.loads(b'{"a": "x\\u0000"}') == {"a": "x\x00"}
    with pytest.raises(jsonbody.JsonBodyError, match="NUL"):
        jsonbody.loads(b'{"a": ["x\\u0000"]}', allow_nul=False)


def test_nesting_is_bounded_exactly_at_the_limit():
    limit = jsonbody.MAX_DEPTH
    assert jsonbody.loads(("[" * limit + "]" * limit).encode()) is not None
    with pytest.raises(jsonbody.JsonBodyError, match="quá sâu"):
        jsonbody.loads(("[" * (limit + 1) + "]" * (limit + 1)).encode())
    # many brackets side by side, none deep: the walk runs and accepts
    wide = "[" + ",".join(["{}"] * 100) + "]"
    assert len(jsonbody.loads(wide.encode())) == 100
    # brackets inside strings count, but only make the walk run
    assert jsonbody.loads(json.dumps({"a": "[" * 100}).encode()) == {"a": "[" * 100}
