"""The append-only, hash-chained audit log of security-relevant events.

Entries are written only by `services.audit_record`. Nothing in the application can edit
or delete them: `save()` refuses updates, `delete()` and the queryset's bulk writes refuse,
the admin is read-only, and database triggers (migration 0003) refuse UPDATE and DELETE.
Whatever gets past all that (a database superuser, a dropped trigger) breaks the chain,
and `binhyen audit verify` finds the first broken entry.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from binhyen.audit import chain, keys


class AuditAction(models.TextChoices):
    """Action codes are a contract (filters, reports and other systems rely on them)."""

    AUTH_LOGIN = "auth.login", _("Đăng nhập")
    AUTH_LOGIN_FAILED = "auth.login_failed", _("Đăng nhập thất bại")
    AUTH_LOGOUT = "auth.logout", _("Đăng xuất")
    AUTH_LOCKED_OUT = "auth.locked_out", _("Tạm khóa đăng nhập do sai nhiều lần")
    AUTH_OTP_ENROL = "auth.otp_enrol", _("Đăng ký xác thực hai lớp")
    AUTH_OTP_VERIFY = "auth.otp_verify", _("Xác thực hai lớp thành công")
    AUTH_OTP_FAILED = "auth.otp_failed", _("Xác thực hai lớp thất bại")
    AUTH_OTP_RESET = "auth.otp_reset", _("Đặt lại xác thực hai lớp")
    ACCESS_DENIED = "access.denied", _("Truy cập bị từ chối")
    CASE_BULK_READ = "case.bulk_read", _("Đọc danh sách vụ việc qua API")
    IDENTITY_REVEAL = "identity.reveal", _("Xem danh tính người báo tin")
    IDENTITY_ERASE = "identity.erase", _("Xóa danh tính người báo tin")
    CASE_VIEW_SENSITIVE = "case.view_sensitive", _("Xem vụ việc nhạy cảm")
    CASE_EXPORT = "case.export", _("Xuất dữ liệu")
    CASE_TRANSFER = "case.transfer", _("Chuyển vụ việc")
    CASE_MERGE = "case.merge", _("Gộp vụ việc")
    CASE_SPLIT = "case.split", _("Tách tin nhắn thành vụ việc mới")
    CASE_MESSAGE_MOVE = "case.message_move", _("Chuyển tin nhắn sang vụ việc khác")
    CASE_UNMERGE = "case.unmerge", _("Tách vụ việc đã gộp")
    PERMISSION_CHANGE = "permission.change", _("Thay đổi quyền")
    API_TOKEN_CREATE = "api_token.create", _("Tạo khóa API")
    API_TOKEN_REVOKE = "api_token.revoke", _("Thu hồi khóa API")
    VAULT_KEY_ROTATION = "vault.key_rotation", _("Xoay vòng khóa kho danh tính")
    AUDIT_CHAIN_KEYED = "audit.chain_keyed", _("Bắt đầu ký nhật ký bằng khóa")
    DUTY_MESSENGER_LINK = "duty.messenger_link", _("Liên kết Zalo cá nhân của cán bộ")
    DUTY_MESSENGER_LINK_REJECTED = (
        "duty.messenger_link_rejected",
        _("Từ chối tài khoản Zalo đã gửi mã liên kết"),
    )


class AuditLogImmutable(Exception):
    """Someone tried to change or remove an audit entry (or to write one by hand)."""


def _refuse(what: str) -> NoReturn:
    raise AuditLogImmutable(
        f"audit log is append-only: {what} refused (write entries with audit_record)"
    )


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def _update(self, values: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def _raw_delete(self, using: Any) -> NoReturn:
        _refuse("delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: Any = None) -> NoReturn:
        _refuse("bulk update")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> NoReturn:
        # Bypasses the chain lock and the hash check.
        _refuse("bulk create")

    update.alters_data = True  # type: ignore[attr-defined]
    delete.alters_data = True  # type: ignore[attr-defined]


class AuditEntry(models.Model):
    # Position in the chain: 1, 2, 3… with no gaps; also the primary key.
    seq = models.BigIntegerField(_("số thứ tự"), primary_key=True, editable=False)
    at = models.DateTimeField(_("thời điểm"), db_index=True, editable=False)
    action = models.CharField(
        _("hành động"), max_length=40, choices=AuditAction.choices, db_index=True
    )
    # Who: the user id and the username at that time. No database constraint: an entry
    # must outlive the account, and deleting a user must never touch the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    # From which unit, as it stood then (the path is what scopes the console).
    actor_unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("đơn vị người thực hiện"),
    )
    actor_unit_path = models.CharField(max_length=500, blank=True, db_index=True)
    target_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    target_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    target_unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("đơn vị của đối tượng"),
    )
    target_unit_path = models.CharField(max_length=500, blank=True, db_index=True)
    summary = models.CharField(_("mô tả"), max_length=500, blank=True)
    # Never identity data (names, phones, Zalo ids, citizens' addresses or IPs).
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)
    # A staff member's address for staff actions; never a citizen's.
    ip_address = models.CharField(_("địa chỉ IP cán bộ"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    # Which audit key signed the entry (chain.key_id); NULL for entries written before the
    # chain was keyed. Nullable without a default: adding it keeps SQLite's triggers.
    key_id = models.CharField(max_length=16, null=True, blank=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        # Related lookups and Django internals go through the refusing queryset too.
        base_manager_name = "objects"
        verbose_name = _("nhật ký kiểm toán")
        verbose_name_plural = _("nhật ký kiểm toán")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor_username or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("update")
        if not self.hash or self.at is None or self.hash != self.compute_hash():
            _refuse("an unchained insert")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")

    def hashed_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in chain.KEYED_FIELDS}

    def compute_hash(self) -> str:
        """The entry's MAC under its key (its plain hash for unkeyed, older entries).
        Raises UnknownAuditKey when the key that signed it is not configured."""
        if self.key_id is None:
            return chain.entry_hash(self.hashed_fields())
        return chain.entry_mac(self.hashed_fields(), keys.by_id(self.key_id))


class AuditChainHead(models.Model):
    """One row: the last entry's seq and hash. Appends lock it, so the chain stays linear.

    It also catches what the links cannot: entries forged after, or cut from, the end.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=chain.GENESIS_HASH)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
