"""TOTP codes computed on the server side: for the demo's published keys (the
`otp_code` command) and for tests that sign in through the form."""

import hashlib
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

#: The name of the demo's authenticator keys (derived from the user name, published).
DEMO_DEVICE_NAME = "demo"


def demo_key(username: str) -> str:
    """The demo account's TOTP key (hex): fixed and public, like the demo password."""
    return hashlib.sha1(f"reform-ledger-demo:{username}".encode()).hexdigest()  # noqa: S324


def is_demo_device(device: TOTPDevice) -> bool:
    return device.name == DEMO_DEVICE_NAME and device.key == demo_key(device.user.get_username())


def next_code(device: TOTPDevice, at: float | None = None) -> str:
    """A code `device` accepts now and has not accepted before.

    A code is good once: when this time step's code was used already (a second
    sign-in within 30 seconds), the next step's code is given, which the device
    also accepts (its tolerance is one step either way).
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    now_t = totp.t()
    if now_t <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - now_t)
    return f"{totp.token():0{device.digits}d}"
