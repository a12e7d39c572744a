"""The identity vault: who a citizen is, kept apart from what they reported.

Case data refers to an Identity only by id. Everything identifying (Zalo user ids,
display names, phone numbers, names, addresses) lives encrypted in `Identity.data`.
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

    def __str__(self) -> str:
        return f"Identity #{self.pk}"
