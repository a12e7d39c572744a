"""Staff accounts, their memberships in units, and personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member. Citizens never have accounts (they are Contacts)."""

    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    rank = models.CharField(_("cấp bậc"), max_length=64, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    OFFICER = "officer", _("Cán bộ tiếp nhận")
    COMMANDER = "commander", _("Chỉ huy đơn vị")
    DUTY = "duty", _("Trực ban")
    CAMERA = "camera", _("Giám sát camera")
    EDITOR = "editor", _("Biên tập viên")
    COMMAND = "command", _("Lãnh đạo Công an tỉnh")
    ADMIN = "admin", _("Quản trị")


class Membership(models.Model):
    """A user works in a unit with a role; they see that unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class ApiToken(models.Model):
    """A personal API token; only a hash is stored, the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
