"""Reads of the payments module.

SKELETON: the signatures below are the module's contract; the bodies are being written.
"""

from __future__ import annotations

from loket.payments.types import OrderSummary


def order_get(*, order_id: int) -> OrderSummary | None:
    raise NotImplementedError


def orders_for_case(*, case_id: int) -> list[OrderSummary]:
    raise NotImplementedError


def orders_for_cases(*, case_ids: list[int]) -> dict[int, list[OrderSummary]]:
    """One query for a list page: case id → its orders."""
    raise NotImplementedError


def orders_for_person(*, person_id: int) -> list[OrderSummary]:
    raise NotImplementedError


def order_by_link_token(*, token: str) -> OrderSummary | None:
    raise NotImplementedError
