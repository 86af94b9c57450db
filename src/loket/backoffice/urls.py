from django.urls import path

from loket.backoffice import views, views_residents, views_staff

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("aanmelden/", views.StaffLoginView.as_view(), name="login"),
    path("afmelden/", views.StaffLogoutView.as_view(), name="logout"),
    path("inwoners/", views_residents.resident_search, name="residents"),
    path("inwoners/<int:person_id>/", views_residents.resident_detail, name="resident"),
    path("medewerkers/", views_staff.staff_overview, name="staff"),
    path("medewerkers/<int:user_id>/", views_staff.staff_detail, name="staff-detail"),
    path(
        "medewerkers/<int:user_id>/rollen/toevoegen/",
        views_staff.staff_membership_add,
        name="staff-membership-add",
    ),
    path(
        "medewerkers/<int:user_id>/rollen/<int:membership_id>/verwijderen/",
        views_staff.staff_membership_remove,
        name="staff-membership-remove",
    ),
    path("rollen/", views_staff.role_overview, name="roles"),
]
