"""Audit taps: sign-in events and permission changes, caught by Django signals.

Signals are the exception here, not the rule (STYLE.md): these events happen in code
BinhYen does not own (Django's login view, the admin, `createsuperuser`) or must be caught
wherever they happen. Business actions (reveals, exports, transfers…) call `audit_record`
explicitly from their services instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest

from binhyen.accounts.models import Membership, Role, User
from binhyen.audit.models import AuditAction
from binhyen.audit.services import (
    audit_record,
    current_actor,
    primary_unit,
    username_fingerprint,
)
from binhyen.units.models import Unit

FLAGS = ("is_superuser", "is_staff", "is_active")
_UID = "binhyen_audit_taps"


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid=f"{_UID}:login")
    user_logged_out.connect(on_logout, dispatch_uid=f"{_UID}:logout")
    user_login_failed.connect(on_login_failed, dispatch_uid=f"{_UID}:login_failed")
    post_save.connect(on_membership_saved, sender=Membership, dispatch_uid=f"{_UID}:m_save")
    pre_save.connect(on_membership_saving, sender=Membership, dispatch_uid=f"{_UID}:m_pre")
    post_delete.connect(on_membership_deleted, sender=Membership, dispatch_uid=f"{_UID}:m_del")
    pre_save.connect(on_user_saving, sender=User, dispatch_uid=f"{_UID}:u_pre")
    post_save.connect(on_user_saved, sender=User, dispatch_uid=f"{_UID}:u_save")
    for through, what in (
        (User.groups.through, "groups"),
        (User.user_permissions.through, "user_permissions"),
    ):
        m2m_changed.connect(
            _m2m_receiver(what), sender=through, weak=False, dispatch_uid=f"{_UID}:{what}"
        )


# --- sign-in -------------------------------------------------------------------------------------


def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(
        action=AuditAction.AUTH_LOGIN,
        actor=user,
        request=request,
        summary=f"{user.get_username()} đăng nhập",
    )


def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None or not user.is_authenticated:
        return
    audit_record(
        action=AuditAction.AUTH_LOGOUT,
        actor=user,
        request=request,
        summary=f"{user.get_username()} đăng xuất",
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the login name is ever read from `credentials`, never the password.
    username = str(credentials.get(User.USERNAME_FIELD) or "")[:150]
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if user is not None:
        audit_record(
            action=AuditAction.AUTH_LOGIN_FAILED,
            actor=None,
            target=user,
            request=request,
            summary=f"Đăng nhập sai vào tài khoản {user.get_username()}",
            details={"username": user.get_username(), "username_known": True},
        )
    else:
        # An unknown name is often a password typed into the wrong box: keep a keyed
        # fingerprint (to see repeated attempts), not the text.
        audit_record(
            action=AuditAction.AUTH_LOGIN_FAILED,
            actor=None,
            request=request,
            summary="Đăng nhập sai với tên đăng nhập không tồn tại",
            details={
                "username_known": False,
                "username_fingerprint": username_fingerprint(username),
            },
        )


# --- memberships (roles in units) ----------------------------------------------------------------


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def on_membership_saving(
    sender: Any, instance: Membership, raw: bool = False, **kwargs: Any
) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    old = Membership.objects.filter(pk=instance.pk).values("user_id", "unit_id", "role").first()
    instance._binhyen_audit_old = old  # type: ignore[attr-defined]


def on_membership_saved(
    sender: Any, instance: Membership, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    old = getattr(instance, "_binhyen_audit_old", None)
    if not created and old == {
        "user_id": instance.user_id,
        "unit_id": instance.unit_id,
        "role": instance.role,
    }:
        return
    details: dict[str, Any] = {}
    if not created and old is not None:
        old_unit = Unit.objects.filter(pk=old["unit_id"]).values_list("code", flat=True).first()
        details["before"] = {"user_id": old["user_id"], "unit_code": old_unit, "role": old["role"]}
    _membership_event(instance, "membership_added" if created else "membership_changed", details)


def on_membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    _membership_event(instance, "membership_removed", {})


def _membership_event(m: Membership, change: str, extra: dict[str, Any]) -> None:
    actor, request = current_actor()
    user = User.objects.filter(pk=m.user_id).first()
    unit = Unit.objects.filter(pk=m.unit_id).first()
    username = user.get_username() if user else f"#{m.user_id}"
    verb = {
        "membership_added": "Giao",
        "membership_changed": "Sửa thành",
        "membership_removed": "Thu hồi",
    }[change]
    audit_record(
        action=AuditAction.PERMISSION_CHANGE,
        actor=actor,
        target=user,
        target_unit=unit,
        request=request,
        summary=f"{verb} vai trò {_role_label(m.role)} tại {unit.name if unit else '?'} "
        f"cho {username}",
        details={
            "change": change,
            "membership_id": m.pk,
            "user_id": m.user_id,
            "username": username,
            "unit_code": unit.code if unit else None,
            "role": m.role,
            **extra,
        },
    )


# --- account flags -------------------------------------------------------------------------------


def on_user_saving(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw:
        return
    if instance._state.adding or instance.pk is None:
        instance._binhyen_audit_flags = None  # type: ignore[attr-defined]
        return
    if update_fields is not None and not set(update_fields) & set(FLAGS):
        return  # e.g. last_login on every sign-in: nothing to compare, no query
    instance._binhyen_audit_flags = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values(*FLAGS).first()
    )


def on_user_saved(
    sender: Any, instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or not hasattr(instance, "_binhyen_audit_flags"):
        return
    old = instance._binhyen_audit_flags
    del instance._binhyen_audit_flags
    if created or old is None:
        old = {"is_superuser": False, "is_staff": False, "is_active": True}
    changed = {f: [old[f], getattr(instance, f)] for f in FLAGS if old[f] != getattr(instance, f)}
    if not changed:
        return
    actor, request = current_actor()
    words = {
        "is_superuser": "quyền quản trị tối cao",
        "is_staff": "quyền vào trang quản trị",
        "is_active": "trạng thái hoạt động",
    }
    parts = [f"{'bật' if new else 'tắt'} {words[f]}" for f, (_old, new) in changed.items()]
    audit_record(
        action=AuditAction.PERMISSION_CHANGE,
        actor=actor,
        target=instance,
        request=request,
        summary=f"{'Tạo tài khoản' if created else 'Tài khoản'} {instance.get_username()}: "
        + ", ".join(parts),
        details={
            "change": "account_created" if created else "account_flags",
            "user_id": instance.pk,
            "username": instance.get_username(),
            **changed,
        },
    )


def _m2m_receiver(what: str) -> Any:
    def receiver(
        sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
    ) -> None:
        if action not in {"post_add", "post_remove", "post_clear"}:
            return
        if action != "post_clear" and not pk_set:
            return
        actor, request = current_actor()
        target_user = instance if isinstance(instance, User) else None
        audit_record(
            action=AuditAction.PERMISSION_CHANGE,
            actor=actor,
            target=instance,
            target_unit=primary_unit(target_user) if target_user else None,
            request=request,
            summary=f"Thay đổi {what} ({action.removeprefix('post_')})",
            details={
                "change": what,
                "op": action.removeprefix("post_"),
                "reverse": reverse,
                "ids": sorted(pk_set or []),
            },
        )

    return receiver
