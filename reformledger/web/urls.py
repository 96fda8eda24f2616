from django.urls import path

from reformledger.web import units, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("units/", units.unit_list, name="units"),
    path("units/<int:pk>/", units.unit_detail, name="unit"),
]
