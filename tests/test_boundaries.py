"""Views and forms never call fabric: views read through contracts_ui.selectors and write through
contracts_ui.services; forms only validate. (tests/fabric/test_boundaries.py keeps `requests`
inside the fabric package.)"""

import ast
import inspect
from pathlib import Path

from contracts_ui import fabric

ROOT = Path(__file__).resolve().parents[1]
GUARDED = ("contracts_ui/views", "contracts_ui/forms")
# Records, errors and value formats may be used anywhere; everything else in fabric/ calls it.
HARMLESS_MODULES = frozenset({"types", "errors", "values"})
OPERATIONS = frozenset(name for name in fabric.__all__ if inspect.isfunction(getattr(fabric, name)))


def _operation_module(module: str) -> bool:
    """A fabric submodule that holds operations (the client, contracts, organizations, …)."""
    return module.startswith("contracts_ui.fabric.") and (
        module.split(".")[2] not in HARMLESS_MODULES
    )


def fabric_calls(source: str) -> list[str]:
    """Every use of a fabric operation in `source`: `fabric.<operation>` through any name the
    package is bound to, an operation imported by name, or a fabric module that holds them."""
    tree = ast.parse(source)
    aliases: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if node.module == "contracts_ui" and alias.name == "fabric":
                    aliases.add(alias.asname or "fabric")
                elif node.module == "contracts_ui.fabric" and alias.name in OPERATIONS:
                    found.append(f"import {alias.name}")
                elif node.module == "contracts_ui.fabric" and _operation_module(submodule):
                    if alias.name not in fabric.__all__:
                        found.append(f"import {submodule}")
                elif _operation_module(node.module):
                    found.append(f"import from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "contracts_ui.fabric" and alias.asname:
                    aliases.add(alias.asname)
                elif _operation_module(alias.name):
                    found.append(f"import {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr in OPERATIONS
        ):
            found.append(f"{node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in OPERATIONS
            and isinstance(node.value, ast.Attribute)
            and ast.unparse(node.value) == "contracts_ui.fabric"
        ):
            found.append(f"contracts_ui.fabric.{node.attr}")
    return found


def tenant_resolutions(source: str) -> list[str]:
    """Calls of `.tenant()`: a view takes the tenant from AccountAccess, resolved once."""
    return [
        ast.unparse(node)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "tenant"
    ]


def guarded_files() -> list[Path]:
    return [path for folder in GUARDED for path in sorted((ROOT / folder).glob("*.py"))]


def test_the_operations_are_the_packages_functions():
    assert {"get_contract", "list_contracts", "update_contract", "get_organization"} <= OPERATIONS
    assert "FabricError" not in OPERATIONS
    assert "ContractQuery" not in OPERATIONS


def test_the_scan_finds_each_way_of_calling_fabric():
    assert fabric_calls("from contracts_ui import fabric\nfabric.get_contract(t)\n") == [
        "fabric.get_contract"
    ]
    assert fabric_calls("from contracts_ui import fabric as f\nx = f.list_contracts\n") == [
        "f.list_contracts"
    ]
    assert fabric_calls("import contracts_ui.fabric as f\nf.update_contract(t)\n") == [
        "f.update_contract"
    ]
    assert fabric_calls("import contracts_ui.fabric\ncontracts_ui.fabric.get_contract(t)\n") == [
        "contracts_ui.fabric.get_contract"
    ]
    assert fabric_calls("from contracts_ui.fabric import get_price_list\n") == [
        "import get_price_list"
    ]
    assert fabric_calls("from contracts_ui.fabric.contracts import get_contract\n") == [
        "import from contracts_ui.fabric.contracts"
    ]
    assert fabric_calls("from contracts_ui.fabric import client\n") == [
        "import contracts_ui.fabric.client"
    ]
    assert fabric_calls("import contracts_ui.fabric.organizations\n") == [
        "import contracts_ui.fabric.organizations"
    ]


def test_the_scan_lets_records_and_errors_through():
    source = (
        "from contracts_ui import fabric\n"
        "from contracts_ui.fabric.types import ContractQuery\n"
        "from contracts_ui.fabric.values import format_datetime\n"
        "try:\n    pass\nexcept fabric.FabricValidationError:\n    pass\n"
    )
    assert fabric_calls(source) == []


def test_the_scan_finds_a_view_resolving_the_tenant_again():
    assert tenant_resolutions("tenant = access.account.tenant()\nx = access.tenant\n") == [
        "access.account.tenant()"
    ]


def test_the_scan_covers_the_views_and_the_forms():
    names = {str(path.relative_to(ROOT)) for path in guarded_files()}
    assert {"contracts_ui/views/contracts.py", "contracts_ui/forms/edits.py"} <= names


def test_no_view_or_form_calls_a_fabric_operation():
    offenders = {
        str(path.relative_to(ROOT)): calls
        for path in guarded_files()
        if (calls := fabric_calls(path.read_text()))
    }
    assert offenders == {}


def test_no_view_or_form_resolves_the_tenant_itself():
    offenders = {
        str(path.relative_to(ROOT)): calls
        for path in guarded_files()
        if (calls := tenant_resolutions(path.read_text()))
    }
    assert offenders == {}
