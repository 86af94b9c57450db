"""Portal pages of notifications: inbox, preferences, contact details (mounted under
/mijn-berichten/)."""

from django.urls import path

from loket.notifications import views_portal as views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:message_id>/", views.inbox_message, name="message"),
    path("voorkeuren/", views.preferences, name="preferences"),
    path("contact/", views.contact, name="contact"),
    path("contact/<int:contact_id>/bevestigen/", views.contact_verify, name="contact-verify"),
    path("contact/<int:contact_id>/nieuwe-code/", views.contact_resend, name="contact-resend"),
    path("contact/<int:contact_id>/verwijderen/", views.contact_remove, name="contact-remove"),
]
