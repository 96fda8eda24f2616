"""Indicator pages (指标) under /indicators/."""

urlpatterns = []

app_name = "indicators"
