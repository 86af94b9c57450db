"""The project's URLs plus one view that needs an eID login (level 500)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from loket.accounts.permissions import assurance_required


@assurance_required(500)
def eid_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"level 500")


urlpatterns = [
    path("test-eid-only/", eid_only),
    path("", include("loket.config.urls")),
]
