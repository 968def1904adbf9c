"""OpenAPI schema post-processing (drf-spectacular POSTPROCESSING_HOOKS).

drf-spectacular documents each operation's success response only. The API also
answers, through DRF's own handlers, 400 for a filter or page value it cannot
read, 401 without valid credentials, 403 outside the caller's role, 404 for an
object outside the caller's scope or a page past the end, and 415 for a body that
is not JSON. Schemathesis (tests/api_fuzz) holds the API to its schema, so every
operation documents those answers with the shapes DRF sends.
"""

from __future__ import annotations

HTTP_METHODS = frozenset({"get", "put", "patch", "post", "delete", "head", "options"})

DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
FIELD_ERRORS = {"$ref": "#/components/schemas/FieldErrors"}
SCHEMAS = {
    "ErrorDetail": {
        "type": "object",
        "description": "DRF's error body: one message.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "FieldErrors": {
        "type": "object",
        "description": "Messages by parameter name (a filter or page value).",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
}


def _response(description: str, schema: dict) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _is_protected(operation: dict, default_security: list | None) -> bool:
    security = operation.get("security", default_security) or []
    return any(requirement for requirement in security)


def document_error_responses(result, generator, request, public):
    """Add the error answers each operation can give, where not documented."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    default_security = result.get("security")
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            parameters = operation.get("parameters", [])
            errors = {}
            if any(p.get("in") == "query" for p in parameters):
                errors["400"] = _response(
                    "A parameter could not be read.", FIELD_ERRORS
                )
            if "requestBody" in operation:
                errors["400"] = _response("The body could not be read.", DETAIL)
                errors["415"] = _response("The body is not JSON.", DETAIL)
            if _is_protected(operation, default_security):
                errors["401"] = _response("No valid credentials.", DETAIL)
                errors["403"] = _response("Not allowed for this user.", DETAIL)
            if method == "get":
                errors["404"] = _response(
                    "Not found in the caller's scope, or no such page.", DETAIL
                )
            responses = operation.setdefault("responses", {})
            for code, response in errors.items():
                if code not in responses:
                    responses[code] = response
                    continue
                # The operation's own body for this code (e.g. the batch result
                # of a refused push) stays; DRF's error body is documented beside it.
                content = responses[code].setdefault("content", {})
                media = content.setdefault("application/json", {})
                schema = media.get("schema")
                if schema is None:
                    media["schema"] = response["content"]["application/json"]["schema"]
                elif "anyOf" not in schema and schema != DETAIL:
                    media["schema"] = {"anyOf": [schema, DETAIL]}
    return result
