"""Back-office pages of the notifications module (mounted under /backoffice/berichten/)."""

from django.urls import path

from loket.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("mislukt/", views.failures, name="failures"),
    path("massa/", views.fanout_start, name="fanout-start"),
    path("massa/<int:fanout_id>/<str:action>/", views.fanout_action, name="fanout-action"),
    path("demo/", views.demo_sinks, name="demo-sinks"),
    path("sjablonen/", views.template_list, name="templates"),
    path("sjablonen/<int:template_id>/", views.template_preview, name="template-preview"),
]
