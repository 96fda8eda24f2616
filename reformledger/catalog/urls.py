"""The lists' office pages (mounted at /lists/); the public side is `public_urls`."""

from reformledger.catalog.views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
