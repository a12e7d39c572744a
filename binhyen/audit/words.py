"""Audit entries read as words: what was touched ("Tin báo TB-7K2M-Q4PD", not
`cases.case #4`) and the details an officer can read ("Từ: Công an tỉnh Đắk Lắk · Đến:
Công an phường Buôn Ma Thuột · Tự động: có", not `from: 66 to: 24133 automatic: True`).

The raw keys and values stay on the entry (they are what the chain signs); the log page
shows them to administrators behind "Chi tiết kỹ thuật".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from binhyen.accounts.models import Role
from binhyen.audit.models import AuditEntry
from binhyen.units.models import Unit

LABELS = {
    "from": "Từ",
    "to": "Đến",
    "automatic": "Tự động",
    "role": "Vai trò",
    "source": "Tin gốc",
    "new": "Tin mới",
    "primary": "Tin giữ lại",
    "duplicate": "Tin trùng",
    "reason": "Lý do",
    "verb": "Thao tác",
    "channel": "Qua",
    "rows": "Số dòng",
    "format": "Định dạng",
    "unit_code": "Đơn vị",
    "username": "Tài khoản",
    "case_code": "Tin báo",
    "recovery_codes": "Số mã khôi phục",
    "renewed": "Cấp lại",
    "throttled": "Bị giới hạn tần suất",
    "devices_removed": "Số thiết bị bị gỡ",
    "change": "Thay đổi",
    "kind": "Loại",
    "is_superuser": "Quyền quản trị tối cao",
    "is_staff": "Quyền vào trang quản trị",
    "is_active": "Đang hoạt động",
}
# Keys that only make sense to a developer (row ids, hashes, key ids): technical view only.
TECHNICAL = {
    "membership_id",
    "user_id",
    "token_user_id",
    "identity_id",
    "ids",
    "page",
    "contact",
    "key_id",
    "legacy_head",
    "columns",
    "reverse",
    "op",
    "prefix",
    "username_known",
}
UNIT_KEYS = {"from", "to", "unit_code"}
VALUES = {
    "verb": {"read": "xem", "work": "xử lý", "export": "xuất dữ liệu"},
    "channel": {"page": "trang cán bộ", "api": "API", "admin": "trang quản trị", "export": "xuất"},
    "change": {
        "membership_added": "giao vai trò",
        "membership_changed": "sửa vai trò",
        "membership_removed": "thu hồi vai trò",
        "account_created": "tạo tài khoản",
        "account_flags": "đổi quyền tài khoản",
    },
    "reason": {"role": "vai trò không cho phép", "outside_scope": "ngoài đơn vị được giao"},
}
NOUNS = {"cases.case": "Tin báo", "accounts.user": "Tài khoản", "units.unit": "Đơn vị"}
ROLE_LABELS = {str(v): str(label) for v, label in Role.choices}


@dataclass
class Reading:
    """One audit entry, in words: its target and its details."""

    target: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)


def _value(key: str, value: Any, unit_names: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, bool) for v in value):  # [old, new] flags
            return f"{_value(key, value[0], unit_names)} → {_value(key, value[1], unit_names)}"
        return ", ".join(_value(key, v, unit_names) for v in value)
    text = str(value)
    if key in UNIT_KEYS and text in unit_names:
        return unit_names[text]
    if key == "role":
        return ROLE_LABELS.get(text, text)
    return VALUES.get(key, {}).get(text, text)


def _targets(entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """'Tin báo TB-…', 'Tài khoản canbo.cumgar', 'Đơn vị Công an xã …': one query per type."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        if e.target_type:
            wanted[e.target_type].add(e.target_id)
    out: dict[tuple[str, str], str] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        noun = NOUNS.get(label) or str(model._meta.verbose_name)
        noun = noun[:1].upper() + noun[1:]
        name_field = ""
        for candidate in ("code", "username", "name"):
            try:
                model._meta.get_field(candidate)
            except FieldDoesNotExist:
                continue
            name_field = candidate
            break
        names: dict[str, str] = {}
        if name_field:
            pks = [i for i in ids if i.isdigit()]
            for pk, name in model._default_manager.filter(pk__in=pks).values_list("pk", name_field):
                names[str(pk)] = str(name)
        for i in ids:
            out[(label, i)] = f"{noun} {names[i]}" if i in names else noun
    return out


def readings(entries: Iterable[AuditEntry]) -> dict[int, Reading]:
    """Each entry's reading, keyed by its seq (a page of the log at a time)."""
    entries = list(entries)
    codes = {
        str(v)
        for e in entries
        for k, v in (e.details or {}).items()
        if k in UNIT_KEYS and isinstance(v, str)
    }
    unit_names = (
        dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    )
    targets = _targets(entries)
    out: dict[int, Reading] = {}
    for e in entries:
        reading = Reading(target=targets.get((e.target_type, e.target_id), ""))
        for key, value in (e.details or {}).items():
            if key in TECHNICAL or key not in LABELS:
                continue
            reading.details.append((LABELS[key], _value(key, value, unit_names)))
        out[e.seq] = reading
    return out
