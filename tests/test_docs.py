"""What users read lives in the repository: the profile reference matches the model, nothing points outside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from wizard import profiles
from wizard.errors import InvalidInput
from wizard.models import Profile

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "profile.md"


def model_keys(model: type[BaseModel] = Profile, prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        keys.add(prefix + name)
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            keys |= model_keys(field.annotation, f"{prefix}{name}.")
    return keys


def doc_keys() -> set[str]:
    return set(re.findall(r"^\| `([a-z_.]+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE))


def test_every_profile_key_is_in_docs_profile_md_and_every_documented_key_exists() -> None:
    assert model_keys() - doc_keys() == set(), "document these keys in docs/profile.md"
    assert doc_keys() - model_keys() == set(), "docs/profile.md documents keys the model does not have"


def test_documented_defaults_match_the_model() -> None:
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| ([^|]*(?:\\\|[^|]*)*) \|", DOC.read_text(), re.MULTILINE))
    defaults = Profile.model_validate({"version": 1, "name": "x", "region": "us-west-2", "vpc_id": "vpc-12345678",
                                       "subnet_ids": [], "domain_id": "d-x"}).model_dump(mode="json")
    for key in model_keys():
        value = defaults
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool):
            assert f"(`{str(value).lower()}`)" in rows[key], key
        elif isinstance(value, str) and key not in ("name", "region", "vpc_id", "domain_id"):
            assert f"`{value}`" in rows[key], key
        elif value == [] and key != "subnet_ids":
            assert "(`[]`)" in rows[key], key


def test_the_documented_example_loads() -> None:
    text = DOC.read_text()
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert profiles.load_text(example).name == "research-private"


def test_errors_and_saved_profiles_point_to_docs_profile_md() -> None:
    with pytest.raises(InvalidInput, match="docs/profile.md"):
        profiles.load_text("version: 1\nnmae: x\n")
    with pytest.raises(InvalidInput, match="docs/profile.md"):
        profiles.load_text("- a list\n")
    saved = profiles.dump(profiles.load(ROOT / "profiles" / "vpce.yaml"))
    assert saved.startswith("# studio-vpce profile") and "docs/profile.md" in saved.splitlines()[0]
    assert (ROOT / profiles.PROFILE_DOC).is_file()


@pytest.mark.parametrize("folder", ["README.md", "wizard", "screens", "profiles", "docs"])
def test_nothing_users_see_points_outside_the_repository(folder: str) -> None:
    path = ROOT / folder
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".py", ".md", ".yaml", ".tcss")]
    offenders = [f"{f.relative_to(ROOT)}: {m}" for f in files
                 for m in re.findall(r"\.\./shared|\bSPEC\b|shared/reference", f.read_text())]
    assert offenders == []


def test_readme_links_the_profile_reference_and_it_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    for link in re.findall(r"\]\((?!https?:)([^)#]+)", readme):
        assert (ROOT / link).exists(), link
    assert "docs/profile.md" in readme


def test_the_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    command = re.findall(r"pip install -e '\.\[test\]' && (python -m pytest[^\n`]*)", readme)
    ci = (ROOT / ".ci" / "run").read_text()
    assert command and command[0] in ci.splitlines(), command
    assert "pip install --quiet -e '.[test]'" in ci and "ruff check" in ci and "mypy" in ci


def test_every_test_the_docs_name_exists() -> None:
    """docs/moto-vs-aws.md (and any doc) names tests as `test_x.py::test_name`: each must exist, or the row's
    claim that a test holds the behaviour is unchecked (one named a test renamed long before)."""
    import re

    named = {(m.group(1), m.group(2)) for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
             for m in re.finditer(r"(test_[a-z0-9_]+\.py)::(test_[a-z0-9_]+)", doc.read_text(encoding="utf-8"))}
    assert named
    missing = sorted(f"{module}::{name}" for module, name in named
                     if f"def {name}(" not in (ROOT / "tests" / module).read_text(encoding="utf-8"))
    assert not missing, missing


def test_the_studio_endpoints_presigned_url_preset_is_not_said_to_limit_nothing() -> None:
    """review16 M2: docs/profile.md said the Studio endpoint's presigned-url statement "limits nothing"; AWS
    enforces CreatePresignedDomainUrl's IAM policies on every HTTP request and WebSocket frame to the Studio app,
    the traffic that passes that endpoint."""
    row = next(line for line in DOC.read_text().splitlines() if line.startswith("| `endpoint_policy.studio` |"))
    assert "limits nothing" not in row and "every HTTP request and WebSocket frame" in row
