"""What a plan adds to the AWS bill: an ESTIMATE from a documented default price table, not a quote.

Interface endpoints (AWS PrivateLink) bill per endpoint per Availability Zone per hour, from creation until
deletion, whatever the traffic, plus per GB of data they process. Gateway endpoints (S3) and everything else
the tool creates (security groups, IAM policies) cost nothing; a private hosted zone costs a monthly fee.

The rates are AWS's published list prices for US East (N. Virginia) (https://aws.amazon.com/privatelink/pricing/
and https://aws.amazon.com/route53/pricing/); many regions charge a little more. The tool does not query the
AWS Price List API: it answers only in us-east-1, ap-south-1 and eu-central-1, needs `pricing:GetProducts`,
and would add a second of network calls to every plan. Check the pricing pages for your region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HOURS_PER_MONTH = 730  # AWS's own monthly figure (24 * 365 / 12)
ENDPOINT_AZ_HOUR_USD = 0.01  # interface endpoint, per endpoint per AZ per hour
ENDPOINT_GB_USD = 0.01  # data processed, first PB per month in the region
HOSTED_ZONE_MONTH_USD = 0.50  # per hosted zone per month (first 25 zones)
PRICE_SOURCE = "default list prices (US East, N. Virginia); your region may differ"


@dataclass(frozen=True)
class CostEstimate:
    endpoint_az_hours_per_month: int  # endpoint-AZ hours the plan adds per month (negative: it removes)
    endpoint_azs: int  # endpoint-AZ pairs added (an interface endpoint in 2 subnets = 2)
    hosted_zones: int  # private hosted zones added
    monthly_usd: float  # the fixed monthly part: endpoint-AZ hours and hosted zones
    per_gb_usd: float = ENDPOINT_GB_USD  # on top: every GB the endpoints process
    source: str = PRICE_SOURCE

    @property
    def has_cost(self) -> bool:
        return bool(self.endpoint_azs or self.hosted_zones)

    def as_json(self) -> dict[str, Any]:
        return {"estimate": True, "endpoint_az_hours_per_month": self.endpoint_az_hours_per_month,
                "endpoint_azs_added": self.endpoint_azs, "hosted_zones_added": self.hosted_zones,
                "monthly_usd": self.monthly_usd, "per_gb_processed_usd": self.per_gb_usd,
                "rates": {"endpoint_az_hour_usd": ENDPOINT_AZ_HOUR_USD, "hosted_zone_month_usd": HOSTED_ZONE_MONTH_USD,
                          "hours_per_month": HOURS_PER_MONTH},
                "source": self.source}

    def line(self) -> str:
        """One line for people, labelled as the estimate it is."""
        sign = "adds" if self.endpoint_azs >= 0 else "removes"
        parts = [(f"{sign} {abs(self.endpoint_azs)} endpoint-AZ(s) = {abs(self.endpoint_az_hours_per_month)} "
                  "endpoint-AZ hours a month")]
        if self.hosted_zones:
            parts.append(f"{'adds' if self.hosted_zones > 0 else 'removes'} {abs(self.hosted_zones)} private hosted "
                         "zone(s)")
        if self.monthly_usd < 0:  # a plan that removes endpoint-AZs or zones saves, and processes no more data
            return f"Cost estimate: {', '.join(parts)}: saves about ${-self.monthly_usd:,.2f}/month ({self.source})."
        return (f"Cost estimate: {', '.join(parts)}: about ${self.monthly_usd:,.2f}/month "
                f"plus ${self.per_gb_usd}/GB processed ({self.source}).")


def _interface_azs(change: Any) -> int:
    """Endpoint-AZ pairs a vpc_endpoint change adds (one subnet per AZ is enforced by the planner)."""
    after, before = change.after or {}, change.before or {}
    if change.action == "create" and after.get("type") == "Interface":
        return len(after.get("subnet_ids", []))
    if change.action == "update" and after.get("type") == "Interface":
        return len(after.get("subnet_ids", [])) - len(before.get("subnet_ids", []))
    if change.action == "delete" and before.get("type", "Interface") == "Interface":
        return -len(before.get("subnet_ids", []))
    return 0


def estimate(plan: Any) -> CostEstimate:
    """The monthly cost a plan adds (or, for destroy, removes)."""
    azs = sum(_interface_azs(c) for c in plan.changes if c.type == "vpc_endpoint")
    zones = sum(1 if c.action == "create" else -1 for c in plan.changes
                if c.type == "hosted_zone" and c.action in ("create", "delete"))
    hours = azs * HOURS_PER_MONTH
    monthly = round(hours * ENDPOINT_AZ_HOUR_USD + zones * HOSTED_ZONE_MONTH_USD, 2)
    return CostEstimate(endpoint_az_hours_per_month=hours, endpoint_azs=azs, hosted_zones=zones, monthly_usd=monthly)
