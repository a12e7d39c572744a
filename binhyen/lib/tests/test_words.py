import pytest

from binhyen.lib.words import elapsed_vi


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, "—"),
        (0, "0 giây"),
        (45.4, "45 giây"),
        (60, "1 phút"),
        (189, "3 phút 9 giây"),
        (3900, "1 giờ 5 phút"),
        (3600 + 30, "1 giờ"),
        (2 * 86400 + 3 * 3600 + 59, "2 ngày 3 giờ"),
        (float("inf"), "chưa"),
    ],
)
def test_durations_read_as_words(seconds, words):
    assert elapsed_vi(seconds) == words
