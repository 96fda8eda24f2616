"""API tokens: the owner lists, creates and revokes its own."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from reformledger.accounts import services
from reformledger.accounts.models import ApiToken
from reformledger.api.exceptions import Conflict
from reformledger.api.schema import describe_tags

describe_tags(
    {
        "tokens": "API tokens: every signed-in user lists, creates (the token is shown once) "
        "and revokes its own, and only its own; a token cannot revoke itself.",
    }
)


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it safely.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


class TokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's own API tokens. DELETE revokes (the row is kept)."""

    serializer_class = TokenSerializer
    lookup_value_regex = "[0-9]+"
    queryset = ApiToken.objects.none()  # for the schema; rows come from get_queryset

    def get_queryset(self):
        # Revoked tokens stay in the database (and the audit trail) but are gone
        # from the API: a revoked token is no longer a resource.
        return ApiToken.objects.filter(user=self.request.user, revoked_at__isnull=True).order_by(
            "-id"
        )

    @extend_schema(request=TokenSerializer, responses={201: NewTokenSerializer})
    def create(self, request, *args, **kwargs):
        data = TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = services.token_create(by=request.user, **data.validated_data)
        body = NewTokenSerializer(token).data
        body["token"] = raw
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="This token is in use.")})
    def destroy(self, request, *args, **kwargs):
        token = self.get_object()
        if isinstance(request.auth, ApiToken) and request.auth.pk == token.pk:
            # Revoking the token that signs this very request would lock the caller
            # out half-way; revoke it from another session or token.
            raise Conflict(_("This request is signed with that token; revoke it from elsewhere."))
        services.token_revoke(token=token, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
