"""Evaluation pages (改革评估) under /evaluation/."""

from reformledger.evaluation.views import urlpatterns  # noqa: F401

app_name = "evaluation"
