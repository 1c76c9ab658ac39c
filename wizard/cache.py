"""The user's cache folder: derived data that makes commands start fast, never anything a user decided.

Everything here can be deleted at any time (it is rebuilt on the next run). Nothing lands in the working
folder. `STUDIO_VPCE_CACHE_DIR` moves it; `STUDIO_VPCE_NO_CACHE=1` turns it off (then every run does the
full work: the same results, only slower). Writes are atomic and a cache that cannot be written is skipped.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """$STUDIO_VPCE_CACHE_DIR, else the platform's user cache folder + studio-vpce."""
    explicit = os.environ.get("STUDIO_VPCE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "studio-vpce"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "studio-vpce" / "Cache"
    return xdg_dir("XDG_CACHE_HOME", Path.home() / ".cache") / "studio-vpce"


def xdg_dir(variable: str, fallback: Path) -> Path:
    """$variable (an XDG base directory such as XDG_CACHE_HOME) when it is an absolute path, else fallback.

    The XDG Base Directory spec: a relative path in these variables is invalid and must be ignored (it would
    put the files wherever the command happens to run)."""
    value = os.environ.get(variable, "")
    return Path(value) if value and os.path.isabs(value) else fallback


def enabled() -> bool:
    return os.environ.get("STUDIO_VPCE_NO_CACHE", "") in ("", "0")


def read_json(*parts: str) -> Any | None:
    """The cached JSON value at cache_dir()/parts, or None (missing, unreadable, corrupt or caching off)."""
    if not enabled():
        return None
    try:
        return json.loads(cache_dir().joinpath(*parts).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(value: Any, *parts: str) -> None:
    """Store value atomically (a temp file in the same folder, then a rename); failures are ignored."""
    write_bytes(json.dumps(value, separators=(",", ":")).encode(), *parts)


def write_bytes(data: bytes, *parts: str) -> Path | None:
    if not enabled():
        return None
    target = cache_dir().joinpath(*parts)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return None
    return target
