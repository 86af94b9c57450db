"""What the staff login page offers: ``{% staff_login_options as options %}``."""

from __future__ import annotations

from django import template

from loket.accounts.staff.selectors import staff_password_login_enabled, staff_sso_enabled

register = template.Library()


@register.simple_tag
def staff_login_options() -> dict[str, bool]:
    return {"sso": staff_sso_enabled(), "password": staff_password_login_enabled()}
