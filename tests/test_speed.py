"""Plan starts fast without dropping a check: trimmed service models (with a full-model fallback) and the
user cache they live in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import botocore.client
import botocore.exceptions
import botocore.loaders
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


def test_models_trimmed_for_other_operations_are_kept_apart_and_a_missing_one_loads_once_for_every_thread(
        own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trial's cache held models trimmed by an older studio-vpce, without an operation the new one calls
    (sagemaker ListUserProfiles): discovery's threads all found it missing, one loaded the full models, and the
    others failed ("'SageMaker' object has no attribute 'list_user_profiles'"). The models of a tool that calls
    other operations now live apart; and when one is missing all the same, every thread gets it."""
    from wizard import cloud as cloud_module
    from wizard import permissions

    with mock_aws():
        Cloud("us-west-2").client("ec2")  # stores the trimmed model
        stored = {p.relative_to(own_cache) for p in own_cache.rglob("service-2.json")}
        today = permissions.OPERATIONS
        more = (*today, permissions.Operation("ec2", "DescribeInstances", "plan"))
        monkeypatch.setattr(permissions, "OPERATIONS", more)  # a later studio-vpce that calls one more operation
        assert len(Cloud("us-west-2").client("ec2").meta.service_model.operation_names) > 500  # none of its own yet
        ops = set(Cloud("us-west-2").client("ec2").meta.service_model.operation_names)
        assert ops == operations_by_service()["ec2"] | {"DescribeInstances"}  # its own trimmed model, with it
        assert len({p.relative_to(own_cache) for p in own_cache.rglob("service-2.json")} - stored) == 1
        monkeypatch.setattr(permissions, "OPERATIONS", today)
        cloud = Cloud("us-west-2")
        cloud.client("ec2")
        barrier, failures = threading.Barrier(8), []
        missing = botocore.client.BaseClient.__getattr__

        def slowly_missing(client: object, name: str) -> object:  # every thread finds it missing at once
            time.sleep(0.05)
            return missing(client, name)

        monkeypatch.setattr(botocore.client.BaseClient, "__getattr__", slowly_missing)

        def call() -> None:
            barrier.wait()
            try:
                cloud.pages("ec2", "describe_key_pairs", "KeyPairs")
            except Exception as exc:  # noqa: BLE001
                failures.append(exc)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [] and cloud_module._operations_digest()


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


# ---------------------------------------------------------------- start-up order, exit, lint warm-up, lazy moto data

ROOT = Path(__file__).resolve().parent.parent
VPCE = str(ROOT / "profiles" / "vpce.yaml")


def _python(code: str, tmp_path: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("STUDIO_VPCE_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    if check:
        assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.mark.parametrize("argv", [["plan", VPCE], ["apply", VPCE, "--yes"], ["destroy", VPCE], ["verify", VPCE],
                                  ["audit", VPCE], ["export", VPCE, "--format", "cli"], ["discover"]])
def test_a_demo_command_starts_the_sandbox_before_it_loads_boto3_and_the_engine(argv: list[str],
                                                                               tmp_path: Path) -> None:
    code = ("import sys\nfrom wizard import cli, sandbox\n"
            "def started(region):\n"
            "    heavy = ('boto3', 'botocore', 'wizard.cloud', 'wizard.discovery', 'wizard.planner')\n"
            "    print('loaded before the start:', sorted(m for m in heavy if m in sys.modules), region)\n"
            "    raise SystemExit(0)\n"
            "sandbox.prestart = started\n"
            f"cli.main({[*argv, '--demo']!r})\n")
    assert _python(code, tmp_path).stdout.strip() == "loaded before the start: [] us-west-2"


def test_bad_input_starts_no_sandbox(tmp_path: Path) -> None:
    code = ("from wizard import cli, sandbox\n"
            "sandbox.prestart = lambda region: print('started')\n"
            "print(cli.main(['plan', 'no-such-profile.yaml', '--demo']))\n"
            f"print(cli.main(['plan', {VPCE!r}, '--demo', '--region', 'eu-west-1']))\n")
    assert _python(code, tmp_path).stdout.split() == ["3", "3"]


def test_the_program_exits_without_teardown_yet_runs_atexit_and_flushes_its_output(tmp_path: Path) -> None:
    code = ("import atexit, sys\nfrom wizard import cli\n"
            "class Teardown:\n    def __del__(self): print('torn down', flush=True)\n"
            "kept = Teardown()\n"
            "atexit.register(lambda: print('atexit ran'))\n"
            "sys.argv = ['studio-vpce', 'ARGS']\n"
            "print('buffered', end='')\n"
            "cli.run()\n")
    done = _python(code.replace("ARGS", "--version"), tmp_path)
    assert done.stdout.startswith("bufferedstudio-vpce ") and done.stdout.endswith("\natexit ran\n")
    assert "torn down" not in done.stdout  # the interpreter's teardown was skipped
    failed = _python(code.replace("'ARGS'", "'plan', 'no-such-profile.yaml'"), tmp_path, check=False)
    assert failed.returncode == 3 and "no such profile file" in failed.stderr and "atexit ran" in failed.stdout


def test_the_program_waits_for_a_thread_still_running_as_a_normal_exit_does(tmp_path: Path) -> None:
    code = ("import sys, threading, time\nfrom wizard import cli\n"
            "threading.Thread(target=lambda: (time.sleep(0.5), print('thread finished', flush=True))).start()\n"
            "sys.argv = ['studio-vpce', '--version']\n"
            "cli.run()\n")
    assert "thread finished" in _python(code, tmp_path).stdout


def test_lint_warm_up_starts_only_when_no_verdict_is_cached(own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard import policies

    started: list[str] = []
    monkeypatch.setattr(policies, "_import_parliament", lambda: started.append("import"))

    def warm_up() -> list[str]:
        started.clear()
        policies.prepare_lint()
        for thread in threading.enumerate():
            if thread.name == "studio-vpce-parliament-import":
                thread.join(10)
        return list(started)

    assert warm_up() == ["import"]  # a first run: nothing cached
    policies.parliament_findings({"Version": "2012-10-17", "Statement": []}, allow_resource_star=False)
    assert list((own_cache / "lint").iterdir())
    assert warm_up() == []  # a verdict is cached: parliament may not be needed at all
    monkeypatch.setenv("STUDIO_VPCE_NO_CACHE", "1")
    assert warm_up() == ["import"]  # caching off: every lint runs parliament


_OFFERINGS = ("import json, os, sys\nos.environ['MOTO_EC2_LOAD_DEFAULT_AMIS'] = 'false'\n"
              "from wizard import sandbox\n"
              "LAZY\n"
              "from moto.ec2.models import ec2_backends, instance_types\n"
              "kinds = {k: type(v).__name__ for k, v in instance_types.INSTANCE_TYPE_OFFERINGS.items()}\n"
              "backend = ec2_backends['123456789012']['eu-west-1']\n"
              "answers = [backend.describe_instance_type_offerings(kind, {'instance-type': ['t3.micro', 'm5.large']})\n"
              "           for kind in ('region', 'availability-zone', 'availability-zone-id')]\n"
              "every = {k: sorted(v) for k, v in instance_types.INSTANCE_TYPE_OFFERINGS.items()}\n"
              "print(json.dumps([kinds, answers, every]))\n")


def test_the_server_reads_instance_type_offerings_when_asked_and_answers_as_moto_does(tmp_path: Path) -> None:
    eager = json.loads(_python(_OFFERINGS.replace("LAZY", "pass"), tmp_path).stdout)
    lazy = json.loads(_python(_OFFERINGS.replace("LAZY", "sandbox.defer_instance_type_offerings()"),
                              tmp_path).stdout)
    assert set(lazy[0].values()) == {"_Offerings"} and set(eager[0].values()) == {"dict"}
    assert lazy[1] == eager[1] and all(eager[1])
    assert lazy[2] == eager[2] and len(eager[2]["region"]) > 20


def test_deferred_offerings_are_not_read_at_import(tmp_path: Path) -> None:
    code = ("from wizard import sandbox\nsandbox.defer_instance_type_offerings()\n"
            "from moto.ec2.models import instance_types\n"
            "offerings = instance_types.INSTANCE_TYPE_OFFERINGS['availability-zone']\n"
            "print(len(offerings._files), dict.__len__(offerings), 'us-east-1' in offerings)\n"
            "offerings.get('us-east-1')\n"
            "print(len(offerings._files), dict.__len__(offerings))\n")
    before, after = _python(code, tmp_path).stdout.splitlines()
    files, read, has = before.split()
    assert int(files) > 20 and read == "0" and has == "True"
    assert after.split() == [str(int(files) - 1), "1"]


@pytest.mark.parametrize("type_name", ["service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1"])
def test_the_loader_finds_each_service_as_botocore_does_without_listing_them_all(type_name: str,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.cloud import _Loader

    every = botocore.loaders.Loader().list_available_services(type_name)
    ours = _Loader()
    listed: list[str] = []
    real = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path: listed.append(str(path)) or real(path))
    assert "ec2" in ours.list_available_services(type_name) or "ec2" not in every
    assert len(listed) <= 2  # the service's own folder (botocore's list would read ~450)
    monkeypatch.setattr(os, "listdir", real)
    assert all(service in ours.list_available_services(type_name) for service in every)
    assert list(ours.list_available_services(type_name)) == every
    for not_a_service in ("no-such-service", "", ".", "..", "../ec2", "ec2/2016-11-15"):
        assert not_a_service not in ours.list_available_services(type_name)
    with pytest.raises(botocore.exceptions.UnknownServiceError, match="Valid service names are"):
        ours.load_service_model("no-such-service", type_name)


def test_the_sandbox_server_finds_botocore_services_without_listing_them_all(tmp_path: Path) -> None:
    code = ("import os\nfrom wizard import sandbox\nsandbox.share_botocore_data()\n"
            "import botocore.loaders\nlisted = []\nreal = os.listdir\n"
            "os.listdir = lambda path: listed.append(path) or real(path)\n"
            "loader = botocore.loaders.Loader()\n"
            "model = loader.load_service_model('sts', 'service-2')\n"
            "print(len(listed), model['metadata']['serviceId'], 'sts' in loader.list_available_services('service-2'),\n"
            "      len(list(loader.list_available_services('service-2'))) > 400)\n")
    listed, service, found, every = _python(code, tmp_path).stdout.split()
    assert int(listed) <= 4 and service == "STS" and found == "True" and every == "True"
