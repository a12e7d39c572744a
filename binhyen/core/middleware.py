"""Vietnamese first: the interface language is Vietnamese unless the user chose another.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer on a
browser set to English would get a half-English console without asking for it.

Requests that change data run in Vietnamese whatever the reader's choice: what they write
(timeline entries, messages to citizens, audit summaries) is the unit's record and must
read the same for every colleague. Only pages that read are rendered in the chosen language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
