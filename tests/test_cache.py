"""The user's folders (wizard/cache.py): XDG base directories, as the XDG Base Directory spec defines them."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard import cache, sandbox, session


@pytest.fixture
def linux_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("STUDIO_VPCE_CACHE_DIR", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch, linux_home: Path) -> None:
    """The spec: "If an implementation encounters a relative path in any of these variables it should consider
    the path invalid and ignore it." A relative one would scatter caches over every folder a command runs in."""
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache.cache_dir() == linux_home / ".cache" / "studio-vpce"
    assert sandbox.state_dir() == linux_home / ".cache" / "studio-vpce" / "sandbox"  # the sandbox's state follows
    monkeypatch.setenv("XDG_CACHE_HOME", str(linux_home / "abs"))
    assert cache.cache_dir() == linux_home / "abs" / "studio-vpce"


def test_a_relative_xdg_state_home_is_ignored(monkeypatch: pytest.MonkeyPatch, linux_home: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")
    assert session.state_dir() == linux_home / ".local" / "state" / "studio-vpce"
    monkeypatch.setenv("XDG_STATE_HOME", str(linux_home / "abs"))
    assert session.state_dir() == linux_home / "abs" / "studio-vpce"
