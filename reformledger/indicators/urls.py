"""Indicator pages (指标) under /indicators/."""

from reformledger.indicators.views import urlpatterns  # noqa: F401

app_name = "indicators"
