"""The layout's rules, checked on the code: the layers depend downwards only, no import circles, the core
never reaches the command-line stack, and no module outgrows its job."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dlstudy"
# top to bottom: a module may import its own layer and the layers below it
LAYERS = ("cli", "context", "study", "review", "interop", "storage", "guide", "base")
BASE = {"vocab", "errors", "paths", "atomic", "days", "forgetting", "__init__"}
LONGEST = 300
LONGER_ON_PURPOSE = {  # module: why it is one piece
    "guide/reader.py": "the checks of the sections against each other, every problem with its line, in one place",
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if "migrations" in parts:
            continue
        found[".".join(("dlstudy", *parts)).removesuffix(".__init__")] = path
    return found


def _layer(module: str) -> str:
    first = module.split(".")[1] if "." in module else "__init__"
    if first == "__main__":
        return "cli"
    return "base" if first in BASE else first


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """The dlstudy modules a file imports (`from package import module` names the module, not the package)."""
    modules = _modules()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dlstudy"):
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & set(modules)
            found.update(submodules or {node.module})
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("dlstudy"))
    return found


def test_every_module_is_in_a_known_layer():
    assert {_layer(module) for module in _modules()} <= set(LAYERS)


def test_layers_depend_downwards_only():
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        mine = LAYERS.index(_layer(module))
        for imported in _imports(path, top_level_only=False):
            if imported in modules and LAYERS.index(_layer(imported)) < mine:
                wrong.append(f"{module} imports {imported}")
    assert wrong == []


def test_no_import_circles():
    modules = _modules()
    edges = {module: {i for i in _imports(path, top_level_only=True) if i in modules and i != module}
             for module, path in modules.items()}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for imported in sorted(edges[module]):
            if state.get(imported) == 1:
                pytest.fail("import circle: " + " -> ".join([*trail, module, imported]))
            if imported not in state:
                visit(imported, [*trail, module])
        state[module] = 2

    for module in sorted(modules):
        if module not in state:
            visit(module, [])


def test_no_module_outgrows_its_job():
    long = {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
            for path in _modules().values()}
    assert {name: lines for name, lines in long.items() if lines > LONGEST and name not in LONGER_ON_PURPOSE} == {}


def test_core_modules_never_import_the_command_line_stack():
    core = [module for module in _modules() if _layer(module) != "cli"]
    code = ("import importlib, sys\n"
            f"for name in {core!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in ('typer', 'click', 'rich') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
    assert len(core) > 30


def test_only_the_storage_layer_writes_sql():
    sql_words = ("sqlalchemy", "sqlite3")
    outside = []
    for module, path in _modules().items():
        if _layer(module) in ("storage", "context"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            outside += [f"{module}: {name}" for name in names if name.split(".")[0] in sql_words]
    assert outside == []


@pytest.mark.sqlite_only  # on a server URL the statements run through SQLAlchemy by design
@pytest.mark.parametrize("argv", [["next"], ["status"], ["show", "resnet"], ["review"], ["search", "resnet"]])
def test_daily_commands_on_a_current_database_import_neither_sqlalchemy_nor_alembic(tmp_path, argv):
    env = {**os.environ, "DLSTUDY_HOME": str(tmp_path), "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00", "TZ": "UTC"}
    env.pop("DLSTUDY_GUIDE", None)
    env.pop("DLSTUDY_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "dlstudy", "done", "mlp"], env=env, check=True, capture_output=True)
    code = ("import sys\n"
            "from dlstudy.cli import main\n"
            f"sys.argv = ['dlstudy', *{argv!r}]\n"
            "try:\n"
            "    main()\n"
            "except SystemExit as stop:\n"
            "    assert not stop.code, stop.code\n"
            "print('RICH', 'rich' in sys.modules)\n"
            "print('LOADED', sorted(m for m in ('sqlalchemy', 'alembic', 'pydantic') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, input="q\n", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "LOADED []"
    if argv[0] == "search":  # it prints plain styled lines: Rich costs more than the whole search
        assert "RICH False" in result.stdout
