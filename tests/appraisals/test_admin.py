import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from appraisals.models import ApologySlip, CitizenRating, ConductIncident
from tests.appraisals.conftest import at
from tests.factories import make_dossier, make_step

MODELS = [
    "procedure",
    "dossier",
    "dossierstep",
    "apologyslip",
    "citizenrating",
    "conductincident",
]


@pytest.fixture
def superuser_client(client, one_stop):
    dossier = make_dossier(
        one_stop.procedures.marriage,
        one_stop.units.tthcc,
        "000.00.34.H01-260310-0001",
        received_at=at(2026, 3, 10, 8, 30),
    )
    make_step(
        dossier,
        1,
        one_stop.officers.trang,
        started_at=dossier.received_at,
        due_at=at(2026, 3, 10, 17),
    )
    ApologySlip.objects.create(
        dossier=dossier,
        issued_at=at(2026, 3, 16, 9),
        previous_due_at=dossier.due_at,
        new_due_at=at(2026, 3, 20, 17),
    )
    CitizenRating.objects.create(dossier=dossier, level="satisfied")
    ConductIncident.objects.create(
        officer=one_stop.officers.trang,
        unit=one_stop.units.tthcc,
        occurred_on=at(2026, 3, 12).date(),
        source="hotline",
        description="…",
    )
    user = get_user_model().objects.create_superuser("root", password="x-Mật-khẩu-9")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_the_back_office_lists_and_opens_each_record(superuser_client, model):
    response = superuser_client.get(reverse(f"admin:appraisals_{model}_changelist"))
    assert response.status_code == 200
    obj = response.context["cl"].result_list[0]
    url = reverse(f"admin:appraisals_{model}_change", args=[obj.pk])
    assert superuser_client.get(url).status_code == 200
