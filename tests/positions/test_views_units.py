"""Unit screens: list, detail, create, edit (and moves) within the user's scope."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from positions.models import OrgUnit
from tests.factories import make_position, make_reference_data, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def _parent_code(code: str) -> str | None:
    parent = OrgUnit.objects.get_parent(_unit(code))
    return parent.code if parent else None


# List ----------------------------------------------------------------------


def test_unit_list_sends_anonymous_visitors_to_login(client):
    url = reverse("positions:unit_list")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_unit_list_shows_the_scope_and_offers_new_unit_to_hr(client, users):
    client.force_login(users.hr)
    response = client.get(reverse("positions:unit_list"))
    assertContains(response, "P01-SNV-CCVC")
    assertNotContains(response, "P01-SYT")
    assertContains(response, reverse("positions:unit_create"))


def test_unit_list_offers_no_new_unit_to_a_manager(client, users):
    client.force_login(users.manager)
    response = client.get(reverse("positions:unit_list"))
    assertContains(response, "P01-SNV-CCVC")
    assertNotContains(response, reverse("positions:unit_create"))


def test_unit_list_refuses_post(client, users):
    client.force_login(users.hr)
    assert client.post(reverse("positions:unit_list")).status_code == 405


# Detail --------------------------------------------------------------------


def test_unit_detail_sends_anonymous_visitors_to_login(client, units):
    url = reverse("positions:unit_detail", args=[units.snv.pk])
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_unit_detail_is_404_outside_the_scope(client, users, units):
    client.force_login(users.other_manager)
    url = reverse("positions:unit_detail", args=[units.snv.pk])
    assert client.get(url).status_code == 404


def test_unit_detail_lists_positions_and_links_the_report(client, users, units):
    position = make_position(units.snv, "SNV-CV", title="Chuyên viên tổ chức")
    client.force_login(users.hr)
    response = client.get(reverse("positions:unit_detail", args=[units.snv.pk]))
    assertContains(response, "Chuyên viên tổ chức")
    assertContains(response, reverse("positions:position_detail", args=[position.pk]))
    assertContains(
        response, reverse("positions:establishment_report") + "?unit=P01-SNV"
    )
    assertContains(response, reverse("positions:unit_update", args=[units.snv.pk]))


def test_unit_detail_is_read_only_for_a_manager(client, users, units):
    make_position(units.ccvc, "CCVC-CV", title="Chuyên viên quản lý công chức")
    client.force_login(users.manager)
    response = client.get(reverse("positions:unit_detail", args=[units.ccvc.pk]))
    assertContains(response, "Chuyên viên quản lý công chức")
    assertNotContains(response, reverse("positions:unit_update", args=[units.ccvc.pk]))
    assertNotContains(response, reverse("positions:position_create"))


# Create --------------------------------------------------------------------


def test_unit_create_sends_anonymous_visitors_to_login(client, db):
    url = reverse("positions:unit_create")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_unit_create_is_403_for_a_manager(client, users):
    client.force_login(users.manager)
    url = reverse("positions:unit_create")
    assert client.get(url).status_code == 403
    data = {"code": "X", "name": "X", "kind": "department", "parent_code": "P01-SNV"}
    assert client.post(url, data).status_code == 403
    assert not OrgUnit.objects.filter(code="X").exists()


def test_unit_create_adds_a_sub_unit_in_scope(client, users, units):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:unit_create"),
        {
            "code": "P01-SNV-TCBM",
            "name": "Phòng Tổ chức bộ máy",
            "kind": "department",
            "parent_code": "P01-SNV",
        },
    )
    unit = _unit("P01-SNV-TCBM")
    assertRedirects(response, unit.get_absolute_url())
    assert unit.name == "Phòng Tổ chức bộ máy"
    assert _parent_code("P01-SNV-TCBM") == "P01-SNV"
    units.snv.refresh_from_db()
    assert units.snv.numchild == 2


def test_unit_create_prefills_the_parent(client, users):
    client.force_login(users.hr)
    response = client.get(reverse("positions:unit_create") + "?parent=P01-SNV")
    assertContains(response, 'value="P01-SNV"')


def test_unit_create_refuses_a_parent_outside_the_scope(client, users):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:unit_create"),
        {"code": "P01-SYT-X", "name": "Phòng X", "kind": "department"}
        | {"parent_code": "P01-SYT"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent_code"]
    assert not OrgUnit.objects.filter(code="P01-SYT-X").exists()


def test_unit_create_needs_a_parent(client, users):
    client.force_login(users.admin)
    response = client.post(
        reverse("positions:unit_create"),
        {"code": "P02", "name": "UBND tỉnh khác", "kind": "agency"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent_code"]
    assert not OrgUnit.objects.filter(code="P02").exists()


def test_unit_create_refuses_a_duplicate_code(client, users):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:unit_create"),
        {"code": "P01-SYT", "name": "Trùng", "kind": "department"}
        | {"parent_code": "P01-SNV"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_unit_create_offers_the_codes_in_scope_without_a_select(client, users):
    client.force_login(users.hr)
    response = client.get(reverse("positions:unit_create"))
    page = response.content.decode()
    assert '<datalist id="unit-codes">' in page
    assert 'name="parent_code"' in page
    assert '<select name="parent_code"' not in page


# Update --------------------------------------------------------------------


def test_unit_update_sends_anonymous_visitors_to_login(client, units):
    url = reverse("positions:unit_update", args=[units.ccvc.pk])
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_unit_update_is_403_for_a_manager_in_scope(client, users, units):
    client.force_login(users.manager)
    url = reverse("positions:unit_update", args=[units.ccvc.pk])
    assert client.get(url).status_code == 403
    data = {"code": "P01-SNV-CCVC", "name": "Đổi tên", "kind": "department"}
    assert client.post(url, data | {"parent_code": "P01-SNV"}).status_code == 403
    assert _unit("P01-SNV-CCVC").name == "Phòng Công chức viên chức"


def test_unit_update_is_404_outside_the_scope(client, users, units):
    client.force_login(users.other_manager)
    url = reverse("positions:unit_update", args=[units.ccvc.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "x"}).status_code == 404


def test_unit_update_renames_a_unit(client, users, units):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:unit_update", args=[units.ccvc.pk]),
        {
            "code": "P01-SNV-CCVC",
            "name": "Phòng Công chức, viên chức",
            "kind": "department",
            "parent_code": "P01-SNV",
        },
    )
    assertRedirects(response, units.ccvc.get_absolute_url())
    assert _unit("P01-SNV-CCVC").name == "Phòng Công chức, viên chức"


def test_unit_update_keeps_a_scope_root_under_its_parent(client, users, units):
    """HR granted on P01-SNV may edit it although its parent P01 is out of scope."""
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:unit_update", args=[units.snv.pk]),
        {"code": "P01-SNV", "name": "Sở Nội vụ tỉnh", "kind": "department"}
        | {"parent_code": "P01"},
    )
    assertRedirects(response, units.snv.get_absolute_url())
    assert _unit("P01-SNV").name == "Sở Nội vụ tỉnh"
    assert _parent_code("P01-SNV") == "P01"


def test_unit_update_moves_a_unit_with_its_subtree(client, users, units):
    tcbm = make_unit("P01-SNV-TCBM", "Phòng Tổ chức bộ máy", parent=units.snv)
    team = make_unit("P01-SNV-CCVC-T1", "Tổ một", parent=units.ccvc)
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:unit_update", args=[units.ccvc.pk]),
        {"code": "P01-SNV-CCVC", "name": "Phòng Công chức viên chức"}
        | {"kind": "department", "parent_code": "P01-SNV-TCBM"},
    )
    assertRedirects(response, units.ccvc.get_absolute_url())
    assert _parent_code("P01-SNV-CCVC") == "P01-SNV-TCBM"
    assert _parent_code("P01-SNV-CCVC-T1") == "P01-SNV-CCVC"
    tcbm.refresh_from_db()
    team.refresh_from_db()
    assert team.path.startswith(tcbm.path)


def test_unit_update_refuses_a_move_under_a_descendant(client, users, units):
    client.force_login(users.admin)
    response = client.post(
        reverse("positions:unit_update", args=[units.snv.pk]),
        {"code": "P01-SNV", "name": "Sở Nội vụ", "kind": "department"}
        | {"parent_code": "P01-SNV-CCVC"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent_code"]
    assert _parent_code("P01-SNV") == "P01"


def test_unit_update_refuses_a_parent_outside_the_scope(client, users, units):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:unit_update", args=[units.ccvc.pk]),
        {"code": "P01-SNV-CCVC", "name": "Phòng Công chức viên chức"}
        | {"kind": "department", "parent_code": "P01-SYT"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent_code"]
    assert _parent_code("P01-SNV-CCVC") == "P01-SNV"
