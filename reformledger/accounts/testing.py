"""Test-suite support for the second factor (never used by the application)."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from reformledger.accounts.otp import next_code


def otp_device_for(user) -> TOTPDevice:
    """The account's confirmed authenticator key, made if it has none. Written
    directly (no audit record), as the factories write rows."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def verify_session(client: Client, user) -> TOTPDevice:
    """Mark a signed-in test client's session as having given its second factor."""
    device = otp_device_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def code_for(user) -> str:
    """A TOTP code the account's key accepts now (for tests that sign in by form)."""
    return next_code(otp_device_for(user))
