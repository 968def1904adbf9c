import getpass
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hrms import privacy
from hrms.importing import ImportFileError, get_resource, resource_names, run_export


class Command(BaseCommand):
    help = (
        "Export a resource to a .csv (UTF-8) or .xlsx file, in the columns import_data "
        "reads; cells a spreadsheet would run as formulas get a leading apostrophe. "
        "An export of personal data (staff, ratings, …) is recorded in the access log."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("resource", help="One of: " + ", ".join(resource_names()))
        parser.add_argument("file", help="Where to write: a .csv or .xlsx path.")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Who is exporting, for the access log (default: the user named "
            "like the operating-system login, else the inactive 'system' account).",
        )

    def handle(self, *args, **options) -> None:
        name, path = options["resource"], options["file"]
        user = self._user(options["user"]) if options["user"] else None
        try:
            count = run_export(name, path)
        except ImportFileError as exc:
            self.stderr.write(exc.message)
            sys.exit(2)
        if privacy.holds_personal_data(get_resource(name)._meta.model):
            privacy.log_export(
                user=user or self._user(None),
                role="command",
                name=name,
                rows=count,
                where=f"export_data {name} {Path(path).resolve()} (login {_login()})",
            )
        self.stdout.write(f"exported={count}")

    def _user(self, username: str | None):
        users = get_user_model().objects
        if username:
            try:
                return users.get(username=username)
            except users.model.DoesNotExist:
                raise CommandError(f"unknown user {username!r}", returncode=2) from None
        return users.filter(username=_login()).first() or privacy.system_user()


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "?"
