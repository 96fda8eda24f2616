"""Top-level URL map: each app owns its own urls.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from reformledger.web.views import healthz

# The administration speaks of the system it administers, not of Django.
admin.site.site_header = _("Reform Ledger administration")
admin.site.site_title = _("Reform Ledger administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # My account, the second factor, and the security administrator's account pages.
    path("account/", include("reformledger.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("reformledger.api.urls")),
    path("exchange/", include("reformledger.exchange.urls")),
    path("ledger/", include("reformledger.ledger.urls")),
    path("notifications/", include("reformledger.notifications.urls")),
    path("audit/", include("reformledger.audit.urls")),
    path("supervision/", include("reformledger.supervision.urls")),
    path("pilots/", include("reformledger.pilots.urls")),
    path("indicators/", include("reformledger.indicators.urls")),
    path("evaluation/", include("reformledger.evaluation.urls")),
    path("assessment/", include("reformledger.assessment.urls")),
    path("publications/", include("reformledger.publications.urls")),
    path("lists/", include("reformledger.catalog.urls")),
    # The public side: the published lists, open without login (catalog/public.py).
    path("public/", include("reformledger.catalog.public_urls")),
    path("", include("reformledger.web.urls")),
]

handler404 = "reformledger.web.views.not_found"
handler500 = "reformledger.web.views.server_error"
