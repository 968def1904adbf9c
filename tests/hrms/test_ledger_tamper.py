"""Tampering with the audit ledger through raw SQL, as someone with database access
would (issue #9 item 5). tests/hrms/test_ledger.py covers the ORM paths; here the
rows are changed behind Django's back, across read chunks, and `verify_ledger`
must exit 1 naming the first broken entry.

On PostgreSQL the append-only trigger refuses the same statements from the
application's own connection; the detection tests switch it off first, inside the
test's transaction, as a superuser could.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from hrms import ledger
from hrms.models import LedgerEntry
from tests.hrms.test_ledger import intruder

pytestmark = pytest.mark.django_db

TABLE = connection.ops.quote_name(LedgerEntry._meta.db_table)
ENTRIES = 12


@pytest.fixture
def chain() -> list[LedgerEntry]:
    """Twelve decisions: quota changes, appointments and appraisal ratings."""
    actions = ["quota.change", "assignment.appoint", "appraisal.decide"]
    return [
        ledger.append_entry(
            actor=None,
            action=actions[n % 3],
            object_type="test.tamper",
            object_id=str(n),
            payload={"n": n, "decision": f"{n}/QĐ-UBND", "headcount": n % 5},
        )
        for n in range(1, ENTRIES + 1)
    ]


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify(chunk_size: int = 5) -> tuple[int, str, str]:
    """Run verify_ledger with small chunks, so a break can fall on any boundary."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_ledger", chunk_size=chunk_size, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_untouched_chain_is_intact(chain):
    assert verify() == (0, f"ledger intact: {ENTRIES} entries\n", "")
    assert verify(chunk_size=1)[0] == 0


@pytest.mark.parametrize("seq", [1, 5, 6, ENTRIES])
def test_a_payload_changed_with_raw_sql_names_its_entry(chain, seq):
    with intruder():
        raw(
            f"UPDATE {TABLE} SET payload = %s WHERE seq = %s",
            ['{"n":0,"headcount":4}', seq],
        )
    code, out, err = verify()
    assert (code, out) == (1, "")
    assert err == (
        f"ledger broken at entry #{seq}: hash mismatch (payload or fields changed)\n"
    )


def test_a_payload_changed_and_rehashed_breaks_the_next_link(chain):
    entry = chain[4]
    payload = ledger.canonical_payload({**json.loads(entry.payload), "headcount": 9})
    forged = ledger.compute_hash(
        seq=entry.seq,
        at=entry.at,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        payload=payload,
        prev_hash=entry.prev_hash,
    )
    with intruder():
        raw(
            f"UPDATE {TABLE} SET payload = %s, hash = %s WHERE seq = 5",
            [payload, forged],
        )
    code, _out, err = verify()
    assert code == 1
    assert err == (
        "ledger broken at entry #6: previous hash does not match the entry before "
        "it (an entry was changed, replaced or reordered)\n"
    )


def test_a_deleted_row_names_the_entry_after_the_gap(chain):
    with intruder():
        raw(f"DELETE FROM {TABLE} WHERE seq = 7")
    assert verify()[::2] == (
        1,
        "ledger broken at entry #8: entries missing before it (#7)\n",
    )


def test_deleted_rows_name_the_whole_gap(chain):
    with intruder():
        raw(f"DELETE FROM {TABLE} WHERE seq BETWEEN 4 AND 6")
    assert verify()[::2] == (
        1,
        "ledger broken at entry #7: entries missing before it (#4–#6)\n",
    )


def test_swapped_sequence_numbers_name_the_first_swapped_entry(chain):
    with intruder():
        raw(f"UPDATE {TABLE} SET seq = 1003 WHERE seq = 3")
        raw(f"UPDATE {TABLE} SET seq = 3 WHERE seq = 4")
        raw(f"UPDATE {TABLE} SET seq = 4 WHERE seq = 1003")
    assert list(
        LedgerEntry.objects.order_by("seq").values_list("object_id", flat=True)[:5]
    ) == ["1", "2", "4", "3", "5"]
    assert verify()[::2] == (
        1,
        "ledger broken at entry #3: hash mismatch (payload or fields changed)\n",
    )


def test_a_forged_row_appended_with_raw_sql_is_found(chain):
    last = chain[-1]
    raw(
        f"INSERT INTO {TABLE} (seq, at, actor_name, action, object_type, "
        "object_id, payload, prev_hash, hash) "
        "VALUES (%s, %s, '', 'quota.change', 'test.tamper', 'x', '{}', %s, %s)",
        [last.seq + 1, timezone.now(), last.hash, "f" * 64],
    )
    assert verify()[::2] == (
        1,
        f"ledger broken at entry #{last.seq + 1}: hash mismatch "
        "(payload or fields changed)\n",
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)
class TestTheTriggerRefusesRawSQL:
    """The application's own connection cannot change or remove an entry either."""

    @pytest.mark.parametrize(
        ("sql", "operation"),
        [
            (f"UPDATE {TABLE} SET payload = '{{}}' WHERE seq = 5", "UPDATE"),
            (f"UPDATE {TABLE} SET seq = -5 WHERE seq = 5", "UPDATE"),
            (f"UPDATE {TABLE} SET hash = hash", "UPDATE"),
            (f"DELETE FROM {TABLE} WHERE seq = 5", "DELETE"),
            (f"DELETE FROM {TABLE} WHERE seq > 10", "DELETE"),
        ],
    )
    def test_it_refuses(self, chain, sql, operation):
        with pytest.raises(DatabaseError, match="append-only") as caught:
            with transaction.atomic():
                raw(sql)
        detail = caught.value.__cause__.diag.message_detail
        assert detail == f"{operation} on {LedgerEntry._meta.db_table} refused"
        assert verify() == (0, f"ledger intact: {ENTRIES} entries\n", "")
