"""Token authentication for other systems: tokens are stored hashed (SHA-256)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from reformledger.accounts.models import ApiToken, PasswordPolicy
from reformledger.accounts.tokens import hash_token


def _expires_at(token: ApiToken) -> dt.datetime:
    """When the token stops working. Tokens made before every token had an expiry live
    the policy's longest lifetime from their creation."""
    if token.expires_at is not None:
        return token.expires_at
    return token.created_at + dt.timedelta(days=PasswordPolicy.current().token_max_days)


class HashedTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`. Only the hash is stored, so a leaked database
    does not leak usable tokens; a revoked or expired token is refused."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if _expires_at(token) <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
