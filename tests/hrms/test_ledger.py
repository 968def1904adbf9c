import datetime as dt
import threading
import uuid
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from hrms import ledger
from hrms.models import Holiday, LedgerCheckpoint, LedgerEntry

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)
TABLE = LedgerEntry._meta.db_table


@pytest.fixture
def hr_user():
    return get_user_model().objects.create_user("hr_ledger", password="x-Mật-khẩu-1")


@pytest.fixture
def three_entries(hr_user):
    holiday = Holiday.objects.create(date=dt.date(2026, 9, 2), name="Quốc khánh")
    return [
        ledger.append_entry(
            actor=hr_user,
            action="holiday.create",
            obj=holiday,
            payload={"date": holiday.date, "name": holiday.name},
        ),
        ledger.append_entry(
            actor=None,
            action="quota.change",
            object_type="positions.jobposition",
            object_id="P01-SNV-CV",
            payload={"headcount": 5, "previous": 4},
        ),
        ledger.append_entry(
            actor=hr_user,
            action="appraisal.final",
            object_type="appraisals.appraisal",
            object_id="42",
            payload={"rating": "excellent", "score": Decimal("92.50")},
        ),
    ]


@contextmanager
def intruder():
    """Write to the ledger as someone with direct database access would.

    On PostgreSQL the append-only triggers are switched off inside the test's own
    transaction (rolled back afterwards), so detection is tested on both databases.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # ALTER TABLE waits for no deferred check: run the pending FK checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def run_verify_ledger():
    """Run the command; return (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_ledger", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


class TestAppendEntry:
    def test_it_chains_entries_from_the_genesis_hash(self, three_entries):
        first, second, third = three_entries
        assert [e.seq for e in three_entries] == [1, 2, 3]
        assert first.prev_hash == ledger.GENESIS_HASH == "0" * 64
        assert second.prev_hash == first.hash
        assert third.prev_hash == second.hash
        assert len({e.hash for e in three_entries}) == 3

    def test_it_stores_the_hash_of_the_stored_fields(self, three_entries):
        for entry in LedgerEntry.objects.all():
            assert entry.hash == ledger.compute_hash(
                seq=entry.seq,
                at=entry.at,
                actor_name=entry.actor_name,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                payload=entry.payload,
                prev_hash=entry.prev_hash,
            )

    def test_it_fills_object_and_actor_fields(self, three_entries, hr_user):
        first, second, _third = three_entries
        holiday = Holiday.objects.get()
        assert (first.object_type, first.object_id) == ("hrms.holiday", str(holiday.pk))
        assert (first.actor, first.actor_name) == (hr_user, "hr_ledger")
        assert (second.actor, second.actor_name) == (None, "")
        assert (second.object_type, second.object_id) == (
            "positions.jobposition",
            "P01-SNV-CV",
        )

    def test_it_serialises_the_payload_canonically(self, three_entries):
        assert three_entries[0].payload == '{"date":"2026-09-02","name":"Quốc khánh"}'
        assert three_entries[2].payload == '{"rating":"excellent","score":"92.50"}'
        token = uuid.UUID("12345678-1234-5678-1234-567812345678")
        at = dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)
        assert ledger.canonical_payload({"z": token, "a": at, "m": [1, None]}) == (
            '{"a":"2026-01-05T08:30:00+00:00","m":[1,null],'
            '"z":"12345678-1234-5678-1234-567812345678"}'
        )

    def test_it_refuses_payload_values_without_a_canonical_form(self):
        with pytest.raises(TypeError):
            ledger.append_entry(
                actor=None, action="x", object_type="t", payload={"s": {1}}
            )
        with pytest.raises(ValueError):
            ledger.append_entry(
                actor=None, action="x", object_type="t", payload={"f": float("nan")}
            )
        assert not LedgerEntry.objects.exists()

    def test_it_rolls_back_with_the_callers_transaction(self, three_entries):
        with pytest.raises(RuntimeError), transaction.atomic():
            ledger.append_entry(
                actor=None, action="x", object_type="t", object_id="1", payload={}
            )
            raise RuntimeError("the decision failed")
        assert LedgerEntry.objects.count() == 3
        assert (
            ledger.append_entry(
                actor=None, action="x", object_type="t", object_id="1", payload={}
            ).seq
            == 4
        )

    def test_grant_role_records_the_grant(self, users):
        entry = LedgerEntry.objects.filter(action="role.grant").get(
            actor_name="", payload__contains='"user":"hr1"'
        )
        assert entry.object_type == "hrms.rolegrant"
        assert '"role":"hr"' in entry.payload
        assert ledger.verify_chain().ok


class TestVerifyChain:
    def test_it_accepts_an_empty_ledger(self):
        assert ledger.verify_chain() == ledger.VerifyResult(ok=True, count=0)

    def test_it_accepts_an_intact_chain_across_chunks(self, three_entries):
        assert ledger.verify_chain(chunk_size=2) == ledger.VerifyResult(True, 3)

    def test_it_accepts_entries_made_on_a_whole_second(self):
        with time_machine.travel(
            dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC), tick=False
        ):
            entry = ledger.append_entry(
                actor=None, action="x", object_type="t", object_id="1", payload={}
            )
        entry.refresh_from_db()
        assert entry.at == dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
        assert ledger.verify_chain() == ledger.VerifyResult(True, 1)

    def test_it_finds_a_changed_payload(self, three_entries):
        with intruder():
            LedgerEntry.objects.filter(seq=2).update(payload='{"headcount":50}')
        result = ledger.verify_chain()
        assert (result.ok, result.broken_seq, result.count) == (False, 2, 1)
        assert "hash mismatch" in result.reason

    @pytest.mark.parametrize(
        "change",
        [
            {"action": "quota.cut"},
            {"actor_name": "someone"},
            {"object_id": "P01-SYT-CV"},
            {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        ],
    )
    def test_it_finds_a_changed_field(self, three_entries, change):
        with intruder():
            LedgerEntry.objects.filter(seq=2).update(**change)
        assert ledger.verify_chain().broken_seq == 2

    def test_it_finds_a_changed_entry_whose_hash_was_recomputed(self, three_entries):
        entry = three_entries[1]
        entry.payload = '{"headcount":50,"previous":4}'
        forged = ledger.compute_hash(
            seq=entry.seq,
            at=entry.at,
            actor_name=entry.actor_name,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            payload=entry.payload,
            prev_hash=entry.prev_hash,
        )
        with intruder():
            LedgerEntry.objects.filter(seq=2).update(payload=entry.payload, hash=forged)
        result = ledger.verify_chain()
        assert (result.ok, result.broken_seq) == (False, 3)
        assert "previous hash" in result.reason

    def test_it_finds_a_deleted_first_entry(self, three_entries):
        with intruder():
            LedgerEntry.objects.filter(seq=1).delete()
        result = ledger.verify_chain()
        assert (result.ok, result.broken_seq, result.count) == (False, 2, 0)
        assert "missing" in result.reason


class TestVerifyLedgerCommand:
    def test_it_reports_an_intact_ledger(self, three_entries):
        code, out, err = run_verify_ledger()
        assert code == 0
        assert out.strip() == "ledger intact: 3 entries"
        assert err == ""

    def test_it_reports_an_empty_ledger_as_intact(self):
        assert run_verify_ledger()[:2] == (0, "ledger intact: 0 entries\n")

    def test_it_names_the_entry_whose_payload_changed(self, three_entries):
        with intruder():
            LedgerEntry.objects.filter(seq=2).update(payload='{"headcount":50}')
        code, out, err = run_verify_ledger()
        assert code == 1
        assert out == ""
        assert err.strip() == (
            "ledger broken at entry #2: hash mismatch (payload or fields changed)"
        )

    def test_it_names_the_entry_after_a_deleted_one(self, three_entries):
        with intruder():
            LedgerEntry.objects.filter(seq=2).delete()
        code, _out, err = run_verify_ledger()
        assert code == 1
        assert err.startswith("ledger broken at entry #3: ")
        assert "#2" in err

    def test_it_finds_two_swapped_entries(self, three_entries):
        second, third = three_entries[1], three_entries[2]
        with intruder():
            LedgerEntry.objects.filter(pk=second.pk).update(seq=1000)
            LedgerEntry.objects.filter(pk=third.pk).update(seq=2)
            LedgerEntry.objects.filter(pk=second.pk).update(seq=3)
        code, _out, err = run_verify_ledger()
        assert code == 1
        assert err.startswith("ledger broken at entry #2: ")

    def test_it_finds_rows_swapped_with_their_hashes_fixed(self, three_entries):
        """Swapping the contents of two entries and re-hashing them still breaks
        the link from the first swapped entry to the one before it."""
        second, third = three_entries[1], three_entries[2]
        fields = ["action", "object_type", "object_id", "payload", "actor_name"]
        with intruder():
            for entry, other in ((second, third), (third, second)):
                values = {f: getattr(other, f) for f in fields}
                values["hash"] = ledger.compute_hash(
                    seq=entry.seq, at=entry.at, prev_hash=other.prev_hash, **values
                )
                values["prev_hash"] = other.prev_hash
                LedgerEntry.objects.filter(pk=entry.pk).update(hash=f"tmp-{entry.pk}")
                LedgerEntry.objects.filter(pk=entry.pk).update(**values)
        code, _out, err = run_verify_ledger()
        assert code == 1
        assert err.startswith("ledger broken at entry #2: previous hash")


@postgresql_only
class TestAppendOnlyTrigger:
    def test_it_refuses_an_update(self, three_entries):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            LedgerEntry.objects.filter(seq=2).update(payload="{}")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            entry = LedgerEntry.objects.get(seq=3)
            entry.action = "appraisal.cancel"
            entry.save()
        assert LedgerEntry.objects.get(seq=2).payload == three_entries[1].payload

    def test_it_refuses_a_delete(self, three_entries):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            LedgerEntry.objects.filter(seq=2).delete()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE}")
        assert LedgerEntry.objects.count() == 3

    def test_it_refuses_to_truncate_a_non_empty_ledger(self, three_entries):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL hrms.ledger_allow_truncate = 'off'")
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {TABLE} CASCADE")
        assert LedgerEntry.objects.count() == 3
        assert ledger.verify_chain().ok


@pytest.fixture
def empty_ledger_after_test():
    """Clear the ledger before the end-of-test flush, which truncates every table."""
    yield
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL hrms.ledger_allow_truncate = 'on'")
            cursor.execute(f"TRUNCATE {TABLE}")


@postgresql_only
# serialized_rollback: a plain flush would re-create content types with new ids
# and break the later tests that restore the serialized database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_form_one_chain(empty_ledger_after_test):
    threads, per_thread = 4, 25
    total = LedgerEntry.objects.count() + threads * per_thread
    start = threading.Barrier(threads)
    errors = []

    def append_many(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    ledger.append_entry(
                        actor=None,
                        action="test.concurrent",
                        object_type="test",
                        object_id=f"{n}-{i}",
                        payload={"thread": n, "i": i},
                    )
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=append_many, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert ledger.verify_chain() == ledger.VerifyResult(True, total)
    assert list(LedgerEntry.objects.values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )


class TestCheckpoint:
    """The red-flag screen checks only what came after the last full run."""

    def _more(self, hr_user, count: int) -> None:
        for number in range(count):
            ledger.append_entry(
                actor=hr_user,
                action="quota.change",
                object_type="positions.jobposition",
                object_id=f"VT{number}",
                payload={"headcount": number},
            )

    def test_a_full_run_leaves_a_checkpoint_and_later_checks_start_there(
        self, three_entries, hr_user, django_assert_num_queries
    ):
        assert run_verify_ledger()[0] == 0
        checkpoint = LedgerCheckpoint.objects.get()
        assert (checkpoint.seq, checkpoint.hash) == (3, three_entries[2].hash)
        self._more(hr_user, 2)
        result = ledger.verify_since_checkpoint()
        assert (result.ok, result.count) == (True, 5)

    def test_a_change_after_the_checkpoint_is_caught(self, three_entries, hr_user):
        run_verify_ledger()
        self._more(hr_user, 2)
        with intruder():
            LedgerEntry.objects.filter(seq=5).update(payload='{"headcount":50}')
        result = ledger.verify_since_checkpoint()
        assert (result.ok, result.broken_seq) == (False, 5)

    def test_the_checkpoints_own_entry_changed_or_cut_off_is_caught(
        self, three_entries
    ):
        run_verify_ledger()
        with intruder():
            LedgerEntry.objects.filter(seq=3).delete()
        result = ledger.verify_since_checkpoint()
        assert (result.ok, result.broken_seq) == (False, 3)

    def test_a_broken_chain_leaves_no_checkpoint(self, three_entries):
        with intruder():
            LedgerEntry.objects.filter(seq=2).update(payload='{"headcount":50}')
        assert run_verify_ledger()[0] == 1
        assert not LedgerCheckpoint.objects.exists()
        # Without a checkpoint the screen checks the whole chain.
        assert ledger.verify_since_checkpoint().broken_seq == 2
