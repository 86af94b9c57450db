from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from loket.accounts.staff.selectors import staff_session_is_verified
from loket.accounts.staff.views import admin_login
from loket.core.views import bench_baseline, healthz

admin.site.site_header = "Loket – configuratie"
admin.site.site_title = "Loket"
# The configuration has no password-only login: staff log in at the back office (with
# their second factor) and only such a session gets in.
_admin_has_permission = admin.site.has_permission
admin.site.has_permission = lambda request: (  # type: ignore[method-assign]
    _admin_has_permission(request) and staff_session_is_verified(request=request)
)
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("loket.api.urls")),
    path("backoffice/", include("loket.accounts.staff.urls")),
    path("backoffice/berichten/", include("loket.notifications.urls")),
    path("berichten/", include("loket.notifications.urls_callbacks")),
    path("backoffice/balie/", include("loket.accounts.urls_counter")),
    path("backoffice/diensten/", include("loket.catalog.urls_backoffice")),
    path("backoffice/dossiers/", include("loket.cases.urls_backoffice")),
    path("backoffice/koppelingen/", include("loket.api.urls_backoffice")),
    path("backoffice/documenten/", include("loket.documents.urls_backoffice")),
    path("backoffice/betalingen/", include("loket.payments.urls_backoffice")),
    path("backoffice/", include("loket.backoffice.urls")),
    path("diensten/", include("loket.catalog.urls_portal")),
    path("mijn-berichten/", include("loket.notifications.urls_portal")),
    path("betalen/", include("loket.payments.urls_portal")),
    path("", include("loket.documents.urls_portal")),
    path("", include("loket.accounts.urls")),
    path("", include("loket.cases.urls_portal")),
    path("", include("loket.portal.urls")),
]

if settings.LOKET_BENCH_BASELINE and not settings.PRODUCTION:  # `loket bench home` only
    urlpatterns.insert(0, path("__bench__/baseline", bench_baseline))
