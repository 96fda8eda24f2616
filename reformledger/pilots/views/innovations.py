"""innovations pages."""

urlpatterns = []
