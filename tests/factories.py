"""Plain `make_<model>(**overrides)` helpers shared by the tests."""

from __future__ import annotations

from positions.models import OrgUnit


def make_unit(
    code: str,
    name: str | None = None,
    *,
    parent: OrgUnit | None = None,
    kind: str = OrgUnit.Kind.DEPARTMENT,
) -> OrgUnit:
    fields = {"code": code, "name": name or f"Đơn vị {code}", "kind": kind}
    if parent is None:
        return OrgUnit.add_root(**fields)
    parent.refresh_from_db()  # treebeard needs the parent's current numchild
    return parent.add_child(**fields)
