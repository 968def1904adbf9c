import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

MODELS = [
    "task",
    "reformplan",
    "reformplanitem",
    "objectivecausewaiver",
    "commentmeeting",
    "capexception",
    "scoringruleset",
    "appraisalcycle",
    "appraisal",
    "complaint",
    "corruptionfinding",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_appraisal_model_has_a_back_office_list(client, db, model):
    admin = get_user_model().objects.create_superuser("root", "r@example.vn", "x")
    client.force_login(admin)
    response = client.get(reverse(f"admin:appraisals_{model}_changelist"))
    assert response.status_code == 200
