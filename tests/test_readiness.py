"""Beyond the guide: VpcOnly readiness and the Studio security group lint."""

from __future__ import annotations

from conftest import profile
from wizard.discovery import observe
from wizard.executor import Executor
from wizard.models import Rule, SecurityGroupInfo
from wizard.planner import plan
from wizard.readiness import lint_studio_group
from wizard.verify import static_checks


def warnings(cloud, p) -> list[str]:  # noqa: ANN001
    return [w.code for w in plan(observe(cloud, p), p).warnings]


def test_vpconly_domain_missing_sts_and_logs_reports_both_gaps(cloud) -> None:  # noqa: ANN001
    codes = warnings(cloud, profile())
    assert "readiness_sts" in codes and "readiness_logs" in codes


def test_adding_the_gaps_to_extra_and_applying_makes_the_report_clean_and_dropping_one_warns_before_apply(
        cloud) -> None:  # noqa: ANN001
    """Also found by a trial (7): a plan that deletes this profile's sagemaker.runtime endpoint (dropped from
    extra) warned nothing; the warning came only after apply. The report is about the account after apply."""
    p = profile(endpoints={"extra": ["sagemaker.runtime", "sts", "logs", "s3"]})
    first = plan(observe(cloud, p), p)
    assert not [w for w in first.warnings if w.code.startswith("readiness_")]  # planned counts as fixed
    assert Executor(cloud, first).run().ok
    again = plan(observe(cloud, p), p)
    assert not again.has_changes
    assert not [w for w in again.warnings if w.code.startswith("readiness_")]
    # and without the profile asking, the endpoints that now exist satisfy the report too
    assert not [c for c in warnings(cloud, profile(name="another")) if c.startswith("readiness_")]
    dropped = profile(endpoints={"extra": ["sts", "logs", "s3"]})
    result = plan(observe(cloud, dropped), dropped)
    deleted = [c.address for c in result.changes if c.action == "delete"]
    assert deleted == ["vpc_endpoint.sagemaker.runtime"]  # the address it was made with (was: vpc_endpoint.runtime)
    assert [w.code for w in result.warnings if w.code.startswith("readiness_")] == ["readiness_sagemaker_runtime"]


def test_s3_is_a_gateway_on_the_domain_subnets_route_tables(cloud, aws) -> None:  # noqa: ANN001
    p = profile(endpoints={"extra": ["s3"]})
    result = plan(observe(cloud, p), p)
    s3 = next(c for c in result.changes if c.address == "vpc_endpoint.s3")
    assert s3.after["type"] == "Gateway" and s3.after["route_table_ids"]
    assert Executor(cloud, result).run().ok
    found = aws.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "service-name", "Values": ["com.amazonaws.us-west-2.s3"]}])
    assert [e["VpcEndpointType"] for e in found["VpcEndpoints"]] == ["Gateway"]


def test_a_nat_route_satisfies_the_report(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    ec2 = aws.client("ec2")
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [p.vpc_id]}])["RouteTables"][0]["RouteTableId"]
    nat = ec2.create_nat_gateway(SubnetId=p.subnet_ids[0], ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert not [c for c in warnings(cloud, p) if c.startswith("readiness_")]


def test_public_internet_domains_get_no_readiness_report(cloud) -> None:  # noqa: ANN001
    p = profile(vpc_id="vpc-8835a48a96ffd84bf", subnet_ids=["subnet-ccb2a18a7413d6791"], domain_id="d-lab",
                access={"mode": "none"}, dns={"fix_vpc_attributes": True})
    assert not [c for c in warnings(cloud, p) if c.startswith(("readiness_", "studio_sg_"))]


def _group(ingress=(), egress=()) -> SecurityGroupInfo:  # noqa: ANN001
    return SecurityGroupInfo("sg-11111111", "studio", "vpc-1", ingress=tuple(ingress), egress=tuple(egress))


def test_studio_group_without_nfs_from_itself_is_reported() -> None:
    codes = [f.code for f in lint_studio_group(_group(), "sg-22222222")]
    assert "studio_sg_nfs" in codes
    ok = _group(ingress=[Rule("tcp", 2049, 2049, "sg-11111111")])
    assert "studio_sg_nfs" not in [f.code for f in lint_studio_group(ok, "sg-22222222")]


def test_studio_group_without_8192_65535_from_itself_is_reported() -> None:
    assert "studio_sg_apps" in [f.code for f in lint_studio_group(_group(), "sg-22222222")]
    ok = _group(ingress=[Rule("-1", -1, -1, "sg-11111111")])
    assert not {"studio_sg_apps", "studio_sg_nfs"} & {f.code for f in lint_studio_group(ok, "sg-22222222")}


def test_studio_group_without_443_out_to_the_endpoints_is_reported() -> None:
    finding = next(f for f in lint_studio_group(_group(), "sg-22222222") if f.code == "studio_sg_egress_443")
    assert "authorize-security-group-egress" in finding.message and "sg-22222222" in finding.message
    ok = _group(egress=[Rule("tcp", 443, 443, "sg-22222222")])
    assert "studio_sg_egress_443" not in [f.code for f in lint_studio_group(ok, "sg-22222222")]


def test_verify_reports_readiness(cloud) -> None:  # noqa: ANN001
    p = profile()
    checks = {c.name: c for c in static_checks(observe(cloud, p), p)}
    assert not checks["readiness_sts"].ok and checks["readiness_sts"].advisory
