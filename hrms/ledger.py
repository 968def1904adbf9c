"""Audit ledger (DESIGN.md §3): an append-only, hash-chained record of decisions.

Each entry's hash covers its own fields and the previous entry's hash, so changing,
deleting or reordering any entry breaks the chain from that entry on. `verify_chain`
recomputes it; `manage.py verify_ledger` reports the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Func, TextField
from django.utils import timezone

from hrms.models import LedgerEntry

GENESIS_HASH = "0" * 64

# Key of the PostgreSQL advisory lock that serialises appends ("hrmsLEDG").
_ADVISORY_LOCK_KEY = 0x68726D734C454447

_dumps_fields = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False
).encode


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not allowed in a ledger payload")


def canonical_payload(payload: dict) -> str:
    """The one JSON text of a payload: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(
        payload,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    )


def _utc_iso(at: dt.datetime) -> str:
    if at.tzinfo is None:  # SQLite's stored text, or USE_TZ off: hashed as is
        at = at.replace(tzinfo=dt.UTC)
    elif at.utcoffset():
        at = at.astimezone(dt.UTC)
    return at.isoformat(timespec="microseconds")


def compute_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: str,
    prev_hash: str,
) -> str:
    """SHA-256 of the fields as a JSON array, so distinct entries never collide."""
    fields = [
        seq,
        _utc_iso(at),
        actor_name,
        action,
        object_type,
        object_id,
        payload,
        prev_hash,
    ]
    return hashlib.sha256(_dumps_fields(fields).encode()).hexdigest()


def _lock_ledger() -> None:
    """Serialise appends so two transactions never take the same seq."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        elif connection.vendor == "sqlite":
            # A write statement takes SQLite's write lock now, waiting on the busy
            # timeout, instead of failing later when a stale read tries to write.
            table = connection.ops.quote_name(LedgerEntry._meta.db_table)
            cursor.execute(f"UPDATE {table} SET seq = seq WHERE 0")


def append_entry(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id: str | None = None,
    payload: dict,
) -> LedgerEntry:
    """Append a decision to the ledger, inside the caller's transaction."""
    if object_type is None:
        if obj is None:
            raise ValueError("append_entry needs obj or object_type")
        object_type = obj._meta.label_lower
    if object_id is None:
        object_id = "" if obj is None else str(obj.pk)
    if actor is not None and not actor.is_authenticated:
        actor = None  # an anonymous request acts as the system
    actor_name = actor.get_username() if actor is not None else ""
    payload_text = canonical_payload(payload)

    with transaction.atomic(savepoint=False):
        _lock_ledger()
        last = LedgerEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        at = timezone.now()
        return LedgerEntry.objects.create(
            seq=seq,
            at=at,
            actor=actor,
            actor_name=actor_name,
            action=action,
            object_type=object_type,
            object_id=object_id,
            payload=payload_text,
            prev_hash=prev_hash,
            hash=compute_hash(
                seq=seq,
                at=at,
                actor_name=actor_name,
                action=action,
                object_type=object_type,
                object_id=object_id,
                payload=payload_text,
                prev_hash=prev_hash,
            ),
        )


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""
    last_hash: str = field(default="", compare=False)  # of the last intact entry


class _AtText(Func):
    """`at` as text without Django's per-value datetime converter, which would more
    than double the cost of a full verification: already canonical on PostgreSQL,
    the stored UTC text elsewhere (see `_text_to_utc_iso`)."""

    template = "CAST(%(expressions)s AS text)"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # Independent of the session's TimeZone and DateStyle.
        template = (
            "to_char(%(expressions)s AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')'
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _text_to_utc_iso(text: str) -> str:
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:  # SQLite stores naive UTC
        return moment.isoformat(timespec="microseconds") + "+00:00"
    return _utc_iso(moment)


def verify_chain(
    *, chunk_size: int = 5000, after: tuple[int, str] | None = None
) -> VerifyResult:
    """Recompute the whole chain in seq order; stop at the first broken entry.

    `count` is the number of entries found intact before the break (all of them
    when `ok`). Removing entries from the end leaves a valid, shorter chain: compare
    the count and last hash with a copy kept elsewhere to detect that.

    `after=(seq, hash)` starts from a checkpoint: only later entries are read, the
    first of them must chain to `hash`. Entries up to the checkpoint are trusted.
    """
    queryset = LedgerEntry.objects.order_by("seq")
    if after is not None:
        queryset = queryset.filter(seq__gt=after[0])
    rows = (
        queryset.annotate(at_text=_AtText("at"))
        .values_list(
            "seq",
            "at_text",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "payload",
            "prev_hash",
            "hash",
        )
        .iterator(chunk_size=chunk_size)
    )
    at_canonical = connections[queryset.db].vendor == "postgresql"
    to_utc_iso = _text_to_utc_iso
    sha256 = hashlib.sha256
    dumps = _dumps_fields
    expected_seq, expected_prev = (
        (after[0] + 1, after[1]) if after else (1, GENESIS_HASH)
    )
    for seq, at, actor_name, action, object_type, object_id, payload, prev, h in rows:
        if seq != expected_seq:
            missing = (
                f"#{expected_seq}"
                if seq == expected_seq + 1
                else f"#{expected_seq}–#{seq - 1}"
            )
            return VerifyResult(
                False, expected_seq - 1, seq, f"entries missing before it ({missing})"
            )
        # compute_hash(), inlined: this loop runs once per entry, a million times.
        fields = [
            seq,
            at if at_canonical else to_utc_iso(at),
            actor_name,
            action,
            object_type,
            object_id,
            payload,
            prev,
        ]
        if sha256(dumps(fields).encode()).hexdigest() != h:
            return VerifyResult(
                False, seq - 1, seq, "hash mismatch (payload or fields changed)"
            )
        if prev != expected_prev:
            return VerifyResult(
                False,
                seq - 1,
                seq,
                "previous hash does not match the entry before it "
                "(an entry was changed, replaced or reordered)",
            )
        expected_prev = h
        expected_seq += 1
    return VerifyResult(True, expected_seq - 1, last_hash=expected_prev)


def record_checkpoint(result: VerifyResult) -> None:
    """Remember the end of a chain a full verification found intact."""
    from hrms.models import LedgerCheckpoint

    if result.ok and result.count:
        LedgerCheckpoint.objects.create(seq=result.count, hash=result.last_hash)


def verify_since_checkpoint() -> VerifyResult:
    """The entries after the latest checkpoint (all of them without one)."""
    from hrms.models import LedgerCheckpoint

    checkpoint = LedgerCheckpoint.objects.first()
    if checkpoint is None:
        return verify_chain()
    anchor = LedgerEntry.objects.filter(seq=checkpoint.seq).values_list("hash").first()
    if anchor != (checkpoint.hash,):
        return VerifyResult(
            False,
            checkpoint.seq - 1,
            checkpoint.seq,
            "the entry of the last full verification is missing or changed",
        )
    return verify_chain(after=(checkpoint.seq, checkpoint.hash))
