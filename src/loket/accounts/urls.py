from django.urls import path

from loket.accounts import views, views_acting

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
    path("mijn-gegevens/namens-mij/", views_acting.on_behalf_of_me, name="on_behalf_of_me"),
    path("mijn-gegevens/voor-anderen/", views_acting.done_for_others, name="done_for_others"),
    path("namens/", views_acting.acting, name="acting"),
    path("namens/terug/", views_acting.acting_back, name="acting_back"),
    path("volmachten/", views_acting.mandates, name="mandates"),
    path("volmachten/<int:mandate_id>/intrekken/", views_acting.mandate_end, name="mandate_revoke"),
]
