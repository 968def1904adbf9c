import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from hrms.models import LedgerEntry, Role, RoleGrant


def test_it_creates_the_user_and_grants_on_the_unit(units):
    call_command(
        "grant_role",
        "thanhtra",
        "inspector",
        "--unit",
        "P01-SNV",
        "--until",
        "2099-12-31",
        "--password",
        "Mật-khẩu-2026",
    )
    user = get_user_model().objects.get(username="thanhtra")
    assert user.check_password("Mật-khẩu-2026")
    grant = RoleGrant.objects.get(user=user)
    assert (grant.role, grant.unit, grant.valid_until) == (
        Role.INSPECTOR,
        units.snv,
        dt.date(2099, 12, 31),
    )


def test_grants_are_the_ledger_entries(units):
    call_command("grant_role", "hr9", "hr", "--unit", "P01-SNV")
    entry = LedgerEntry.objects.get(action="role.grant")
    assert '"unit":"P01-SNV"' in entry.payload
    assert '"user":"hr9"' in entry.payload


def test_without_unit_it_grants_on_the_root(units):
    call_command("grant_role", "admin9", "admin")
    assert RoleGrant.objects.get(user__username="admin9").unit == units.root


@pytest.mark.parametrize(
    "args, message",
    [
        (["x", "boss", "--unit", "P01"], "unknown role"),
        (["x", "hr", "--unit", "NOPE"], "unknown unit"),
        (["x", "hr", "--unit", "P01", "--until", "31/12/2099"], "YYYY-MM-DD"),
        (["x", "hr", "--unit", "P01", "--until", "2001-01-01"], "past"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(units, args, message):
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("grant_role", *args)
    assert not get_user_model().objects.filter(username="x").exists()
    assert not RoleGrant.objects.exists()
    assert not LedgerEntry.objects.exists()
