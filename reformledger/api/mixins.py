"""What every app's viewsets share: the documented error answers, the If-Match
header and the ETag, the note body of an act, and the act runner (permission first,
then body)."""

import re

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names each field in error."),
    403: OpenApiResponse(description="The role does not allow this act."),
    404: OpenApiResponse(description="No such object, or not visible to the user."),
}
CONFLICT = {
    409: OpenApiResponse(
        description="The object changed since it was read, the act was already done, or "
        "its state forbids the act (a closed task: reopen it first); nothing changed."
    ),
}
PRECONDITIONS = {
    412: OpenApiResponse(
        description="If-Match names a version no longer current; nothing changed."
    ),
    428: OpenApiResponse(
        description="Neither If-Match nor `version` says which version was read; nothing "
        "changed. Read the object, then send its ETag as If-Match (or its `version`)."
    ),
}
ETAG_RE = re.compile(r'^(W/)?"([0-9]+)"$')
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": r'^(W/)?"[0-9]+"$'},
    OpenApiParameter.HEADER,
    description='The ETag of the version read, e.g. "3". A stale one gets 412. A change '
    "says which version it read, here or as `version` in the body, or it gets 428.",
)


def etag(version: int) -> str:
    """The ETag of a version of an object that carries one."""
    return f'"{version}"'


def if_match_version(request) -> int | None:
    """The version the If-Match header names, or None without one (`*` names none).
    A header that is not one ETag of ours is a 400 naming it."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    found = ETAG_RE.match(header.strip())
    if found is None:
        raise ValidationError({"If-Match": [_('Send the ETag read, e.g. "3".')]})
    return int(found.group(2))


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ActsMixin:
    """Run one service act on the viewset's object and answer with the object re-read.

    The object goes to the service under its model's name (`plan=`, `report=`,
    `closing=`). The permission comes first: with `act` (one act, or several of which
    any will do) the viewset's `may` is asked before the body is read, so a user
    without the right gets a 403 whatever it sent, never a 400 on its body. Then the
    request body is checked by `body` if the act takes one; the service checks the
    permission again.
    """

    def may(self, act: str, obj) -> bool:
        """Whether the user may do `act` on `obj`; each viewset with acts answers."""
        raise NotImplementedError(f"{type(self).__name__} does not say who may {act}")

    def require(self, act: str | tuple[str, ...], obj) -> None:
        """A 403 (recorded) unless the user may do `act`, or one of the acts given."""
        acts = (act,) if isinstance(act, str) else act
        if not any(self.may(a, obj) for a in acts):
            raise PermissionDenied(f"{' or '.join(acts)} not allowed on {obj._meta.model_name}")

    def _act(self, service, body=None, *, act: str | tuple[str, ...] = ()):
        obj = self.get_object()
        if act:
            self.require(act, obj)
        kwargs = {}
        if body is not None:
            data = body(data=self.request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
        service(**{self.act_object: obj}, by=self.request.user, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)
