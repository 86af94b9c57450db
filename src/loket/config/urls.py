from django.contrib import admin
from django.urls import include, path

from loket.core.views import healthz

admin.site.site_header = "Loket – configuratie"
admin.site.site_title = "Loket"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("backoffice/", include("loket.backoffice.urls")),
    path("", include("loket.portal.urls")),
]
