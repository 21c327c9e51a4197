"""The library's shape: no em_utils module imports (at module level) one that imports it back."""

import ast
from pathlib import Path

import em_utils

PACKAGE = Path(em_utils.__file__).parent


def _module_imports() -> dict[str, set[str]]:
    modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.parse(path.read_text()).body:  # module level: what runs at import time
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        graph[name] = deps & set(modules)
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
    assert _cycle(_module_imports()) is None


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
