"""Edit chapter notebooks as plain text, outputs stripped.

The notebooks in ``notebooks/`` are the sources of the chapters. To edit one as text, export it
to a percent-format script (cells separated by ``# %% [markdown]``, ``# %%``, ``# %% parameters``
or, for a code cell with Jupyter Book tags, ``# %% tags=["hide-input"]`` as jupytext writes it),
edit, and build it back:

    python tools/nbtool.py export notebooks/01_datasets.ipynb /tmp/01_datasets.py
    python tools/nbtool.py build /tmp/01_datasets.py notebooks/01_datasets.ipynb
"""

import json
import sys
from pathlib import Path

import nbformat


def build(source: Path, target: Path) -> None:
    cells, kind, tags, lines = [], None, [], []

    def flush():
        if kind is None:
            return
        text = "\n".join(lines).strip("\n")
        if kind == "markdown":
            text = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in text.splitlines())
            cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            cell = nbformat.v4.new_code_cell(text)
            if tags:
                cell.metadata["tags"] = list(tags)
            cells.append(cell)

    for line in source.read_text().splitlines():
        if line.startswith("# %%"):
            flush()
            rest = line[4:].strip()
            kind = "markdown" if rest == "[markdown]" else "code"
            tags = ["parameters"] if rest == "parameters" else json.loads(rest[5:]) if rest.startswith("tags=") else []
            lines = []
        else:
            lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    nbformat.validate(nb)
    target.write_text(nbformat.writes(nb) + "\n")


def export(source: Path, target: Path) -> None:
    nb = nbformat.read(source, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            body = "\n".join(("# " + l) if l else "#" for l in cell.source.splitlines())
            parts.append("# %% [markdown]\n" + body)
        else:
            tags = list(cell.metadata.get("tags", []))
            tag = " parameters" if tags == ["parameters"] else f" tags={json.dumps(tags)}" if tags else ""
            parts.append(f"# %%{tag}\n" + cell.source)
    target.write_text("\n\n".join(parts) + "\n")


if __name__ == "__main__":
    command, src, dst = sys.argv[1:4]
    {"build": build, "export": export}[command](Path(src), Path(dst))
