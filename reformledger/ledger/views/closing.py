"""Pages of the closing part of the work cycle."""

urlpatterns: list = []
