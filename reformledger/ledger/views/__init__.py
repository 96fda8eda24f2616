"""Ledger views, one module per part of the cycle; each module lists its urlpatterns."""
