"""Serializer fields every app's `api` shares."""

from rest_framework import serializers


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A row id looked up among the rows the requesting user may see (`scope(user)`), so
    the id of a row the user may not see answers as one that does not exist, and nothing
    of that row is told. The serializer needs the request in its context."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)
