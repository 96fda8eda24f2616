"""Changes to accounts: API tokens (created and revoked by their owner)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.accounts.models import ApiToken
from reformledger.accounts.tokens import PREFIX_LENGTH, hash_token, new_token
from reformledger.audit import services as audit


@transaction.atomic
def token_create(*, by, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for `by` itself; returns the row and the raw token (shown once)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token (the system that will use it).")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    raw = new_token()
    token = ApiToken.objects.create(
        user=by,
        name=name,
        prefix=raw[: PREFIX_LENGTH + 3],
        key_hash=hash_token(raw),
        expires_at=expires_at,
    )
    audit.record(actor=by, verb="token.created", obj=token, ctx=by)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token; only its owner may. Revoking twice changes nothing more."""
    if token.user_id != by.pk:
        raise PermissionDenied("revoke another user's token")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=by, verb="token.revoked", obj=token, ctx=by)
    return token
