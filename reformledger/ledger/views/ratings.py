"""Pages of the ratings part of the work cycle."""

urlpatterns: list = []
