"""Pages of the assessment app."""

from reformledger.assessment.views import urlpatterns as _pages

app_name = "assessment"
urlpatterns: list = [*_pages]
