"""The house's arrows (docs ARCHITECTURE.md): inside ``forms/`` the back-office may use the family flow and
the engine, the family flow may use the engine, the engine neither; ``home/`` and ``connectors/`` never
import ``forms/``; and no import hides inside a function to dodge a cycle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lazy imports that Django requires, each with its reason in a comment where it is written.
ALLOWED_LAZY = {
    ("forms/models.py", "forms.family"),  # views: the page's routes: views import the models
    ("forms/apps.py", "forms.family"),  # signals: signal receivers, once the app registry is ready
}


def imported_modules(path: Path) -> list[tuple[str, bool]]:
    """(absolute module, is inside a function) for each import of a file."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text())
    found = []

    def visit(node, nested):
        for child in ast.iter_child_nodes(node):
            inside = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, inside) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    module = child.module or ""
                names = [f"{module}.{alias.name}" for alias in child.names] if not child.module else [module]
                found.extend((name, inside) for name in names)
            visit(child, inside)

    visit(tree, False)
    return found


def python_files(folder: str) -> list[Path]:
    return [path for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts]


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("forms/engine", ("forms.family", "forms.backoffice", "forms.models", "forms.demo")),
        ("forms/family", ("forms.backoffice", "forms.demo")),
        ("home", ("forms",)),
        ("connectors", ("forms",)),
    ],
)
def test_imports_point_one_way(folder, forbidden):
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files(folder)
        for module, _nested in imported_modules(path)
        if any(module == name or module.startswith(f"{name}.") for name in forbidden)
    ]
    assert wrong == []


def test_no_import_hides_in_a_function_of_forms():
    hidden = [
        f"{path.relative_to(ROOT)} imports {module} inside a function"
        for path in python_files("forms")
        for module, nested in imported_modules(path)
        if nested and (str(path.relative_to(ROOT)), module) not in ALLOWED_LAZY
    ]
    assert hidden == []
