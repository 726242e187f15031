"""The OpenAPI schema's account of the API's refusals, which drf-spectacular leaves out: it
documents each operation's success only, so a client (or a schema-driven test) cannot tell
a documented 400 from an accident."""

from __future__ import annotations

import zoneinfo

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


# Text the server stores: PostgreSQL cannot hold a null character, so it is refused.
NO_NUL = r"^[^\u0000]*$"
# Required text: not only white space (which the server trims away, Python's white space:
# the information separators \x1c-\x1f and NEL too).
NOT_BLANK = r"^[^\u0000]*[^\u0000\s\u001c-\u001f\u0085][^\u0000]*$"
# Fields naming a time zone, which must be one of the IANA zones Python knows.
TIME_ZONE_FIELDS = {"time_zone", "timezone"}
TIME_ZONE = {
    "type": "string",
    "description": "An IANA time zone, e.g. Europe/London.",
    "enum": sorted(zoneinfo.available_timezones()),
}

# Valid-looking requests the server refuses by a rule OpenAPI cannot state (it depends on
# other rows, or on the values together): written on each operation, and the only refusals
# of schema-valid data the API's contract test (tests/hostile/test_schemathesis.py) accepts.
_HEARING = (
    "the hearing starts between 1990 and 2200; it has a venue, a remote link, or both; a "
    "remote link is a web address with a real host name (https://court.example/room-17)"
)
_DEADLINE = (
    "the due date is between 1990 and 2200; a deadline is marked extended only by recording "
    "an extension"
)
_EVENT = (
    "the date is between 1800 and 2200; an event has a date or a time, and a range has its "
    "last day, not before its first"
)
_LINK = (
    "a link is to an allegation or to an event, one of them, not both; pages and paragraphs "
    "are pinpoints (12-14, 19; 4, 7(a)-9), each range in order"
)
_TRIGGER = "the event is one of the proceeding's rule set (see /api/deadlines/compute/)"
_ANALYSIS = (
    "the mapping's roles name columns of the file and the parameters are the engine's; the "
    "file suits the kind (CSV or JSON Lines for a log, JSON Lines for output pairs)"
)
_RANGE = "a date range does not end before it starts"
BUSINESS_RULES = {
    ("/api/auth/token/", "post"): "the username and password are a user's",
    ("/api/hearings/", "post"): _HEARING,
    ("/api/hearings/{id}/", "put"): _HEARING,
    ("/api/hearings/{id}/", "patch"): _HEARING,
    ("/api/deadlines/", "post"): _DEADLINE,
    ("/api/deadlines/{id}/", "put"): _DEADLINE,
    ("/api/deadlines/{id}/", "patch"): _DEADLINE,
    ("/api/events/", "post"): _EVENT,
    ("/api/events/{id}/", "put"): _EVENT,
    ("/api/events/{id}/", "patch"): _EVENT,
    ("/api/evidence-links/", "post"): _LINK,
    ("/api/evidence-links/{id}/", "put"): _LINK,
    ("/api/evidence-links/{id}/", "patch"): _LINK,
    ("/api/triggers/", "post"): _TRIGGER,
    ("/api/triggers/{id}/", "put"): _TRIGGER,
    ("/api/triggers/{id}/", "patch"): _TRIGGER,
    ("/api/deadlines/compute/", "post"): _TRIGGER.replace("proceeding's", "chosen"),
    ("/api/analyses/", "post"): _ANALYSIS,
    ("/api/analyses/{id}/start/", "post"): _ANALYSIS,
    ("/api/matters/{matter_pk}/exhibits/upload/", "post"): (
        "the file's content is of a kind accepted as evidence (415 otherwise); a batch and a "
        "position are given together"
    ),
    ("/api/matters/{matter_pk}/search/", "get"): _RANGE,
    ("/api/matters/{matter_pk}/timeline/", "get"): _RANGE,
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
    schemas["TimeZone"] = TIME_ZONE
    for name, schema in schemas.items():
        if name.endswith("Request"):
            _describe_text(schema)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if rule := BUSINESS_RULES.get((path, method)):
                operation["description"] = (
                    operation.get("description", "") + f"\n\nAlso refused with 400: {rule}."
                ).strip()
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                # An ordering the API does not know is ignored, whatever it holds.
                if parameter["in"] == "query" and parameter["name"] != "ordering":
                    _describe_text(parameter)
            takes_input = "requestBody" in operation or any(p["in"] == "query" for p in parameters)
            if takes_input:
                responses.setdefault("400", _answer("A value was refused.", "ValidationError"))
            if operation.get("security") and {} not in operation["security"]:
                responses.setdefault(
                    "401",
                    _answer(
                        "No credentials, or a token that is not one (`WWW-Authenticate: Token`).",
                        "Error",
                    ),
                )
            responses.setdefault(
                "403",
                _answer(
                    "The role on the matter does not allow it (or a signed-in browser's write "
                    "came without its CSRF token).",
                    "Error",
                ),
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
                form = operation["requestBody"]["content"].get("multipart/form-data", {})
                if ref := form.get("schema", {}).get("$ref"):
                    _blank_is_absent(schemas[ref.rpartition("/")[2]])
    return result


def _describe_text(schema: dict) -> None:
    """What a request's free text may not hold (a null character), and which time zones
    are zones: each string property of a request body (or a query parameter's schema)."""
    if "schema" in schema:  # a parameter
        prop = schema["schema"]
        if _is_free_text(prop):
            prop["pattern"] = _text_pattern(prop)
        return
    properties = schema.get("properties", {})
    for name, prop in properties.items():
        if name in TIME_ZONE_FIELDS and prop.get("type") == "string":
            zone = {"$ref": "#/components/schemas/TimeZone"}
            if prop.get("minLength"):
                properties[name] = {"allOf": [zone], "description": prop.get("description", "")}
            else:  # blank: none given
                properties[name] = {
                    "oneOf": [zone, {"type": "string", "maxLength": 0}],
                    "description": prop.get("description", ""),
                }
        elif _is_free_text(prop):
            prop["pattern"] = _text_pattern(prop)
        elif _is_free_text(prop.get("additionalProperties")):
            prop["additionalProperties"]["pattern"] = _text_pattern(prop["additionalProperties"])


def _text_pattern(prop: dict) -> str:
    return NOT_BLANK if prop.get("minLength", 0) >= 1 else NO_NUL


def _blank_is_absent(schema: dict) -> None:
    """In a multipart form (the upload), an optional field sent empty counts as not given,
    as in an HTML form: each one's schema says so."""
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name in required or prop.get("format") == "binary" or "anyOf" in prop:
            continue
        schema["properties"][name] = {
            "anyOf": [prop, {"type": "string", "maxLength": 0}],
            "description": "Sent empty, as if not given.",
        }


def _is_free_text(prop) -> bool:
    return (
        isinstance(prop, dict)
        and prop.get("type") == "string"
        and not {"format", "enum", "pattern"} & set(prop)
    )


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
