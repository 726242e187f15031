"""The OpenAPI schema's account of the API's refusals, which drf-spectacular leaves out: it
documents each operation's success only, so a client (or a schema-driven test) cannot tell
a documented 400 from an accident."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Each field that was refused, with its messages; `non_field_errors` for what belongs "
        'to no one field; `detail` for a body that could not be read at all. E.g. `{"options": '
        '["Give an object of names and values."]}`.'
    ),
    "additionalProperties": True,
}


def _answer(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def document_refusals(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error answers every operation may give."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            takes_input = "requestBody" in operation or any(p["in"] == "query" for p in parameters)
            if takes_input:
                responses.setdefault("400", _answer("A value was refused.", "ValidationError"))
            responses.setdefault(
                "403",
                _answer("Not signed in, or the role on the matter does not allow it.", "Error"),
            )
            if any(p["in"] == "path" for p in parameters) or any(
                p["name"] == "page" for p in parameters
            ):
                responses.setdefault(
                    "404",
                    _answer("No such record (or page), or not one the user may see.", "Error"),
                )
            if "requestBody" in operation:
                responses.setdefault("415", _answer("A body type the API does not read.", "Error"))
    return result
