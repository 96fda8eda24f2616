from django.urls import path

from reformledger.web import messengers, units, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("units/", units.unit_list, name="units"),
    path("units/<int:pk>/", units.unit_detail, name="unit"),
    path("units/<int:pk>/messengers/", messengers.unit_messengers, name="unit_messengers"),
    path("units/<int:pk>/messengers/add/", messengers.messenger_add, name="messenger_add"),
    path(
        "units/<int:pk>/messengers/<int:robot_pk>/",
        messengers.messenger_edit,
        name="messenger_edit",
    ),
    path(
        "units/<int:pk>/messengers/<int:robot_pk>/switch/",
        messengers.messenger_switch,
        name="messenger_switch",
    ),
    path(
        "units/<int:pk>/messengers/<int:robot_pk>/test/",
        messengers.messenger_test,
        name="messenger_test",
    ),
    path(
        "units/<int:pk>/messengers/deliveries/<int:delivery_pk>/resend/",
        messengers.delivery_resend,
        name="messenger_resend",
    ),
]
