"""Only contracts_ui/fabric talks HTTP to fabric, and the console never imports the stand-in."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FABRIC_PACKAGE = ROOT / "contracts_ui" / "fabric"


def imported_modules(path: Path) -> set[str]:
    """Every top-level package a Python file imports (absolute imports only)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def test_the_scan_sees_the_client_import_requests():
    assert "requests" in imported_modules(FABRIC_PACKAGE / "transport.py")


def test_only_the_fabric_package_imports_requests():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("console", "contracts_ui", "fabric_sandbox", "tests")
        if not path.is_relative_to(FABRIC_PACKAGE) and "requests" in imported_modules(path)
    ]
    assert offenders == []


def test_the_console_never_imports_the_sandbox():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("console", "contracts_ui")
        if "fabric_sandbox" in imported_modules(path)
    ]
    assert offenders == []
