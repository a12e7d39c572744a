"""Which units a user may see, and what each role may do there.

Every permission check by unit starts here. A membership (user × unit × role) grants the
role's capabilities over that unit's whole subtree; a superuser holds every capability
everywhere. `docs/security.md` has the same table in words.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from binhyen.accounts.models import Membership, Role, User
from binhyen.units.models import Unit

AnyUser = User | AnonymousUser


class Cap(StrEnum):
    """What a role allows over a unit subtree."""

    CASE_READ = "case.read"  # cases, their messages, files, timeline, held tips, live events
    CASE_WORK = "case.work"  # reply, workflow actions, dispatch, outcome, triage, held tips
    CASE_BULK_READ = "case.bulk_read"  # list the whole subtree's cases over the API
    CASE_EXPORT = "case.export"  # CSV exports (never identity data)
    AUDIT_READ = "audit.read"  # the audit log of the subtree
    DUTY_MANAGE = "duty.manage"  # the duty roster
    ACCOUNTS_MANAGE = "accounts.manage"  # staff accounts, roles and 2FA resets (admin site)
    KNOWLEDGE_EDIT = "knowledge.edit"  # write procedure entries, see unanswered questions
    KNOWLEDGE_APPROVE = "knowledge.approve"  # approve (publish) entries, auto-answer setting


ROLE_CAPS: dict[str, frozenset[Cap]] = {
    # Works the unit inbox: reads and handles cases; lists over the API only their own.
    Role.OFFICER: frozenset({Cap.CASE_READ, Cap.CASE_WORK}),
    # Assigns, approves, sees the unit's clocks, exports and audit log.
    Role.COMMANDER: frozenset(
        {
            Cap.CASE_READ,
            Cap.CASE_WORK,
            Cap.CASE_BULK_READ,
            Cap.CASE_EXPORT,
            Cap.AUDIT_READ,
            Cap.DUTY_MANAGE,
            Cap.KNOWLEDGE_EDIT,
            Cap.KNOWLEDGE_APPROVE,
        }
    ),
    # The 24/7 desk: every urgent item live, acknowledges, escalates, keeps the roster.
    Role.DUTY: frozenset({Cap.CASE_READ, Cap.CASE_WORK, Cap.CASE_BULK_READ, Cap.DUTY_MANAGE}),
    # Links footage to cases: reads cases, changes nothing.
    Role.CAMERA: frozenset({Cap.CASE_READ}),
    # Writes posts and procedure entries for the unit's page: no case data at all.
    Role.EDITOR: frozenset({Cap.KNOWLEDGE_EDIT}),
    # Province command: the whole picture, exports and the audit log.
    Role.COMMAND: frozenset(
        {
            Cap.CASE_READ,
            Cap.CASE_WORK,
            Cap.CASE_BULK_READ,
            Cap.CASE_EXPORT,
            Cap.AUDIT_READ,
            Cap.DUTY_MANAGE,
            Cap.KNOWLEDGE_EDIT,
            Cap.KNOWLEDGE_APPROVE,
        }
    ),
    # Units, pages, accounts and roles; reads the audit log; never citizens' reports.
    Role.ADMIN: frozenset({Cap.ACCOUNTS_MANAGE, Cap.AUDIT_READ, Cap.DUTY_MANAGE}),
}


def roles_with(cap: Cap) -> list[str]:
    return sorted(str(role) for role, caps in ROLE_CAPS.items() if cap in caps)


def _member_paths(user: AnyUser, cap: Cap = Cap.CASE_READ) -> list[str]:
    """The unit paths where the user holds a role granting `cap` (cached per request)."""
    if not user.is_authenticated:
        return []
    cache: dict[Cap, list[str]] | None = getattr(user, "_binhyen_paths", None)
    if cache is None:
        cache = {}
        user._binhyen_paths = cache  # type: ignore[attr-defined]  # a per-request cache
    if cap not in cache:
        cache[cap] = sorted(
            set(
                Membership.objects.filter(
                    user=user, unit__is_active=True, role__in=roles_with(cap)
                ).values_list("unit__path", flat=True)
            )
        )
    return cache[cap]


def sees_everything(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def unit_scope_q(user: AnyUser, prefix: str = "", cap: Cap = Cap.CASE_READ) -> Q:
    """A Q object selecting rows whose unit (at `prefix`) lies in a subtree where the user
    holds `cap` (by default: may read cases)."""
    if sees_everything(user):
        return Q()
    paths = _member_paths(user, cap)
    if not paths or not user.is_active:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def visible_units(user: AnyUser, cap: Cap = Cap.CASE_READ) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_scope_q(user, cap=cap))


def can_see_unit(user: AnyUser, unit: Unit) -> bool:
    return has_cap(user, unit, Cap.CASE_READ)


def has_cap(user: AnyUser, unit: Unit, cap: Cap) -> bool:
    """May the user do `cap` in this unit (a role granting it here or above)?"""
    if sees_everything(user):
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    return any(unit.path.startswith(p) for p in _member_paths(user, cap))


def has_cap_anywhere(user: AnyUser, cap: Cap) -> bool:
    return sees_everything(user) or bool(user.is_active and _member_paths(user, cap))


def _memberships(user: AnyUser) -> list[tuple[str, str]]:
    """(unit path, role) of every membership of the user (cached per request): pages that
    ask about many units (the league, the duty desk) stay at one query."""
    cached: list[tuple[str, str]] | None = getattr(user, "_binhyen_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user.pk).values_list("unit__path", "role"))
        user._binhyen_memberships = cached  # type: ignore[union-attr]  # a per-request cache
    return cached


def roles_in(user: AnyUser, unit: Unit) -> set[str]:
    """Roles the user holds in this unit or any unit above it."""
    if not user.is_authenticated:
        return set()
    ancestors = set(_ancestor_paths(unit.path))
    return {role for path, role in _memberships(user) if path in ancestors}


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def home_unit(user: AnyUser) -> Unit | None:
    """The unit shown in the console header: the highest one the user belongs to."""
    if not user.is_authenticated:
        return None
    m = Membership.objects.filter(user=user).select_related("unit").order_by("unit__path").first()
    if m is not None:
        return m.unit
    if sees_everything(user):
        return Unit.objects.filter(parent__isnull=True).order_by("path").first()
    return None


def assignable_users(case: object) -> QuerySet[User]:
    """Officers who may take a case: members of its unit or of a unit above it."""
    unit = case.unit  # type: ignore[attr-defined]
    return (
        User.objects.filter(is_active=True, memberships__unit__path__in=_ancestor_paths(unit.path))
        .distinct()
        .order_by("full_name", "username")
    )


def transfer_targets(user: AnyUser, case: object) -> QuerySet[Unit]:
    """Units a case may be sent to: any unit the user sees, and the units above it."""
    unit = case.unit  # type: ignore[attr-defined]
    return (
        Unit.objects.filter(unit_scope_q(user) | Q(path__in=_ancestor_paths(unit.path)))
        .exclude(pk=unit.pk)
        .filter(is_active=True)
        .order_by("path")
    )
