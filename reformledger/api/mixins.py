"""What every app's viewsets share: the documented error answers, the If-Match
header, the note body of an act, and the act runner."""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.response import Response

ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names each field in error."),
    403: OpenApiResponse(description="The role does not allow this act."),
    404: OpenApiResponse(description="No such object, or not visible to the user."),
}
CONFLICT = {
    409: OpenApiResponse(description="The object changed since it was read; nothing changed."),
}
ETAG_RE = re.compile(r'^(W/)?"[0-9]+"$')
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": r'^(\*|(W/)?"[0-9]+")$'},
    OpenApiParameter.HEADER,
    description='The ETag of the version read, e.g. "3" (or * for any). A stale one gets 412.',
)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ActsMixin:
    """Run one service act on the viewset's object and answer with the object re-read.

    The object goes to the service under its model's name (`plan=`, `report=`,
    `closing=`), after the request body is checked by `body` if the act takes one.
    """

    def _act(self, service, body=None):
        obj = self.get_object()
        kwargs = {}
        if body is not None:
            data = body(data=self.request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
        service(**{self.act_object: obj}, by=self.request.user, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)
