from django.urls import path

from loket.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("aanmelden/", views.StaffLoginView.as_view(), name="login"),
    path("afmelden/", views.StaffLogoutView.as_view(), name="logout"),
]
