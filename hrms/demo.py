"""Demo logins: one user per role, granted where a real province would grant them."""

from django.contrib.auth import get_user_model

from hrms.models import Role, RoleGrant
from hrms.roles import ensure_user, grant_role

# username, role, unit code, password
DEMO_USERS = [
    ("admin", Role.ADMIN, "P01", "demo-admin-2026"),
    ("hr", Role.HR, "P01-SNV", "demo-hr-2026"),
    ("manager", Role.MANAGER, "P01-SNV-CCVC", "demo-manager-2026"),
    ("inspector", Role.INSPECTOR, "P01", "demo-inspector-2026"),
    ("counter", Role.COUNTER, "P01-TTHCC", "demo-counter-2026"),
    ("staff", Role.STAFF, "P01-SNV-CCVC", "demo-staff-2026"),
]


def seed(ctx) -> None:
    User = get_user_model()
    for username, role, unit_code, password in DEMO_USERS:
        user = ensure_user(username=username, password=password)
        if role == Role.ADMIN and not user.is_superuser:
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        unit = ctx.units[unit_code]
        if not RoleGrant.objects.active().filter(user=user, role=role, unit=unit):
            grant_role(user=user, role=role, unit=unit)
        ctx.logins.append((username, password, role.label, unit_code))
