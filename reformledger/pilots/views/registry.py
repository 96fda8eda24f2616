"""registry pages."""

urlpatterns = []
