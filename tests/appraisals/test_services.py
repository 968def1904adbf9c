"""appraisals.services: apology slips (timing, single reschedule, ledger), citizen
ratings, conduct incidents and their review."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appraisals.models import ApologySlip, CitizenRating, ConductIncident, Dossier
from appraisals.services import (
    issue_apology_slip,
    record_citizen_rating,
    record_conduct_incident,
    verify_incident,
)
from hrms.models import LedgerEntry
from tests.appraisals.conftest import at
from tests.factories import make_dossier


@pytest.fixture
def dossier(one_stop) -> Dossier:
    # Received Tue 10/3/2026, 5 working days: due Tue 17/3 17:00.
    return make_dossier(
        one_stop.procedures.marriage,
        one_stop.units.tthcc,
        "000.00.34.H01-260310-0001",
        received_at=at(2026, 3, 10, 8, 30),
        receiving_officer=one_stop.officers.trang,
    )


def issue(dossier, officers, **overrides):
    fields = {
        "dossier": dossier,
        "reason": "Chờ ý kiến của Sở Tư pháp",
        "new_due_at": at(2026, 3, 20, 17),
        "responsible_officers": [officers.lan],
        "issued_by": None,
        "issued_at": at(2026, 3, 16, 9),
    }
    fields.update(overrides)
    return issue_apology_slip(**fields)


def test_it_issues_a_slip_in_time_and_moves_the_date(dossier, one_stop, users):
    slip = issue(dossier, one_stop.officers, issued_by=users.counter)
    assert dossier.due_at == at(2026, 3, 17, 17)
    assert slip.previous_due_at == at(2026, 3, 17, 17)
    assert not slip.is_issued_late
    assert list(slip.responsible_officers.all()) == [one_stop.officers.lan]
    dossier.refresh_from_db()
    assert dossier.rescheduled_due_at == at(2026, 3, 20, 17)
    assert dossier.effective_due_at == at(2026, 3, 20, 17)
    entry = LedgerEntry.objects.get(action="apology_slip.issue")
    payload = json.loads(entry.payload)
    assert entry.actor_name == "counter1"
    assert payload["dossier"] == dossier.code
    assert payload["responsible"] == ["S001"]
    assert payload["timing"] == "apology.in_time"
    assert payload["issued_late"] is False


def test_a_late_slip_is_recorded_and_flagged(dossier, one_stop):
    slip = issue(dossier, one_stop.officers, issued_at=at(2026, 3, 17, 10))
    assert slip.is_issued_late
    assert ApologySlip.objects.filter(is_issued_late=True).count() == 1
    payload = json.loads(LedgerEntry.objects.get(action="apology_slip.issue").payload)
    assert payload["timing"] == "apology.late"


def test_a_slip_after_the_due_time_is_recorded_and_flagged(dossier, one_stop):
    slip = issue(dossier, one_stop.officers, issued_at=at(2026, 3, 18, 9))
    assert slip.is_issued_late


def test_it_refuses_a_second_reschedule_with_the_citation(dossier, one_stop):
    issue(dossier, one_stop.officers)
    with pytest.raises(ValidationError) as caught:
        issue(dossier, one_stop.officers, new_due_at=at(2026, 3, 24, 17))
    (message,) = caught.value.message_dict["new_due_at"]
    assert message == (
        "The return date was already moved once, to 20/03/2026 17:00; it may be "
        "moved only once. (Decree 118/2025/NĐ-CP (apology slip))"
    )
    assert ApologySlip.objects.count() == 1
    assert LedgerEntry.objects.filter(action="apology_slip.issue").count() == 1


def test_it_refuses_a_new_date_that_is_not_later(dossier, one_stop):
    with pytest.raises(ValidationError) as caught:
        issue(dossier, one_stop.officers, new_due_at=at(2026, 3, 17, 9))
    assert "must be after the due time" in caught.value.message_dict["new_due_at"][0]


def test_it_needs_a_reason_and_a_responsible_officer(dossier, one_stop):
    with pytest.raises(ValidationError) as caught:
        issue(dossier, one_stop.officers, reason=" ", responsible_officers=[])
    assert set(caught.value.message_dict) == {"reason", "responsible_officers"}


def test_it_refuses_a_slip_for_a_returned_dossier(dossier, one_stop):
    dossier.returned_at = at(2026, 3, 16, 10)
    dossier.status = Dossier.Status.RETURNED
    dossier.save()
    with pytest.raises(ValidationError) as caught:
        issue(dossier, one_stop.officers)
    assert caught.value.message_dict["dossier"] == [
        "The dossier was already returned or closed."
    ]


def test_a_later_rating_replaces_the_first(dossier):
    record_citizen_rating(dossier=dossier, level="unsatisfied", comment="Chờ lâu")
    rating = record_citizen_rating(
        dossier=dossier, level="satisfied", rated_at=at(2026, 3, 17, 9)
    )
    assert CitizenRating.objects.get() == rating
    assert (rating.level, rating.comment, rating.rated_at) == (
        "satisfied",
        "",
        at(2026, 3, 17, 9),
    )


def test_it_refuses_a_rating_outside_the_levels(dossier):
    with pytest.raises(ValidationError):
        record_citizen_rating(dossier=dossier, level="neutral")


def test_it_records_and_reviews_an_incident(dossier, one_stop, users):
    incident = record_conduct_incident(
        officer=one_stop.officers.trang,
        occurred_on=dt.date(2026, 3, 12),
        source=ConductIncident.Source.HOTLINE,
        conduct=ConductIncident.Conduct.EXTRA_PAPERS,
        description="Yêu cầu nộp thêm giấy tờ không có trong quy định",
        dossier=dossier,
    )
    assert incident.unit == one_stop.units.tthcc
    assert not incident.is_verified

    reviewed = verify_incident(
        incident=incident,
        is_verified=True,
        outcome="Nhắc nhở, rút kinh nghiệm",
        reviewed_by=users.manager,
        discipline_case_ref="KL-2026-01",
    )
    assert reviewed.is_verified and reviewed.reviewed_by == users.manager
    payload = json.loads(
        LedgerEntry.objects.get(action="conduct_incident.review").payload
    )
    assert payload["officer"] == "S003"
    assert payload["discipline_case_ref"] == "KL-2026-01"


def test_an_unfounded_incident_cannot_lead_to_discipline(one_stop):
    incident = record_conduct_incident(
        officer=one_stop.officers.trang,
        occurred_on=dt.date(2026, 3, 12),
        source=ConductIncident.Source.CITIZEN_COMPLAINT,
        description="Thái độ không đúng mực",
    )
    with pytest.raises(ValidationError):
        verify_incident(
            incident=incident,
            is_verified=False,
            outcome="Không có cơ sở",
            reviewed_by=None,
            discipline_case_ref="KL-2026-02",
        )


def test_an_incident_cannot_be_in_the_future(one_stop):
    with pytest.raises(ValidationError):
        record_conduct_incident(
            officer=one_stop.officers.trang,
            occurred_on=timezone.localdate() + dt.timedelta(days=2),
            source=ConductIncident.Source.CAMERA,
            description="…",
        )
