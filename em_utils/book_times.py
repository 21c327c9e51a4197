"""How long each chapter took, as the book and the README state it: read from the recorded book timings.

``benchmarks/book_time.py`` records a built book's chapter run records (wall time, stages, git
commit, host, CPU flags) as ``benchmarks/results/book_<profile>.json``. This module turns those
records into the time table the teachers' page shows (written at book build time into
``book/generated/book_times.md``, as ``book/results.md`` is, by :func:`em_utils.results.write_book_pages`)
and the README's time table (between the markers :data:`README_START` and :data:`README_END`;
``python -m em_utils.book_times --readme`` rewrites it, and a unit test checks it is current). No
time is typed in by hand: a new recording changes both at the next build.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

from .paths import project_root

__all__ = ["PROFILES", "README_START", "README_END", "load_book_time", "duration", "chapter_name", "provenance",
           "times_table", "times_markdown", "write_times_page", "readme_block", "update_readme"]

#: The profiles whose recorded book timing the table shows, in its column order.
PROFILES = ("quick", "demo")

README_START = ("<!-- book-times: written by `python -m em_utils.book_times --readme` from "
                "benchmarks/results/book_<profile>.json; do not edit by hand -->")
README_END = "<!-- /book-times -->"


def load_book_time(profile: str, root: Path | None = None) -> dict[str, Any] | None:
    """The recorded timing of ``profile``'s book (``benchmarks/results/book_<profile>.json``), or None."""
    path = (root or project_root()) / "benchmarks" / "results" / f"book_{profile}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def duration(seconds: float) -> str:
    """Seconds as the book writes a time.

    >>> duration(9.04), duration(111.2), duration(1226.5), duration(3725)
    ('9 s', '1 min 51 s', '20 min 26 s', '62 min 05 s')
    """
    whole = int(round(seconds))
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


def chapter_name(chapter: str, root: Path | None = None) -> str:
    """``"3 Sampling and judging"``: the chapter's number and its title up to a colon or comma (the id where the
    notebook is missing)."""
    number = str(int(chapter.split("_", 1)[0])) if chapter[:2].isdigit() else ""
    title = chapter.split("_", 1)[-1]
    notebook = (root or project_root()) / "notebooks" / f"{chapter}.ipynb"
    if notebook.is_file():
        for cell in json.loads(notebook.read_text())["cells"]:
            heading = next((line[2:] for line in "".join(cell["source"]).splitlines() if line.startswith("# ")), None)
            if heading:
                title = re.split(r"[:,]", heading, maxsplit=1)[0].strip()
                break
    return f"{number} {title}".strip()


def _stages(chapter: Mapping[str, Any], n: int) -> str:
    """The ``n`` longest stages of a chapter record, longest first (none under half a second).

    >>> _stages({"stages_s": {"load": 0.4, "train a": 25.3, "train b": 42.7}}, 2)
    'train b 43 s, train a 25 s'
    >>> _stages({"stages_s": {"load": 0.4, "statistics": 2.8}}, 2)
    'statistics 3 s'
    """
    stages = sorted(((k, s) for k, s in chapter.get("stages_s", {}).items() if s >= 0.5), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{name} {duration(s)}" for name, s in stages)


def provenance(profile: str, record: Mapping[str, Any]) -> str:
    """One line: the profile's total (the sum of its chapters' times, as in the table), and where, when and at which commit it was measured (from the record).

    >>> print(provenance("quick", {"date": "2026-12-02", "machine": "x86_64 2 cores Intel Xeon", "value": 17.48,
    ...     "baseline_value": 20.0, "cpu_flags": ["amx_bf16", "avx512f"], "note": "fresh clone",
    ...     "chapters": [{"chapter": "01_datasets", "wall_s": 5.5, "commit": "aced4e6b9521"},
    ...                  {"chapter": "02_training", "wall_s": 1043.4, "commit": "aced4e6b9521"}]}))
    - `quick`: **17 min 29 s** of chapters in all (budget 20 min), measured 2026-12-02 on x86_64 2 cores Intel Xeon (CPU flags amx_bf16, avx512f) at commit `aced4e6` (`benchmarks/results/book_quick.json`: fresh clone).
    """
    commits = list(dict.fromkeys(str(c.get("commit") or "?")[:7] for c in record.get("chapters", [])))
    flags = record.get("cpu_flags") or []
    budget = record.get("baseline_value")
    chapters = record.get("chapters") or []
    total = sum(c["wall_s"] for c in chapters) if chapters else 60 * float(record["value"])  # the table's total
    return (f"- `{profile}`: **{duration(total)}** of chapters in all"
            + (f" (budget {budget:g} min)" if budget else "")
            + f", measured {record.get('date', '?')} on {record.get('machine', 'an unrecorded host')}"
            + (f" (CPU flags {', '.join(flags)})" if flags else " (no AVX-512 or AMX flag)")
            + f" at commit{'s' if len(commits) > 1 else ''} " + ", ".join(f"`{c}`" for c in commits)
            + f" (`benchmarks/results/book_{profile}.json`" + (f": {record['note']}" if record.get("note") else "") + ")."
            + _extras(record))


def _extras(record: Mapping[str, Any]) -> str:
    """What else the record measured: the unchanged rebuild, the run folder's and the models' disk.

    >>> _extras({"rebuild_s": 5.6, "run_folder_mb": 205.2, "model_cache_mb": {"smollm2": 517.0, "qwen": 2950.4}})
    ' A second `make book` with nothing changed: 5.6 s. Disk: run folder 205 MB; model cache 517 MB (smollm2), 2950 MB (qwen).'
    >>> _extras({})
    ''
    """
    parts = []
    if record.get("rebuild_s") is not None:
        parts.append(f" A second `make book` with nothing changed: {record['rebuild_s']:g} s.")
    disk = []
    if record.get("run_folder_mb") is not None:
        disk.append(f"run folder {record['run_folder_mb']:.0f} MB")
    if record.get("model_cache_mb"):
        disk.append("model cache " + ", ".join(f"{mb:.0f} MB ({name})" for name, mb in record["model_cache_mb"].items()))
    if disk:
        parts.append(" Disk: " + "; ".join(disk) + ".")
    return "".join(parts)


def times_table(records: Mapping[str, Mapping[str, Any] | None], stages: int = 2, root: Path | None = None) -> str:
    """A Markdown table: per chapter, each profile's wall time and its ``stages`` longest stages, then the total.

    A profile without a record, or a chapter its record lacks, reads "not recorded".
    """
    present = {p: r for p, r in records.items() if r}
    by_chapter = {p: {c["chapter"]: c for c in r.get("chapters", [])} for p, r in present.items()}
    chapters = sorted({c for rows in by_chapter.values() for c in rows})
    header = ["chapter"] + [h for p in present for h in (f"`{p}`", f"`{p}`: its longest stages")]
    lines = ["| " + " | ".join(header) + " |", "|:--|" + "|".join(["--:", ":--"] * len(present)) + "|"]
    for chapter in chapters:
        cells = [chapter_name(chapter, root)]
        for p in present:
            row = by_chapter[p].get(chapter)
            cells += [duration(row["wall_s"]), _stages(row, stages)] if row else ["not recorded", ""]
        lines.append("| " + " | ".join(cells) + " |")
    total = ["**all chapters**"]
    for p in present:
        total += [f"**{duration(sum(c['wall_s'] for c in by_chapter[p].values()))}**", ""]
    lines.append("| " + " | ".join(total) + " |")
    return "\n".join(lines) + "\n"


def times_markdown(profiles: Sequence[str] = PROFILES, root: Path | None = None) -> str:
    """The time table with a line of provenance per profile (host, date, commit), or a line saying none is recorded."""
    records = {p: load_book_time(p, root) for p in profiles}
    if not any(records.values()):
        return (f"No book timing is recorded yet (`benchmarks/results/book_<profile>.json` for {', '.join(profiles)}; "
                "`python benchmarks/book_time.py --profile <profile>` records a built book's).\n")
    lines = [provenance(p, r) for p, r in records.items() if r]
    lines += [f"- `{p}`: no timing recorded (`python benchmarks/book_time.py --profile {p}` after "
              f"`make book PROFILE={p}`)." for p, r in records.items() if not r]
    return "\n".join(lines) + "\n\n" + times_table(records, root=root)


def write_times_page(folder: str | Path, root: Path | None = None) -> Path:
    """Write :func:`times_markdown` to ``folder/book_times.md`` (the teachers' page includes it)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "book_times.md"
    path.write_text(times_markdown(root=root))
    return path


def readme_block(root: Path | None = None) -> str:
    """The README's time table between its markers, as :func:`update_readme` writes it."""
    return f"{README_START}\n{times_markdown(root=root)}{README_END}"


def update_readme(path: str | Path | None = None, root: Path | None = None) -> bool:
    """Rewrite the README's time table from the records; True when it changed. The markers must be there."""
    path = Path(path) if path else (root or project_root()) / "README.md"
    text = path.read_text()
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"{path}: no time-table markers ({README_START!r} ... {README_END!r})")
    new = text[:start] + readme_block(root) + text[end + len(README_END):]
    if new != text:
        path.write_text(new)
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The book's time table from benchmarks/results/book_<profile>.json.")
    parser.add_argument("--readme", action="store_true", help="rewrite the README's time table (between its markers)")
    args = parser.parse_args(argv)
    if args.readme:
        print("README.md " + ("updated" if update_readme() else "already current"))
    else:
        sys.stdout.write(times_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
