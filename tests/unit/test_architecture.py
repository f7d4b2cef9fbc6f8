"""The one rule of dependencies, checked on the source: faces → assets → stages → contract.

Stages follow the path a submission takes (ingest → validate → warehouse →
publish) and may import only earlier stages and the contract; nothing below
the assets imports Dagster; and no module imports another that imports it back.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pipelines"
LAYERS = {
    "contract": 0,
    "settings": 0,
    "files": 0,
    "processes": 0,
    "__init__": 0,
    "register": 1,
    "ingest": 2,
    "validate": 3,
    "warehouse": 4,
    "publish": 5,
    "assets": 6,
    "definitions": 7,
    "progress": 7,
    "cli": 8,
    "portal": 8,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: set[str]) -> set[str]:
    """Project modules imported anywhere in the file (`from pkg import module` included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        else:
            continue
        found.update(n for n in names if n in known)
    return found


def external_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


GRAPH = {name: imports(path, set(modules())) - {name} for name, path in modules().items()}


def test_every_module_belongs_to_a_known_layer():
    assert all(layer(m) >= 0 for m in GRAPH)
    assert "pipelines.core" not in GRAPH


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_only_go_down_the_layers(module):
    upward = sorted(m for m in GRAPH[module] if layer(m) > layer(module))
    assert upward == [], f"{module} imports a later layer: {upward}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if layer(m) < LAYERS["assets"]))
def test_no_dagster_below_the_assets(module):
    assert not external_imports(modules()[module]) & {"dagster", "dagster_duckdb"}


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("pipelines.portal")))
def test_the_portal_runs_no_pipeline(module):
    """The portal is a face over the stages: it never starts Dagster runs itself, and
    never writes the warehouse, whose one writer is the pipeline."""
    assert not external_imports(modules()[module]) & {"dagster", "dagster_duckdb"}
    assert not {m for m in GRAPH[module] if m.startswith("pipelines.assets")}
    assert "duckdb.connect" not in modules()[module].read_text(encoding="utf-8")


def top_level_imports(path: Path) -> set[str]:
    """What a module imports when it is imported: its top-level statements, not the
    imports inside functions nor those only a type checker reads."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("pipelines.cli")))
def test_the_commands_modules_leave_their_heavy_imports_to_their_handlers(module):
    """The command registry imports every group's module to build the parser, so what
    a module imports at its top is paid by `evstats validate`, `--help` and every usage
    error: only the contract, the settings and the CLI's own modules, never Dagster,
    Django or a layer above the contract."""
    imported = top_level_imports(modules()[module])
    project = {m for m in imported if m.split(".")[0] == "pipelines"}
    assert {m for m in project if m != "pipelines" and layer(m) not in (0, LAYERS["cli"])} == set()
    assert {
        m for m in project if layer(m) == LAYERS["cli"] and not m.startswith("pipelines.cli")
    } == set()
    assert {m.split(".")[0] for m in imported} & {
        "dagster",
        "django",
        "great_expectations",
    } == set()


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Depth-first search for a cycle; returns one (first node repeated at the end)."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                return [*stack[stack.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_circles():
    cycle = find_cycle(GRAPH)
    assert cycle is None, " → ".join(cycle or [])


def test_the_search_finds_a_circle_through_three_modules():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_readme_architecture_section_names_every_module():
    """The README's map of the code must match the tree: each module of a stage package
    (and the contract) is named in its own package's row of the Architecture section (a
    name in another row, such as the portal's `texts.py`, does not count)."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `pipelines/([a-z_]+)/` \| (.*) \|$", section, re.MULTILINE))
    stages = ("contract", "register", "ingest", "validate", "warehouse", "publish")
    unnamed = {
        f"{stage}/{p.name}"
        for stage in stages
        for p in (PACKAGE / stage).glob("*.py")
        if p.stem != "__init__" and f"`{p.name}`" not in rows.get(stage, "")
    }
    assert unnamed == set()


def test_the_report_writers_draw_from_the_view_alone():
    """One view for all writers (`publish/view.py`): the workbook, the charts and the PDF
    take the language's `View`, never the gathered data, so they cannot derive a number or
    a symbol of their own; the PX files and the open dataset take their words from
    `publish/texts.py`, as the view does."""
    for writer in ("workbook", "charts", "report_pdf"):
        assert "pipelines.publish.report_data" not in GRAPH[f"pipelines.publish.{writer}"]
    assert "pipelines.publish.view" in GRAPH["pipelines.publish.workbook"]
    for writer in ("px", "opendata", "view"):
        assert "pipelines.publish.texts" in GRAPH[f"pipelines.publish.{writer}"]
    assert "pipelines.publish.view" not in GRAPH["pipelines.publish.px"]
    assert "pipelines.publish.view" not in GRAPH["pipelines.publish.opendata"]


LONGEST_FUNCTION = 80


def long_functions(source: str) -> dict[str, int]:
    """Functions (methods and nested ones included) longer than the limit, by name."""
    return {
        node.name: node.end_lineno - node.lineno + 1
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
    }


def test_no_function_is_longer_than_a_screen_or_two():
    """A function a newcomer cannot read at once hides its steps; past 80 lines one is
    split into named parts (issue 22 found five)."""
    found = {
        f"{module}.{name}": length
        for module, path in modules().items()
        for name, length in long_functions(path.read_text(encoding="utf-8")).items()
    }
    assert found == {}


def test_the_length_rule_counts_a_long_method():
    body = "\n".join(f"        x{i} = {i}" for i in range(LONGEST_FUNCTION))
    assert long_functions(f"class A:\n    def long(self):\n{body}\n") == {"long": 81}
