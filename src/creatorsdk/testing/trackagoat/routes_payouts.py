"""The payout endpoints' routes (contract section 3.8), for the app's route table."""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import Route

from creatorsdk.testing._routing import UUID, Handler
from creatorsdk.testing.trackagoat import routes_payout_ledger as ledger
from creatorsdk.testing.trackagoat import routes_payout_methods as methods
from creatorsdk.testing.trackagoat import routes_payout_structures as structures

__all__ = ["payout_routes"]


def payout_routes(route: Callable[..., Route]) -> list[Route]:
    """Every payout route, built with the app's ``route(path, METHOD=handler, ...)``."""
    one = f"{{id:{UUID}}}"
    table: list[tuple[str, dict[str, Handler]]] = [
        ("/payout-methods", {"GET": methods.list_methods, "POST": methods.create_method}),
        (
            f"/payout-methods/{one}",
            {
                "GET": methods.get_method,
                "PATCH": methods.update_method,
                "DELETE": methods.delete_method,
            },
        ),
        (
            "/payout-structures",
            {"GET": structures.list_structures, "POST": structures.create_structure},
        ),
        (
            f"/payout-structures/{one}",
            {
                "GET": structures.get_structure,
                "PATCH": structures.update_structure,
                "DELETE": structures.delete_structure,
            },
        ),
        (
            f"/payout-structures/{one}/assignments",
            {
                "GET": structures.list_assignments,
                "POST": structures.add_assignments,
                "DELETE": structures.remove_assignments,
            },
        ),
        ("/payout-accruals", {"GET": ledger.list_accruals}),
        (f"/payout-accruals/{one}", {"GET": ledger.get_accrual, "PATCH": ledger.update_accrual}),
        ("/payout-payments", {"GET": ledger.list_payments, "POST": ledger.create_payment}),
        (f"/payout-payments/{one}", {"GET": ledger.get_payment, "PATCH": ledger.update_payment}),
    ]
    return [route(path, **handlers) for path, handlers in table]
