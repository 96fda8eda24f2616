from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """DRF plumbing only: router, authentication, pagination, errors, schema."""

    name = "reformledger.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from reformledger.api import schema  # noqa: F401  (registers the extensions)
