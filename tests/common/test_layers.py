"""The house's import rules (ARCHITECTURE.md), read from the source: arrows point down only, and no import
hides in a function to dodge a cycle."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("site", "forms", "connectors", "home", "common")


def modules(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def imported(path: Path, tree: ast.AST) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    if path.name == "__init__.py":
        package = path.relative_to(ROOT).parts[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
                names.add(module)
                names.update(f"{module}.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def test_common_imports_no_app_and_home_imports_neither_forms_nor_connectors():
    for folder, forbidden in (("common", set(APPS) - {"common"}), ("home", {"forms", "connectors", "site"})):
        for path, tree in modules(folder):
            wrong = {name for name in imported(path, tree) if top(name) in forbidden}
            assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_connectors_never_import_forms():
    for path, tree in modules("connectors"):
        wrong = {name for name in imported(path, tree) if top(name) in {"forms", "site"}}
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_home_models_import_no_selector_view_or_service():
    above = {"home.selectors", "home.views", "home.services", "home.admin_views", "home.tasks", "home.routing"}
    for path, tree in modules("home/models"):
        wrong = {name for name in imported(path, tree) if any(name == m or name.startswith(f"{m}.") for m in above)}
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_no_import_hides_in_a_function_unless_django_requires_it():
    for folder in ("common", "home", "connectors", "site"):
        for path, tree in modules(folder):
            lines = path.read_text().splitlines()
            for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        said = " ".join(lines[function.lineno - 1 : node.lineno - 1])  # the function, up to it
                        assert "requires" in said, f"{path.relative_to(ROOT)}:{node.lineno} imports in a function"
