"""Pilot and innovation pages (改革试点, 基层创新) under /pilots/."""

from reformledger.pilots.views import urlpatterns  # noqa: F401

app_name = "pilots"
