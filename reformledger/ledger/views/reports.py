"""Pages of the reports part of the work cycle."""

urlpatterns: list = []
