from django.urls import path

from loket.accounts import views

app_name = "accounts"
urlpatterns = [
    path("aanmelden/", views.login_page, name="login"),
    path("aanmelden/start/", views.login_start, name="start"),
    path("aanmelden/terug/", views.callback, name="callback"),
    path("afmelden/", views.logout_view, name="logout"),
    path("afmelden/alle-toestellen/", views.logout_everywhere, name="logout_everywhere"),
    path("afgemeld/", views.logged_out, name="logged_out"),
    path("mijn-gegevens/", views.my_details, name="my_details"),
    path("mijn-gegevens/wie-bekeek/", views.access_log, name="access_log"),
]
