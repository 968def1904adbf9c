"""The one scope policy: subtree grants, expiry, 404 outside, 403 when not allowed."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from hrms import policy
from hrms.models import AccessLog, Role, RoleGrant
from hrms.roles import ensure_user, grant_role, revoke_role
from positions.models import OrgUnit


def _codes(user, **kwargs):
    qs = policy.scope(user, OrgUnit.objects.all(), unit_field="", **kwargs)
    return sorted(qs.values_list("code", flat=True))


def test_it_covers_the_granted_unit_and_its_whole_subtree(users, units):
    assert _codes(users.hr) == ["P01-SNV", "P01-SNV-CCVC"]
    assert _codes(users.admin) == sorted(
        ["P01", "P01-SNV", "P01-SNV-CCVC", "P01-SYT", "P01-TTHCC", "P01-XA01"]
    )


def test_it_gives_an_outsider_nothing(users):
    assert _codes(users.outsider) == []


def test_it_filters_by_role(users, units):
    grant_role(user=users.manager, role=Role.COUNTER, unit=units.tthcc)
    assert _codes(users.manager, roles={Role.MANAGER}) == ["P01-SNV-CCVC"]
    assert _codes(users.manager) == ["P01-SNV-CCVC", "P01-TTHCC"]


def test_it_keeps_the_subtree_after_a_unit_moves(users, units):
    OrgUnit.objects.move(units.ccvc, units.syt, pos="sorted-child")
    users.hr.refresh_from_db()
    manager = type(users.manager).objects.get(pk=users.manager.pk)
    assert _codes(manager) == ["P01-SNV-CCVC"]
    hr = type(users.hr).objects.get(pk=users.hr.pk)
    assert _codes(hr) == ["P01-SNV"]


def test_an_expired_grant_gives_nothing(users, units):
    today = timezone.localdate()
    with time_machine.travel(today + dt.timedelta(days=91)):
        inspector = type(users.inspector).objects.get(pk=users.inspector.pk)
        assert _codes(inspector) == []


def test_a_revoked_grant_gives_nothing(users):
    grant = RoleGrant.objects.get(user=users.hr, role=Role.HR)
    revoke_role(grant=grant, revoked_by=users.admin)
    assert _codes(users.hr) == []
    assert not users.hr.has_perm("positions.role_hr", grant.unit)


def test_grants_mirror_guardian_object_permissions(users, units):
    hr = type(users.hr).objects.get(pk=users.hr.pk)
    assert hr.has_perm("positions.role_hr", units.snv)
    assert not hr.has_perm("positions.role_hr", units.syt)


def test_a_subscope_query_is_one_query_at_any_depth(
    users, units, django_assert_num_queries
):
    deep = units.ccvc
    for level in range(6):
        deep = OrgUnit.objects.add_child(
            deep, {"code": f"DEEP-{level}", "name": f"Cấp {level}"}
        )
    hr = type(users.hr).objects.get(pk=users.hr.pk)
    policy.active_grants(hr)
    with django_assert_num_queries(1):
        codes = _codes(hr)
    assert "DEEP-5" in codes


@pytest.mark.parametrize(
    "who, unit, status",
    [
        ("manager", "ccvc", 200),
        ("manager", "syt", 404),  # a sibling unit's page is outside the scope
        ("manager", "snv", 404),  # the parent is outside the scope too
        ("hr", "ccvc", 200),
        ("outsider", "ccvc", 404),
        ("admin", "syt", 200),
    ],
)
def test_unit_pages_are_404_outside_the_scope(client, users, units, who, unit, status):
    client.force_login(getattr(users, who))
    response = client.get(
        reverse("positions:unit_detail", args=[getattr(units, unit).pk])
    )
    assert response.status_code == status


def test_an_expired_inspector_sees_nothing(client, users, units):
    today = timezone.localdate()
    with time_machine.travel(today + dt.timedelta(days=91)):
        client.force_login(users.inspector)
        response = client.get(reverse("positions:unit_detail", args=[units.snv.pk]))
        assert response.status_code == 404
        listing = client.get(reverse("positions:unit_list"))
        assert "P01-SNV" not in listing.content.decode()


def test_every_record_an_inspector_opens_is_logged(client, users, units):
    client.force_login(users.inspector)
    url = reverse("positions:unit_detail", args=[units.ccvc.pk])
    assert client.get(url).status_code == 200
    entry = AccessLog.objects.get()
    assert entry.user == users.inspector
    assert entry.object_id == str(units.ccvc.pk)
    assert entry.path == url


def test_other_roles_reads_are_not_logged(client, users, units):
    client.force_login(users.hr)
    client.get(reverse("positions:unit_detail", args=[units.ccvc.pk]))
    assert not AccessLog.objects.exists()


def test_the_access_log_is_for_admins(client, users):
    client.force_login(users.hr)
    assert client.get(reverse("access_log")).status_code == 403
    client.force_login(users.admin)
    assert client.get(reverse("access_log")).status_code == 200


def test_a_superusers_scope_survives_being_ored_with_another_condition(units):
    """`unit_q(...) | Q(owner=...)` must not shrink to the second condition."""
    root = ensure_user(username="root1", password="x", is_superuser=True)
    everything = policy.unit_q(root, unit_field="")
    assert OrgUnit.objects.filter(everything | Q(code="none")).count() == (
        OrgUnit.objects.count()
    )
