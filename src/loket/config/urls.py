from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from loket.core.views import bench_baseline, healthz

admin.site.site_header = "Loket – configuratie"
admin.site.site_title = "Loket"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("backoffice/", include("loket.backoffice.urls")),
    path("", include("loket.portal.urls")),
]

if settings.LOKET_BENCH_BASELINE and not settings.PRODUCTION:  # `loket bench home` only
    urlpatterns.insert(0, path("__bench__/baseline", bench_baseline))
