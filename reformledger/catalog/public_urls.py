"""URLs of the public side (/public/): the published lists, open without login
(catalog/public.py). Nothing here leads into the ledger."""

from django.urls import path

from reformledger.catalog import public

app_name = "public"
urlpatterns = [
    path("", public.lists, name="lists"),
    path("lists/items/<int:pk>/", public.item, name="item"),
    path("editions/", public.editions, name="editions"),
    path("editions/<int:pk>/", public.edition, name="edition"),
]
