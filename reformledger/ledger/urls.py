"""The ledger's URLs: each views module brings its own patterns."""

from reformledger.ledger.views import (
    closing,
    exchange,
    plans,
    ratings,
    reports,
    staleness,
    tasks,
    work_points,
)

app_name = "ledger"
urlpatterns = [
    *tasks.urlpatterns,
    *plans.urlpatterns,
    *reports.urlpatterns,
    *ratings.urlpatterns,
    *closing.urlpatterns,
    *exchange.urlpatterns,
    *staleness.urlpatterns,
    *work_points.urlpatterns,
]
