"""API tokens: the owner lists, creates and revokes its own."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from reformledger.accounts import services
from reformledger.accounts.models import ApiToken
from reformledger.api.exceptions import Conflict
from reformledger.api.permissions import SignedInSession
from reformledger.api.schema import describe_tags

describe_tags(
    {
        "tokens": "API tokens: every signed-in user lists, creates (the token is shown once) "
        "and revokes its own, and only its own; a token cannot revoke itself. Only a "
        "signed-in session creates tokens (a token asking gets 403). Every token expires: "
        "without `expires_at` it lives the password policy's default lifetime (90 days "
        "unless the security administrator changed it), and a longer one than the policy's "
        "maximum (365 days by default) is a 400 on `expires_at`. Office leaders and the "
        "three administrators write through the API only with an `elevated` token, made in a "
        "session signed in with the second factor; their other tokens only read (403).",
    }
)


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "elevated",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]
        extra_kwargs = {
            "expires_at": {
                "help_text": "When the token stops working; left out, the policy's default "
                "lifetime. At most the policy's longest lifetime from now."
            },
            "elevated": {
                "help_text": "For the acts that need the second factor (office leaders' and "
                "administrators' writes); only in a session signed in with it."
            },
        }


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

    def get_permissions(self):
        if self.action == "create":
            # Checked before the body is read: a token asking gets a 403 saying why.
            return [IsAuthenticated(), SignedInSession()]
        # Revoking only takes rights away: any of the owner's tokens may do it.
        return [IsAuthenticated()]

    @extend_schema(request=TokenSerializer, responses={201: NewTokenSerializer})
    def create(self, request, *args, **kwargs):
        data = TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verified = bool(getattr(request.user, "is_verified", lambda: False)())
        if data.validated_data.get("elevated") and not verified:
            raise PermissionDenied(
                _(
                    "An elevated token is made only in a session signed in with the second "
                    "factor: add an authenticator app under My account, sign in again with "
                    "its code, and create the token then."
                )
            )
        token, raw = services.token_create(
            by=request.user, second_factor_verified=verified, **data.validated_data
        )
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
