"""SPEC 10: the layering rules, enforced."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOW = {"connect", "select_vpc", "build_plan", "apply",  # WizardSession methods that call AWS
        "fetch_inventory", "read_vpc", "plan_for", "review_for", "execute"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_wizard_never_imports_textual() -> None:
    offenders = [p.name for p in (ROOT / "wizard").glob("*.py") if "textual" in _imports(p)]
    assert offenders == []


def test_importing_every_wizard_module_loads_neither_textual_nor_boto3_until_needed() -> None:
    modules = [f"wizard.{p.stem}" for p in (ROOT / "wizard").glob("*.py") if p.stem != "__main__"]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print('textual' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
    cli_only = subprocess.run([sys.executable, "-c", ("import sys, wizard.cli; print('boto3' in sys.modules, "
                                                      "'textual' in sys.modules)")],
                              capture_output=True, text=True, cwd=ROOT, check=True)
    assert cli_only.stdout.strip() == "False False"


def test_screens_never_import_boto3() -> None:
    offenders = [p.name for p in (ROOT / "screens").glob("*.py") if _imports(p) & {"boto3", "botocore"}]
    assert offenders == []


def test_only_the_cloud_adapter_imports_boto3() -> None:
    offenders = [p.name for p in (ROOT / "wizard").glob("*.py")
                 if _imports(p) & {"boto3", "botocore"} and p.stem not in ("cloud", "sandbox")]
    assert offenders == []


def test_widgets_call_aws_only_from_thread_workers() -> None:
    """Slow session methods (they call AWS) are called only inside @work(thread=True) functions."""
    for path in (ROOT / "screens").glob("*.py"):
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            threaded = any("work" in ast.unparse(d) and "thread=True" in ast.unparse(d) for d in func.decorator_list)
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SLOW \
                        and "session" in ast.unparse(node.func.value):
                    assert threaded, f"{path.name}:{node.lineno} {func.name} calls session.{node.func.attr} off a worker"
        assert "cloud." not in path.read_text().replace("session.cloud", ""), path.name
