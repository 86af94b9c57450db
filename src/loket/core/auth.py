"""The authentication backend (``AUTHENTICATION_BACKENDS``): Django's model backend,
with the user look-up of every logged-in request baked (``loket.core.baked``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends, get_user_model

from loket.core.baked import BakedQuery

BACKEND = "loket.core.auth.ModelBackend"

_USER: BakedQuery[Any] = BakedQuery(
    lambda shape, pk: get_user_model()._default_manager.filter(pk=pk)[:1], name="user"
)


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        if not isinstance(user_id, int):
            return super().get_user(user_id)
        user = _USER.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
