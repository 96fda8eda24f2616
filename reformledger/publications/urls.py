"""Pages of the publications app."""

from reformledger.publications.views import urlpatterns as _pages

app_name = "publications"
urlpatterns: list = [*_pages]
