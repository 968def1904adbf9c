from django.urls import path

from hrms.auth import views

app_name = "account"

urlpatterns = [
    path("", views.account_detail, name="account_detail"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("two-step/", views.totp_enrol, name="totp_enrol"),
    path("two-step/disable/", views.totp_disable, name="totp_disable"),
]
