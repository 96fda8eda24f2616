"""OpenAPI descriptions drf-spectacular cannot infer by itself."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "reformledger.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token created by its owner at /api/v1/tokens/.",
        }


ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` for a general error, or one list of messages per field.",
    "additionalProperties": True,
}

_STANDARD = {
    "400": "Invalid input: the body names each field (or `detail`) in error.",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "403": "The role does not allow this act.",
    "404": "No such object, or not visible to the user; or a page past the last.",
}


def add_error_responses(result, generator, request, public):
    """Document the errors every operation can answer with, so clients (and
    schemathesis) know them: 400 for any input, 401, 403 and 404."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, words in _STANDARD.items():
                current = responses.get(code)
                if current is None or "content" not in current:
                    responses[code] = {
                        "description": (current or {}).get("description") or words,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    }
            for code in ("409", "412"):
                if code in responses and "content" not in responses[code]:
                    responses[code]["content"] = {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    }
    return result
