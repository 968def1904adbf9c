"""Every URL of the project × every role × in and out of scope (DESIGN.md §2).

The expectations live in tests/security/matrix.py; the records and users in
tests/security/conftest.py. Each case also checks that the request changed no
data (an inspector's read may only add its access-log row), and that a page a
role user of SEC-A sees names no record of SEC-B.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hrms.models import AccessLog
from tests.security import matrix
from tests.security.matrix import (
    ADMIN_LOGIN,
    LOGIN,
    MATRIX,
    PRINCIPALS,
    REDIRECT,
    WRITE,
    Entry,
    expected,
)

WRITE_STATUSES = {200, 204, 302, 400}
# The methods that may change data.
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


# The URL names ---------------------------------------------------------------


def _walk(patterns, namespace: tuple[str, ...] = (), prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name or f"<unnamed {route}>"
            yield ":".join((*namespace, name)), route


def url_names() -> set[str]:
    """Every resolvable URL name; the back office counts as one, "admin"."""
    names = set()
    for name, _route in _walk(get_resolver().url_patterns):
        names.add("admin" if name.startswith("admin:") else name)
    return names


def test_every_url_has_an_entry():
    missing = sorted(url_names() - set(MATRIX))
    assert not missing, f"URLs without an entry in tests/security/matrix.py: {missing}"


def test_every_entry_is_a_url():
    assert not sorted(set(MATRIX) - url_names())


# Requests ------------------------------------------------------------------


def _url(world, name: str, entry: Entry, scope: str) -> str:
    if entry.path:
        return entry.path
    kwargs, query = dict(entry.kwargs), {}
    if entry.obj:
        built, query = matrix.BUILDERS[entry.obj](world, scope)
        kwargs.update(built)
    url = reverse(name, kwargs=kwargs or None)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _client(sessions, principal: str) -> Client:
    client = Client()
    if principal != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[principal]
    return client


def _send(client: Client, method: str, name: str, url: str):
    if method == "GET":
        return client.get(url)
    if name.startswith("api:"):
        return client.generic(method, url, "{}", content_type="application/json")
    return client.generic(
        method, url, "", content_type="application/x-www-form-urlencoded"
    )


def _changes() -> int:
    """Rows written so far by this connection, less access-log and session rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_user_tables "
                "WHERE relname NOT IN ('hrms_accesslog', 'django_session')"
            )
            return int(cursor.fetchone()[0])
        cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0] - AccessLog.objects.count()


def _describe(response) -> str:
    where = response.get("Location", "")
    return f"{response.status_code}{' → ' + where if where else ''}"


def _matches(response, outcome) -> bool:
    status, location = response.status_code, response.get("Location", "")
    login = resolve_url(settings.LOGIN_URL)
    if outcome == LOGIN:
        return status == 302 and location.startswith(login)
    if outcome == ADMIN_LOGIN:
        return status == 302 and location.startswith(reverse("admin:login"))
    if outcome == WRITE:
        return status in WRITE_STATUSES and not location.startswith(login)
    if outcome == REDIRECT:
        return status == 302 and not location.startswith(login)
    return status == outcome


def _wrong_method(entry: Entry, method: str) -> bool:
    return entry.methods not in (method, "BOTH")


# The method check comes from a decorator, whoever asks: one role user and the
# anonymous visitor (who must meet the login first) are enough for it.
METHOD_CHECKERS = ("anonymous", "hr")


OTHER_UNIT = "SEC-B"
# What names a record of SEC-B on a page: the codes of its records start with
# "SEC-B-", and the unit is "Sở B" (the bare code may be an echoed filter).
OTHER_UNIT_MARKS = (b"SEC-B-", "Sở B".encode())
LEAK_CHECKED_TYPES = ("text/html", "application/json")


def _leaks(entry: Entry, principal: str, scope: str, response) -> bool:
    """Whether a page a role user of SEC-A sees names a record of SEC-B."""
    if principal not in matrix.ROLES or scope == "out" or entry.anon == matrix.OK:
        return False
    if response.status_code != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith(LEAK_CHECKED_TYPES):
        return False
    return any(mark in response.content for mark in OTHER_UNIT_MARKS)


def _methods(name: str, entry: Entry, principal: str, scope: str) -> list[str]:
    """The methods a case sends, a known issue's last."""
    sent = []
    for method in matrix.methods(entry):
        if _wrong_method(entry, method) and (
            principal not in METHOD_CHECKERS or scope == "out"
        ):
            continue
        want = expected(entry, principal, scope, method)
        if entry.acts_when_empty and want == WRITE:
            continue
        sent.append(method)
    return sorted(sent, key=lambda m: bool(_issue(name, principal, scope, m)))


def _issue(name: str, principal: str, scope: str, method: str) -> str | None:
    return None if scope == "out" else matrix.known_issue(name, principal, method)


def _cases():
    for name, entry in MATRIX.items():
        for principal in PRINCIPALS:
            for scope in matrix.scopes(entry):
                methods = _methods(name, entry, principal, scope)
                if not methods:
                    continue
                issues = [_issue(name, principal, scope, m) for m in methods]
                reason = next((issue for issue in issues if issue), None)
                yield pytest.param(
                    name,
                    principal,
                    scope,
                    id=f"{name}-{principal}-{scope}",
                    marks=[pytest.mark.xfail(reason=reason, strict=True)]
                    if reason
                    else [],
                )


@pytest.mark.parametrize(("name", "principal", "scope"), list(_cases()))
def test_permission_matrix(world, sessions, db, name, principal, scope):
    """GET, then POST (empty), as `principal` on the record of `scope`."""
    entry = MATRIX[name]
    url = _url(world, name, entry, scope)
    client = _client(sessions, principal)
    failures = []
    for method in _methods(name, entry, principal, scope):
        want = expected(entry, principal, scope, method)
        before = _changes()
        response = _send(client, method, name, url)
        if not _matches(response, want):
            failures.append(f"{method}: expected {want}, got {_describe(response)}")
        elif not entry.account and _changes() != before:
            failures.append(f"{method}: changed data")
        elif _leaks(entry, principal, scope, response):
            failures.append(f"{method}: shows a record of {OTHER_UNIT}")
    assert not failures, f"{principal} on {url} ({scope} scope): {failures}"


# Inspectors ----------------------------------------------------------------


def _object_pages():
    for name, entry in MATRIX.items():
        if entry.anon == matrix.OK:
            continue  # a public page: no inspector's read
        if entry.obj and expected(entry, "inspector", "in", "GET") == matrix.OK:
            yield pytest.param(name, id=name)


@pytest.mark.parametrize("name", list(_object_pages()))
def test_every_record_an_inspector_opens_is_logged(world, sessions, db, name):
    entry = MATRIX[name]
    url = _url(world, name, entry, "in")
    client = _client(sessions, "inspector")
    before = AccessLog.objects.filter(user=world.users["inspector"]).count()
    response = client.get(url)
    assert response.status_code == 200
    after = AccessLog.objects.filter(user=world.users["inspector"]).count()
    assert after > before, f"inspector's GET {url} left no access-log row"


def _inspector_writes():
    for name, entry in MATRIX.items():
        if entry.account or entry.skip_post or "inspector" in entry.own_writers:
            continue
        issues = [matrix.known_issue(name, "inspector", m) for m in UNSAFE]
        reason = next((issue for issue in issues if issue), None)
        yield pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(reason=reason, strict=True)] if reason else [],
        )


@pytest.mark.parametrize("name", list(_inspector_writes()))
def test_inspectors_write_nothing(world, sessions, db, name):
    """Inspectors only read: every unsafe method on a record of their scope is
    refused (403), or is not a method of the page (405)."""
    entry = MATRIX[name]
    url = _url(world, name, entry, "in" if entry.obj else "-")
    client = _client(sessions, "inspector")
    failures = []
    for method in UNSAFE:
        before = _changes()
        response = _send(client, method, name, url)
        if response.status_code not in (403, 405):
            failures.append(f"{method}: got {_describe(response)}")
        elif _changes() != before:
            failures.append(f"{method}: changed data")
    assert not failures, f"inspector on {url}: {failures}"


# Tampering -------------------------------------------------------------------

# URLs naming two records: a record of SEC-B under a parent of SEC-A.
MIXED = {
    "staff:discipline_case_end_suspension": lambda w: {
        "pk": w.obj("discipline_case", "in").pk,
        "suspension_pk": w.obj("suspension", "out").pk,
    },
    "recruitment:drive_vacancy_remove": lambda w: {
        "pk": w.obj("drive", "in").pk,
        "vacancy_pk": w.obj("drive_vacancy", "out").pk,
    },
    "recruitment:council_member_replace": lambda w: {
        "pk": w.obj("drive", "in").pk,
        "member_pk": w.obj("council_member", "out").pk,
    },
}


@pytest.mark.parametrize("name", sorted(MIXED))
def test_a_record_of_another_unit_under_one_of_mine_is_404(world, sessions, db, name):
    url = reverse(name, kwargs=MIXED[name](world))
    client = _client(sessions, "hr")
    before = _changes()
    for method in ("GET", "POST") if MATRIX[name].methods == "BOTH" else ("POST",):
        response = _send(client, method, name, url)
        assert response.status_code == 404, f"{method} {url}: {_describe(response)}"
    assert _changes() == before


def _screens():
    for name, entry in MATRIX.items():
        if entry.obj is None and not entry.account and entry.anon != matrix.OK:
            if expected(entry, "hr", "-", "GET") == matrix.OK:
                yield pytest.param(name, id=name)


@pytest.mark.parametrize("name", list(_screens()))
def test_a_filter_on_another_unit_shows_nothing_of_it(world, sessions, db, name):
    """?unit=SEC-B on a screen of HR's: a 404, or a page without SEC-B's records."""
    url = reverse(name) + f"?unit={OTHER_UNIT}"
    response = _client(sessions, "hr").get(url)
    assert response.status_code in (200, 404), _describe(response)
    assert not _leaks(MATRIX[name], "hr", "-", response), url


# A staff member's own file -----------------------------------------------------

OWN_FILE = {
    "staff:employee_detail": 200,
    "staff:employee_pdf": 200,
    "staff:employee_edit": 403,
    "staff:employee_assign": 403,
    "staff:discipline_case_create": 403,
    "staff:raise_record": 403,
}


@pytest.mark.parametrize("name", sorted(OWN_FILE))
def test_a_staff_member_reads_their_own_file_and_changes_nothing(
    world, sessions, db, name
):
    url = reverse(name, kwargs={"pk": world.obj("employee", "own").pk})
    response = _client(sessions, "staff").get(url)
    assert response.status_code == OWN_FILE[name], _describe(response)
