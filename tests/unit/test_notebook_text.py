"""Chapters edited as text with jupytext (README, "Layout"): the round trip loses nothing.

``notebooks/*.ipynb`` are the chapters' sources. The README's way to edit one as text is jupytext's
percent format and back::

    jupytext --to py:percent notebooks/01_datasets.ipynb -o ch1.py
    jupytext --to notebook --update ch1.py -o notebooks/01_datasets.ipynb

These tests run that round trip on every chapter, on copies, and check that the cells (type,
source, and the Jupyter Book / papermill tags ``parameters``, ``hide-input``, ``hide-cell``,
``solution``) come back identical and without outputs. With ``--update`` the notebook's own
metadata and cell ids are kept too, so the committed notebook comes back unchanged.
"""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

jupytext = pytest.importorskip("jupytext", reason="jupytext is in the dev extra (make env installs it)")
from jupytext.cli import jupytext as jupytext_cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _cells(nb) -> list[tuple]:
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def test_there_are_chapters_with_the_tags_that_matter():
    assert len(CHAPTERS) >= 7
    tags = {t for path in CHAPTERS for c in nbformat.read(path, as_version=4).cells for t in c.metadata.get("tags", [])}
    assert {"parameters", "hide-input", "hide-cell", "solution"} <= tags


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_percent_round_trip_keeps_cells_sources_and_tags(chapter):
    nb = nbformat.read(chapter, as_version=4)
    text = jupytext.writes(nb, fmt="py:percent")
    back = jupytext.reads(text, fmt="py:percent")
    assert _cells(back) == _cells(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in back.cells if c.cell_type == "code")
    # exactly one parameters cell, as papermill needs
    assert sum("parameters" in tags for _, _, tags in _cells(back)) == 1


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_readme_commands_give_the_committed_notebook_back(chapter, tmp_path):
    notebook = tmp_path / chapter.name
    shutil.copyfile(chapter, notebook)
    script = tmp_path / f"{chapter.stem}.py"
    assert jupytext_cli(["--quiet", "--to", "py:percent", str(notebook), "-o", str(script)]) == 0
    assert "# %% tags=[\"parameters\"]" in script.read_text()
    notebook.unlink()  # build from the text alone first: no outputs, same cells
    assert jupytext_cli(["--quiet", "--to", "notebook", str(script), "-o", str(notebook)]) == 0
    assert _cells(nbformat.read(notebook, as_version=4)) == _cells(nbformat.read(chapter, as_version=4))
    shutil.copyfile(chapter, notebook)  # then as the README says, into the existing notebook
    assert jupytext_cli(["--quiet", "--to", "notebook", "--update", str(script), "-o", str(notebook)]) == 0
    # same JSON (cells, ids, notebook metadata); compared as JSON, not bytes, so that the writer's
    # whitespace is not what is tested
    assert json.loads(notebook.read_text()) == json.loads(chapter.read_text())
