"""Rendering DOT with Graphviz, safely.

``render`` runs the ``dot`` binary with a time limit (the ``graphviz`` package's ``pipe()``
has none) and keeps what it renders on disk, keyed by a hash of the DOT text, the format and
dot's version.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

FORMATS = ("svg", "png")


class RenderError(RuntimeError):
    """Graphviz failed, or is not installed."""


class RenderTimeoutError(RenderError):
    """Graphviz did not finish laying the graph out within the time limit."""


# --- rendering --------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def dot_version(binary: str = "dot") -> str:
    """``dot -V``'s answer (part of the cache key, so an upgrade redraws everything)."""
    path = shutil.which(binary)
    if path is None:
        raise RenderError("Graphviz is not installed: the 'dot' program was not found")
    result = subprocess.run([path, "-V"], capture_output=True, timeout=10, check=False)  # noqa: S603 - fixed argv, no shell
    return (result.stderr or result.stdout).decode("utf-8", "replace").strip()


def cache_key(dot: str, fmt: str) -> str:
    """The sha256 of the DOT text, the format and Graphviz's version."""
    digest = hashlib.sha256()
    for part in (dot_version(), fmt, dot):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def render(dot: str, fmt: str, *, timeout: float = 10.0, cache_dir: Path | None = None) -> bytes:
    """Lay ``dot`` out with Graphviz and return it as ``fmt`` (``svg`` or ``png``).

    With ``cache_dir`` the result is kept on disk by ``cache_key`` and a second call returns
    it without running Graphviz; a layout that timed out is remembered too, so asking again
    with the same or a shorter limit fails at once. Raises ``RenderTimeoutError`` when
    ``dot`` takes longer than ``timeout`` seconds (it is killed), ``RenderError`` when it
    fails, and ``ValueError`` for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}")
    key = cache_key(dot, fmt)
    path = marker = None
    if cache_dir is not None:
        path = cache_dir / key[:2] / f"{key}.{fmt}"
        marker = path.with_suffix(".timeout")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        try:
            if float(marker.read_text()) >= timeout:
                raise RenderTimeoutError(f"Graphviz took longer than {timeout:g} s before")
        except (FileNotFoundError, ValueError):
            pass
    binary = shutil.which("dot")
    if binary is None:
        raise RenderError("Graphviz is not installed: the 'dot' program was not found")
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, DOT on stdin, no shell
            [binary, f"-T{fmt}"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        if marker is not None:
            write_atomic(marker, f"{timeout}".encode())
        raise RenderTimeoutError(f"Graphviz took longer than {timeout:g} s") from None
    if result.returncode != 0 or not result.stdout:
        raise RenderError("Graphviz failed: " + result.stderr.decode("utf-8", "replace")[:500])
    if path is not None:
        write_atomic(path, result.stdout)
    return result.stdout


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
