"""Checking real responses against the published OpenAPI schema (the `spec` and `openapi`
fixtures are in tests/conftest.py)."""

from urllib.parse import urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse


def is_absolute_uri(value: str) -> bool:
    """openapi-core checks no "uri" format by itself, and the schema tells a blank URLField
    from a filled one only by format (oneOf {maxLength: 0} / {format: uri})."""
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


class SchemaRequest(DjangoOpenAPIRequest):
    """openapi-core takes path parameters from Django's URL kwargs ("pk"), while
    drf-spectacular publishes them under the field name ("id", SCHEMA_COERCE_PATH_PK)."""

    def __init__(self, request):
        super().__init__(request)
        if "pk" in self.parameters.path:
            self.parameters.path = {"id": self.parameters.path["pk"]}

    @property
    def path_pattern(self):
        return super().path_pattern.replace("{pk}", "{id}")


def check(openapi: OpenAPI, response, *, request_too: bool = False) -> None:
    """Validate a real test-client response (and optionally its request) against the schema."""
    request = SchemaRequest(response.wsgi_request)
    if request_too:
        openapi.validate_request(request)
    openapi.validate_response(request, DjangoOpenAPIResponse(response))


def load(spec: dict) -> OpenAPI:
    return OpenAPI.from_dict(spec, config=Config(extra_format_validators={"uri": is_absolute_uri}))
