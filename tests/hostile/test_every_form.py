"""Every form of the site, filled with hostile values by someone allowed to use it.

For each state-changing URL of the permission matrix, an allowed user opens the page,
and every field of its POST forms is sent back with markup, a NUL character, a very
long value or nothing. The answer is never a 500, and the markup is never echoed raw."""

from __future__ import annotations

import re

import pytest

from tests.test_permission_matrix import ACTORS, MATRIX, ROUTES, World, _url, world

pytestmark = pytest.mark.django_db

__all__ = ["world"]

SCRIPT = "<script>alert(1)</script>"
HOSTILE_VALUES = {
    "markup": f'"><img src=x onerror=alert(1)>{SCRIPT}',
    "nul": "a\x00b",
    "long": "9" * 20000,
    "empty": "",
}
FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(?:input|textarea|select)\b[^>]*\bname=\"([^\"]+)\"", re.I)
SKIP_FIELDS = {"csrfmiddlewaretoken"}
# Public forms that change something (or could) but are open to all.
PUBLIC_FORMS = ("cases:report", "cases:track", "documents:verify", "accounts:login")


def _fields(html: str) -> list[str]:
    names: list[str] = []
    for form in FORM.findall(html):
        names += [name for name in FIELD.findall(form) if name not in SKIP_FIELDS]
    return sorted(set(names))


def _actor_for(name: str) -> str:
    allowed = MATRIX[name].allowed
    return next((actor for actor in ACTORS if actor in allowed), "anonymous")


def test_every_form_survives_hostile_values(world: World) -> None:
    """One world for every kind of value: building it is the slow part."""
    names = sorted(n for n, rule in MATRIX.items() if rule.post) + list(PUBLIC_FORMS)
    problems: list[str] = []
    tried = 0
    for kind, value in sorted(HOSTILE_VALUES.items()):
        for name in names:
            if name not in ROUTES:
                continue
            client = world.clients[_actor_for(name)]
            url = _url(ROUTES[name], world.samples, MATRIX[name])
            page = client.get(url)
            html = page.content.decode(errors="replace") if page.status_code == 200 else ""
            data = dict.fromkeys(_fields(html) or ["text", "q", "next"], value)
            response = client.post(url, data)
            tried += 1
            if response.status_code >= 500:
                problems.append(f"{name}: POST {url} with {kind} values: {response.status_code}")
            elif SCRIPT in response.content.decode(errors="replace"):
                problems.append(f"{name}: POST {url} echoes the markup raw")
    assert tried > 80
    assert not problems, "\n".join(problems)
