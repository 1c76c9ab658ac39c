"""The plan's cost estimate (wizard/cost.py): endpoint-AZ hours and hosted zones, in both directions. Pure: the
changes are built in memory, as the planner makes them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from wizard.cost import HOURS_PER_MONTH, estimate


def _change(type_: str, action: str, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> Any:
    return SimpleNamespace(type=type_, action=action, before=before or {}, after=after or {})


def _plan(*changes: Any) -> Any:
    return SimpleNamespace(changes=list(changes))


TWO_AZS = {"type": "Interface", "subnet_ids": ["subnet-a", "subnet-b"]}


def test_interface_endpoints_bill_per_endpoint_per_az_hour_gateways_and_no_ops_cost_nothing() -> None:
    cost = estimate(_plan(_change("vpc_endpoint", "create", after=TWO_AZS),
                          _change("vpc_endpoint", "create", after=TWO_AZS),
                          _change("vpc_endpoint", "create", after={"type": "Gateway", "route_table_ids": ["rtb-1"]}),
                          _change("vpc_endpoint", "no-op", before=TWO_AZS, after=TWO_AZS),
                          _change("security_group", "create")))
    assert (cost.endpoint_azs, cost.endpoint_az_hours_per_month) == (4, 4 * HOURS_PER_MONTH)
    assert cost.monthly_usd == 29.2
    assert cost.line() == ("Cost estimate: adds 4 endpoint-AZ(s) = 2920 endpoint-AZ hours a month: about $29.20/month "
                           "plus $0.01/GB processed (default list prices (US East, N. Virginia); your region may "
                           "differ).")


def test_a_subnet_more_or_less_counts_its_az_and_a_hosted_zone_its_monthly_fee() -> None:
    cost = estimate(_plan(_change("vpc_endpoint", "update", before=TWO_AZS,
                                  after={**TWO_AZS, "subnet_ids": ["subnet-a", "subnet-b", "subnet-c"]}),
                          _change("hosted_zone", "create")))
    assert (cost.endpoint_azs, cost.hosted_zones, cost.monthly_usd) == (1, 1, 7.8)
    assert "adds 1 endpoint-AZ(s)" in cost.line() and "adds 1 private hosted zone(s)" in cost.line()


def test_a_plan_that_removes_endpoints_and_zones_reads_as_a_saving_never_a_negative_price() -> None:
    """Found by a new user: a destroy printed 'about $-14.60/month'."""
    cost = estimate(_plan(_change("vpc_endpoint", "delete", before=TWO_AZS), _change("hosted_zone", "delete")))
    assert (cost.endpoint_azs, cost.hosted_zones, cost.monthly_usd) == (-2, -1, -15.1)
    line = cost.line()
    assert "removes 2 endpoint-AZ(s)" in line and "removes 1 private hosted zone(s)" in line
    assert "saves about $15.10/month" in line and "$-" not in line and "/GB" not in line
    assert cost.as_json()["monthly_usd"] == -15.1  # the JSON keeps the sign for programs
