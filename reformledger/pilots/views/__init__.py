"""Pilot and innovation pages, one module per part; each module lists its own urlpatterns."""

from reformledger.pilots.views import brands, documents, innovations, investment, registry

urlpatterns = [
    *registry.urlpatterns,
    *brands.urlpatterns,
    *investment.urlpatterns,
    *documents.urlpatterns,
    *innovations.urlpatterns,
]
