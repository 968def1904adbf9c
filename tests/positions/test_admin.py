import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "positions.salaryscale",
    "positions.salarystep",
    "positions.grade",
    "positions.basesalary",
    "positions.competency",
    "positions.jobposition",
    "positions.positioncompetency",
    "positions.gradestructuretarget",
    "staff.employee",
    "staff.assignment",
    "staff.gradehistory",
    "staff.annualrating",
    "staff.commendation",
]


@pytest.fixture
def superuser_client(client, units):
    make_reference_data()
    employee = make_employee(units.ccvc)
    make_grade_step(employee)
    make_assignment(employee, make_position(units.ccvc))
    user = get_user_model().objects.create_superuser("root", password="x-Mật-khẩu-9")
    client.force_login(user)
    return client


@pytest.mark.parametrize("label", MODELS)
def test_it_lists_and_opens_every_model_in_the_back_office(superuser_client, label):
    app, model = label.split(".")
    changelist = reverse(f"admin:{app}_{model}_changelist")
    response = superuser_client.get(changelist, {"q": "a"})
    assert response.status_code == 200
    response = superuser_client.get(changelist)
    assert response.status_code == 200
    objects = response.context["cl"].result_list
    if objects:
        change = reverse(f"admin:{app}_{model}_change", args=[objects[0].pk])
        assert superuser_client.get(change).status_code == 200
