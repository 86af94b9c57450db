from django.contrib.auth import views as auth_views
from django.urls import path

from loket.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("aanmelden/", auth_views.LoginView.as_view(), name="login"),
]
