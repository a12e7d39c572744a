"""A password policy fit for police accounts: a strength estimate on top of Django's rules.

zxcvbn (Dropbox's estimator, maintained Python port) recognises what length rules miss:
repeats (`20262026`), dates, keyboard walks, dictionary words with digits appended.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn


class StrengthValidator:
    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        hints = [str(getattr(user, name, "") or "") for name in ("username", "full_name", "rank")]
        # zxcvbn's cost grows with length; beyond 100 characters a passphrase is strong.
        result = zxcvbn(password[:100], user_inputs=[h for h in hints if h])
        if result["score"] < self.min_score:
            raise ValidationError(
                _(
                    "Mật khẩu quá dễ đoán (lặp lại, ngày tháng, từ thông dụng hoặc thông tin "
                    "cá nhân). Hãy dùng một cụm từ dài, khó đoán."
                ),
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu phải khó đoán: không lặp lại, không là ngày tháng hay từ thông dụng.")
