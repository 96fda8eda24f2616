"""brands pages."""

urlpatterns = []
