"""Supervision pages (督查督办) under /supervision/."""

from reformledger.supervision.views import urlpatterns  # noqa: F401

app_name = "supervision"
