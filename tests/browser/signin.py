"""Signing in through the real form in the browser, with the second factor when the
account needs one (the code is computed from its key, as an authenticator app would)."""

from django.contrib.auth import get_user_model

from reformledger.accounts.permissions import second_factor_required
from reformledger.accounts.testing import code_for, otp_device_for
from tests.factories import PASSWORD


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Fill in the sign-in form; then the TOTP code if the account is asked for one."""
    user = get_user_model().objects.get(username=username)
    if second_factor_required(user):
        otp_device_for(user)  # as if the user had set up an app before
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()
    if "/account/otp/verify/" in page.url:
        page.fill("#id_token", code_for(user))
        page.get_by_test_id("otp-submit").click()
        page.wait_for_load_state()
