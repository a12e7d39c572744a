"""The identity vault: who a citizen is, kept apart from what they reported.

Case data refers to an Identity only by id. Everything identifying (Zalo user ids,
display names, phone numbers, names, addresses) lives encrypted in `Identity.data`.
Officers see the contact's pseudonym; reading `data` for a person takes the
`vault.reveal_identity` permission, a stated reason, and leaves an audit entry.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from binhyen.core.fields import EncryptedJSONField


class Identity(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    data = EncryptedJSONField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("danh tính")
        verbose_name_plural = _("danh tính")
        # Granted per user or group (admin); unit visibility applies on top.
        permissions = [
            ("reveal_identity", _("Xem danh tính người báo tin (có lý do, được ghi nhật ký)")),
            ("erase_identity", _("Xóa danh tính người báo tin theo yêu cầu")),
        ]

    def __str__(self) -> str:
        return f"Identity #{self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
