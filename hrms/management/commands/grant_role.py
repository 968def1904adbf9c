from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hrms.models import Role
from hrms.roles import ensure_user, grant_role
from positions.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Grant ROLE to USERNAME over a unit's subtree (creating the user if missing). "
        "Without --unit the grant covers the single root unit."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help=", ".join(Role.values))
        parser.add_argument("--unit", help="unit code (default: the root unit)")
        parser.add_argument("--until", help="last day of the grant, YYYY-MM-DD")
        parser.add_argument("--password", help="password for a newly created user")

    def handle(self, *args, username, role, unit, until, password, **options):
        if role not in Role.values:
            raise CommandError(
                f"unknown role {role!r}; choose one of: {', '.join(Role.values)}"
            )
        target = self._unit(unit)
        valid_until = self._date(until)
        with transaction.atomic():
            user = ensure_user(username=username, password=password)
            try:
                grant_role(user=user, role=role, unit=target, valid_until=valid_until)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        until_text = f" until {valid_until:%d/%m/%Y}" if valid_until else ""
        self.stdout.write(f"granted {role} on {target.code} to {username}{until_text}")

    def _unit(self, code: str | None) -> OrgUnit:
        if code:
            try:
                return OrgUnit.objects.get(code=code)
            except OrgUnit.DoesNotExist:
                raise CommandError(f"unknown unit {code!r}") from None
        roots = list(OrgUnit.objects.get_root_nodes()[:2])
        if len(roots) != 1:
            raise CommandError("name the unit with --unit CODE (no single root unit)")
        return roots[0]

    def _date(self, text: str | None) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--until must be YYYY-MM-DD, got {text!r}") from None
