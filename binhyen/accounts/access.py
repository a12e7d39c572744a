"""Which units a user may see. Every permission check by unit starts here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from binhyen.accounts.models import Membership, User
from binhyen.units.models import Unit

AnyUser = User | AnonymousUser


def _member_paths(user: AnyUser) -> list[str]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_binhyen_paths", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, unit__is_active=True).values_list(
                "unit__path", flat=True
            )
        )
        user._binhyen_paths = cached  # type: ignore[attr-defined]  # a per-request cache
    return cached


def sees_everything(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def unit_scope_q(user: AnyUser, prefix: str = "") -> Q:
    """A Q object selecting rows whose unit (at `prefix`) lies in the user's subtrees."""
    if sees_everything(user):
        return Q()
    paths = _member_paths(user)
    if not paths or not user.is_active:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def visible_units(user: AnyUser) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_scope_q(user))


def can_see_unit(user: AnyUser, unit: Unit) -> bool:
    if sees_everything(user):
        return True
    return any(unit.path.startswith(p) for p in _member_paths(user)) and user.is_active


def roles_in(user: AnyUser, unit: Unit) -> set[str]:
    """Roles the user holds in this unit or any unit above it."""
    if not user.is_authenticated:
        return set()
    ancestors = [p for p in _ancestor_paths(unit.path)]
    return set(
        Membership.objects.filter(user=user, unit__path__in=ancestors).values_list(
            "role", flat=True
        )
    )


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
