"""Sign-in events from Django and django-axes, handed to the account services that
record them. Connected in `AccountsConfig.ready`.

Only sign-ins and sign-outs of real requests are recorded: a test client's
`force_login` (a bare request that never went through the middleware) is a test's
set-up, not an event of the system.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from reformledger.accounts import middleware, services
from reformledger.accounts.lockout import ADDRESS_LOCKED

#: The backend of directory sign-ins (accounts.ldap; listed only when LDAP is on).
DIRECTORY_BACKEND = "reformledger.accounts.ldap.DirectoryBackend"
#: Set on the request by that backend when the directory could not be asked.
DIRECTORY_UNAVAILABLE = "rl_directory_unavailable"


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        middleware.start(request, user)
    if request is not None and middleware.served(request):
        directory = getattr(user, "backend", "") == DIRECTORY_BACKEND
        services.login_record(
            user=user, source=services.SOURCE_DIRECTORY if directory else services.SOURCE_LOCAL
        )


@receiver(user_logged_out, dispatch_uid="accounts.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None and request is not None and middleware.served(request):
        services.logout_record(user=user)


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the name is kept.
    unavailable = getattr(request, DIRECTORY_UNAVAILABLE, False)
    services.login_failure_record(
        username=str(credentials.get("username") or ""),
        reason=services.DIRECTORY_UNAVAILABLE_REASON if unavailable else "",
    )


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    services.lockout_record(
        username=str(username or ""),
        address=ip_address or None,
        by_address=getattr(request, ADDRESS_LOCKED, False),
    )
