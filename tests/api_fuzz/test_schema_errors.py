"""The schema documents DRF's error answers, and those answers are JSON
(violations schemathesis found: tests/api_fuzz/fuzz_api.py)."""

import pytest
import yaml
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_every_operation_documents_its_error_answers(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"401", "403"} <= codes, (method, path)
            if method == "get":
                assert "404" in codes, (method, path)
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "400" in codes, (method, path)
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["detail"]


def test_the_push_documents_a_parse_error_beside_its_batch_result(schema):
    push = schema["paths"]["/api/v1/dossiers/"]["post"]["responses"]
    body = push["400"]["content"]["application/json"]["schema"]
    assert body == {
        "anyOf": [
            {"$ref": "#/components/schemas/BatchResult"},
            {"$ref": "#/components/schemas/ErrorDetail"},
        ]
    }
    assert "415" in push


def test_answers_match_the_documented_shapes(client, users):
    token = Token.objects.create(user=users.admin)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    for url, code in [
        ("/api/v1/appraisals/0.5/", 404),  # was Django's HTML 404 page
        ("/api/v1/staff/NO-SUCH/", 404),
        ("/api/v1/staff/?page=0", 404),
        ("/api/v1/staff/?status=nonsense", 400),
    ]:
        response = client.get(url, **auth)
        assert response.status_code == code, url
        assert response["Content-Type"] == "application/json", url
    response = client.get("/api/v1/staff/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_blank_appraisal_levels_are_in_the_schema(schema):
    """A pending appraisal has no level yet: "" must validate."""
    properties = schema["components"]["schemas"]["Appraisal"]["properties"]
    blank = {"$ref": "#/components/schemas/BlankEnum"}
    for name in ("computed_level", "proposed_level", "decided_level"):
        assert blank in properties[name]["oneOf"], name
    assert schema["components"]["schemas"]["BlankEnum"]["enum"] == [""]
