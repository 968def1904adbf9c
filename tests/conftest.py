"""Shared fixtures: a unit tree, one user per role, an outsider.

Tree (codes as in ../shared/samples/units.csv, plus a sibling department):

    P01  UBND tỉnh Mẫu (agency)
    ├── P01-SNV  Sở Nội vụ
    │   └── P01-SNV-CCVC  Phòng Công chức viên chức
    ├── P01-SYT  Sở Y tế                       (sibling of P01-SNV)
    ├── P01-TTHCC  Trung tâm Phục vụ hành chính công tỉnh
    └── P01-XA01  UBND xã Hòa Bình
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hrms.models import Role
from hrms.roles import ensure_user, grant_role
from positions.models import OrgUnit
from tests.factories import make_unit

PASSWORD = "Mật-khẩu-thử-2026"


@pytest.fixture
def units(db) -> SimpleNamespace:
    root = make_unit("P01", "UBND tỉnh Mẫu", kind=OrgUnit.Kind.AGENCY)
    snv = make_unit("P01-SNV", "Sở Nội vụ", parent=root)
    ccvc = make_unit("P01-SNV-CCVC", "Phòng Công chức viên chức", parent=snv)
    syt = make_unit("P01-SYT", "Sở Y tế", parent=root)
    tthcc = make_unit(
        "P01-TTHCC",
        "Trung tâm Phục vụ hành chính công tỉnh",
        parent=root,
        kind=OrgUnit.Kind.SERVICE_CENTER,
    )
    xa = make_unit(
        "P01-XA01", "UBND xã Hòa Bình", parent=root, kind=OrgUnit.Kind.COMMUNE
    )
    for unit in (root, snv, ccvc, syt, tthcc, xa):
        unit.refresh_from_db()
    return SimpleNamespace(root=root, snv=snv, ccvc=ccvc, syt=syt, tthcc=tthcc, xa=xa)


def _user(username: str, role: str | None, unit, **grant):
    user = ensure_user(username=username, password=PASSWORD)
    if role:
        grant_role(user=user, role=role, unit=unit, **grant)
    return user


@pytest.fixture
def users(units) -> SimpleNamespace:
    """One user per role, granted where a real agency would grant them."""
    return SimpleNamespace(
        admin=_user("admin1", Role.ADMIN, units.root),
        hr=_user("hr1", Role.HR, units.snv),
        manager=_user("manager1", Role.MANAGER, units.ccvc),
        other_manager=_user("manager2", Role.MANAGER, units.syt),
        inspector=_user(
            "inspector1",
            Role.INSPECTOR,
            units.snv,
            valid_until=timezone.localdate() + dt.timedelta(days=90),
        ),
        counter=_user("counter1", Role.COUNTER, units.tthcc),
        staff=_user("staff1", Role.STAFF, units.ccvc),
        outsider=_user("outsider1", None, None),
    )


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate a suite that creates many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    # django-axes off: its own tests (tests/hrms/test_auth_security.py) turn it on.
    settings.AXES_ENABLED = False


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Let the flush after each transactional test truncate the append-only audit
    ledger (hrms migration 0002 refuses TRUNCATE unless this is on)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = "-c hrms.ledger_allow_truncate=on"
