"""Who receives an event: the unit-subtree rule and the optional role filter, with the
audience read from a real console session."""

from __future__ import annotations

from binhyen.accounts.models import Role
from binhyen.accounts.services import staff_upsert
from binhyen.live.auth import audience_for_session
from binhyen.live.events import stamp
from binhyen.live.hub import Hub
from binhyen.live.tests.conftest import session_cookie
from binhyen.testing import PASSWORD


def receivers(world, unit, roles=None, users=None) -> set[str]:
    """Usernames whose stream receives one event about `unit`."""
    users = users or [
        world.duty,
        world.province_officer,
        world.commander_bmt,
        world.officer_bmt,
        world.officer_tanan,
        world.outsider,
    ]
    hub = Hub()
    streams = {}
    for user in users:
        audience = audience_for_session(session_cookie(user))
        assert audience is not None
        streams[user.username], _ = hub.attach(audience, None)
    hub.publish(stamp(unit.path, "case.new", {"code": "TB-1"}, frozenset(roles) if roles else None))
    return {name for name, stream in streams.items() if stream.pending}


def test_commune_officer_does_not_receive_another_communes_event(world):
    got = receivers(world, world.tanan)
    assert "officer.tanan" in got
    assert "officer.bmt" not in got
    assert "commander.bmt" not in got


def test_province_duty_officer_receives_every_communes_event(world):
    for unit in (world.bmt, world.tanan, world.province):
        assert "duty" in receivers(world, unit)


def test_event_about_the_province_reaches_only_province_staff(world):
    assert receivers(world, world.province) == {"duty", "province.officer"}


def test_user_without_membership_receives_nothing(world):
    assert "outsider" not in receivers(world, world.bmt)


def test_role_filter_reaches_only_holders_of_the_role_above_or_at_the_unit(world):
    got = receivers(world, world.bmt, roles={Role.DUTY, Role.COMMANDER})
    assert got == {"duty", "commander.bmt"}


def test_superuser_sees_every_unit_but_role_targeted_events_need_the_role(world):
    admin = staff_upsert(username="admin", password=PASSWORD, full_name="Admin", memberships=[])
    admin.is_superuser = True
    admin.save()
    assert receivers(world, world.tanan, users=[admin]) == {"admin"}
    assert receivers(world, world.tanan, roles={Role.DUTY}, users=[admin]) == set()


def test_session_of_inactive_user_or_unknown_key_has_no_audience(world):
    key = session_cookie(world.officer_bmt)
    world.officer_bmt.is_active = False
    world.officer_bmt.save()
    assert audience_for_session(key) is None
    assert audience_for_session("not-a-session") is None
    assert audience_for_session(None) is None


def test_session_is_void_after_password_change(world):
    key = session_cookie(world.officer_bmt)
    world.officer_bmt.set_password("another-password-456")
    world.officer_bmt.save()
    assert audience_for_session(key) is None
