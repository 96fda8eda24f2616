from django.urls import path

from reformledger.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.me, name="me"),
    path("password/", views.password_change, name="password_change"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("otp/remove/", views.otp_remove, name="otp_remove"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/roles/<int:membership_pk>/end/", views.role_revoke, name="role_revoke"),
    path("users/<int:pk>/<slug:act>/", views.user_act, name="user_act"),
    path("policy/", views.policy, name="policy"),
]
