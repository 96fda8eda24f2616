"""OpenAPI descriptions drf-spectacular cannot infer by itself: how to sign in, the
errors every operation can answer with, the strict filters, and who may do what
(each app's `api` describes its own tags with `describe_tags`)."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "reformledger.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token, created by a signed-in person at POST /api/v1/tokens/ (shown "
                "once) and sent as `Authorization: Bearer <token>`; it acts with its owner's "
                "roles, until it expires. Writes of office leaders and administrators need a "
                "token created `elevated` in a session signed in with the second factor."
            ),
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
            for code in ("409", "412", "428"):
                if code in responses and "content" not in responses[code]:
                    responses[code]["content"] = {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    }
    return result


#: Tag name -> what its operations are and who may do which (Markdown).
TAG_DOCS: dict[str, str] = {}


def describe_tags(docs: dict[str, str]) -> None:
    """Give tags (the first path segment after /api/v1/) their descriptions; each app's
    `api` says there which role may do which act (from docs/permissions.md)."""
    TAG_DOCS.update(docs)


GUIDE = """

## Signing in
- **Another system: a token.** A person signs in to the site and creates a token for
  the system with `POST /api/v1/tokens/` `{{"name": "…"}}` (from the browser, or the
  Swagger page at /api/docs/); the answer shows the token once, only its hash is kept.
  The system sends it with every request as `Authorization: Bearer <token>` and acts
  with its owner's roles. The owner lists and revokes (`DELETE`) tokens there; a
  disabled account's tokens stop working. Only a signed-in session creates tokens
  (a token asking gets a 403). Every token expires: without `expires_at` after the
  password policy's default lifetime, and a longer one than its maximum is a 400.
  Office leaders and the three administrators give a second factor on the site, so
  their tokens only read unless created with `"elevated": true` in a session signed
  in with it; a write with another of their tokens is a 403 saying so.
- **The browser: the session.** After signing in at /login/ (office leaders and the
  three administrators also give their authenticator code), the session cookie
  authenticates. Every `POST`, `PUT`, `PATCH` and `DELETE` on the session must carry
  the CSRF token in the `X-CSRFToken` header, read from the `{csrf_cookie}` cookie;
  without it the answer is a 403.

## Who may do what
The rule of the pages holds: what a user may not see is a **404**, an act the role
does not allow on what it sees a **403**. Each tag's description has its table; in
short: office staff (改革办工作人员) work their office's ledger; office leaders
(主任/副主任) may also decide ratings, approve closings and close periods; a unit's
liaison (联络员) plans, reports and requests closing for tasks its unit leads; a unit
head (一把手) signs its unit's closing requests; city leaders read.

## Answers
- Errors are JSON: `detail`, or one list of messages per field or parameter in error.
  They speak the language the request asks for (`Accept-Language: zh-Hans`, the
  default, or `en`), the 404 included.
- Changing an object that carries a `version` (a task: `PUT`/`PATCH`) says which
  version was read: its ETag as `If-Match`, or `version` in the body. Without either
  the answer is `428` and nothing is changed: a blind write would overwrite changes
  it never saw.
- `409`: the act was already done, the object changed since it was read (a stale
  `version`), or its state forbids the act (a closed task, 销账: reopen it first);
  `412`: a stale `If-Match`. Nothing is changed in any of these cases.
- Lists are paged: `page`, `page_size` (at most 500).

## Filters
A parameter that cannot mean what it says is a `400` naming it, never an unfiltered
list; so is a filter given **empty** (`status=`, `year=`, `rating=`): leave a
parameter out to not filter by it (an empty `ordering=` is the default order). An
id that matches nothing gives an empty list.
"""

EMPTY_NOTE = "Empty: a 400 (leave the parameter out instead)."


def describe_api(result, generator, request, public):
    """The schema's guide (signing in, roles, answers, filters), each tag's description,
    and on every query parameter that an empty value is refused."""
    info = result.setdefault("info", {})
    guide = GUIDE.format(csrf_cookie=settings.CSRF_COOKIE_NAME)
    info["description"] = (info.get("description") or "") + guide
    used: set[str] = set()
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            used.update(operation.get("tags", []))
            for param in operation.get("parameters", []):
                if param.get("in") != "query" or param["name"] == "ordering":
                    continue
                schema = param.get("schema", {})
                if schema.get("type") == "string" and "enum" not in schema:
                    # Not empty, not only spaces, no NUL (a form refuses it).
                    schema.setdefault("minLength", 1)
                    schema.setdefault("pattern", r"^[^\u0000]*[^\s\u0000][^\u0000]*$")
                words = param.get("description", "")
                param["description"] = f"{words}\n\n{EMPTY_NOTE}" if words else EMPTY_NOTE
    result["tags"] = [
        {"name": tag, "description": TAG_DOCS[tag]} for tag in sorted(used) if tag in TAG_DOCS
    ]
    return result
