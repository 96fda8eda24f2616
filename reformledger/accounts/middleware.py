"""The rules a signed-in session lives by (MLPS 身份鉴别 and 访问控制).

- A session ends after RL_SESSION_IDLE_MINUTES without a request and
  RL_SESSION_MAX_HOURS after its sign-in, whatever happens; the time of the sign-in
  and of the last request are kept in the session itself.
- A session whose account was disabled (or whose password changed elsewhere) is
  ended at its next request, so enabling the account again does not revive it.
- A session that needs the second factor may open only the TOTP pages until a
  code was given; one whose password must change (an initial or reset password, or
  one past the policy's maximum age) only the password page.

Whether a session needs the second factor, and whether its password had expired, is
decided once at sign-in (`start`), so an ordinary request costs no query here.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from reformledger.accounts import services
from reformledger.accounts.passwords import password_expired
from reformledger.accounts.permissions import second_factor_required

LOGIN_AT = "rl_login_at"
SEEN_AT = "rl_seen_at"
NEEDS_OTP = "rl_needs_otp"
PASSWORD_EXPIRED = "rl_password_expired"  # noqa: S105 - a session key, not a password

#: The last-request time is written back at most this often (seconds), so a burst of
#: requests costs one session write, not one each; the idle time-out is this coarse.
TOUCH_SECONDS = 60

#: Pages a session may open while its second factor is pending.
OTP_PAGES = frozenset(
    {"logout", "set_language", "healthz", "accounts:otp_verify", "accounts:otp_enrol"}
)
#: Pages a session may open while its password must change.
PASSWORD_PAGES = frozenset({"logout", "set_language", "healthz", "accounts:password_change"})


def start(request, user) -> None:
    """Mark a new session at sign-in: its times, and what it must do before working."""
    now = int(time.time())
    session = request.session
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[NEEDS_OTP] = second_factor_required(user) or user_has_device(user)
    session[PASSWORD_EXPIRED] = password_expired(user)


def served(request) -> bool:
    """True for a request that came in over HTTP through this middleware; False for
    the bare request a test client's `force_login` signs in with."""
    return getattr(request, "rl_served", False)


def password_renewed(request) -> None:
    """The session's owner has set a new password: the expiry no longer holds it back."""
    request.session.pop(PASSWORD_EXPIRED, None)


def _timed_out(session, now: int) -> str:
    """Why the session has ended ("idle" or "absolute"), or "" if it has not."""
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        # A session from before these rules: its clock starts now.
        session[LOGIN_AT] = session.get(LOGIN_AT, now)
        session[SEEN_AT] = now
        return ""
    if now - login_at > settings.RL_SESSION_MAX_HOURS * 3600:
        return "absolute"
    if now - seen_at > settings.RL_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - seen_at >= TOUCH_SECONDS:
        session[SEEN_AT] = now
    return ""


class SignInPolicyMiddleware:
    """Session time-outs, disabled accounts, and the second-factor and password gates."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.rl_served = True  # see `served`
        session = request.session
        if SESSION_KEY in session:
            if not request.user.is_authenticated:
                # The account was disabled, or its password changed elsewhere.
                session.flush()
            else:
                why = _timed_out(session, int(time.time()))
                if why:
                    services.session_expiry_record(user=request.user, reason=why)
                    session.flush()
                    request.user = AnonymousUser()
                    messages.info(request, _("Your session has ended; please sign in again."))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if request.session.get(NEEDS_OTP) and not user.is_verified():
            if name in OTP_PAGES:
                return None
            return self._send(
                request, "accounts:otp_verify", _("Enter the code from your authenticator app.")
            )
        if user.must_change_password or request.session.get(PASSWORD_EXPIRED):
            if name in PASSWORD_PAGES:
                return None
            return self._send(
                request, "accounts:password_change", _("Please change your password.")
            )
        return None

    @staticmethod
    def _send(request, page: str, detail: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=403)
        url = reverse(page)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
