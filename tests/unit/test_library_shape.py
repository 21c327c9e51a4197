"""The library's shape: no em_utils module imports (at module level) one that imports it back."""

import ast
from pathlib import Path

import em_utils

PACKAGE = Path(em_utils.__file__).parent


def _modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module under ``root`` by dotted name below it; a subpackage is named by its ``__init__``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and "__pycache__" not in parts:
            modules[".".join(parts)] = path
    return modules


def _module_imports(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules its module-level relative imports run, subpackages walked.

    ``from .a.b import x`` runs ``a`` (its ``__init__``) before ``a.b``, unless the importer is
    inside ``a`` already; ``from .a import b`` also runs ``a.b`` when that is a module.
    """
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.parse(path.read_text()).body:  # module level: what runs at import time
            if not (isinstance(node, ast.ImportFrom) and node.level >= 1):
                continue
            base = package[: len(package) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
            for depth in range(1, len(target) + 1):  # each package on the way runs its __init__
                if target[:depth] != package[:depth]:
                    deps.add(".".join(target[:depth]))
            deps |= {".".join(target + [a.name]) for a in node.names}
        graph[name] = (deps & set(modules)) - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return path[path.index(dep):] + [node, dep] if dep in path else [node, dep]
            if dep not in state and (found := visit(dep, path + [node])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [])):
            return found
    return None


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_module_imports_one_that_imports_it_back():
    graph = _module_imports()
    assert {"generation.settings", "training.specs", "judge", "judge.offline", "judge.validation"} <= set(graph)
    assert _cycle(graph) is None


def test_the_import_graph_sees_into_subpackages(tmp_path):
    """A loop through a subpackage's ``__init__`` and one inside a subpackage are both found."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "low.py").write_text("from .pkg.leaf import x\n")
    (tmp_path / "pkg" / "__init__.py").write_text("from .mid import y\n")
    (tmp_path / "pkg" / "leaf.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "mid.py").write_text("from ..low import z\nfrom . import leaf\n")
    graph = _module_imports(tmp_path)
    assert graph["low"] == {"pkg", "pkg.leaf"} and graph["pkg.mid"] == {"low", "pkg.leaf"}
    assert _cycle(graph) is not None  # low -> pkg -> pkg.mid -> low
    (tmp_path / "pkg" / "mid.py").write_text("from .leaf import x\n")
    assert _module_imports(tmp_path)["pkg.mid"] == {"pkg.leaf"} and _cycle(_module_imports(tmp_path)) is None


NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _code_cells(path: Path) -> list[list[str]]:
    """Each code cell of a chapter (the parameters cell aside) as its non-blank lines."""
    import json

    cells = json.loads(path.read_text())["cells"]
    return [[line for line in "".join(c["source"]).splitlines() if line.strip()] for c in cells
            if c["cell_type"] == "code" and "parameters" not in c.get("metadata", {}).get("tags", [])]


def test_chapter_cells_are_short():
    """Logic lives in the library: every code cell at most 10 lines, the median at most 7 (issue 19)."""
    import statistics

    chapters = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert chapters
    for path in chapters:
        sizes = [len(lines) for lines in _code_cells(path)]
        assert max(sizes) <= 10, f"{path.name}: a code cell has {max(sizes)} lines (at most 10)"
        assert statistics.median(sizes) <= 7, f"{path.name}: median cell {statistics.median(sizes)} lines (at most 7)"


def test_public_names_are_few_and_are_what_the_chapters_use():
    """``em_utils.__all__`` holds at most 40 names, each bound; every ``em.<name>`` a chapter calls is among them."""
    import re

    assert len(em_utils.__all__) <= 40
    assert len(set(em_utils.__all__)) == len(em_utils.__all__)
    for name in em_utils.__all__:
        assert hasattr(em_utils, name), name
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        used = {m for lines in _code_cells(path) for line in lines for m in re.findall(r"\bem\.(\w+)", line)}
        assert used <= set(em_utils.__all__), f"{path.name} calls em.{sorted(used - set(em_utils.__all__))}"


def test_every_chapter_builds_its_config_in_one_setup_cell():
    """One cell calls ``em.chapter_config`` and shows the values that ran; no other cell sets configuration."""
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = ["\n".join(lines) for lines in _code_cells(path)]
        setup = [c for c in cells if "em.chapter_config(" in c]
        assert len(setup) == 1, f"{path.name}: {len(setup)} cells call em.chapter_config"
        assert setup[0].splitlines()[-1].startswith("cfg"), f"{path.name}: the setup cell does not end by showing cfg"
        assert not any("make_config(" in c for c in cells), f"{path.name} builds a config outside its setup cell"
