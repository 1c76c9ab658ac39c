"""Plan starts fast without dropping a check: trimmed service models (with a full-model fallback) and the
user cache they live in."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import botocore.session
import pytest
from moto import mock_aws

from wizard import cache
from wizard.cloud import Cloud, trim_model
from wizard.permissions import operations_by_service


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STUDIO_VPCE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("STUDIO_VPCE_NO_CACHE", raising=False)
    return tmp_path


def _shape_refs(shape: dict) -> list[str]:
    refs = [m["shape"] for m in shape.get("members", {}).values()]
    return refs + [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]


@pytest.mark.parametrize("service", sorted(operations_by_service()))
def test_trimmed_model_keeps_every_operation_the_tool_calls_and_every_shape_they_reach(service: str) -> None:
    full = botocore.session.get_session().get_component("data_loader").load_service_model(service, "service-2")
    wanted = operations_by_service()[service]
    trimmed = trim_model(full, wanted)
    assert set(trimmed["operations"]) == wanted
    for name, shape in trimmed["shapes"].items():
        assert all(ref in trimmed["shapes"] for ref in _shape_refs(shape)), name
        assert _shape_refs(shape) == _shape_refs(full["shapes"][name]), name
    for op in trimmed["operations"].values():
        for ref in [op.get("input"), op.get("output"), *op.get("errors", [])]:
            assert ref is None or ref["shape"] in trimmed["shapes"]
    assert trimmed["metadata"] == full["metadata"]


def test_a_second_process_builds_clients_from_the_trimmed_models(own_cache: Path) -> None:
    with mock_aws():
        first = Cloud("us-west-2")
        assert len(first.client("ec2").meta.service_model.operation_names) > 500  # botocore's full model
        stored = own_cache / "models"
        assert list(stored.rglob("ec2/*/service-2.json"))
        second = Cloud("us-west-2")
        ops = second.client("ec2").meta.service_model.operation_names
        assert set(ops) == operations_by_service()["ec2"]
        assert second.call("ec2", "describe_vpcs")["Vpcs"]  # moto's default VPC, parsed by the trimmed model


def test_an_operation_outside_the_trimmed_model_falls_back_to_the_full_model(own_cache: Path) -> None:
    with mock_aws():
        Cloud("us-west-2").client("ec2")
        cloud = Cloud("us-west-2")
        assert not hasattr(cloud.client("ec2"), "describe_instances")
        assert cloud.call("ec2", "describe_instances")["Reservations"] == []
        assert cloud.pages("ec2", "describe_key_pairs", "KeyPairs") == []
        assert cloud.call("ec2", "describe_vpcs")["Vpcs"]


def test_sessions_handed_in_and_caching_off_use_botocore_models_untouched(own_cache: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        Cloud("us-west-2").client("ec2")  # stores a trimmed model
        handed = Cloud("us-west-2", session=boto3.Session(region_name="us-west-2"))
        assert len(handed.client("ec2").meta.service_model.operation_names) > 500
        monkeypatch.setenv("STUDIO_VPCE_NO_CACHE", "1")
        assert len(Cloud("us-west-2").client("ec2").meta.service_model.operation_names) > 500


def test_cache_writes_are_atomic_and_unwritable_caches_are_skipped(own_cache: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cache.write_json({"a": 1}, "x", "y.json")
    assert json.loads((own_cache / "x" / "y.json").read_text()) == {"a": 1}
    assert [p.name for p in (own_cache / "x").iterdir()] == ["y.json"]  # no temp file left behind
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("STUDIO_VPCE_CACHE_DIR", str(blocker / "sub"))  # a file where a folder should be
    cache.write_json({"a": 1}, "x", "y.json")  # no error
    assert cache.read_json("x", "y.json") is None


def test_the_cache_follows_xdg_cache_home_and_never_the_working_folder(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    monkeypatch.delenv("STUDIO_VPCE_CACHE_DIR")
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "studio-vpce"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == Path.home() / ".cache" / "studio-vpce"
