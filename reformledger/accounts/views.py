"""Account pages.

Everyone: "my account", changing one's password, and the second factor (enrolling
an authenticator app and giving its code after the password). The security
administrator (安全管理员): the list of accounts, creating one, its page with the
acts on it (reset the password, disable, enable, unlock, remove the second factor,
grant and end roles), and the password policy.
"""

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from reformledger.accounts import forms, middleware, permissions, selectors, services
from reformledger.accounts.lockout import ADDRESS_LOCKED
from reformledger.accounts.models import PasswordPolicy, User
from reformledger.accounts.passwords import password_expires_at
from reformledger.core.forms import add_service_errors
from reformledger.orgs.models import Membership


def _next(request, fallback: str) -> str:
    """Where to go once done: the page asked for, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def _with_next(request, page: str) -> str:
    target = request.GET.get("next") or request.POST.get("next")
    return reverse(page) + ("?" + urlencode({"next": target}) if target else "")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while its user name is locked from that address
    (the same for an existing and an unknown user name), or while the address itself is
    locked after too many failures on any user names."""
    return render(
        request,
        "accounts/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "address_locked": getattr(request, ADDRESS_LOCKED, False),
            "address_limit": settings.RL_LOGIN_ADDRESS_FAILURE_LIMIT,
            "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


# --- the owner's own account ------------------------------------------------------


@login_required
def me(request):
    """My account: roles, password age, second factor and API tokens."""
    user = request.user
    return render(
        request,
        "accounts/me.html",
        {
            "memberships": selectors.own_memberships(user),
            "password_expires_at": password_expires_at(user),
            "device": selectors.otp_device_of(user),
            "otp_required": permissions.second_factor_required(user),
            "tokens": user.api_tokens.filter(revoked_at__isnull=True).count(),
        },
    )


@login_required
def password_change(request):
    """Change one's own password (also the page a forced change lands on)."""
    user = request.user
    form = forms.PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=user, new_password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            # The session stays signed in (with a new key); others of this user end.
            update_session_auth_hash(request, user)
            middleware.password_renewed(request)
            messages.success(request, _("Your password has been changed."))
            return redirect(_next(request, "accounts:me"))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": user.must_change_password
            or request.session.get(middleware.PASSWORD_EXPIRED, False),
            "expired": request.session.get(middleware.PASSWORD_EXPIRED, False),
            "rules": password_validators_help_texts(),
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
    )


@login_required
def otp_verify(request):
    """The second step of signing in: the code of the account's authenticator app."""
    user = request.user
    if user.is_verified() or not request.session.get(middleware.NEEDS_OTP):
        return redirect(_next(request, "web:home"))
    device = selectors.otp_device_of(user)
    if device is None:
        return redirect(_with_next(request, "accounts:otp_enrol"))
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            form.add_error(None, _("Too many wrong codes; wait a few seconds and try again."))
        elif services.otp_verify(user=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next(request, "web:home"))
        else:
            form.add_error("token", _("That code is not right; try the next one."))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))},
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def otp_enrol(request):
    """Add an authenticator app: its key as text and as an otpauth:// address, then
    one code from it to confirm. Replaces an earlier key once confirmed."""
    user = request.user
    pending = request.session.get(middleware.NEEDS_OTP) and not user.is_verified()
    if pending and selectors.otp_device_of(user) is not None:
        # A key is already in place: it must be used before it can be replaced.
        return redirect(_with_next(request, "accounts:otp_verify"))
    device = selectors.otp_device_of(user, confirmed=False) or services.otp_device_start(user=user)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            device.refresh_from_db()
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_next(request, "accounts:me"))
        form.add_error("token", _("That code is not right; try the next one."))
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "secret": _grouped(b32encode(device.bin_key).decode()),
            "uri": device.config_url,
            "issuer": settings.OTP_TOTP_ISSUER,
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
    )


@login_required
@require_POST
def otp_remove(request):
    """Remove one's own second factor (only when no role needs it)."""
    services.otp_device_remove(by=request.user, user=request.user)
    messages.success(request, _("Your authenticator app was removed."))
    return redirect("accounts:me")


# --- the security administrator's pages ----------------------------------------


def _require_manager(request) -> None:
    if not permissions.can_manage_accounts(request.user):
        raise PermissionDenied


@login_required
def user_list(request):
    """Every account, searchable, with its roles and state."""
    _require_manager(request)
    search = forms.UserSearchForm(request.GET or None)
    chosen = search.cleaned_data if search.is_valid() else {}
    users = selectors.users_for_admin(q=chosen.get("q", ""), state=chosen.get("state", ""))
    page = Paginator(users, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {
            "search": search,
            "page": page,
            "locked": selectors.locked_usernames(u.username for u in page.object_list),
            "query": query.urlencode(),
        },
    )


@login_required
def user_new(request):
    """Create an account with an initial password."""
    _require_manager(request)
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                by=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                password=data["password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Account %(name)s created; its owner changes the password at first sign-in.")
                % {"name": user.username},
            )
            return redirect("accounts:user", pk=user.pk)
    return render(
        request, "accounts/user_new.html", {"form": form, "rules": password_validators_help_texts()}
    )


def _user_or_404(pk: int) -> User:
    try:
        return selectors.user_for_admin(pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc


def _detail(request, user: User, status: int = 200, **bound):
    context = {
        "account": user,
        "own": user.pk == request.user.pk,
        "locked": user.username in selectors.locked_usernames([user.username]),
        "password_expires_at": password_expires_at(user),
        "reset_form": forms.PasswordResetForm(),
        "reason_form": forms.ReasonForm(),
        "grant_form": forms.RoleGrantForm(),
        "rules": password_validators_help_texts(),
    }
    context.update(bound)
    return render(request, "accounts/user_detail.html", context, status=status)


@login_required
def user_detail(request, pk: int):
    """One account: its facts, roles, and the security administrator's acts on it."""
    _require_manager(request)
    return _detail(request, _user_or_404(pk))


@login_required
@require_POST
def user_act(request, pk: int, act: str):
    """One act on an account, posted from its page."""
    _require_manager(request)
    user = _user_or_404(pk)
    by = request.user
    if act in ("disable", "enable"):
        form = forms.ReasonForm(request.POST)
        form.is_valid()
        service = services.user_disable if act == "disable" else services.user_enable
        service(by=by, user=user, reason=form.cleaned_data.get("reason", ""))
        messages.success(
            request,
            _("The account is disabled.") if act == "disable" else _("The account is enabled."),
        )
    elif act == "unlock":
        services.user_unlock(by=by, user=user)
        messages.success(request, _("The account is unlocked."))
    elif act == "otp_remove":
        form = forms.ReasonForm(request.POST)
        form.is_valid()
        services.otp_device_remove(by=by, user=user, reason=form.cleaned_data.get("reason", ""))
        messages.success(request, _("The account's authenticator app was removed."))
    elif act == "reset":
        form = forms.PasswordResetForm(request.POST)
        if not form.is_valid():
            return _detail(request, user, status=400, reset_form=form)
        try:
            services.user_password_reset(
                by=by,
                user=user,
                password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _detail(request, user, status=400, reset_form=form)
        messages.success(
            request, _("The password is reset; its owner changes it at the next sign-in.")
        )
    elif act == "grant":
        form = forms.RoleGrantForm(request.POST)
        if not form.is_valid():
            return _detail(request, user, status=400, grant_form=form)
        try:
            services.role_grant(by=by, user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _detail(request, user, status=400, grant_form=form)
        messages.success(request, _("The role is granted."))
    else:
        raise Http404
    return redirect("accounts:user", pk=user.pk)


@login_required
@require_POST
def role_revoke(request, pk: int, membership_pk: int):
    """End one of an account's roles."""
    _require_manager(request)
    membership = get_object_or_404(Membership, pk=membership_pk, user_id=pk, is_active=True)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    services.role_revoke(
        by=request.user, membership=membership, reason=form.cleaned_data.get("reason", "")
    )
    messages.success(request, _("The role has ended."))
    return redirect("accounts:user", pk=pk)


@login_required
def policy(request):
    """The password policy's numbers."""
    _require_manager(request)
    current = PasswordPolicy.current()
    form = forms.PasswordPolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_policy_update(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The password policy is saved."))
            return redirect("accounts:policy")
    return render(
        request,
        "accounts/policy.html",
        {
            "form": form,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "address_limit": settings.RL_LOGIN_ADDRESS_FAILURE_LIMIT,
            "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "idle_minutes": settings.RL_SESSION_IDLE_MINUTES,
            "max_hours": settings.RL_SESSION_MAX_HOURS,
            "inactive_days": settings.RL_ACCOUNT_INACTIVE_DAYS,
        },
    )
