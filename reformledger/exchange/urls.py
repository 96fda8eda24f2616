"""Downloads and uploads of documents (Excel, CSV)."""

from django.urls import path

from reformledger.exchange import views

app_name = "exchange"
urlpatterns = [
    path("ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("ledger.csv", views.ledger_csv, name="ledger_csv"),
    path("closed.xlsx", views.ledger_xlsx, {"closed": True}, name="closed_xlsx"),
    path("closed.csv", views.ledger_csv, {"closed": True}, name="closed_csv"),
    path("task-list/template.xlsx", views.task_list_template, name="task_list_template"),
    path("task-list/export.xlsx", views.task_list_export, name="task_list_export"),
    path("task-list/import/", views.task_list_import, name="task_list_import"),
    path("reports/template.xlsx", views.reports_template, name="reports_template"),
    path("reports/import/", views.reports_import, name="reports_import"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("supervision.xlsx", views.supervision_xlsx, name="supervision_xlsx"),
]
