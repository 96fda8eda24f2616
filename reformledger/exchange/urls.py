"""The pages of import jobs (every domain's imports run as jobs)."""

from django.urls import path

from reformledger.exchange import views

app_name = "exchange"
urlpatterns = [
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/decide/", views.job_decide, name="job_decide"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="job_confirm"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/restart/", views.job_restart, name="job_restart"),
]
