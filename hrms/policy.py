"""The one scope policy (DESIGN.md §2): who may see which records, and do what.

A grant gives a role over a unit's whole subtree until its end date. Every view,
export, PDF and API endpoint asks this module:

* `scope(user, queryset, roles=..., unit_field=...)` narrows a queryset to the
  records of units the user covers with one of the roles (list pages, exports);
* `get_in_scope_or_404(...)` fetches one record or raises 404 when it is outside
  the scope, and logs the read when it comes through an inspector grant;
* `has_role_on(user, unit, roles)` answers "may this user do X here" for the
  `can_<verb>_<noun>` predicates in each app's permissions.py (403 when not).

Grants are read once per request and cached on the user object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from hrms.models import AccessLog, Role, RoleGrant

ALL_ROLES = frozenset(Role.values)
# Roles that only read; a record they open is written to the access log.
AUDITED_ROLES = frozenset({Role.INSPECTOR})
_CACHE_ATTR = "_hrms_scope_grants"


@dataclass(frozen=True)
class ScopeGrant:
    role: str
    unit_id: int
    path: str


def active_grants(user) -> tuple[ScopeGrant, ...]:
    """The user's grants in force today (one query, then cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        rows = (
            RoleGrant.objects.active()
            .filter(user_id=user.pk, user__is_active=True)
            .values_list("role", "unit_id", "unit__path")
        )
        cached = tuple(ScopeGrant(role, unit_id, path) for role, unit_id, path in rows)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user) -> None:
    """Drop the cached grants after a grant or revocation changed them."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def roles_of(user) -> set[str]:
    """Every role the user holds somewhere (superusers hold admin everywhere)."""
    roles = {grant.role for grant in active_grants(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return roles


def _paths(user, roles: Iterable[str]) -> list[str] | None:
    """Granted subtree roots for these roles; None means "everything" (superuser)."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return None
    wanted = set(roles)
    paths = sorted({g.path for g in active_grants(user) if g.role in wanted})
    # A path below another granted path adds nothing: keep the query short.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in kept):
            kept.append(path)
    return kept


def unit_q(user, *, roles: Iterable[str] = ALL_ROLES, unit_field: str = "") -> Q:
    """A Q over `<unit_field>__path` matching the units the user covers."""
    paths = _paths(user, roles)
    if paths is None:
        # Everything, as a condition that stays one when OR-ed with another: an
        # empty Q() would vanish from `unit_q(...) | Q(owner=user)`.
        return Q(pk__isnull=False)
    if not paths:
        return Q(pk__in=[])
    lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
    condition = Q()
    for path in paths:
        condition |= Q(**{lookup: path})
    return condition


def scope(
    user,
    queryset: QuerySet,
    *,
    roles: Iterable[str] = ALL_ROLES,
    unit_field: str = "unit",
) -> QuerySet:
    """Narrow a queryset to the records in the user's scope for these roles.

    `unit_field` is the path from the model to its OrgUnit ("" for OrgUnit itself).
    """
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(unit_q(user, roles=roles, unit_field=unit_field))


def roles_on(user, unit) -> set[str]:
    """The roles the user holds over this unit (through it or an ancestor)."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return set(ALL_ROLES)
    return {g.role for g in active_grants(user) if unit.path.startswith(g.path)}


def has_role_on(user, unit, roles: Iterable[str]) -> bool:
    return bool(roles_on(user, unit) & set(roles))


def get_in_scope_or_404(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    roles: Iterable[str] = ALL_ROLES,
    unit_field: str = "unit",
    **lookup,
) -> Model:
    """One record inside the user's scope, or 404; inspector reads are logged."""
    try:
        obj = scope(request.user, queryset, roles=roles, unit_field=unit_field).get(
            **lookup
        )
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
    unit = _unit_of(obj, unit_field)
    log_read(request, obj, unit)
    return obj


def _unit_of(obj: Model, unit_field: str):
    target = obj
    for part in filter(None, unit_field.split("__")):
        target = getattr(target, part)
    return target


def log_read(request: HttpRequest, obj: Model, unit) -> None:
    """Record a read when the user reaches this unit only through an audited role."""
    user = request.user
    held = roles_on(user, unit)
    audited = held & AUDITED_ROLES
    if not audited or getattr(user, "is_superuser", False):
        return
    AccessLog.objects.create(
        user=user,
        role=sorted(audited)[0],
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        path=request.get_full_path()[:500],
    )


def home_role(user) -> str | None:
    """The role whose home page the user lands on, the most powerful first."""
    order = [
        Role.ADMIN,
        Role.HR,
        Role.INSPECTOR,
        Role.MANAGER,
        Role.COUNTER,
        Role.STAFF,
    ]
    held = roles_of(user)
    return next((role for role in order if role in held), None)
