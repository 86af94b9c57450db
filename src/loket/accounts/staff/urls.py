from django.urls import path

from loket.accounts.staff import views

app_name = "staff_login"
urlpatterns = [
    path("aanmelden/tweede-stap/", views.verify, name="verify"),
    path("aanmelden/instellen/", views.enrol, name="enrol"),
    path("aanmelden/passkey/opties/", views.passkey_login_options, name="passkey_login_options"),
    path("aanmelden/passkey/", views.passkey_login, name="passkey_login"),
    path("aanmelden/gemeente/", views.sso_start, name="sso_start"),
    path("aanmelden/gemeente/terug/", views.sso_callback, name="sso_callback"),
    path("afmelden/volledig/", views.logout_view, name="logout"),
    path("beveiliging/", views.security, name="security"),
    path("beveiliging/herstelcodes/", views.recovery_codes, name="recovery_codes"),
    path("beveiliging/herstelcodes/vernieuwen/", views.recovery_renew, name="recovery_renew"),
    path("beveiliging/verwijderen/", views.factor_remove, name="factor_remove"),
    path(
        "beveiliging/passkey/opties/",
        views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("beveiliging/passkey/", views.passkey_register_view, name="passkey_register"),
]
