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


FIXED = (
    " Cannot change once the record exists: a PUT must give the current value, and a "
    "different one is refused with 400."
)


def document_refusals(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error answers every operation may give, and
    the fields an update may not change."""
    _mark_fixed_fields(result, generator)
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


def _mark_fixed_fields(result, generator) -> None:
    """On each PUT and PATCH body, the fields fixed once the record exists (the link to its
    matter or parent, say): marked `x-fixed-after-creation` with a word in their description,
    and, in a PATCH body (used by PATCH alone), read-only, since a PATCH leaves them out."""
    schemas = result.get("components", {}).get("schemas", {})
    for path, _regex, method, callback in generator.endpoints or []:
        if method not in ("PUT", "PATCH"):
            continue
        fixed = getattr(getattr(callback, "cls", None), "fields_fixed_after_creation", None)
        # The schema names the lookup `id` where the URL pattern says `pk`.
        operation = result.get("paths", {}).get(path.replace("{pk}", "{id}"), {})
        operation = operation.get(method.lower())
        if fixed is None or operation is None:
            continue
        for content in operation.get("requestBody", {}).get("content", {}).values():
            name = content.get("schema", {}).get("$ref", "").rpartition("/")[2]
            properties = schemas.get(name, {}).get("properties", {})
            for field in fixed():
                if field in properties:
                    prop = properties[field]
                    prop["x-fixed-after-creation"] = True
                    if FIXED.strip() not in prop.get("description", ""):
                        prop["description"] = (prop.get("description", "") + FIXED).strip()
                    if method == "PATCH":
                        prop["readOnly"] = True
