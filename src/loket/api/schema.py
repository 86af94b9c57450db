"""OpenAPI details drf-spectacular cannot infer: problem responses on every operation,
JSON-LD bodies described as plain objects, and the OAuth 2.0 security scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from loket.api.constants import Scope

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "title", "status"],
}
PROBLEM_STATUSES = {
    "400": "Invalid input",
    "401": "No or invalid access token",
    "403": "The token lacks a scope",
    "404": "Not found",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "413": "Body too large",
    "415": "Unsupported media type",
    "429": "Rate limit reached",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "loket.api.framework.BearerTokenAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/oauth/token",
                    "scopes": {scope.value: str(scope.label) for scope in Scope},
                }
            },
        }

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[str]]]:
        required = list(getattr(auto_schema.view, "required_scopes", ()))
        if required:
            return [{self.name: required}]
        return [{self.name: []}, {}]


def add_problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for response in responses.values():
                content = response.get("content", {})
                if "application/ld+json" in content:
                    content["application/ld+json"] = {
                        "schema": {"type": "object", "additionalProperties": True}
                    }
            if "409" in responses:
                responses["409"]["content"] = problem
            for code, description in PROBLEM_STATUSES.items():
                if path.startswith("/api/oauth/") and code in ("400", "401"):
                    continue
                responses.setdefault(code, {"description": description, "content": problem})
    return result
