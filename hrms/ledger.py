"""Audit ledger (DESIGN.md §3). PLACEHOLDER SIGNATURE — being implemented."""


def append_entry(
    *, actor, action: str, obj=None, object_type=None, object_id=None, payload: dict
):
    raise NotImplementedError
