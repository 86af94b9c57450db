"""Endpoints that outside providers call (mounted under /berichten/)."""

from django.urls import path

from loket.notifications import views

app_name = "notifications_callbacks"
urlpatterns = [path("sms-status", views.sms_status_callback, name="sms-status")]
