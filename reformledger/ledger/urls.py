"""The ledger's URLs: each views module brings its own patterns."""

from reformledger.ledger.views import closing, plans, ratings, reports, tasks

app_name = "ledger"
urlpatterns = [
    *tasks.urlpatterns,
    *plans.urlpatterns,
    *reports.urlpatterns,
    *ratings.urlpatterns,
    *closing.urlpatterns,
]
