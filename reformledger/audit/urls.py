"""The auditor's pages under /audit/."""

from django.urls import path

from reformledger.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("<int:pk>/", views.record_detail, name="record"),
    path("verify/", views.verify, name="verify"),
    path("trail.xlsx", views.trail_xlsx, name="trail_xlsx"),
]
