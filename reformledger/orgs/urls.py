from django.urls import path

from reformledger.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_list, name="units"),
    path("<int:pk>/", views.unit_detail, name="unit"),
]
