from django.urls import path

from reformledger.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("my-work/", views.my_work, name="my_work"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/status/", views.task_status, name="task_status"),
    path("tasks/<int:pk>/history/", views.task_history, name="task_history"),
    path("tasks/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("tasks/<int:pk>/plan/revise/", views.plan_revise, name="plan_revise"),
    path("tasks/<int:pk>/plan/<int:plan_pk>/submit/", views.plan_submit, name="plan_submit"),
    path("tasks/<int:pk>/plan/<int:plan_pk>/approve/", views.plan_approve, name="plan_approve"),
    path("tasks/<int:pk>/plan/<int:plan_pk>/reject/", views.plan_reject, name="plan_reject"),
]
