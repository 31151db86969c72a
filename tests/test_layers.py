"""Views and API handlers call services and queries; they never build SQL themselves.

A blueprint module (anything under a blueprint package of ``app/``) may not import
SQLAlchemy's statement builders (``select``, ``insert``, ``update``, ``delete``, ``func``,
``text``, ``or_``/``and_``…) nor run statements on a session (``.execute``, ``.scalars``,
``.scalar``). Reading and writing rows is the job of ``app/services`` (and of the shared
query modules of ``app/``), where each query has one home and its tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BLUEPRINTS = (
    "account",
    "admin",
    "api",
    "auth",
    "chronology",
    "factors",
    "findings",
    "good_practice",
    "main",
    "participate",
    "partnership",
    "public",
    "reports",
    "reviews",
    "workshops",
)

#: Names a view may not take from SQLAlchemy: they build statements.
STATEMENT_BUILDERS = {
    "select",
    "insert",
    "update",
    "delete",
    "func",
    "text",
    "and_",
    "or_",
    "not_",
    "exists",
    "case",
    "union",
    "literal",
    "Select",
}
#: Session methods that run a statement.
STATEMENT_RUNNERS = {"execute", "scalars", "scalar"}


def blueprint_modules() -> list[Path]:
    return sorted(path for name in BLUEPRINTS for path in (ROOT / "app" / name).rglob("*.py"))


def statements_built(path: Path) -> list[str]:
    """Where ``path`` builds or runs SQL itself, one line per place."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            for alias in node.names:
                if alias.name in STATEMENT_BUILDERS:
                    found.append(f"line {node.lineno}: imports {alias.name} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sqlalchemy" or alias.name.startswith("sqlalchemy."):
                    found.append(f"line {node.lineno}: imports {alias.name}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in STATEMENT_RUNNERS
        ):
            found.append(f"line {node.lineno}: runs a statement (.{node.func.attr})")
    return found


def test_the_scan_sees_a_view_that_builds_sql(tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_text(
        "from sqlalchemy import select, func\n"
        "def page(session):\n"
        "    return session.scalars(select(1)).all()\n",
        encoding="utf-8",
    )
    assert statements_built(module) == [
        "line 1: imports select from sqlalchemy",
        "line 1: imports func from sqlalchemy",
        "line 3: runs a statement (.scalars)",
    ]


def test_there_are_blueprint_modules_to_check() -> None:
    assert len(blueprint_modules()) > 30


@pytest.mark.parametrize(
    "path", blueprint_modules(), ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_views_call_services_never_sql(path: Path) -> None:
    found = statements_built(path)
    assert not found, (
        f"{path.relative_to(ROOT)} builds SQL itself; move the query to app/services:\n"
        + "\n".join(found)
    )
