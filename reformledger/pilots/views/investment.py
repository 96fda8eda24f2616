"""investment pages."""

urlpatterns = []
