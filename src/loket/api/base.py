"""The base class of every API endpoint."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from loket.api import services
from loket.api.framework import (
    BearerTokenAuthentication,
    CappedJSONParser,
    ClientRateThrottle,
    check_body_size,
)
from loket.api.permissions import HasRequiredScopes, client_identity

PAGINATION_PARAMETERS = frozenset({"cursor", "page_size"})


class LoketApiView(APIView):
    """What every endpoint shares. Subclasses set ``required_scopes``, the query
    parameters they accept (``query_parameters``) and whether they return personal
    data (``personal_data``: such calls are logged per client)."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasRequiredScopes]
    throttle_classes = [ClientRateThrottle]
    parser_classes = [CappedJSONParser]
    renderer_classes = [JSONRenderer]
    required_scopes: tuple[str, ...] = ()
    query_parameters: frozenset[str] = frozenset()
    personal_data = False

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        check_body_size(request)
        super().initial(request, *args, **kwargs)
        allowed = self.query_parameters | (
            PAGINATION_PARAMETERS if getattr(self, "pagination_class", None) else frozenset()
        )
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError(
                {name: ["Unknown query parameter."] for name in unknown}
            )

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        identity = client_identity(request)
        if identity is not None:
            services.api_call_record(
                client_id=identity.client_id,
                method=request.method,
                path=request.path,
                status_code=response.status_code,
                personal_data=self.personal_data,
            )
        return response
