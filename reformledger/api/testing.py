"""Helpers for tests that walk the API: every operation that writes, as the schema
generator sees the router (so a route added tomorrow is walked too)."""

from dataclasses import dataclass

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers

WRITES = ("POST", "PUT", "PATCH")


@dataclass(frozen=True)
class Operation:
    """One write of the API: its method, its path as the schema spells it
    (`/api/v1/tasks/{id}/`), and the serializer its body is read with (None: no body)."""

    method: str
    path: str
    body: serializers.Serializer | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def write_operations() -> list[Operation]:
    """Every POST, PUT and PATCH the API offers, with its request serializer."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = []
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        if method not in WRITES:
            continue
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        view.schema.path, view.schema.method = path, method
        body = view.schema.get_request_serializer()
        if isinstance(body, dict):  # {"multipart/form-data": Serializer}
            body = next(iter(body.values()), None)
        if isinstance(body, type):
            body = body()
        if not isinstance(body, serializers.BaseSerializer):
            body = None
        found.append(Operation(method, path, body))
    return found
