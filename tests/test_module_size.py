"""No module doing several jobs: every module of app/, analysis/ and models/ has at most 600
lines. A module that grows past it is split by concern (often into a package whose
``__init__`` re-exports its names: see docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600


def line_counts(package: str) -> dict[str, int]:
    """Lines of every Python module under ``package``, by path from the project root."""
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def over(counts: dict[str, int]) -> list[str]:
    """The modules longer than ``MAX_LINES``, with their counts."""
    return [
        f"{path}: {lines} lines (at most {MAX_LINES})"
        for path, lines in counts.items()
        if lines > MAX_LINES
    ]


@pytest.mark.parametrize("package", ["app", "analysis", "models"])
def test_no_module_over_the_limit(package: str) -> None:
    counts = line_counts(package)
    assert len(counts) > 10, f"too few modules found under {package}/"
    offenders = over(counts)
    assert not offenders, "split these modules by concern:\n" + "\n".join(offenders)


def test_over_names_a_module_past_the_limit_and_spares_one_at_it() -> None:
    counts = {"app/big.py": 700, "app/new.py": 601, "app/ok.py": 600}
    assert over(counts) == [
        "app/big.py: 700 lines (at most 600)",
        "app/new.py: 601 lines (at most 600)",
    ]
