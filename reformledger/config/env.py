"""Small typed readers of environment variables for settings.py."""

import datetime as dt
import os


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_date(name: str) -> dt.date | None:
    """A date written YYYY-MM-DD, or None when the variable is unset or empty; any other
    value stops the start with the variable named."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name}={value!r} is not a date written YYYY-MM-DD.") from None


def cache_from_url(url: str, *, name: str, max_entries: int | None = None) -> dict:
    """A CACHES entry for a cache URL: `redis://` or `rediss://` (Django's RedisCache,
    shared by every process that names the same server), `file:///folder`
    (FileBasedCache, shared by the processes of one machine), anything else (`locmem://`,
    empty) this process's own memory under `name`."""
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("file://"):
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.removeprefix("file://"),
        }
    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
    if max_entries is not None:
        cache["OPTIONS"] = {"MAX_ENTRIES": max_entries}
    return cache
