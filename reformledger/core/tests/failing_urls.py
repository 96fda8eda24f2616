"""The site's URLs plus two that fail, for the error page tests."""

from django.urls import path

from reformledger.config.urls import handler404, handler500, urlpatterns  # noqa: F401


def failing(request):
    raise RuntimeError("could not connect with password=hunter2 (settings.DATABASES)")


urlpatterns = [path("failing/", failing), path("api/failing/", failing), *urlpatterns]
