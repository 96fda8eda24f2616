"""Making and hashing API tokens."""

import hashlib
import secrets

PREFIX_LENGTH = 8


def new_token() -> str:
    """A random token: shown to its owner once, never stored."""
    return "rl_" + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
